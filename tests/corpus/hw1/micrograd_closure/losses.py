"""Style: micrograd-like closures for the losses: forward computes the value and stores a
``_backward`` closure that needs no argument (the upstream gradient of a loss is 1).

Ported from karpathy/micrograd:micrograd/engine.py (the closure pattern of Value ops, with
``self.grad = 1`` at the root of backward). Log-softmax with the row max subtracted.
"""

import torch


class _Loss:
    def __init__(self):
        self._backward = lambda: None

    def backward(self):
        return self._backward()


class MSELoss(_Loss):
    def forward(self, y_pred, y_true):
        d = y_pred - y_true
        n = d.numel()
        out = (d**2).sum() / n

        def _backward():
            return 2 * d / n
        self._backward = _backward
        return out


class MAELoss(_Loss):
    def forward(self, y_pred, y_true):
        d = y_pred - y_true
        n = d.numel()
        out = d.abs().sum() / n

        def _backward():
            return d.sign() / n
        self._backward = _backward
        return out


class HuberLoss(_Loss):
    def __init__(self, delta=1.0):
        super().__init__()
        self.delta = delta

    def forward(self, y_pred, y_true):
        delta = self.delta
        d = y_pred - y_true
        n = d.numel()
        out = torch.where(d.abs() <= delta, 0.5 * d**2, delta * (d.abs() - 0.5 * delta)).sum() / n

        def _backward():
            return d.clamp(-delta, delta) / n
        self._backward = _backward
        return out


class BCELoss(_Loss):
    def forward(self, y_pred, y_true):
        p = y_pred.clamp(1e-7, 1 - 1e-7)
        y = y_true
        n = p.numel()
        out = -(y * p.log() + (1 - y) * (1 - p).log()).sum() / n

        def _backward():
            return (p - y) / (p * (1 - p)) / n
        self._backward = _backward
        return out


class SoftmaxCELoss(_Loss):
    def forward(self, logits, labels):
        z = logits - logits.max(dim=1, keepdim=True).values
        logp = z - z.exp().sum(dim=1, keepdim=True).log()
        n = logits.shape[0]
        rows = torch.arange(n)
        out = -logp[rows, labels].sum() / n

        def _backward():
            g = logp.exp()
            g[rows, labels] -= 1
            return g / n
        self._backward = _backward
        return out
