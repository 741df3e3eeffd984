"""Style: The Independent Code's "Neural Network from scratch": ``class Activation(Layer)``
whose constructor takes ``activation`` and ``activation_prime``; each concrete activation
defines the pair as functions nested inside its ``__init__`` and calls
``super().__init__(tanh, tanh_prime)``; ``forward(self, input)`` stores ``self.input``;
``backward`` is ``np.multiply(output_gradient, self.activation_prime(self.input))``.

Ported from TheIndependentCode/Neural-Network:activation.py, activations.py and layer.py.
Changes for the contract: backward(dout) without the learning rate; the nested sigmoid
takes exp of -|x|; LeakyReLU and ELU close over their alpha; ReLU, GELU and Swish are new,
in the same style.
"""

import math

import torch


class Layer:
    def __init__(self):
        self.input = None
        self.output = None

    def forward(self, input):
        # TODO: return output
        pass

    def backward(self, output_gradient):
        # TODO: return input gradient
        pass


class Activation(Layer):
    def __init__(self, activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward(self, input):
        self.input = input
        return self.activation(self.input)

    def backward(self, output_gradient):
        return torch.multiply(output_gradient, self.activation_prime(self.input))


class Tanh(Activation):
    def __init__(self):
        def tanh(x):
            return torch.tanh(x)

        def tanh_prime(x):
            return 1 - torch.tanh(x) ** 2

        super().__init__(tanh, tanh_prime)


class Sigmoid(Activation):
    def __init__(self):
        def sigmoid(x):
            e = torch.exp(-torch.abs(x))
            return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

        def sigmoid_prime(x):
            s = sigmoid(x)
            return s * (1 - s)

        super().__init__(sigmoid, sigmoid_prime)


class ReLU(Activation):
    def __init__(self):
        def relu(x):
            return torch.maximum(x, torch.zeros_like(x))

        def relu_prime(x):
            return (x > 0).to(x.dtype)

        super().__init__(relu, relu_prime)


class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        self.alpha = alpha

        def leaky_relu(x):
            return torch.where(x > 0, x, alpha * x)

        def leaky_relu_prime(x):
            return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, alpha))

        super().__init__(leaky_relu, leaky_relu_prime)


class ELU(Activation):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

        def elu(x):
            return torch.where(x > 0, x, alpha * (torch.exp(torch.clamp(x, max=0)) - 1))

        def elu_prime(x):
            return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(torch.clamp(x, max=0)))

        super().__init__(elu, elu_prime)


class GELU(Activation):
    def __init__(self):
        c = math.sqrt(2 / math.pi)

        def gelu(x):
            return 0.5 * x * (1 + torch.tanh(c * (x + 0.044715 * x ** 3)))

        def gelu_prime(x):
            t = torch.tanh(c * (x + 0.044715 * x ** 3))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * c * (1 + 3 * 0.044715 * x ** 2)

        super().__init__(gelu, gelu_prime)


class Swish(Activation):
    def __init__(self):
        def sigmoid(x):
            e = torch.exp(-torch.abs(x))
            return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

        def swish(x):
            return x * sigmoid(x)

        def swish_prime(x):
            s = sigmoid(x)
            return s + x * s * (1 - s)

        super().__init__(swish, swish_prime)
