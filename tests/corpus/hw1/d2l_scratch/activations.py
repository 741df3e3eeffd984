"""Style: Dive into Deep Learning "from scratch": module-level activation functions named
after what they compute (``def relu(X): a = torch.zeros_like(X); return torch.max(X, a)``,
``def sigmoid(X)``), capital-X arguments, methods attached to the classes with the
``add_to_class`` decorator after the class statements.

Ported from d2l-ai/d2l-en:chapter_multilayer-perceptrons/mlp-implementation.md (relu) and
chapter_linear-regression/oo-design.md (add_to_class).
Changes for the contract: d2l differentiates with autograd; here each function has a
derivative function next to it and backward multiplies by it; the sigmoid is written with
exp(-|X|) (d2l's own softmax exercise asks for the same kind of fix).
"""

import math

import torch


def add_to_class(Class):  #@save
    """Register functions as methods in created class."""
    def wrapper(obj):
        setattr(Class, obj.__name__, obj)
    return wrapper


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def relu_grad(X):
    return (X > 0).type(X.dtype)


def leaky_relu(X, alpha):
    return torch.max(X, alpha * X) if alpha <= 1 else torch.min(X, alpha * X)


def leaky_relu_grad(X, alpha):
    return torch.where(X > 0, torch.ones_like(X), alpha * torch.ones_like(X))


def elu(X, alpha):
    return torch.where(X > 0, X, alpha * (torch.exp(torch.min(X, torch.zeros_like(X))) - 1))


def elu_grad(X, alpha):
    return torch.where(X > 0, torch.ones_like(X), alpha * torch.exp(torch.min(X, torch.zeros_like(X))))


def sigmoid(X):
    X_exp = torch.exp(-torch.abs(X))
    return torch.where(X >= 0, 1 / (1 + X_exp), X_exp / (1 + X_exp))


def sigmoid_grad(X):
    s = sigmoid(X)
    return s * (1 - s)


def tanh_grad(X):
    return 1 - torch.tanh(X) ** 2


def gelu(X):
    return 0.5 * X * (1 + torch.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * torch.pow(X, 3))))


def gelu_grad(X):
    T = torch.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * torch.pow(X, 3)))
    return 0.5 * (1 + T) + 0.5 * X * (1 - T ** 2) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * X ** 2)


def swish(X):
    return X * sigmoid(X)


def swish_grad(X):
    s = sigmoid(X)
    return s * (1 + X * (1 - s))


class ReLU:
    pass


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha


class Sigmoid:
    pass


class Tanh:
    pass


class GELU:
    pass


class Swish:
    pass


@add_to_class(ReLU)
def forward(self, X):
    self.X = X
    return relu(X)


@add_to_class(ReLU)
def backward(self, dY):
    return dY * relu_grad(self.X)


@add_to_class(LeakyReLU)
def forward(self, X):  # noqa: F811 - add_to_class registers each one on its class
    self.X = X
    return leaky_relu(X, self.alpha)


@add_to_class(LeakyReLU)
def backward(self, dY):  # noqa: F811
    return dY * leaky_relu_grad(self.X, self.alpha)


@add_to_class(ELU)
def forward(self, X):  # noqa: F811
    self.X = X
    return elu(X, self.alpha)


@add_to_class(ELU)
def backward(self, dY):  # noqa: F811
    return dY * elu_grad(self.X, self.alpha)


@add_to_class(Sigmoid)
def forward(self, X):  # noqa: F811
    self.X = X
    return sigmoid(X)


@add_to_class(Sigmoid)
def backward(self, dY):  # noqa: F811
    return dY * sigmoid_grad(self.X)


@add_to_class(Tanh)
def forward(self, X):  # noqa: F811
    self.X = X
    return torch.tanh(X)


@add_to_class(Tanh)
def backward(self, dY):  # noqa: F811
    return dY * tanh_grad(self.X)


@add_to_class(GELU)
def forward(self, X):  # noqa: F811
    self.X = X
    return gelu(X)


@add_to_class(GELU)
def backward(self, dY):  # noqa: F811
    return dY * gelu_grad(self.X)


@add_to_class(Swish)
def forward(self, X):  # noqa: F811
    self.X = X
    return swish(X)


@add_to_class(Swish)
def backward(self, dY):  # noqa: F811
    return dY * swish_grad(self.X)
