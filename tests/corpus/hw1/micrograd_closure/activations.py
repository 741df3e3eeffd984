"""Style: micrograd (Karpathy) ``Value`` ops: each forward builds ``out`` and defines a local
``_backward`` closure over the values it needs, stored on the object
(``out._backward = _backward``; here ``self._backward``); backward just calls the closure;
``relu``'s local gradient is ``(out.data > 0) * out.grad``; a ``__repr__``.

Ported from karpathy/micrograd:micrograd/engine.py (Value.relu, the _backward closures).
Changes for the contract: the closures take the upstream gradient and return dL/dx instead
of accumulating into ``.grad`` of scalar Values; ``self._backward = lambda: None`` until a
forward has run, as in Value.__init__. The other activations are written the same way.
"""

import math

import torch


class _Op:
    def __init__(self):
        self._backward = lambda: None
        self._op = ''

    def backward(self, dout):
        return self._backward(dout)

    def __repr__(self):
        return f"{type(self).__name__}(op={self._op!r})"


class ReLU(_Op):
    def forward(self, x):
        out = torch.where(x < 0, torch.zeros_like(x), x)
        self._op = 'ReLU'

        def _backward(grad):
            return (out > 0) * grad
        self._backward = _backward

        return out


class LeakyReLU(_Op):
    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        alpha = self.alpha
        out = torch.where(x < 0, alpha * x, x)
        self._op = f'LeakyReLU({alpha})'

        def _backward(grad):
            return torch.where(x < 0, alpha * grad, grad)
        self._backward = _backward

        return out


class ELU(_Op):
    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        alpha = self.alpha
        e = torch.exp(torch.clamp(x, max=0))
        out = torch.where(x < 0, alpha * (e - 1), x)
        self._op = f'ELU({alpha})'

        def _backward(grad):
            return torch.where(x < 0, alpha * e * grad, grad)
        self._backward = _backward

        return out


class Tanh(_Op):
    def forward(self, x):
        t = torch.tanh(x)
        out = t
        self._op = 'tanh'

        def _backward(grad):
            return (1 - t**2) * grad
        self._backward = _backward

        return out


class Sigmoid(_Op):
    def forward(self, x):
        e = torch.exp(-torch.abs(x))
        s = torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
        out = s
        self._op = 'sigmoid'

        def _backward(grad):
            return s * (1 - s) * grad
        self._backward = _backward

        return out


class GELU(_Op):
    def forward(self, x):
        k = math.sqrt(2 / math.pi)
        t = torch.tanh(k * (x + 0.044715 * x**3))
        out = 0.5 * x * (1 + t)
        self._op = 'gelu'

        def _backward(grad):
            return (0.5 * (1 + t) + 0.5 * x * (1 - t**2) * k * (1 + 3 * 0.044715 * x**2)) * grad
        self._backward = _backward

        return out


class Swish(_Op):
    def forward(self, x):
        e = torch.exp(-torch.abs(x))
        s = torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
        out = x * s
        self._op = 'swish'

        def _backward(grad):
            return (s + out * (1 - s)) * grad
        self._backward = _backward

        return out
