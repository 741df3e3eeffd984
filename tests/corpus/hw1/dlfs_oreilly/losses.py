"""Style: "Deep Learning from Scratch" SoftmaxWithLoss: module-level softmax and
cross_entropy_error helpers, ``self.y`` (softmax output) and ``self.t`` (labels) cached,
``dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1; dx = dx / batch_size``.

Ported from oreilly-japan/deep-learning-from-scratch:common/layers.py (SoftmaxWithLoss) and
common/functions.py (softmax, cross_entropy_error, sum_squared_error).
Changes for the contract: the book's cross_entropy_error takes log(y + 1e-7) of the
softmax output, which is wrong for large logits; it now uses the log-softmax (row max
subtracted) instead. The regression losses average over every element (numel).
"""

import torch


def softmax(x):
    x = x - torch.max(x, dim=-1, keepdim=True).values  # オーバーフロー対策
    return torch.exp(x) / torch.sum(torch.exp(x), dim=-1, keepdim=True)


def log_softmax_rows(x):
    x = x - torch.max(x, dim=-1, keepdim=True).values
    return x - torch.log(torch.sum(torch.exp(x), dim=-1, keepdim=True))


def cross_entropy_error(x, t):
    batch_size = x.shape[0]
    return -torch.sum(log_softmax_rows(x)[torch.arange(batch_size), t]) / batch_size


class MSELoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, y, t):
        self.y = y
        self.t = t
        self.loss = torch.sum((y - t) ** 2) / y.numel()
        return self.loss

    def backward(self, dout=1):
        dx = dout * 2 * (self.y - self.t) / self.y.numel()
        return dx


class MAELoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, y, t):
        self.y = y
        self.t = t
        self.loss = torch.sum(torch.abs(y - t)) / y.numel()
        return self.loss

    def backward(self, dout=1):
        dx = dout * torch.sign(self.y - self.t) / self.y.numel()
        return dx


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta
        self.loss = None
        self.mask = None
        self.diff = None

    def forward(self, y, t):
        self.diff = y - t
        self.mask = torch.abs(self.diff) <= self.delta
        out = self.delta * (torch.abs(self.diff) - 0.5 * self.delta)
        out[self.mask] = 0.5 * self.diff[self.mask] ** 2
        self.loss = torch.sum(out) / out.numel()
        return self.loss

    def backward(self, dout=1):
        dx = self.delta * torch.sign(self.diff)
        dx[self.mask] = self.diff[self.mask]
        dx = dout * dx / dx.numel()
        return dx


class BCELoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, y, t):
        self.y = torch.clamp(y, 1e-7, 1 - 1e-7)
        self.t = t
        self.loss = -torch.sum(t * torch.log(self.y) + (1 - t) * torch.log(1 - self.y)) / y.numel()
        return self.loss

    def backward(self, dout=1):
        dx = (self.y - self.t) / (self.y * (1 - self.y))
        dx = dout * dx / self.y.numel()
        return dx


class SoftmaxCELoss:
    def __init__(self):
        self.loss = None
        self.y = None  # softmaxの出力
        self.t = None  # 教師データ

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(x, self.t)

        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.clone()
        dx[torch.arange(batch_size), self.t] -= 1
        dx = dx / batch_size

        return dx
