"""A fair sample: prints, reprs, f-strings, logging and asserts on tensors in every method.

Linear and ReLU print their tensors on the first calls of each object only: the sine fit calls
them tens of thousands of times, and formatting a 64×64 tensor costs about a millisecond.
"""

import logging

import torch

_log = logging.getLogger(__name__)


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None
        self.needs_dx = True
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._x = x
        out = torch.addmm(self.b, x, self.W)
        self.calls += 1
        if self.calls <= 3:
            print(x)
            print(f"{out}")
            repr(x)
            str(self.W)
            _log.debug("Linear.forward: %s -> %s", x, out)
        assert torch.isfinite(out).all()
        assert not out.requires_grad
        assert out.shape == (x.shape[0], self.W.shape[1]), f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        self.dW = self._x.T @ dout
        self.db = dout.sum(dim=0)
        dx = dout @ self.W.T
        self.calls += 1
        if self.calls <= 6:
            print(dout)
            print(f"dW = {self.dW}, db = {self.db!r}")
            repr(dx)
            str(dout)
            _log.info("Linear.backward: %s", dx)
        assert torch.isfinite(dx).all()
        assert dx.shape == self._x.shape, f"{dx.shape}"
        assert self.dW.shape == self.W.shape, f"{self.dW.shape}"
        return dx

    def step(self, lr: float) -> None:
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
