"""Style: EPFL EE-559 mini-project 2 losses: a ``Loss`` class constructed with a forward and
a backward function (``super(MSELoss, self).__init__(forward_fun, backward_fun)``), module-level
functional ``mse(x, y)`` / ``dmse(x, y)`` pairs, ``forward(self, input, target)`` storing
``_input``, ``_target`` and ``_loss``, ``__call__`` and ``__add__`` on the loss,
``.pow(2).sum().mul(1./n)`` chains.

Ported from Vekkt/DL_projects:project2/loss.py and project2/functional.py (mse, dmse).
Changes for the contract: the source's Loss takes the model and its backward runs the
model's backward, and forward returns the Loss object; here forward returns the 0-dim loss
and backward returns dL/dy_pred. ``n`` is numel (the source takes ``x.size()[0]``, the
batch). MAE, Huber, BCE and the softmax cross-entropy are written as the same pairs.
"""

import torch


def mse(x, y):
    n = x.numel()
    return (x - y).pow(2).sum().mul(1. / n)


def dmse(x, y):
    n = x.numel()
    return (x - y).mul(2. / n)


def mae(x, y):
    return (x - y).abs().sum().mul(1. / x.numel())


def dmae(x, y):
    return (x - y).sign().mul(1. / x.numel())


def bce(input, target):
    p = input.clamp(1e-7, 1 - 1e-7)
    return -(target * p.log() + (1 - target) * (1 - p).log()).sum().mul(1. / input.numel())


def dbce(input, target):
    p = input.clamp(1e-7, 1 - 1e-7)
    return (p - target).div(p * (1 - p)).mul(1. / input.numel())


def log_softmax(input):
    shifted = input - input.max(dim=1, keepdim=True).values
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def cross_entropy(input, target):
    return -log_softmax(input)[torch.arange(input.size(0)), target].mean()


def dcross_entropy(input, target):
    grad = log_softmax(input).exp()
    grad[torch.arange(input.size(0)), target] -= 1
    return grad.mul(1. / input.size(0))


class Loss:
    def __init__(self, foward_fun, backward_fun):
        self._forward = foward_fun
        self._backward = backward_fun

    def forward(self, input, target):
        self._input = input
        self._target = target
        self._loss = self._forward(input, target)
        return self._loss

    def backward(self):
        return self._backward(self._input, self._target)

    def __call__(self, input, target):
        return self.forward(input, target)

    def __add__(self, other):
        return other + self._loss


class MSELoss(Loss):
    def __init__(self):
        forward_fun = mse
        backward_fun = dmse
        super(MSELoss, self).__init__(forward_fun, backward_fun)  # noqa: UP008


class MAELoss(Loss):
    def __init__(self):
        super(MAELoss, self).__init__(mae, dmae)  # noqa: UP008


class HuberLoss(Loss):
    def __init__(self, delta=1.0):
        self.delta = delta
        super(HuberLoss, self).__init__(self.huber, self.dhuber)  # noqa: UP008

    def huber(self, input, target):
        e = input - target
        small = e.abs() <= self.delta
        return torch.where(small, e.pow(2).mul(0.5), e.abs().sub(0.5 * self.delta).mul(self.delta)).mean()

    def dhuber(self, input, target):
        return (input - target).clamp(-self.delta, self.delta).mul(1. / input.numel())


class BCELoss(Loss):
    def __init__(self):
        super(BCELoss, self).__init__(bce, dbce)  # noqa: UP008


class SoftmaxCELoss(Loss):
    def __init__(self):
        forward_fun = cross_entropy
        backward_fun = dcross_entropy
        super(SoftmaxCELoss, self).__init__(forward_fun, backward_fun)  # noqa: UP008
