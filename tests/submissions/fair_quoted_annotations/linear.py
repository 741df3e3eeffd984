"""A fair sample: every annotation quoted ("torch.Tensor", "torch.Tensor | None" class attributes).

Task 1: the fully connected (Linear) layer, forward and backward by hand."""

import torch


class Linear:
    """y = x @ W + b, mapping M input features to N output features.

    Parameters (given):
        W  (M, N)  Xavier-normal: std = sqrt(2 / (M + N))
        b  (N,)    zeros
    After ``backward`` the gradients are stored as ``dW`` (M, N) and ``db`` (N,).
    """

    _x: "torch.Tensor | None" = None

    def __init__(self, in_features: "int", out_features: "int"):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def forward(self, x: "torch.Tensor") -> "torch.Tensor":
        """x (B, M) -> y (B, N).

        y[i, n] = sum_m x[i, m] * W[m, n] + b[n]; the bias is broadcast over the batch.
        Cost: 2·B·M·N FLOPs (one matrix product) + B·N for the bias.
        """
        self._x = x
        return torch.addmm(self.b, x, self.W)  # b + x @ W in one call, without a temporary

    def backward(self, dout: "torch.Tensor") -> "torch.Tensor":
        """dout = dL/dy (B, N) -> dL/dx (B, M); stores dW (M, N) and db (N,).

        dW = xᵀ · dout, db = dout summed over the batch, dx = dout · Wᵀ.
        Cost: 4·B·M·N FLOPs (two matrix products) + B·N: about twice the forward.

        When ``self.needs_dx`` is False (MLP's first layer: its input is the data, whose
        gradient nobody uses) you may skip dx and return None, saving a third of the
        layer's training cost. Returning dx anyway is correct too.
        """
        self.dW = self._x.T @ dout
        self.db = dout.sum(dim=0)
        if not self.needs_dx:
            return None
        return dout @ self.W.T

    def step(self, lr: float) -> "None":
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
