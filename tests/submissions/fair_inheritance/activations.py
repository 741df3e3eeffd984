"""A fair sample: the activations share a base class whose backward multiplies by the local
gradient that each subclass's forward stores in self.local_grad."""

import math

import torch


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Activation:
    """forward(x) returns f(x) and stores f'(x) as self.local_grad; backward is shared."""

    def __init__(self):
        self.local_grad = None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return dout * self.local_grad


class Sigmoid(Activation):
    def forward(self, x):
        s = _sigmoid(x)
        self.local_grad = s * (1.0 - s)
        return s


class Tanh(Activation):
    def forward(self, x):
        t = torch.tanh(x)
        self.local_grad = 1.0 - t * t
        return t


class ReLU(Activation):
    def forward(self, x):
        y = x.clamp(min=0)
        self.local_grad = y.sign()
        return y


class Leaky(Activation):
    """x for x > 0, slope·x otherwise: the shared part of LeakyReLU and ELU's linear half."""

    def __init__(self, slope: float):
        super().__init__()
        self.slope = slope

    def forward(self, x):
        positive = x > 0
        self.local_grad = torch.where(positive, torch.ones_like(x), torch.full_like(x, self.slope))
        return torch.where(positive, x, self.slope * x)


class LeakyReLU(Leaky):
    def __init__(self, alpha: float = 0.01):
        super().__init__(alpha)
        self.alpha = alpha


class ELU(Activation):
    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        e = torch.exp(x.clamp(max=0))
        positive = x > 0
        self.local_grad = torch.where(positive, torch.ones_like(x), self.alpha * e)
        return torch.where(positive, x, self.alpha * (e - 1.0))


class GELU(Activation):
    C = math.sqrt(2.0 / math.pi)
    K = 0.044715

    def forward(self, x):
        t = torch.tanh(self.C * (x + self.K * x**3))
        self.local_grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * self.C * (1.0 + 3.0 * self.K * x * x)
        return 0.5 * x * (1.0 + t)


class Swish(Activation):
    def forward(self, x):
        s = _sigmoid(x)
        tail = torch.where(s == 1, 0.0, x * (1.0 - s))
        self.local_grad = torch.where(s == 0, 0.0, s * (1.0 + tail))
        return torch.where(s == 0, 0.0, x * s)
