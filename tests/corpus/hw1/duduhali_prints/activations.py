"""Style: duduhali/HasAI layers with the debugging left in: ``print(x.shape)`` in forward
(commented out in the source's Sigmoid: ``# print(x.shape) (1024, 26, 1)``), prints of the
tensors themselves (``print(x)``, ``print(f"{out}")``, ``print(repr(out))``), asserts on
finiteness and shapes, a helper method ``self.sigmoid(x)`` recomputed in backward
(``sig = self.sigmoid(self.x)``), ``self.dx`` kept, Chinese comments, and the source's
``def init(self): print('init Relu')`` (a misspelt __init__ that never runs).

Ported from duduhali/HasAI:Layers/relu.py and the Sigmoid layer of Layers/sigmoid.py (as the
code search returned it). Changes for the contract: the source's ReLU backward
``-np.minimum(0, signal)`` is not the derivative; it is the mask of x > 0 times d; the
sigmoid takes exp of -|x|; the other activations are new, with the same debugging lines.
"""

import math

import torch


class Relu:
    def init(self):
        print('init Relu')

    def forward(self, signal):
        print(signal.shape)
        self.signal = signal
        return torch.maximum(torch.zeros_like(signal), signal)

    def backward(self, signal):
        assert signal.shape == self.signal.shape
        return signal * (self.signal > 0)


ReLU = Relu


class Sigmoid:
    def __init__(self):  # 无参数，不需初始化
        pass

    def sigmoid(self, x):
        e = torch.exp(-torch.abs(x))
        return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def forward(self, x):
        self.x = x
        print(x.shape)  # (1024, 26, 1)
        print(x)
        self.y = self.sigmoid(x)  # 可以处理单个元素，也可以处理数组
        assert torch.isfinite(self.y).all()
        return self.y

    def backward(self, d):
        sig = self.sigmoid(self.x)
        self.dx = d * sig * (1 - sig)
        print(f"{self.dx}")
        return self.dx  # 反向传递梯度


class Tanh:
    def __init__(self):
        pass

    def forward(self, x):
        self.x = x
        print(x)
        self.y = torch.tanh(x)
        print(f"tanh out: {self.y}")
        assert self.y.shape == x.shape
        return self.y

    def backward(self, d):
        print(repr(d))
        self.dx = d * (1 - self.y ** 2)
        assert torch.isfinite(self.dx).all()
        return self.dx


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        out = torch.where(x > 0, x, self.alpha * x)
        print(repr(out))
        return out

    def backward(self, d):
        self.dx = torch.where(self.x > 0, d, self.alpha * d)
        print(self.dx)
        return self.dx


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        self.y = torch.where(x > 0, x, self.alpha * (torch.exp(torch.clamp(x, max=0)) - 1))
        print(f"{x} -> {self.y}")
        assert torch.isfinite(self.y).all()
        return self.y

    def backward(self, d):
        self.dx = torch.where(self.x > 0, d, d * (self.y + self.alpha))
        print(f"{self.dx!r}")
        return self.dx


class GELU:
    def __init__(self):
        pass

    def forward(self, x):
        self.x = x
        self.t = torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))
        out = 0.5 * x * (1 + self.t)
        print(x.shape, out)
        return out

    def backward(self, d):
        x, t = self.x, self.t
        self.dx = d * (0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x ** 2))
        print(self.dx)
        assert self.dx.shape == d.shape
        return self.dx


class Swish:
    def __init__(self):
        pass

    def sigmoid(self, x):
        e = torch.exp(-torch.abs(x))
        return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def forward(self, x):
        self.x = x
        print(x)
        self.y = x * self.sigmoid(x)
        return self.y

    def backward(self, d):
        sig = self.sigmoid(self.x)
        self.dx = d * (sig + self.x * sig * (1 - sig))
        print(self.dx)
        return self.dx
