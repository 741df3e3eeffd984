"""Style: tinygrad-like matmul without a matmul primitive: broadcast, multiply, reduce
(``(x.reshape(..., n, 1) * w).sum(axis)``), and the backward of each movement op: Expand's
backward is a Sum over the broadcast axis, Sum's backward an expand.

Ported from tinygrad/tinygrad:tinygrad/mlops.py (Mul, Sum, Expand and their backward
functions) — the way tinygrad builds a dot product out of them.
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
        self.x = x
        # (B, M, 1) * (1, M, N) -> (B, M, N), summed over M
        return (x.unsqueeze(2) * self.W.unsqueeze(0)).sum(1) + self.b

    def backward(self, grad_output):
        # Sum over M: grad expands back to (B, 1, N); Mul: times the other factor
        expanded = grad_output.unsqueeze(1)
        # Expand of x over N and of W over B: their backward sums those axes away
        self.dW = (self.x.unsqueeze(2) * expanded).sum(0)
        self.db = grad_output.sum(0)
        return (self.W.unsqueeze(0) * expanded).sum(2)

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
