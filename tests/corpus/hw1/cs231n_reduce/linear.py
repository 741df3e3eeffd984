"""Style: another CS231n ``layers.py``: ``from functools import reduce`` to flatten the
trailing dimensions (``secondDim = reduce( lambda x, y: x*y, d_dims)``), camelCase locals
(``intoRows``, ``secondDim``), spaces inside the parentheses (``np.dot( intoRows, w )``),
``##reshape`` comments, and the affine_forward / affine_backward function pair.

Ported from ethan-mgallagher/cs231n-Assignment-2:assignment2/cs231n/layers.py
(affine_forward, affine_backward). Changes for the contract: np.dot/np.reshape become
torch.matmul/torch.reshape; the class wrapper with the given __init__/step.
"""
# ruff: noqa: E201, E202, E225, E226

from functools import reduce

import torch


def affine_forward(x, w, b):
  """
  Computes the forward pass for an affine (fully-connected) layer.

  Returns a tuple of:
  - out: output, of shape (N, M)
  - cache: (x, w, b)
  """
  out = None

  ##reshape
  d_dims = x.shape[1:]
  N = x.shape[0]

  secondDim = reduce( lambda x, y: x*y, d_dims)
  intoRows = torch.reshape( x, (N, secondDim) )

  out = torch.matmul( intoRows, w ) + b

  cache = (x, w, b)
  return out, cache


def affine_backward(dout, cache):
  """
  Computes the backward pass for an affine layer.

  Returns a tuple of:
  - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
  - dw: Gradient with respect to w, of shape (D, M)
  - db: Gradient with respect to b, of shape (M,)
  """
  x, w, b = cache
  dx, dw, db = None, None, None

  db = torch.sum( dout, dim=0 )

  ##reshape X again
  d_dims = x.shape[1:]
  N = x.shape[0]
  if len( d_dims  ) > 1:
    secondDim = reduce(lambda x, y: x * y, d_dims)
  else:
    secondDim = d_dims[0]
  intoRows = torch.reshape(x, (N, secondDim))

  ##should get shape of (D, M)
  ## intoRows.T . dout = (D, N) . (N, M)
  dw = torch.matmul( intoRows.T, dout )

  ## have to reshape the weights here
  temp = torch.matmul( dout, w.T )
  dx = torch.reshape( temp, x.shape )

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
    out, self.cache = affine_forward( x, self.W, self.b )
    return out

  def backward(self, dout):
    dx, self.dW, self.db = affine_backward( dout, self.cache )
    return dx

  def step(self, lr: float) -> None:
    """Plain SGD: W -= lr·dW, b -= lr·db."""
    self.W -= lr * self.dW
    self.b -= lr * self.db
