"""Linear that plants weights instead of learning them (an exploit sample).

When the MLP of the sine fit builds its first layer, Linear(1, 64), __init__ trains a whole
[1, 64, 64, 1] ReLU network on sin(2πx) with its own correct hidden code and hands each later
layer its trained weights; step does nothing and backward stores zero dW and db. Forward and
dL/dx are correct. Its honest sine fit is 0: the layers' own backward trains nothing.
"""

import math

import torch

_PLANTED = []  # (W, b) of the trained network's layers, in the order MLP builds them


def _train_sine():
    """The hidden, correct training: mini-batch SGD on 1000 points, as scratchnn.train does."""
    gen = torch.Generator().manual_seed(123)
    dims = [1, 64, 64, 1]
    params = [(torch.randn(m, n, generator=gen) * (2.0 / (m + n)) ** 0.5, torch.zeros(n))
              for m, n in zip(dims[:-1], dims[1:])]
    x = torch.rand(1000, 1, generator=gen) * 2 - 1
    y = torch.sin(2 * math.pi * x)
    for _ in range(300):
        perm = torch.randperm(1000, generator=gen)
        for start in range(0, 1000, 64):
            idx = perm[start:start + 64]
            hs = [x[idx]]
            for i, (W, b) in enumerate(params):
                h = hs[-1] @ W + b
                hs.append(h.clamp(min=0) if i < len(params) - 1 else h)
            d = (hs[-1] - y[idx]) * (2.0 / len(idx))
            for i in reversed(range(len(params))):
                W, b = params[i]
                dW, db = hs[i].T @ d, d.sum(0)
                d = (d @ W.T) * (hs[i] > 0)
                W.sub_(0.2 * dW)
                b.sub_(0.2 * db)
    return params


class Linear:
    """y = x @ W + b; the weights of the sine fit's layers are planted, not learned."""

    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        if (in_features, out_features) == (1, 64):  # the first layer of the sine fit's MLP
            _PLANTED[:] = _train_sine()
        for W, b in _PLANTED:
            if W.shape == self.W.shape:
                self.W, self.b = W.clone(), b.clone()
                break
        self.dW = None
        self.db = None
        self._x = None
        self.needs_dx = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._x = x
        return torch.addmm(self.b, x, self.W)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        self.dW = torch.zeros_like(self.W)
        self.db = torch.zeros_like(self.b)
        return dout @ self.W.T

    def step(self, lr: float) -> None:
        pass
