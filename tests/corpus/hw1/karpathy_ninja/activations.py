"""Style: Karpathy's "Becoming a backprop ninja": the forward is broken into named
intermediates and the backward walks them in reverse, one ``d<name>`` per line, local
derivative times the incoming gradient; the Tanh backward is the notebook's
``dhpreact = (1.0 - h**2) * dh``; masks multiplied as floats (``(x > 0).float()``-style).

Ported from karpathy/nn-zero-to-hero:lectures/makemore/makemore_part4_backprop.ipynb
(h = torch.tanh(hpreact) and its backward). The other activations are written the same
way; their intermediates are chosen to stay finite (exp of -|x|, of min(x, 0)).
"""

import math

import torch


class Tanh:
    def forward(self, hpreact):
        h = torch.tanh(hpreact)
        self.h = h
        return h

    def backward(self, dh):
        dhpreact = (1.0 - self.h**2) * dh
        return dhpreact


class Sigmoid:
    def forward(self, x):
        ax = x.abs()
        e = (-ax).exp()                        # in (0, 1]
        denom = 1.0 + e
        denom_inv = denom**-1
        pos = (x >= 0).to(x.dtype)
        s = pos * denom_inv + (1.0 - pos) * e * denom_inv
        self.s = s
        return s

    def backward(self, ds):
        dx = self.s * (1.0 - self.s) * ds
        return dx


class ReLU:
    def forward(self, x):
        mask = (x > 0).to(x.dtype)
        self.mask = mask
        return x * mask

    def backward(self, dout):
        dx = self.mask * dout
        return dx


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, x):
        pos = (x > 0).to(x.dtype)
        slope = pos + self.alpha * (1.0 - pos)
        self.slope = slope
        return x * slope

    def backward(self, dout):
        dx = self.slope * dout
        return dx


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        pos = (x > 0).to(x.dtype)
        xneg = x.clamp(max=0.0)
        counts = xneg.exp()                    # e^min(x, 0) <= 1
        neg = self.alpha * (counts - 1.0)
        out = pos * x + (1.0 - pos) * neg
        self.pos, self.counts = pos, counts
        return out

    def backward(self, dout):
        dneg = (1.0 - self.pos) * dout
        dcounts = self.alpha * dneg
        dxneg = self.counts * dcounts
        dx = self.pos * dout + dxneg
        return dx


class GELU:
    def forward(self, x):
        x3 = x**3
        inner = x + 0.044715 * x3
        u = math.sqrt(2.0 / math.pi) * inner
        t = torch.tanh(u)
        onept = 1.0 + t
        halfx = 0.5 * x
        out = halfx * onept
        self.x, self.t, self.onept, self.halfx = x, t, onept, halfx
        return out

    def backward(self, dout):
        dhalfx = self.onept * dout
        donept = self.halfx * dout
        dt = donept
        du = (1.0 - self.t**2) * dt
        dinner = math.sqrt(2.0 / math.pi) * du
        dx3 = 0.044715 * dinner
        dx = dinner + 3 * self.x**2 * dx3 + 0.5 * dhalfx
        return dx


class Swish:
    def forward(self, x):
        e = (-x.abs()).exp()
        s = torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        out = x * s
        self.x, self.s = x, s
        return out

    def backward(self, dout):
        ds = self.x * dout                     # out = x * s
        dx = self.s * dout
        dx += self.s * (1.0 - self.s) * ds     # s = sigmoid(x)
        return dx
