"""Style: a second CMU 11-785 "mytorch" solution's activations: "X activation function class"
docstrings, ``self.A = None`` in ``__init__``, forward/backward docstrings with
``Args:``/``Returns:`` and the shapes, ``dLdZ = dLdA * self.A * (1 - self.A)``,
``dLdZ = dLdA * (self.A > 0)`` for ReLU, a Softmax class whose backward is
``self.A * (dLdA - np.sum(self.A * dLdA, axis=1, keepdims=True))``.

Ported from akhdanfadh/mytorch:mytorch/nn/activation.py. Changes for the contract: the GELU
is the tanh approximation (the source's is the erf form, with scipy); the sigmoid takes
exp of -|Z|; LeakyReLU, ELU and Swish are new, in the same style (ELU's exp of min(Z, 0)).
"""

import math

import torch


class Sigmoid:
    """Sigmoid activation function class
    """
    def __init__(self):
        self.A = None

    def forward(self, Z):
        """Forward pass: compute output given input
        Args:
            Z (array-like): input data of shape (batch_size, in_features)
        Returns:
            A (array-like): output data of shape (batch_size, in_features)
        """
        E = torch.exp(-torch.abs(Z))
        self.A = torch.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input
        Args:
            dLdA (array-like): gradient w.r.t. output of shape (batch_size, in_features)
        Returns:
            dLdZ (array-like): gradient w.r.t. input of shape (batch_size, in_features)
        """
        dLdZ = dLdA * self.A * (1 - self.A)
        return dLdZ


class Tanh:
    """Tanh activation function class
    """
    def __init__(self):
        self.A = None

    def forward(self, Z):
        """Forward pass: compute output given input"""
        self.A = torch.tanh(Z)
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = dLdA * (1 - self.A ** 2)
        return dLdZ


class ReLU:
    """ReLU activation function class
    """
    def __init__(self):
        self.A = None

    def forward(self, Z):
        """Forward pass: compute output given input"""
        self.A = torch.maximum(torch.zeros_like(Z), Z)
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = dLdA * (self.A > 0)
        return dLdZ


class LeakyReLU:
    """LeakyReLU activation function class
    """
    def __init__(self, alpha=0.01):
        self.A = None
        self.alpha = alpha

    def forward(self, Z):
        """Forward pass: compute output given input"""
        self.Z = Z
        self.A = torch.where(Z > 0, Z, self.alpha * Z)
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = torch.where(self.Z > 0, dLdA, self.alpha * dLdA)
        return dLdZ


class ELU:
    """ELU activation function class
    """
    def __init__(self, alpha=1.0):
        self.A = None
        self.alpha = alpha

    def forward(self, Z):
        """Forward pass: compute output given input"""
        self.Z = Z
        self.A = torch.where(Z > 0, Z, self.alpha * (torch.exp(torch.clamp(Z, max=0)) - 1))
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = torch.where(self.Z > 0, dLdA, dLdA * (self.A + self.alpha))
        return dLdZ


class GELU:
    """GELU activation function class (tanh approximation)
    """
    def __init__(self):
        self.A = None

    def forward(self, Z):
        """Forward pass: compute output given input"""
        self.Z = Z
        self.T = torch.tanh(math.sqrt(2 / math.pi) * (Z + 0.044715 * Z ** 3))
        self.A = 0.5 * Z * (1 + self.T)
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = dLdA * (0.5 * (1 + self.T) + \
                0.5 * self.Z * (1 - self.T ** 2) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * self.Z ** 2))
        return dLdZ


class Swish:
    """Swish activation function class
    """
    def __init__(self):
        self.A = None

    def forward(self, Z):
        """Forward pass: compute output given input"""
        self.Z = Z
        E = torch.exp(-torch.abs(Z))
        self.S = torch.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
        self.A = Z * self.S
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = dLdA * (self.S + self.A * (1 - self.S))
        return dLdZ


class Softmax:
    """Softmax activation function class
    """
    def __init__(self):
        self.A = None

    def forward(self, Z):
        """Forward pass: compute output given input"""
        exp_X = torch.exp(Z - torch.max(Z, dim=1, keepdim=True).values)  # for numerical stability
        self.A = exp_X / torch.sum(exp_X, dim=1, keepdim=True)
        return self.A

    def backward(self, dLdA):
        """Backward pass: compute gradient w.r.t. input"""
        dLdZ = self.A * (dLdA - torch.sum(self.A * dLdA, dim=1, keepdim=True))
        return dLdZ
