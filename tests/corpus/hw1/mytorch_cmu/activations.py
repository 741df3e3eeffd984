"""Style: CMU 11-785 "mytorch" activations: ``forward(self, Z)`` storing the activation in
``self.A``, ``backward(self, dLdA)`` computing ``dAdZ`` (or a named derivative) and returning
``dLdZ = dLdA * dAdZ``; helper functions nested inside the methods (``def relu(x)`` inside
ReLU.forward, ``def relud(x)`` inside ReLU.backward); tanh written with exponentials.

Ported from skandvj/HW1P1:mytorch/nn/activation.py (Sigmoid, Tanh, ReLU, GELU).
Changes for the contract: the handout's GELU is the erf form, the contract's is the tanh
approximation; tanh via exponentials is written with e^(-2|x|) so that it cannot overflow;
sigmoid likewise; np.where(x > 0, 1, 0) becomes a mask in the input's dtype.
LeakyReLU, ELU and Swish are written the same way.
"""

import math

import torch


class Sigmoid:
    """
    On same lines as above:
    Define 'forward' function
    Define 'backward' function
    Read the writeup for further details on Sigmoid.
    """

    def forward(self, Z):
        E = torch.exp(-torch.abs(Z))
        self.A = torch.where(Z >= 0, 1 / (1 + E), E / (1 + E))
        return self.A

    def backward(self, dLdA):
        dLdZ = dLdA * (self.A - (self.A) * (self.A))
        return dLdZ


class Tanh:
    """
    On same lines as above:
    Define 'forward' function
    Define 'backward' function
    Read the writeup for further details on Tanh.
    """
    def forward(self, Z):
        E2 = torch.exp(-2 * torch.abs(Z))
        self.A = torch.sign(Z) * (1 - E2) / (1 + E2)
        return self.A

    def backward(self, dLdA):
        dLdZ = dLdA * (1 - (self.A * self.A))
        return dLdZ


class ReLU:
    """
    On same lines as above:
    Define 'forward' function
    Define 'backward' function
    Read the writeup for further details on ReLU.
    """

    def forward(self, Z):
        def relu(x):
            return torch.maximum(torch.zeros_like(x), x)
        self.A = relu(Z)
        return self.A

    def backward(self, dLdA):
        def relud(x):
            return torch.where(x > 0, 1.0, 0.0).to(x.dtype)

        dLdZ = dLdA * relud(self.A)
        return dLdZ


class LeakyReLU:

    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, Z):
        self.Z = Z
        self.A = torch.where(Z > 0, Z, self.alpha * Z)
        return self.A

    def backward(self, dLdA):
        dAdZ = torch.where(self.Z > 0, 1.0, self.alpha).to(dLdA.dtype)
        dLdZ = dLdA * dAdZ
        return dLdZ


class ELU:

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, Z):
        self.Z = Z
        self.A = torch.where(Z > 0, Z, self.alpha * (torch.exp(torch.minimum(Z, torch.zeros_like(Z))) - 1))
        return self.A

    def backward(self, dLdA):
        dAdZ = torch.where(self.Z > 0, torch.ones_like(self.A), self.A + self.alpha)
        dLdZ = dLdA * dAdZ
        return dLdZ


class GELU:
    """
    On same lines as above:
    Define 'forward' function
    Define 'backward' function
    Read the writeup for further details on GELU.
    """

    def forward(self, Z):
        self.Z = Z
        self.T = torch.tanh(math.sqrt(2 / math.pi) * (Z + 0.044715 * Z ** 3))
        self.A = (0.5 * Z) * (1 + self.T)
        return self.A

    def backward(self, dLdA):
        dAdZ = 0.5 * (1 + self.T) + (0.5 * self.Z) * (1 - self.T * self.T) * \
            math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * self.Z * self.Z)
        dLdZ = dLdA * dAdZ

        return dLdZ


class Swish:

    def forward(self, Z):
        self.Z = Z
        E = torch.exp(-torch.abs(Z))
        self.sigmoid = torch.where(Z >= 0, 1 / (1 + E), E / (1 + E))
        self.A = Z * self.sigmoid
        return self.A

    def backward(self, dLdA):
        dAdZ = self.sigmoid + self.A * (1 - self.sigmoid)
        dLdZ = dLdA * dAdZ
        return dLdZ
