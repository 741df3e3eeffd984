"""Task 2: seven element-wise activations, forward and backward by hand.

Every class works on tensors of any shape. ``forward(x)`` returns f(x) and keeps
what ``backward`` needs; ``backward(dout)`` returns dL/dx = dout * f'(x), same shape.
Each costs O(numel) time and memory. Inputs are never changed in place, and the
results stay finite for |x| up to 1e4 in float32 and float64.
"""

import math

import torch


class Sigmoid:
    """σ(x) = 1 / (1 + e^-x), range (0, 1); σ'(x) = σ(x)(1 - σ(x)) <= 1/4."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Sigmoid.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Sigmoid.backward is not written yet: see Task 2 in README.md")


class Tanh:
    """tanh(x), range (-1, 1); tanh'(x) = 1 - tanh(x)²."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Tanh.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Tanh.backward is not written yet: see Task 2 in README.md")


class ReLU:
    """max(0, x); derivative 1 for x > 0 and 0 for x < 0 (any value in [0, 1] at 0)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ReLU.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ReLU.backward is not written yet: see Task 2 in README.md")


class LeakyReLU:
    """x for x > 0, alpha·x otherwise; derivative 1 or alpha (either at 0)."""

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("LeakyReLU.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("LeakyReLU.backward is not written yet: see Task 2 in README.md")


class ELU:
    """x for x > 0, alpha·(e^x - 1) otherwise; derivative 1 or alpha·e^x."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ELU.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ELU.backward is not written yet: see Task 2 in README.md")


class GELU:
    """The tanh form of GELU: 0.5·x·(1 + tanh(c·(x + 0.044715·x³))), c = sqrt(2/π).

    With u = c·(x + 0.044715·x³) and t = tanh(u):
    f'(x) = 0.5·(1 + t) + 0.5·x·(1 - t²)·c·(1 + 3·0.044715·x²).
    """

    C = math.sqrt(2.0 / math.pi)
    K = 0.044715

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("GELU.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("GELU.backward is not written yet: see Task 2 in README.md")


class Swish:
    """Swish (SiLU): x·σ(x); derivative σ(x)·(1 + x·(1 - σ(x)))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Swish.forward is not written yet: see Task 2 in README.md")

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Swish.backward is not written yet: see Task 2 in README.md")
