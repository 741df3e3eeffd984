"""Zeros everywhere (an exploit sample): every forward and backward returns zeros of the right
shape and dtype and stores zero dW and db. Such a forward agrees with its own zero backward in
the gradient check and leaves its inputs untouched, which pays nothing: it computes nothing.
"""

import torch


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None
        self.needs_dx = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._x = x
        return torch.zeros(x.shape[0], self.W.shape[1], dtype=x.dtype)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        self.dW = torch.zeros_like(self.W)
        self.db = torch.zeros_like(self.b)
        return torch.zeros_like(self._x)

    def step(self, lr: float) -> None:
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
