"""Style: Karpathy's "Becoming a backprop ninja" (makemore part 4): one gradient per line,
named ``d<variable>``, with the shapes in comments; ``dh = dlogits @ W2.T``,
``dW2 = h.T @ dlogits``, ``db2 = dlogits.sum(0)``; the forward's intermediates kept by name.

Ported from karpathy/nn-zero-to-hero:lectures/makemore/makemore_part4_backprop.ipynb
(the second linear layer and its manual backward). Changes for the contract: the layer's
variables are stored on self (h = the input, hpre = the output) and db has shape (N,).
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

    def forward(self, h):
        self.h = h                      # (n, M)
        logits = h @ self.W + self.b    # (n, N)
        return logits

    def backward(self, dlogits):
        dh = dlogits @ self.W.T         # (n, N) @ (N, M) -> (n, M)
        dW = self.h.T @ dlogits         # (M, n) @ (n, N) -> (M, N)
        db = dlogits.sum(0)             # (N,)
        self.dW, self.db = dW, db
        return dh

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
