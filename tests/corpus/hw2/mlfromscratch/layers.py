"""ML-From-Scratch style: `forward_pass(X, training=True)` / `backward_pass(accum_grad)`, BatchNormalization
caching `X_centered` and `stddev_inv` and returning the one-expression gradient
`(1 / batch_size) * gamma * stddev_inv * (batch_size * accum_grad - sum - X_centered * stddev_inv**2 * sum(...))`,
Dropout with `self._mask = uniform > p`.

Ported from eriklindernoren/ML-From-Scratch:mlfromscratch/deep_learning/layers.py (BatchNormalization,
Dropout). Changes for the contract: torch instead of numpy; the source updates gamma and beta with its
own optimizer inside backward_pass, here it sets weight.grad and bias.grad; running statistics start at
the given zeros and ones (the source starts them at the first batch's), PyTorch's momentum (the source's
0.99 weights the old statistics), the unbiased running variance, eps from the constructor (the source's
is 0.01); eval mode caches X_centered and stddev_inv for its backward; the source's Dropout scales by
(1 − p) in eval mode, here it is inverted dropout (mask scaled by 1/(1 − p), eval the identity), p = 1
gives zeros. The source's `uniform > p` keeps an element with probability 1 − p − 2⁻²⁴ (float32).
"""

import torch

from .parameter import Parameter


class BatchNorm1d:
    """Batch normalisation over a batch x (B, C): each of the C features is normalised on its own.

    Training mode (statistics of this batch, per feature c; B >= 2):
        μ = mean_i x[i, c]             σ² = mean_i (x[i, c] - μ)²      (biased: divided by B)
        x̂ = (x - μ) / √(σ² + eps)      y = γ·x̂ + β
        running_mean = (1 - momentum)·running_mean + momentum·μ
        running_var  = (1 - momentum)·running_var  + momentum·σ²·B/(B - 1)   (unbiased)
    Eval mode (the running statistics; nothing is updated):
        x̂ = (x - running_mean) / √(running_var + eps)      y = γ·x̂ + β

    Parameters (given): ``weight`` γ (C,) ones and ``bias`` β (C,) zeros, both Parameters.
    Buffers (given): ``running_mean`` (C,) zeros and ``running_var`` (C,) ones, plain tensors.
    ``backward`` returns dL/dx (B, C) and sets (overwrites) ``weight.grad`` and ``bias.grad`` (C,).

    Cost: forward and backward O(B·C) time each; forward caches x̂ (B·C numbers) and 1/√(σ² + eps) (C).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = Parameter(torch.ones(num_features))
        self.bias = Parameter(torch.zeros(num_features))
        self.running_mean = torch.zeros(num_features)
        self.running_var = torch.ones(num_features)
        self.training = True

    def train(self) -> "BatchNorm1d":
        self.training = True
        return self

    def eval(self) -> "BatchNorm1d":
        self.training = False
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C) -> y (B, C). In training mode also updates the running statistics."""
        return self.forward_pass(x, training=self.training)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        return self.backward_pass(dout)

    def forward_pass(self, X, training=True):
        if training:
            mean = torch.mean(X, dim=0)
            var = torch.var(X, dim=0, unbiased=False)
            self.X_centered = X - mean
            self.stddev_inv = 1 / torch.sqrt(var + self.eps)
            batch_size = X.shape[0]
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * batch_size / (batch_size - 1)
        else:
            mean = self.running_mean
            var = self.running_var
            self.X_centered = X - mean
            self.stddev_inv = 1 / torch.sqrt(var + self.eps)
        self.trained = training

        X_norm = (X - mean) / torch.sqrt(var + self.eps)
        output = self.weight.data * X_norm + self.bias.data

        return output

    def backward_pass(self, accum_grad):

        # Save parameters used during the forward pass
        gamma = self.weight.data

        X_norm = self.X_centered * self.stddev_inv
        grad_gamma = torch.sum(accum_grad * X_norm, dim=0)
        grad_beta = torch.sum(accum_grad, dim=0)

        self.weight.grad = grad_gamma
        self.bias.grad = grad_beta

        if not self.trained:
            return accum_grad * gamma * self.stddev_inv

        batch_size = accum_grad.shape[0]

        # The gradient of the loss with respect to the layer inputs (use weights from forward pass)
        accum_grad = (1 / batch_size) * gamma * self.stddev_inv * (
            batch_size * accum_grad
            - torch.sum(accum_grad, dim=0)
            - self.X_centered * self.stddev_inv**2 * torch.sum(accum_grad * self.X_centered, dim=0)
            )

        return accum_grad


class Dropout:
    """Dropout: in training mode each element is zeroed with probability p, the rest scaled by 1/(1 - p).

    Training mode: y = x·mask, mask[j] = 0 with probability p and 1/(1 - p) otherwise, drawn
    independently for every element at every forward, from PyTorch's default random generator
    (so ``torch.manual_seed`` makes it reproducible). E[y] = x. p = 0 gives y = x; p = 1 gives
    zeros (nothing survives, and nothing is divided by 0).
    Eval mode: y = x (identity).
    ``backward(dout)`` returns dout·mask with the mask of the latest forward (dout in eval mode).

    Any shape. Cost: O(numel) time; forward caches the mask (numel numbers) in training mode.
    """

    def __init__(self, p: float = 0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p
        self.training = True

    def train(self) -> "Dropout":
        self.training = True
        return self

    def eval(self) -> "Dropout":
        self.training = False
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (any shape) -> y (same shape)."""
        return self.forward_pass(x, training=self.training)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        return self.backward_pass(dout)

    def forward_pass(self, X, training=True):
        if training:
            self._mask = (torch.rand(X.shape, dtype=X.dtype, device=X.device) > self.p).to(X.dtype)
            if self.p < 1:
                self._mask = self._mask / (1 - self.p)
            return X * self._mask
        self._mask = None
        return X

    def backward_pass(self, accum_grad):
        return accum_grad if self._mask is None else accum_grad * self._mask
