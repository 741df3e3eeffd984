"""Style: the tutorial's module-level ``mse(y_true,y_pred)`` / ``mse_prime(y_true,y_pred)``
pair (``np.mean(np.power(y_true - y_pred, 2))`` and ``2 * (y_pred - y_true) / np.size(y_true)``),
with the other losses as lambdas in a dict, ``from __future__ import annotations``.

Ported from dhruvdabhi101/Machine-Learning-Implementation:neural-net/neural.py (mse,
mse_prime). Changes for the contract: the classes store (y_true, y_pred) and call the pair;
MAE, Huber, BCE (clamped to [1e-7, 1 - 1e-7]) and the softmax cross-entropy (log-sum-exp)
are new, in the same style.
"""
# ruff: noqa: E731, E231

from __future__ import annotations

import torch


def mse(y_true,y_pred):
    return torch.mean(torch.pow(y_true - y_pred, 2))


def mse_prime(y_true,y_pred):
    return 2 * (y_pred - y_true) / torch.numel(y_true)


def log_softmax(z):
    z = z - z.max(dim=1, keepdim=True).values
    return z - z.exp().sum(dim=1, keepdim=True).log()


clip = lambda p : torch.clamp(p, 1e-7, 1 - 1e-7)

LOSSES = {
    "mae": (lambda y, p: torch.mean(torch.abs(y - p)),
            lambda y, p: torch.sign(p - y) / torch.numel(y)),
    "bce": (lambda y, p: torch.mean(-y * torch.log(clip(p)) - (1 - y) * torch.log(1 - clip(p))),
            lambda y, p: (clip(p) - y) / (clip(p) * (1 - clip(p))) / torch.numel(y)),
}


class _PairLoss:
    y_true: torch.Tensor | None = None
    y_pred: torch.Tensor | None = None

    def __init__(self, loss, loss_prime):
        self.loss, self.loss_prime = loss, loss_prime

    def forward(self,y_pred,y_true):
        self.y_true, self.y_pred = y_true, y_pred
        return self.loss(y_true, y_pred)

    def backward(self):
        return self.loss_prime(self.y_true, self.y_pred)


class MSELoss(_PairLoss):
    def __init__(self):
        super().__init__(mse, mse_prime)


class MAELoss(_PairLoss):
    def __init__(self):
        super().__init__(*LOSSES["mae"])


class BCELoss(_PairLoss):
    def __init__(self):
        super().__init__(*LOSSES["bce"])


class HuberLoss(_PairLoss):
    def __init__(self, delta: float = 1.0):
        self.delta = delta
        huber = lambda y, p: torch.mean(torch.where((p - y).abs() <= delta, 0.5 * (p - y) ** 2,
                                                    delta * ((p - y).abs() - 0.5 * delta)))
        huber_prime = lambda y, p: torch.clamp(p - y, -delta, delta) / torch.numel(y)
        super().__init__(huber, huber_prime)


class SoftmaxCELoss(_PairLoss):
    def __init__(self):
        ce = lambda y, z: -log_softmax(z)[torch.arange(len(y)), y].mean()
        super().__init__(ce, self.ce_prime)

    @staticmethod
    def ce_prime(y, z):
        grad = log_softmax(z).exp()
        grad[torch.arange(len(y)), y] -= 1
        return grad / len(y)
