"""Style: numpitron (a numpy Megatron): the product written with ``np.einsum`` strings
(``"bsd, dh -> bsh"`` forward, ``"bsd, bsh -> dh"`` for the weight gradient, ``"bsh, dh -> bsd"``
for the input gradient), the input kept in a ``self.ctx`` dict and ``pop``-ped by backward,
``d_out`` naming.

Ported from lweitkamp/numpitron:src/numpitron/nn/linear.py.
Changes for the contract: inputs are (batch, features), so the einsums drop the sequence
axis ("bd, dh -> bh"); W is the given (in, out) kernel; the gradients go to dW/db instead of
``update_parameter``.
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
        self.ctx: dict = {"inputs": None}

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        outputs = torch.einsum("bd, dh -> bh", inputs, self.W)
        outputs = outputs + self.b
        self.ctx["inputs"] = inputs
        return outputs

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        inputs = self.ctx.pop("inputs")
        self.dW = torch.einsum("bd, bh -> dh", inputs, d_out)
        self.db = d_out.sum(dim=0)
        return torch.einsum("bh, dh -> bd", d_out, self.W)

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
