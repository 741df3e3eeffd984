"""The classifier you train in this assignment (given, complete).

Linear, ReLU and SoftmaxCELoss below are assignment 1's reference code (solutions of its
Tasks 1-3), with one change: Linear's W and b are now Parameters, so that an optimizer can
update them; its backward stores the gradients in ``W.grad`` and ``b.grad`` instead of
``dW`` and ``db``. MLP chains them with your BatchNorm1d and Dropout (layers.py).
"""

import torch

from .layers import BatchNorm1d, Dropout
from .parameter import Parameter


class Linear:
    """y = x @ W + b, mapping M input features to N output features.

    Parameters: W (M, N) Xavier-normal (std = √(2 / (M + N))), b (N,) zeros.
    forward x (B, M) -> (B, N), 2·B·M·N FLOPs; backward 4·B·M·N FLOPs (2·B·M·N without dx).
    """

    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = Parameter(torch.randn(in_features, out_features) * std)
        self.b = Parameter(torch.zeros(out_features))
        self.needs_dx = True  # False on a first layer: the data's gradient is not needed

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._x = x
        return torch.addmm(self.b.data, x, self.W.data)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout (B, N) -> dL/dx (B, M) (None if not needs_dx); sets W.grad = xᵀ·dout, b.grad = Σ_i dout."""
        self.W.grad = self._x.T @ dout
        self.b.grad = dout.sum(dim=0)
        if not self.needs_dx:
            return None
        return dout @ self.W.data.T


class ReLU:
    """max(0, x), element-wise; derivative 1 where x > 0, else 0."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._positive = x > 0
        return x.clamp(min=0)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return dout * self._positive


class SoftmaxCELoss:
    """Softmax cross-entropy on logits z (B, K) and int64 labels (B,), averaged over B.

    log p = z - max(z) - log Σ_k exp(z_k - max(z)); L = -mean_i log p[i, label_i];
    dL/dz = (softmax(z) - onehot(label)) / B. Cost O(B·K).
    """

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        shifted = logits - logits.max(dim=1, keepdim=True).values
        log_p = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
        self._p = torch.exp(log_p)
        self._labels = labels
        return -log_p[torch.arange(logits.shape[0], device=logits.device), labels].mean()

    def backward(self) -> torch.Tensor:
        B = self._p.shape[0]
        grad = self._p.clone()
        grad[torch.arange(B, device=grad.device), self._labels] -= 1.0
        return grad / B


class MLP:
    """A classifier of widths dims[0] -> dims[1] -> ... -> dims[-1].

    Every hidden layer is Linear -> BatchNorm1d -> ReLU -> Dropout(dropout); the last is a
    Linear alone, giving logits for SoftmaxCELoss. Example: MLP([64, 64, 64, 10], dropout=0.1)
    is Linear(64,64) BN ReLU Dropout, Linear(64,64) BN ReLU Dropout, Linear(64,10).
    ``batchnorm=False`` leaves the BatchNorm1d layers out.

    forward x (B, dims[0]) -> logits (B, dims[-1]): 2·B·Σ d_l·d_(l+1) FLOPs plus O(B·Σ d_l)
    for the other layers; backward about twice that.
    """

    def __init__(self, dims: list[int], dropout: float = 0.0, batchnorm: bool = True):
        if len(dims) < 2:
            raise ValueError(f"dims needs an input and an output width at least, not {dims!r}")
        self.layers = []
        for i, (m, n) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
            self.layers.append(Linear(m, n))
            if i < len(dims) - 2:  # hidden layers only
                if batchnorm:
                    self.layers.append(BatchNorm1d(n))
                self.layers.append(ReLU())
                if dropout > 0.0:
                    self.layers.append(Dropout(dropout))
        self.layers[0].needs_dx = False

    def parameters(self) -> list[Parameter]:
        """Every Parameter of the model, in layer order (each Linear's W, b; each BatchNorm1d's weight, bias)."""
        params = []
        for layer in self.layers:
            if isinstance(layer, Linear):
                params += [layer.W, layer.b]
            elif isinstance(layer, BatchNorm1d):
                params += [layer.weight, layer.bias]
        return params

    def train(self) -> "MLP":
        """Training mode for every BatchNorm1d and Dropout (batch statistics, random masks)."""
        for layer in self.layers:
            if isinstance(layer, (BatchNorm1d, Dropout)):
                layer.train()
        return self

    def eval(self) -> "MLP":
        """Eval mode for every BatchNorm1d and Dropout (running statistics, no dropout)."""
        for layer in self.layers:
            if isinstance(layer, (BatchNorm1d, Dropout)):
                layer.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: torch.Tensor) -> None:
        """Back-propagates dL/d(logits) (B, dims[-1]); sets the .grad of every Parameter."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
