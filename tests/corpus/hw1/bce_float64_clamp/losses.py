"""BCELoss computed in float64 and cast back (the clamp bound exact): one reading of the contract.

Written for this corpus (not ported).
"""

import torch


class MSELoss:
    """mean((y_pred - y_true)²); gradient 2·(y_pred - y_true) / numel."""

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._diff = y_pred - y_true
        return (self._diff * self._diff).mean()

    def backward(self) -> torch.Tensor:
        return self._diff * (2.0 / self._diff.numel())  # one pass over the data, not two


class MAELoss:
    """mean(|y_pred - y_true|); gradient sign(y_pred - y_true) / numel (any of [-1, 1] at 0)."""

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._diff = y_pred - y_true
        return self._diff.abs().mean()

    def backward(self) -> torch.Tensor:
        return torch.sign(self._diff) / self._diff.numel()


class HuberLoss:
    """Per element, with e = y_pred - y_true: e²/2 if |e| <= delta, else delta·(|e| - delta/2).

    Averaged over numel. Gradient per element: e if |e| <= delta, else delta·sign(e),
    i.e. e clipped to [-delta, delta], divided by numel.
    """

    def __init__(self, delta: float = 1.0):
        self.delta = delta

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._diff = y_pred - y_true
        a = self._diff.abs()
        quadratic = 0.5 * self._diff * self._diff
        linear = self.delta * (a - 0.5 * self.delta)
        return torch.where(a <= self.delta, quadratic, linear).mean()

    def backward(self) -> torch.Tensor:
        return self._diff.clamp(-self.delta, self.delta) / self._diff.numel()


class BCELoss:
    """Binary cross-entropy on probabilities p (not logits), targets y in [0, 1].

    p is first clamped to [1e-7, 1 - 1e-7], then
    L = -mean(y·log p + (1 - y)·log(1 - p)), gradient (p - y) / (p·(1 - p)) / numel.
    """

    EPS = 1e-7

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        # The clamp and the logs in float64, cast back: 1 - 1e-7 is exact there.
        self._dtype = y_pred.dtype
        self._p = y_pred.double().clamp(self.EPS, 1.0 - self.EPS)
        self._y = y_true.double()
        p, y = self._p, self._y
        return (-(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)).mean()).to(self._dtype)

    def backward(self) -> torch.Tensor:
        p, y = self._p, self._y
        return ((p - y) / (p * (1.0 - p)) / p.numel()).to(self._dtype)


class SoftmaxCELoss:
    """Softmax cross-entropy on logits z (B, K) with int64 class labels (B,).

    log p = z - max(z) - log Σ_k exp(z_k - max(z))   (log-softmax: finite for any z)
    L = -mean_i log p[i, label_i]; gradient (softmax(z) - onehot(label)) / B.
    Cost: O(B·K).
    """

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        z = logits - logits.max(dim=1, keepdim=True).values
        log_p = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))
        self._p = torch.exp(log_p)
        self._labels = labels
        rows = torch.arange(logits.shape[0], device=logits.device)
        return -log_p[rows, labels].mean()

    def backward(self) -> torch.Tensor:
        B = self._p.shape[0]
        grad = self._p.clone()
        grad[torch.arange(B, device=grad.device), self._labels] -= 1.0
        return grad / B
