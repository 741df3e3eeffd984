"""Style: a flax ``Dense``-like layer: the product is a contraction over named dimensions
(``lax.dot_general(inputs, kernel, (((inputs.ndim - 1,), (0,)), ((), ())))`` in flax), here
``torch.tensordot(x, W, dims=([x.ndim - 1], [0]))``, and the backward contracts the other
pairs of axes the same way.

Ported from the Dense layer of google/flax (flax/linen/linear.py: ``dot_general`` over the
last input axis and the kernel's first) — the kernel has shape (in, out) as in the contract.
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

    def forward(self, inputs):
        self._x = inputs
        y = torch.tensordot(inputs, self.W, dims=([inputs.ndim - 1], [0]))
        return y + self.b

    def backward(self, dout):
        # contract the batch axis for the kernel, the output axis for the inputs
        self.dW = torch.tensordot(self._x, dout, dims=([0], [0]))
        self.db = torch.sum(dout, dim=0)
        return torch.tensordot(dout, self.W, dims=([dout.ndim - 1], [1]))

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
