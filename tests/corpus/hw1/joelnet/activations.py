"""Style: joelnet activations: an ``Activation(Layer)`` base that takes the function and its
derivative (``f``, ``f_prime``) as constructor arguments; module-level ``tanh`` /
``tanh_prime`` pairs; subclasses only call ``super().__init__(f, f_prime)``; the backward
recomputes f' from the cached inputs. A typing alias ``F = Callable[[Tensor], Tensor]``.

Ported from joelgrus/joelnet:joelnet/layers.py (Activation, tanh, tanh_prime, Tanh).
The other activations are written the same way. Fixes for the contract: a sigmoid whose
exp never overflows, ELU's exp taken of min(x, 0) only, LeakyReLU/ELU take alpha.
"""

import math
from typing import Callable  # noqa: UP035 - joelnet spells it this way

import torch

Tensor = torch.Tensor
F = Callable[[Tensor], Tensor]


class Layer:
    def __init__(self) -> None:
        self.params = {}
        self.grads = {}

    def forward(self, inputs: Tensor) -> Tensor:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor:
        raise NotImplementedError


class Activation(Layer):
    """
    An activation layer just applies a function
    elementwise to its inputs
    """
    def __init__(self, f: F, f_prime: F) -> None:
        super().__init__()
        self.f = f
        self.f_prime = f_prime

    def forward(self, inputs: Tensor) -> Tensor:
        self.inputs = inputs
        return self.f(inputs)

    def backward(self, grad: Tensor) -> Tensor:
        """
        if y = f(x) and x = g(z)
        then dy/dz = f'(x) * g'(z)
        """
        return self.f_prime(self.inputs) * grad


def tanh(x: Tensor) -> Tensor:
    return torch.tanh(x)


def tanh_prime(x: Tensor) -> Tensor:
    y = tanh(x)
    return 1 - y ** 2


def sigmoid(x: Tensor) -> Tensor:
    z = torch.exp(-torch.abs(x))
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_prime(x: Tensor) -> Tensor:
    s = sigmoid(x)
    return s * (1 - s)


def relu(x: Tensor) -> Tensor:
    return torch.clamp(x, min=0)


def relu_prime(x: Tensor) -> Tensor:
    return (x > 0).to(x.dtype)


def gelu(x: Tensor) -> Tensor:
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_prime(x: Tensor) -> Tensor:
    t = torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x ** 2)


def swish(x: Tensor) -> Tensor:
    return x * sigmoid(x)


def swish_prime(x: Tensor) -> Tensor:
    s = sigmoid(x)
    return s + x * s * (1 - s)


class Tanh(Activation):
    def __init__(self):
        super().__init__(tanh, tanh_prime)


class Sigmoid(Activation):
    def __init__(self):
        super().__init__(sigmoid, sigmoid_prime)


class ReLU(Activation):
    def __init__(self):
        super().__init__(relu, relu_prime)


class LeakyReLU(Activation):
    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha
        super().__init__(self.leaky, self.leaky_prime)

    def leaky(self, x: Tensor) -> Tensor:
        return torch.where(x > 0, x, self.alpha * x)

    def leaky_prime(self, x: Tensor) -> Tensor:
        return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, self.alpha))


class ELU(Activation):
    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha
        super().__init__(self.elu, self.elu_prime)

    def elu(self, x: Tensor) -> Tensor:
        return torch.where(x > 0, x, self.alpha * (torch.exp(torch.clamp(x, max=0)) - 1))

    def elu_prime(self, x: Tensor) -> Tensor:
        return torch.where(x > 0, torch.ones_like(x), self.alpha * torch.exp(torch.clamp(x, max=0)))


class GELU(Activation):
    def __init__(self):
        super().__init__(gelu, gelu_prime)


class Swish(Activation):
    def __init__(self):
        super().__init__(swish, swish_prime)
