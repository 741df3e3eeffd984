"""Style: Dive into Deep Learning "from scratch" losses: module-level ``softmax(X)`` with
``X_exp`` and ``partition = X_exp.sum(1, keepdims=True)`` ("The broadcasting mechanism is
applied here"), ``cross_entropy(y_hat, y)`` picking ``y_hat[list(range(len(y_hat))), y]``,
``squared_loss(y_hat, y)`` with ``y.reshape(y_hat.shape)``; methods attached with
``add_to_class``.

Ported from d2l-ai/d2l-en:chapter_linear-classification/softmax-regression-scratch.md
(softmax, cross_entropy) and chapter_linear-regression/linear-regression-scratch.md
(squared_loss), chapter_linear-regression/oo-design.md (add_to_class). Changes for the
contract: d2l's softmax is "not robust against very large or very small arguments" (its own
caveat): the row max is subtracted, and cross_entropy takes the log of the shifted logits
(log-sum-exp) instead of log(softmax); squared_loss is the mean of (y_hat - y)² (d2l's has
a 1/2); the gradients are written out.
"""

import torch


def add_to_class(Class):  #@save
    """Register functions as methods in created class."""
    def wrapper(obj):
        setattr(Class, obj.__name__, obj)
    return wrapper


def softmax(X):
    X = X - X.max(1, keepdims=True).values
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition  # The broadcasting mechanism is applied here


def log_softmax(X):
    X = X - X.max(1, keepdims=True).values
    return X - torch.log(torch.exp(X).sum(1, keepdims=True))


def cross_entropy(y_hat, y):
    return -log_softmax(y_hat)[list(range(len(y_hat))), y].mean()


def squared_loss(y_hat, y):  #@save
    """Squared loss."""
    return ((y_hat - y.reshape(y_hat.shape)) ** 2).mean()


class MSELoss:
    pass


class MAELoss:
    pass


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta


class BCELoss:
    pass


class SoftmaxCELoss:
    pass


@add_to_class(MSELoss)
def forward(self, y_hat, y):
    self.y_hat, self.y = y_hat, y
    return squared_loss(y_hat, y)


@add_to_class(MSELoss)
def backward(self):
    return 2 * (self.y_hat - self.y.reshape(self.y_hat.shape)) / self.y_hat.numel()


@add_to_class(MAELoss)
def forward(self, y_hat, y):  # noqa: F811 - add_to_class registers each one on its class
    self.y_hat, self.y = y_hat, y
    return torch.abs(y_hat - y.reshape(y_hat.shape)).mean()


@add_to_class(MAELoss)
def backward(self):  # noqa: F811
    return torch.sign(self.y_hat - self.y.reshape(self.y_hat.shape)) / self.y_hat.numel()


@add_to_class(HuberLoss)
def forward(self, y_hat, y):  # noqa: F811
    self.diff = y_hat - y.reshape(y_hat.shape)
    small = torch.abs(self.diff) <= self.delta
    return torch.where(small, self.diff ** 2 / 2, self.delta * (torch.abs(self.diff) - self.delta / 2)).mean()


@add_to_class(HuberLoss)
def backward(self):  # noqa: F811
    return torch.clamp(self.diff, -self.delta, self.delta) / self.diff.numel()


@add_to_class(BCELoss)
def forward(self, y_hat, y):  # noqa: F811
    self.y_hat, self.y = torch.clamp(y_hat, 1e-7, 1 - 1e-7), y
    return -(y * torch.log(self.y_hat) + (1 - y) * torch.log(1 - self.y_hat)).mean()


@add_to_class(BCELoss)
def backward(self):  # noqa: F811
    return (self.y_hat - self.y) / (self.y_hat * (1 - self.y_hat)) / self.y_hat.numel()


@add_to_class(SoftmaxCELoss)
def forward(self, y_hat, y):  # noqa: F811
    self.y_hat, self.y = y_hat, y
    return cross_entropy(y_hat, y)


@add_to_class(SoftmaxCELoss)
def backward(self):  # noqa: F811
    grad = softmax(self.y_hat)
    grad[list(range(len(grad))), self.y] -= 1
    return grad / len(grad)
