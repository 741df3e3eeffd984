"""A fair sample: every annotation quoted ("torch.Tensor", "torch.Tensor | None" class attributes).

Task 2: seven element-wise activations, forward and backward by hand.

Every class works on tensors of any shape. ``forward(x)`` returns f(x) and keeps
what ``backward`` needs; ``backward(dout)`` returns dL/dx = dout * f'(x), same shape.
Each costs O(numel) time and memory. Inputs are never changed in place, and the
results stay finite for |x| up to 1e4 in float32 and float64.
"""

import math

import torch


def _sigmoid(x: "torch.Tensor") -> "torch.Tensor":
    """σ(x) = 1 / (1 + e^-x), written so that e^t is only taken for t <= 0."""
    e = torch.exp(-x.abs())  # in (0, 1]: never overflows
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Sigmoid:
    """σ(x) = 1 / (1 + e^-x), range (0, 1); σ'(x) = σ(x)(1 - σ(x)) <= 1/4."""

    _s: "torch.Tensor | None" = None

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._s = _sigmoid(x)
        return self._s

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        return dout * self._s * (1.0 - self._s)


class Tanh:
    """tanh(x), range (-1, 1); tanh'(x) = 1 - tanh(x)²."""

    _t: "torch.Tensor | None" = None

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._t = torch.tanh(x)
        return self._t

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        return dout * (1.0 - self._t * self._t)


class ReLU:
    """max(0, x); derivative 1 for x > 0 and 0 for x < 0 (any value in [0, 1] at 0)."""

    _y: "torch.Tensor | None" = None

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._y = x.clamp(min=0)
        return self._y

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        # sign(relu(x)) is 1 where x > 0 and 0 elsewhere: the derivative, as a float mask
        # (a multiply by floats is several times faster than torch.where on a bool mask)
        return dout * self._y.sign()


class LeakyReLU:
    """x for x > 0, alpha·x otherwise; derivative 1 or alpha (either at 0)."""

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._positive = x > 0
        return torch.where(self._positive, x, self.alpha * x)

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        return torch.where(self._positive, dout, self.alpha * dout)


class ELU:
    """x for x > 0, alpha·(e^x - 1) otherwise; derivative 1 or alpha·e^x."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._positive = x > 0
        # clamp first: e^x of a large positive x would overflow even in the unused branch
        self._exp = torch.exp(x.clamp(max=0))
        return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        return torch.where(self._positive, dout, self.alpha * self._exp * dout)


class GELU:
    """The tanh form of GELU: 0.5·x·(1 + tanh(c·(x + 0.044715·x³))), c = sqrt(2/π).

    With u = c·(x + 0.044715·x³) and t = tanh(u):
    f'(x) = 0.5·(1 + t) + 0.5·x·(1 - t²)·c·(1 + 3·0.044715·x²).
    """

    C = math.sqrt(2.0 / math.pi)
    K = 0.044715

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._x = x
        self._t = torch.tanh(self.C * (x + self.K * x**3))
        return 0.5 * x * (1.0 + self._t)

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        x, t = self._x, self._t
        du_dx = self.C * (1.0 + 3.0 * self.K * x * x)
        return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx)


class Swish:
    """Swish (SiLU): x·σ(x); derivative σ(x)·(1 + x·(1 - σ(x)))."""

    _s: "torch.Tensor | None" = None

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        self._x = x
        self._s = _sigmoid(x)
        # where σ(x) underflows to 0 the product is 0 too, also at x = -inf (-inf·0 is NaN)
        return torch.where(self._s == 0, 0.0, x * self._s)

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        s = self._s
        # x·(1 - σ(x)) is inf·0 at x = +inf; its limit there is 0
        tail = torch.where(s == 1, 0.0, self._x * (1.0 - s))
        return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))
