"""Style: "Deep Learning from Scratch" layers: module-level helper functions (sigmoid, relu)
as in common/functions.py, layer classes that cache ``self.mask`` (ReLU) or ``self.out``
(Sigmoid) in forward and use them in backward, boolean-mask assignment on a copy.

Ported from oreilly-japan/deep-learning-from-scratch:common/layers.py (Relu, Sigmoid) and
common/functions.py (sigmoid). The book's Relu.backward writes into dout
(``dout[self.mask] = 0``); the contract forbids modifying dout, so it works on a copy.
sigmoid is written so that exp never overflows; the other classes follow the same pattern.
"""

import math

import torch


def sigmoid(x):
    # exp(-|x|) は 1 を超えないのでオーバーフローしない
    e = torch.exp(-torch.abs(x))
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def relu(x):
    return torch.maximum(torch.zeros_like(x), x)


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out

        return dx


class Tanh:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = torch.tanh(x)
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out ** 2)

        return dx


class ReLU:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.clone()
        out[self.mask] = 0

        return out

    def backward(self, dout):
        dx = dout.clone()
        dx[self.mask] = 0

        return dx


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.clone()
        out[self.mask] = out[self.mask] * self.alpha

        return out

    def backward(self, dout):
        dx = dout.clone()
        dx[self.mask] = dx[self.mask] * self.alpha

        return dx


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.mask = None
        self.out = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.clone()
        out[self.mask] = self.alpha * (torch.exp(x[self.mask]) - 1)
        self.out = out

        return out

    def backward(self, dout):
        dx = dout.clone()
        # x <= 0 では d/dx alpha (e^x - 1) = out + alpha
        dx[self.mask] = dx[self.mask] * (self.out[self.mask] + self.alpha)

        return dx


class GELU:
    def __init__(self):
        self.x = None
        self.t = None

    def forward(self, x):
        self.x = x
        self.t = torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))
        out = 0.5 * x * (1 + self.t)

        return out

    def backward(self, dout):
        x, t = self.x, self.t
        du = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x ** 2)
        dx = dout * (0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * du)

        return dx


class Swish:
    def __init__(self):
        self.x = None
        self.s = None

    def forward(self, x):
        self.x = x
        self.s = sigmoid(x)
        out = x * self.s

        return out

    def backward(self, dout):
        dx = dout * (self.s + self.x * self.s * (1.0 - self.s))

        return dx
