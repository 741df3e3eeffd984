"""Style: a second CMU 11-785 "mytorch" solution's losses: ``self.A, self.Y = A, Y``,
``self.N, self.C = A.shape[0], A.shape[1]``, ``np.sum(...) / (self.N * self.C)``, docstrings
with "Calculates ... given model output and ground truth values", the cross-entropy keeping
``self.softmax`` and ``crossentropy = (-Y * log(self.softmax)).sum(axis=1)``.

Ported from akhdanfadh/mytorch:mytorch/nn/loss.py (MSELoss, CrossEntropyLoss).
Changes for the contract: the source subtracts the *global* max (``np.max(A)``), which
underflows every entry of a row far below the max (0/0); the row max is subtracted, and the
log is the log-softmax rather than log(softmax); the labels are int64, turned into the
one-hot Y with zeros + scatter_; C is the number of elements per sample so that any shape
averages over numel. MAE, Huber and BCE follow the MSE.
"""

import torch


def _sizes(A):
    N = A.shape[0] if A.dim() > 0 else 1
    return N, A.numel() // N


class MSELoss:
    """Mean Squared Error Loss
    """
    def forward(self, A, Y):
        """Calculates mean squared error loss given model output and ground truth values.
        Args:
            A (torch.Tensor): Output of the model of shape (N, C).
            Y (torch.Tensor): Ground-truth values of shape (N, C).
        Returns:
            torch.Tensor: MSE Loss.
        """
        self.A, self.Y = A, Y
        self.N, self.C = _sizes(A)
        mse = torch.sum((A - Y) ** 2) / (self.N * self.C)
        return mse

    def backward(self):
        """Calculates the gradient of the MSE loss with respect to the model output."""
        dLdA = 2 * (self.A - self.Y) / (self.N * self.C)
        return dLdA


class MAELoss:
    """Mean Absolute Error Loss
    """
    def forward(self, A, Y):
        """Calculates mean absolute error loss given model output and ground truth values."""
        self.A, self.Y = A, Y
        self.N, self.C = _sizes(A)
        return torch.sum(torch.abs(A - Y)) / (self.N * self.C)

    def backward(self):
        """Calculates the gradient of the MAE loss with respect to the model output."""
        return torch.sign(self.A - self.Y) / (self.N * self.C)


class HuberLoss:
    """Huber Loss
    """
    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, A, Y):
        """Calculates Huber loss given model output and ground truth values."""
        self.A, self.Y = A, Y
        self.N, self.C = _sizes(A)
        E = A - Y
        huber = torch.where(torch.abs(E) <= self.delta, 0.5 * E ** 2, self.delta * (torch.abs(E) - 0.5 * self.delta))
        return torch.sum(huber) / (self.N * self.C)

    def backward(self):
        """Calculates the gradient of the Huber loss with respect to the model output."""
        return torch.clamp(self.A - self.Y, -self.delta, self.delta) / (self.N * self.C)


class BCELoss:
    """Binary Cross Entropy Loss
    """
    def forward(self, A, Y):
        """Calculates binary cross entropy loss given model output and ground truth values."""
        self.A, self.Y = torch.clamp(A, 1e-7, 1 - 1e-7), Y
        self.N, self.C = _sizes(A)
        bce = -(Y * torch.log(self.A) + (1 - Y) * torch.log(1 - self.A))
        return torch.sum(bce) / (self.N * self.C)

    def backward(self):
        """Calculates the gradient of the BCE loss with respect to the model output."""
        return (self.A - self.Y) / (self.A * (1 - self.A)) / (self.N * self.C)


class SoftmaxCELoss:
    """Cross Entropy Loss
    """
    def forward(self, A, Y):
        """Calculates cross entropy loss given model output and ground truth values.
        Args:
            A (torch.Tensor): Output of the model of shape (N, C).
            Y (torch.Tensor): Ground-truth class indices of shape (N,).
        Returns:
            torch.Tensor: Cross Entropy Loss.
        """
        self.A = A
        self.N, self.C = A.shape[0], A.shape[1]
        self.Y = torch.zeros_like(A).scatter_(1, Y.reshape(-1, 1), 1.0)
        shifted = A - torch.max(A, dim=1, keepdim=True).values
        log_softmax = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
        self.softmax = torch.exp(log_softmax)
        crossentropy = (-self.Y * log_softmax).sum(dim=1)
        L = crossentropy.sum() / self.N
        return L

    def backward(self):
        """Calculates the gradient of the cross entropy loss with respect to the model output."""
        dLdA = (self.softmax - self.Y) / self.N
        return dLdA
