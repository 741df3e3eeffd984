"""Task 3: five losses, forward and backward by hand.

``forward(y_pred, y_true)`` returns a 0-dim tensor and keeps what ``backward``
needs; ``backward()`` returns dL/dy_pred with the shape of ``y_pred``.

The regression losses and BCE take tensors of any equal shape and average over
all ``numel`` elements, so their gradients carry a factor 1/numel (not 1/B).
Each costs O(numel) time and memory; inputs are never changed in place.
"""

import torch


class MSELoss:
    """mean((y_pred - y_true)²); gradient 2·(y_pred - y_true) / numel."""

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MSELoss.forward is not written yet: see Task 3 in README.md")

    def backward(self) -> torch.Tensor:
        raise NotImplementedError("MSELoss.backward is not written yet: see Task 3 in README.md")


class MAELoss:
    """mean(|y_pred - y_true|); gradient sign(y_pred - y_true) / numel (any of [-1, 1] at 0)."""

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MAELoss.forward is not written yet: see Task 3 in README.md")

    def backward(self) -> torch.Tensor:
        raise NotImplementedError("MAELoss.backward is not written yet: see Task 3 in README.md")


class HuberLoss:
    """Per element, with e = y_pred - y_true: e²/2 if |e| <= delta, else delta·(|e| - delta/2).

    Averaged over numel. Gradient per element: e if |e| <= delta, else delta·sign(e),
    i.e. e clipped to [-delta, delta], divided by numel.
    """

    def __init__(self, delta: float = 1.0):
        self.delta = delta

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("HuberLoss.forward is not written yet: see Task 3 in README.md")

    def backward(self) -> torch.Tensor:
        raise NotImplementedError("HuberLoss.backward is not written yet: see Task 3 in README.md")


class BCELoss:
    """Binary cross-entropy on probabilities p (not logits), targets y in [0, 1].

    p is first clamped to [1e-7, 1 - 1e-7], then
    L = -mean(y·log p + (1 - y)·log(1 - p)), gradient (p - y) / (p·(1 - p)) / numel.
    """

    EPS = 1e-7

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("BCELoss.forward is not written yet: see Task 3 in README.md")

    def backward(self) -> torch.Tensor:
        raise NotImplementedError("BCELoss.backward is not written yet: see Task 3 in README.md")


class SoftmaxCELoss:
    """Softmax cross-entropy on logits z (B, K) with int64 class labels (B,).

    log p = z - max(z) - log Σ_k exp(z_k - max(z))   (log-softmax: finite for any z)
    L = -mean_i log p[i, label_i]; gradient (softmax(z) - onehot(label)) / B.
    Cost: O(B·K).
    """

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("SoftmaxCELoss.forward is not written yet: see Task 3 in README.md")

    def backward(self) -> torch.Tensor:
        raise NotImplementedError("SoftmaxCELoss.backward is not written yet: see Task 3 in README.md")
