"""Style: the "Layer / Dense / Activation(activation, activation_prime)" tutorial pattern
written with lambdas (``tanh = lambda x : np.tanh(x)`` inside ``__init__``), no spaces after
commas in signatures (``def forward(self,input)``), ``class Layer():`` with ``pass`` bodies;
plus ``from __future__ import annotations`` with unquoted PEP 604 annotations on the caches,
a ``numbers.Real`` check of alpha, and the function kept as ``self.func``.

Ported from dhruvdabhi101/Machine-Learning-Implementation:neural-net/neural.py (Layer,
Activation, Tanh). Changes for the contract: the source's ``super().__init__(tanh,tanh_prime) ** 2``
(a TypeError) and its Activation.backward without ``return`` are fixed; backward takes no
learning rate; sigmoid, ReLU, LeakyReLU, ELU, GELU and Swish are new lambdas in the same
style (exp of -|x| in the sigmoid, exp of min(x, 0) in ELU).
"""
# ruff: noqa: E731, E203, E231, UP039

from __future__ import annotations

import math
import numbers

import torch


class Layer():
    def __init__(self) :
        pass

    def forward(self,input):
        pass

    def backward(self,output_gradient):
        pass


class Activation(Layer):
    input: torch.Tensor | None = None

    def __init__(self,activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime
        self.func = activation

    def forward(self,input):
        self.input = input
        return self.func(self.input)

    def backward(self,output_gradient):
        return torch.multiply(output_gradient, self.activation_prime(self.input))


# hyperbolic tengent function


class Tanh(Activation):
    def __init__(self):
        tanh = lambda x : torch.tanh(x)
        tanh_prime = lambda x : 1 - torch.tanh(x) ** 2
        super().__init__(tanh,tanh_prime)


class Sigmoid(Activation):
    def __init__(self):
        sigmoid = lambda x : torch.where(x >= 0, 1 / (1 + torch.exp(-x.abs())),
                                         torch.exp(-x.abs()) / (1 + torch.exp(-x.abs())))
        sigmoid_prime = lambda x : sigmoid(x) * (1 - sigmoid(x))
        super().__init__(sigmoid,sigmoid_prime)


class ReLU(Activation):
    def __init__(self):
        relu = lambda x : torch.clamp(x, min=0)
        relu_prime = lambda x : (x > 0).to(x.dtype)
        super().__init__(relu,relu_prime)


class LeakyReLU(Activation):
    def __init__(self, alpha: float = 0.01):
        assert isinstance(alpha, numbers.Real)
        leaky = lambda x : torch.where(x > 0, x, alpha * x)
        leaky_prime = lambda x : torch.where(x > 0, 1.0, alpha).to(x.dtype)
        super().__init__(leaky,leaky_prime)
        self.alpha = alpha


class ELU(Activation):
    def __init__(self, alpha: float = 1.0):
        assert isinstance(alpha, numbers.Real)
        elu = lambda x : torch.where(x > 0, x, alpha * (torch.exp(x.clamp(max=0)) - 1))
        elu_prime = lambda x : torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))
        super().__init__(elu,elu_prime)
        self.alpha = alpha


class GELU(Activation):
    def __init__(self):
        k = math.sqrt(2 / math.pi)
        inner = lambda x : torch.tanh(k * (x + 0.044715 * x ** 3))
        gelu = lambda x : 0.5 * x * (1 + inner(x))
        gelu_prime = lambda x : 0.5 * (1 + inner(x)) + 0.5 * x * (1 - inner(x) ** 2) * k * (1 + 3 * 0.044715 * x ** 2)
        super().__init__(gelu,gelu_prime)


class Swish(Activation):
    def __init__(self):
        sig = lambda x : torch.where(x >= 0, 1 / (1 + torch.exp(-x.abs())),
                                     torch.exp(-x.abs()) / (1 + torch.exp(-x.abs())))
        swish = lambda x : x * sig(x)
        swish_prime = lambda x : sig(x) * (1 + x * (1 - sig(x)))
        super().__init__(swish,swish_prime)
