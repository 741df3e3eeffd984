"""Style: ML-From-Scratch losses: ``class Loss(object)`` with ``loss(y, y_pred)``,
``gradient(y, y_pred)`` and ``acc``; subclasses with ``def __init__(self): pass``; the
cross-entropy clips p before both the loss and the gradient (``- (y / p) + (1 - y) / (1 - p)``);
``from __future__ import division``.

Ported from eriklindernoren/ML-From-Scratch:mlfromscratch/deep_learning/loss_functions.py
(Loss, SquareLoss, CrossEntropy). Changes for the contract: forward(y_pred, y_true) /
backward() call loss/gradient (note the source's (y, y_pred) argument order) and average
over numel; SquareLoss becomes the mean of (y - y_pred)² (gradient -2(y - y_pred)/n);
the clip is 1e-7 (the source uses 1e-15). The softmax cross-entropy reuses the source's
Softmax.function (row max subtracted) and takes its log in log-sum-exp form.
"""
# ruff: noqa: E701, UP004, UP010, UP039
from __future__ import division

import torch


class Loss(object):
    def loss(self, y_true, y_pred):
        return NotImplementedError()

    def gradient(self, y, y_pred):
        raise NotImplementedError()

    def acc(self, y, y_pred):
        return 0

    def forward(self, y_pred, y_true):
        self.y_pred, self.y_true = y_pred, y_true
        return self.loss(y_true, y_pred).sum() / y_pred.numel()

    def backward(self):
        return self.gradient(self.y_true, self.y_pred) / self.y_pred.numel()


class MSELoss(Loss):
    def __init__(self): pass

    def loss(self, y, y_pred):
        return torch.pow((y - y_pred), 2)

    def gradient(self, y, y_pred):
        return -2 * (y - y_pred)


class MAELoss(Loss):
    def __init__(self): pass

    def loss(self, y, y_pred):
        return torch.abs(y - y_pred)

    def gradient(self, y, y_pred):
        return -torch.sign(y - y_pred)


class HuberLoss(Loss):
    def __init__(self, delta=1.0):
        self.delta = delta

    def loss(self, y, y_pred):
        r = torch.abs(y - y_pred)
        return torch.where(r <= self.delta, 0.5 * torch.pow(r, 2), self.delta * (r - 0.5 * self.delta))

    def gradient(self, y, y_pred):
        return torch.clamp(y_pred - y, -self.delta, self.delta)


class BCELoss(Loss):
    def __init__(self): pass

    def loss(self, y, p):
        # Avoid division by zero
        p = torch.clamp(p, 1e-7, 1 - 1e-7)
        return - y * torch.log(p) - (1 - y) * torch.log(1 - p)

    def acc(self, y, p):
        return ((p > 0.5) == (y > 0.5)).double().mean()

    def gradient(self, y, p):
        # Avoid division by zero
        p = torch.clamp(p, 1e-7, 1 - 1e-7)
        return - (y / p) + (1 - y) / (1 - p)


class Softmax():
    def __init__(self): pass

    def function(self, x):
        e_x = torch.exp(x - torch.max(x, dim=-1, keepdim=True).values)
        return e_x / torch.sum(e_x, dim=-1, keepdim=True)


class SoftmaxCELoss(Loss):
    def __init__(self): pass

    def forward(self, y_pred, y_true):
        self.y_pred, self.y_true = y_pred, y_true
        rows = torch.arange(y_pred.shape[0])
        z = y_pred - torch.max(y_pred, dim=-1, keepdim=True).values
        log_p = z - torch.log(torch.sum(torch.exp(z), dim=-1, keepdim=True))
        return -log_p[rows, y_true].mean()

    def acc(self, y, p):
        return (torch.argmax(p, dim=1) == y).double().mean()

    def backward(self):
        grad = Softmax().function(self.y_pred)
        grad[torch.arange(grad.shape[0]), self.y_true] -= 1
        return grad / self.y_pred.shape[0]
