"""Style: CS231n assignment 2 ``layers.py``: module-level ``affine_forward(x, w, b)`` returning
``(out, cache)`` and ``affine_backward(dout, cache)`` returning ``(dx, dw, db)``, two-space
indentation, the TODO / END OF YOUR CODE banners, ``x.reshape(N, -1)`` for inputs of any
rank; the class only keeps the cache.

Ported from kaiweihuang/CS231n:assignment2/cs231n/layers.py (affine_forward, affine_backward).
Changes for the contract: numpy's ``.dot`` becomes ``@``; the Linear class is the thin
wrapper the contract's API needs (the given __init__/step).
"""

import torch


def affine_forward(x, w, b):
  """
  Computes the forward pass for an affine (fully-connected) layer.

  Inputs:
  - x: A tensor containing input data, of shape (N, d_1, ..., d_k)
  - w: A tensor of weights, of shape (D, M)
  - b: A tensor of biases, of shape (M,)

  Returns a tuple of:
  - out: output, of shape (N, M)
  - cache: (x, w, b)
  """
  out = None
  #############################################################################
  # TODO: Implement the affine forward pass. Store the result in out. You     #
  # will need to reshape the input into rows.                                 #
  #############################################################################
  N = x.shape[0]
  x_unravelled = x.reshape(N,-1)  # noqa: E231
  out = x_unravelled @ w + b
  #############################################################################
  #                             END OF YOUR CODE                              #
  #############################################################################
  cache = (x, w, b)
  return out, cache


def affine_backward(dout, cache):
  """
  Computes the backward pass for an affine layer.

  Inputs:
  - dout: Upstream derivative, of shape (N, M)
  - cache: Tuple of:
    - x: Input data, of shape (N, d_1, ... d_k)
    - w: Weights, of shape (D, M)

  Returns a tuple of:
  - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
  - dw: Gradient with respect to w, of shape (D, M)
  - db: Gradient with respect to b, of shape (M,)
  """
  x, w, b = cache
  dx, dw, db = None, None, None
  #############################################################################
  # TODO: Implement the affine backward pass.                                 #
  #############################################################################
  N = x.shape[0]
  x_unravelled = x.reshape(N,-1)  # noqa: E231
  db = torch.sum(dout,dim = 0)  # noqa: E231, E251
  dw = x_unravelled.T @ dout
  dx = (dout @ w.T).reshape(x.shape)
  #############################################################################
  #                             END OF YOUR CODE                              #
  #############################################################################
  return dx, dw, db


class Linear:
  def __init__(self, in_features: int, out_features: int):
    std = (2.0 / (in_features + out_features)) ** 0.5
    self.W = torch.randn(in_features, out_features) * std
    self.b = torch.zeros(out_features)
    self.dW = None
    self.db = None
    self._x = None  # the input of the last forward, kept for backward
    self.needs_dx = True  # MLP sets False on its first layer (see backward)

  def forward(self, x):
    out, self.cache = affine_forward(x, self.W, self.b)
    return out

  def backward(self, dout):
    dx, self.dW, self.db = affine_backward(dout, self.cache)
    return dx

  def step(self, lr: float) -> None:
    """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
    self.W.add_(self.dW, alpha=-lr)
    self.b.add_(self.db, alpha=-lr)
