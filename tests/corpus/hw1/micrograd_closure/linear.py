"""Style: micrograd-like closures: forward defines ``_backward`` over the tensors it used
and stores it; backward calls it (here it also records dW and db, as micrograd's closures
write ``.grad`` of the parameters).

Ported from karpathy/micrograd:micrograd/engine.py (Value.__mul__/__add__ and their
_backward closures: ``self.grad += other.data * out.grad``), for a whole matrix product.
"""

import torch


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def forward(self, x):
        W, b = self.W, self.b
        out = x @ W + b

        def _backward(grad):
            self.dW = x.T @ grad
            self.db = grad.sum(0)
            return grad @ W.T
        self._backward = _backward

        return out

    def backward(self, dout):
        return self._backward(dout)

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
