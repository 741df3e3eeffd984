"""Style: EPFL EE-559 mini-project 2 activations: the ``Module`` base owns
``forward(self, *input)`` and ``backward(self, *gradwrtoutput)`` (tuples of tensors handled
too) and calls the subclass's ``_activation_function`` / ``_activation_gradient``;
subclasses take a ``name``; the maths sits in module-level functional helpers whose
parameter is called ``input`` (``def relu(input): return input * (input > 0)``), with tanh
and its derivative written with ``x.exp()`` and ``x.mul(-1).exp()``; ``__call__(self, input)``.

Ported from Vekkt/DL_projects:project2/activation.py, project2/module.py, project2/functional.py.
Changes for the contract: tanh from exponentials overflows to inf/inf = NaN for |x| > 89
(float32), so it is written with exp(-2|x|); dtanh keeps the source's
4·(eˣ + e⁻ˣ)⁻² (it tends to 0, never NaN); the other activations follow the same pattern
with helpers named after what they compute.
"""

import math

import torch


def relu(input):
    return input * (input > 0)


def drelu(input):
    return 1. * (input > 0)


def tanh(x):
    e = x.abs().mul(-2).exp()
    return x.sign() * (1 - e) / (1 + e)


def dtanh(x):
    return 4 * (x.exp() + x.mul(-1).exp()).pow(-2)


def sigmoid(input):
    e = input.abs().mul(-1).exp()
    return torch.where(input >= 0, 1 / (1 + e), e / (1 + e))


def dsigmoid(input):
    s = sigmoid(input)
    return s * (1 - s)


def leaky_relu(input, alpha):
    return torch.where(input > 0, input, input.mul(alpha))


def dleaky_relu(input, alpha):
    return 1. * (input > 0) + alpha * (input <= 0)


def elu(input, alpha):
    return torch.where(input > 0, input, input.clamp(max=0).exp().sub(1).mul(alpha))


def delu(input, alpha):
    return torch.where(input > 0, torch.ones_like(input), input.clamp(max=0).exp().mul(alpha))


def gelu(input):
    return 0.5 * input * (1 + (math.sqrt(2 / math.pi) * (input + 0.044715 * input.pow(3))).tanh())


def dgelu(input):
    t = (math.sqrt(2 / math.pi) * (input + 0.044715 * input.pow(3))).tanh()
    return 0.5 * (1 + t) + 0.5 * input * (1 - t.pow(2)) * math.sqrt(2 / math.pi) * (1 + 0.134145 * input.pow(2))


def swish(input):
    return input * sigmoid(input)


def dswish(input):
    s = sigmoid(input)
    return s * (1 + input * (1 - s))


class Module:
    def __init__(self):
        self._parameters = []
        self._modules = []
        self._input = ()

    def _activation_function(self, x):
        return NotImplementedError

    def _activation_gradient(self, x):
        return NotImplementedError

    def __call__(self, input):
        return self.forward(input)

    def forward(self, *input):
        activ = self._activation_function
        if len(input) == 1:
            self._input = input[0]
            return activ(self._input)
        else:
            self._input = input
            return tuple(activ(t) for t in self._input)

    def backward(self, *gradwrtoutput):
        grad = self._activation_gradient
        if len(gradwrtoutput) == 1:
            return grad(self._input).mul(gradwrtoutput[0])
        else:
            in_and_gradout = zip(self._input, gradwrtoutput)  # noqa: B905
            return tuple(grad(x).mul(t) for x, t in in_and_gradout)

    def parameters(self):
        return self._parameters


class ReLU(Module):
    def __init__(self, name='relu'):
        super(ReLU, self).__init__()  # noqa: UP008
        self.name = name

    def _activation_function(self, x):
        return relu(x)

    def _activation_gradient(self, x):
        return drelu(x)


class Tanh(Module):
    def __init__(self, name='tanh'):
        super(Tanh, self).__init__()  # noqa: UP008
        self.name = name

    def _activation_function(self, x):
        return tanh(x)

    def _activation_gradient(self, x):
        return dtanh(x)


class Sigmoid(Module):
    def __init__(self, name='sigmoid'):
        super(Sigmoid, self).__init__()  # noqa: UP008
        self.name = name

    def _activation_function(self, x):
        return sigmoid(x)

    def _activation_gradient(self, x):
        return dsigmoid(x)


class LeakyReLU(Module):
    def __init__(self, alpha=0.01, name='leaky_relu'):
        super(LeakyReLU, self).__init__()  # noqa: UP008
        self.alpha = alpha
        self.name = name

    def _activation_function(self, x):
        return leaky_relu(x, self.alpha)

    def _activation_gradient(self, x):
        return dleaky_relu(x, self.alpha)


class ELU(Module):
    def __init__(self, alpha=1.0, name='elu'):
        super(ELU, self).__init__()  # noqa: UP008
        self.alpha = alpha
        self.name = name

    def _activation_function(self, x):
        return elu(x, self.alpha)

    def _activation_gradient(self, x):
        return delu(x, self.alpha)


class GELU(Module):
    def __init__(self, name='gelu'):
        super(GELU, self).__init__()  # noqa: UP008
        self.name = name

    def _activation_function(self, x):
        return gelu(x)

    def _activation_gradient(self, x):
        return dgelu(x)


class Swish(Module):
    def __init__(self, name='swish'):
        super(Swish, self).__init__()  # noqa: UP008
        self.name = name

    def _activation_function(self, x):
        return swish(x)

    def _activation_gradient(self, x):
        return dswish(x)
