"""Style: ML-From-Scratch (Erik Linder-Norén) activation objects with ``function(x)`` and
``gradient(x)`` methods, ``__call__`` aliased to the function, the gradient recomputing the
function (``self.function(x) * (1 - self.function(x))``), ``np.where(x >= 0, ...)`` masks, ELU's
gradient written as ``self.function(x) + self.alpha``. ``class Sigmoid():`` with empty
parentheses and ``def __init__(self): pass`` one-liners.

Ported from eriklindernoren/ML-From-Scratch:mlfromscratch/deep_learning/activation_functions.py.
Changes for the contract: forward(x)/backward(dout) wrap function/gradient (the input is
kept for the gradient); the defaults are LeakyReLU(0.01) and ELU(1.0) (the source has 0.2
and 0.1); ELU's exp is taken of min(x, 0); the naive 1 / (1 + e^-x) and 2 / (1 + e^-2x) - 1
are kept (they give 0 / -1 for large negative x, never NaN). GELU and Swish are new, in
the same style.
"""
# ruff: noqa: E701, E702, UP039

import math

import torch


class Activation():
    def __init__(self): pass

    def __call__(self, x):
        return self.function(x)

    def forward(self, x):
        self.x = x
        return self.function(x)

    def backward(self, dout):
        return dout * self.gradient(self.x)


class Sigmoid(Activation):
    def __init__(self): pass

    def function(self, x):
        return 1 / (1 + torch.exp(-x))

    def gradient(self, x):
        return self.function(x) * (1 - self.function(x))


class Tanh(Activation):
    def __init__(self): pass

    def function(self, x):
        return 2 / (1 + torch.exp(-2 * x)) - 1

    def gradient(self, x):
        return 1 - torch.pow(self.function(x), 2)


class ReLU(Activation):
    def __init__(self): pass

    def function(self, x):
        return torch.where(x >= 0, x, 0)

    def gradient(self, x):
        return torch.where(x >= 0, 1, 0)


class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def function(self, x):
        return torch.where(x >= 0, x, self.alpha * x)

    def gradient(self, x):
        return torch.where(x >= 0, 1, self.alpha)


class ELU(Activation):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def function(self, x):
        return torch.where(x >= 0.0, x, self.alpha * (torch.exp(torch.clamp(x, max=0.0)) - 1))

    def gradient(self, x):
        return torch.where(x >= 0.0, 1, self.function(x) + self.alpha)


class GELU(Activation):
    def __init__(self): pass

    def function(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))

    def gradient(self, x):
        t = torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3)))
        return 0.5 * (1 + t) + 0.5 * x * (1 - torch.pow(t, 2)) * math.sqrt(2 / math.pi) * (1 + 0.134145 * x ** 2)


class Swish(Activation):
    def __init__(self): pass

    def function(self, x):
        return x * Sigmoid().function(x)

    def gradient(self, x):
        return self.function(x) + Sigmoid().function(x) * (1 - self.function(x))
