"""Style: a second CMU 11-785 "mytorch" solution: Google-style docstrings ("Forward pass:
compute predicted output given input / Args: / Returns:"), ``self.A = np.array(A)`` (a copy of
the input), ``self.Ones`` for the bias, ``self.Z`` kept, ``dLdW``/``dLdb``/``dLdA`` naming,
``if self.debug: self.dLdA = dLdA`` on one line.

Ported from akhdanfadh/mytorch:mytorch/nn/linear.py. Changes for the contract: W is (in, out)
(mytorch's is (out, in)), so ``A @ W`` and ``dLdZ @ W.T``; the ones get the input's dtype;
the gradients are also stored as dW and db (db of shape (out,)).
"""
# ruff: noqa: E701, UP039

import torch


class Linear():
    """Linear layer also known as fully connected layer
    Args:
        in_features (int): size of each input sample
        out_features (int): size of each output sample
    """
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
        """Forward pass: compute predicted output given input
        Args:
            A (array-like): input data of shape (batch_size, in_features)
        Returns:
            Z (array-like): output data of shape (batch_size, out_features)
        """
        self.A = torch.clone(A)
        self.Ones = torch.ones((A.shape[0], 1), dtype=A.dtype)
        self.Z = A @ self.W + self.Ones @ self.b.reshape(1, -1)
        return self.Z

    def backward(self, dLdZ):
        """Backward pass: compute gradient w.r.t. input and gradient w.r.t. weight and bias given output gradient
        Args:
            dLdZ (array-like): gradient w.r.t. output of shape (batch_size, out_features)
        Returns:
            dLdA (array-like): gradient w.r.t. input of shape (batch_size, in_features)
        """
        self.dLdW = self.A.T @ dLdZ
        self.dLdb = dLdZ.T @ self.Ones
        self.dW, self.db = self.dLdW, self.dLdb.reshape(-1)
        dLdA = dLdZ @ self.W.T

        if self.debug: self.dLdA = dLdA
        return dLdA

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
