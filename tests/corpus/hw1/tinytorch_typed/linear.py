"""Style: tinytorch Linear: two-space indentation, the cache annotated with a quoted
annotation (``self._x: "torch.Tensor | None" = None``), quoted parameter annotations, a
long derivation of the bias gradient in the backward docstring, ``ForwardNotCalledError``.

Ported from arieselinger/tinytorch:tinytorch/layers/linear.py.
Changes for the contract: the gradients are stored (not ``+=``-accumulated into Parameter
objects) in dW and db; W and b are the given tensors.
"""
# ruff: noqa: UP037

import torch


class ForwardNotCalledError(RuntimeError):
  pass


class Linear:
  def __init__(self, in_features: int, out_features: int):
    std = (2.0 / (in_features + out_features)) ** 0.5
    self.W = torch.randn(in_features, out_features) * std
    self.b = torch.zeros(out_features)
    self.dW = None
    self.db = None
    self._x: "torch.Tensor | None" = None  # the input of the last forward, kept for backward
    self.needs_dx = True  # MLP sets False on its first layer (see backward)

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      x: shape (B, d_in)

    Output:
      y = xW + b: size (B, d_out)
    """
    self._x = x
    return x @ self.W + self.b  # (B, d_out) + (, d_out) -> (B, d_out)

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      grad_out: gradient of loss wrt to output, (B, d_out)

    Output:
      grad_in: gradient of loss wrt to input, (B, d_in)

    --------
    Gradient wrt b

    Vector b (dim_out, ) is broadcasted to match xW (B, dim_out) in
    y = xW + b

    Equivalent to: b_expanded = ones((batch_size, 1)) @ b

    The former option gives us easily the solution for the gradient:

    grad_b[loss(ones((batch_size, 1)) @ b)]
    = ones((batch_size, 1)).T @ grad_out
    = grad_out.sum(axis=0, keepdims=False)

    => "sum sample gradients over the batch"
    """

    if self._x is None:
      raise ForwardNotCalledError()

    grad_in = grad_out @ self.W.T
    self.dW = self._x.T @ grad_out
    self.db = grad_out.sum(dim=0)

    return grad_in

  def step(self, lr: float) -> None:
    """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
    self.W.add_(self.dW, alpha=-lr)
    self.b.add_(self.db, alpha=-lr)
