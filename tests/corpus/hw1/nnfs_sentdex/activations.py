"""Style: "Neural Networks from Scratch in Python" activations: ``Activation_*``-like classes
whose forward stores ``self.inputs`` and ``self.output`` and whose backward builds
``self.dinputs`` from ``dvalues``: "Since we need to modify original variable, let's make a
copy of values first" (``dinputs = dvalues.copy(); dinputs[self.inputs <= 0] = 0``), and
``self.dinputs = dvalues * (1 - self.output) * self.output`` for the sigmoid.

Ported from Sentdex/nnfs_book:Chapter_15/Ch15_Final.py (Activation_ReLU) and the book's
Activation_Sigmoid. Changes for the contract: the classes carry the contract's names and
return dinputs; the book's sigmoid 1 / (1 + e^-x) is kept (it is 0, not NaN, for large
negative x); the other activations are written in the same copy-and-mask style, with ELU's
exp taken only where x <= 0.
"""

import math

import torch


# ReLU activation
class ReLU:

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs
        self.output = torch.maximum(torch.zeros_like(inputs), inputs)
        return self.output

    # Backward pass
    def backward(self, dvalues):
        # Since we need to modify original variable,
        # let's make a copy of values first
        self.dinputs = dvalues.clone()

        # Zero gradient where input values were negative
        self.dinputs[self.inputs <= 0] = 0
        return self.dinputs


# Leaky ReLU activation
class LeakyReLU:

    def __init__(self, alpha=0.01):
        self.alpha = alpha

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        self.output = inputs.clone()
        self.output[inputs <= 0] *= self.alpha
        return self.output

    # Backward pass
    def backward(self, dvalues):
        # Copy so we can safely modify
        self.dinputs = dvalues.clone()
        # Scale gradient where input values were negative
        self.dinputs[self.inputs <= 0] *= self.alpha
        return self.dinputs


# ELU activation
class ELU:

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        self.output = inputs.clone()
        negative = inputs <= 0
        self.output[negative] = self.alpha * (torch.exp(inputs[negative]) - 1)
        return self.output

    # Backward pass
    def backward(self, dvalues):
        # Copy so we can safely modify
        self.dinputs = dvalues.clone()
        negative = self.inputs <= 0
        # d/dx alpha * (e^x - 1) = output + alpha
        self.dinputs[negative] *= self.output[negative] + self.alpha
        return self.dinputs


# Sigmoid activation
class Sigmoid:

    # Forward pass
    def forward(self, inputs):
        # Save input and calculate/save output
        # of the sigmoid function
        self.inputs = inputs
        self.output = 1 / (1 + torch.exp(-inputs))
        return self.output

    # Backward pass
    def backward(self, dvalues):
        # Derivative - calculates from output of the sigmoid function
        self.dinputs = dvalues * (1 - self.output) * self.output
        return self.dinputs


# Tanh activation
class Tanh:

    # Forward pass
    def forward(self, inputs):
        self.inputs = inputs
        self.output = torch.tanh(inputs)
        return self.output

    # Backward pass
    def backward(self, dvalues):
        # Derivative - calculates from output of the tanh function
        self.dinputs = dvalues * (1 - self.output ** 2)
        return self.dinputs


# GELU activation (tanh approximation)
class GELU:

    # Forward pass
    def forward(self, inputs):
        self.inputs = inputs
        self.tanh_output = torch.tanh(math.sqrt(2 / math.pi) * (inputs + 0.044715 * inputs ** 3))
        self.output = 0.5 * inputs * (1 + self.tanh_output)
        return self.output

    # Backward pass
    def backward(self, dvalues):
        inner_derivative = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * self.inputs ** 2)
        derivative = 0.5 * (1 + self.tanh_output) + \
            0.5 * self.inputs * (1 - self.tanh_output ** 2) * inner_derivative
        self.dinputs = dvalues * derivative
        return self.dinputs


# Swish activation
class Swish:

    # Forward pass
    def forward(self, inputs):
        self.inputs = inputs
        self.sigmoid_output = 1 / (1 + torch.exp(-inputs))
        self.output = inputs * self.sigmoid_output
        return self.output

    # Backward pass
    def backward(self, dvalues):
        derivative = self.sigmoid_output + self.output * (1 - self.sigmoid_output)
        self.dinputs = dvalues * derivative
        return self.dinputs
