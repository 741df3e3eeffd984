"""Style: CMU 11-785 "mytorch" HW1P1 Linear: A/Z naming, ``self.N`` batch size, a column of
ones ``self.Ones`` to broadcast the bias (Z = A·W + Ones·bᵀ) and to sum it back
(dLdb = dLdZᵀ·Ones), ``backward(self, dLdZ)`` returning dLdA, a ``debug`` flag.

Ported from skandvj/HW1P1:mytorch/nn/linear.py.
Changes for the contract: W is (in, out) here (mytorch stores (out, in)), so the products
are transposed accordingly; Ones gets the input's dtype; dLdW/dLdb are also stored as
dW/db, with db of shape (out,).
"""

import torch


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)
        self.debug = False

    def forward(self, A):
        """
        :param A: Input to the linear layer with shape (N, C0)
        :return: Output Z of linear layer with shape (N, C1)
        Read the writeup for implementation details
        """
        self.A = A
        self.N = A.shape[0]  # store the batch size of input
        # Think how will self.Ones helps in the calculations and uncomment below
        self.Ones = torch.ones((self.N, 1), dtype=A.dtype, device=A.device)
        Z = (self.A @ self.W) + (self.Ones @ self.b.reshape(1, -1))

        return Z

    def backward(self, dLdZ):

        dLdA = dLdZ @ torch.transpose(self.W, 0, 1)
        self.dLdW = torch.transpose(self.A, 0, 1) @ dLdZ
        self.dLdb = torch.transpose(dLdZ, 0, 1) @ self.Ones
        self.dW = self.dLdW
        self.db = self.dLdb.reshape(-1)

        if self.debug:

            self.dLdA = dLdA

        return dLdA

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
