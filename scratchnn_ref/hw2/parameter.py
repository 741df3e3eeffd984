# Generated from solutions/hw2/scratchnn/parameter.py by `make generate`: edit that file, not this one.
"""Parameter: a tensor the optimizer trains, and its gradient (given, complete)."""

import torch


class Parameter:
    """A trainable tensor and the gradient of the loss with respect to it.

    data  the values, any shape (a Linear's W is (M, N), a BatchNorm1d's weight (C,)).
          The optimizer's ``step()`` updates them (in place).
    grad  dL/d data, a tensor of the shape and dtype of ``data``, set by the backward of
          the layer that owns the parameter; None when there is no gradient (before the
          first backward, or after ``zero_grad()``): ``step()`` then leaves the parameter alone.
    """

    def __init__(self, data: torch.Tensor):
        self.data = data
        self.grad = None

    @property
    def shape(self) -> torch.Size:
        return self.data.shape

    def __repr__(self) -> str:
        grad = "None" if self.grad is None else f"tensor of shape {tuple(self.grad.shape)}"
        return f"Parameter(shape={tuple(self.data.shape)}, dtype={self.data.dtype}, grad={grad})"
