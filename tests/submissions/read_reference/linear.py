"""Linear that delegates to the kit's reference instead of computing (an exploit sample).

It tries every usual route to scratchnn_ref: importlib, __import__, and open() + exec()
of the file, at paths guessed from sys.path (the grader's site-packages sits in the kit's
.venv) and Gradescope's /autograder/source. Without a reference it raises, so its honest
score for Linear is 0.
"""

import importlib
import sys
from pathlib import Path

import torch


def _guesses():
    roots = [Path("/autograder/source")]
    for entry in sys.path:
        roots += list(Path(entry).parents)[:5]
    return [root / "scratchnn_ref" / "linear.py" for root in roots]


def _reference_linear():
    for route in (lambda: importlib.import_module("scratchnn_ref.linear"),
                  lambda: __import__("scratchnn_ref.linear", fromlist=["Linear"])):
        try:
            return route().Linear
        except Exception:
            pass
    for path in _guesses():
        try:
            source = open(path).read()
        except OSError:
            continue
        namespace = {}
        exec(source, namespace)
        return namespace["Linear"]
    return None


class Linear:
    """y = x @ W + b, computed by whatever reference can be found."""

    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self.needs_dx = True

    def _ref(self):
        found = _reference_linear()
        if found is None:
            raise RuntimeError("no reference found")
        ref = found(*self.W.shape)
        ref.W, ref.b = self.W, self.b
        return ref

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._delegate = self._ref()
        return self._delegate.forward(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        dx = self._delegate.backward(dout)
        self.dW, self.db = self._delegate.dW, self._delegate.db
        return dx

    def step(self, lr: float) -> None:
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
