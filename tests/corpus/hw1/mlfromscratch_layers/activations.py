"""Style: ML-From-Scratch's layer wrapper: the activation *functions* are small classes with
``__call__`` and ``gradient``; a module-level registry ``activation_functions = {'relu': ReLU,
...}`` maps names to them; the network layer ``Activation(name)`` looks its function up
(``self.activation_func = activation_functions[name]()``), keeps ``self.layer_input`` and
returns ``accum_grad * self.activation_func.gradient(self.layer_input)``; ``layer_name()`` with
``%`` formatting; a ``trainable`` flag.

Ported from eriklindernoren/ML-From-Scratch:mlfromscratch/deep_learning/layers.py (Layer,
Activation, activation_functions) and deep_learning/activation_functions.py.
Changes for the contract: the contract's classes are thin subclasses ``ReLU(Activation)``
calling ``super().__init__('relu')`` (the function classes get a ``Fn`` suffix, so the names
do not clash); forward/backward call forward_pass/backward_pass; alpha is passed through
for LeakyReLU and ELU; ELU's exp of min(x, 0); the sigmoid with exp(-|x|); GELU and Swish
are added to the registry.
"""
# ruff: noqa: UP031, UP004

import math

import torch


class SigmoidFn():  # noqa: UP039
    def __call__(self, x):
        e = torch.exp(-torch.abs(x))
        return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def gradient(self, x):
        return self.__call__(x) * (1 - self.__call__(x))


class TanHFn():  # noqa: UP039
    def __call__(self, x):
        return torch.tanh(x)

    def gradient(self, x):
        return 1 - torch.pow(self.__call__(x), 2)


class ReLUFn():  # noqa: UP039
    def __call__(self, x):
        return torch.where(x >= 0, x, torch.zeros_like(x))

    def gradient(self, x):
        return torch.where(x >= 0, torch.ones_like(x), torch.zeros_like(x))


class LeakyReLUFn():  # noqa: UP039
    def __init__(self, alpha=0.2):
        self.alpha = alpha

    def __call__(self, x):
        return torch.where(x >= 0, x, self.alpha * x)

    def gradient(self, x):
        return torch.where(x >= 0, torch.ones_like(x), torch.full_like(x, self.alpha))


class ELUFn():  # noqa: UP039
    def __init__(self, alpha=0.1):
        self.alpha = alpha

    def __call__(self, x):
        return torch.where(x >= 0.0, x, self.alpha * (torch.exp(torch.clamp(x, max=0.0)) - 1))

    def gradient(self, x):
        return torch.where(x >= 0.0, torch.ones_like(x), self.__call__(x) + self.alpha)


class GELUFn():  # noqa: UP039
    def __call__(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))

    def gradient(self, x):
        t = torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3)))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)


class SwishFn():  # noqa: UP039
    def __call__(self, x):
        return x * SigmoidFn()(x)

    def gradient(self, x):
        s = SigmoidFn()(x)
        return s + x * s * (1 - s)


activation_functions = {
    'relu': ReLUFn,
    'sigmoid': SigmoidFn,
    'elu': ELUFn,
    'leaky_relu': LeakyReLUFn,
    'tanh': TanHFn,
    'gelu': GELUFn,
    'swish': SwishFn,
}


class Layer(object):

    def layer_name(self):
        """ The name of the layer. Used in model summary. """
        return self.__class__.__name__

    def parameters(self):
        """ The number of trainable parameters used by the layer """
        return 0

    def forward_pass(self, X, training):
        """ Propogates the signal forward in the network """
        raise NotImplementedError()

    def backward_pass(self, accum_grad):
        """ Propogates the accumulated gradient backwards in the network. """
        raise NotImplementedError()


class Activation(Layer):
    """A layer that applies an activation operation to the input.

    Parameters:
    -----------
    name: string
        The name of the activation function that will be used.
    """

    def __init__(self, name, **kwargs):
        self.activation_name = name
        self.activation_func = activation_functions[name](**kwargs)
        self.trainable = True

    def layer_name(self):
        return "Activation (%s)" % (self.activation_func.__class__.__name__)

    def forward_pass(self, X, training=True):
        self.layer_input = X
        return self.activation_func(X)

    def backward_pass(self, accum_grad):
        return accum_grad * self.activation_func.gradient(self.layer_input)

    def forward(self, X):
        return self.forward_pass(X)

    def backward(self, accum_grad):
        return self.backward_pass(accum_grad)


class ReLU(Activation):
    def __init__(self):
        super().__init__('relu')


class Sigmoid(Activation):
    def __init__(self):
        super().__init__('sigmoid')


class Tanh(Activation):
    def __init__(self):
        super().__init__('tanh')


class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        super().__init__('leaky_relu', alpha=alpha)


class ELU(Activation):
    def __init__(self, alpha=1.0):
        super().__init__('elu', alpha=alpha)


class GELU(Activation):
    def __init__(self):
        super().__init__('gelu')


class Swish(Activation):
    def __init__(self):
        super().__init__('swish')
