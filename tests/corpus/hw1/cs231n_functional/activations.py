"""Style: CS231n assignment 2 ``layers.py``: module-level ``*_forward(x)`` returning
``(out, cache)`` and ``*_backward(dout, cache)`` returning ``dx``, two-space indentation,
``f = lambda x: np.maximum(0, x)`` inside relu_forward, ``dx = np.copy(dout); dx[x < 0] = 0``
(so the derivative at 0 is 1, a valid subgradient); classes are thin wrappers that keep
``self.cache``.

Ported from kaiweihuang/CS231n:assignment2/cs231n/layers.py (relu_forward, relu_backward).
Changes for the contract: the other activations are written as the same function pairs
(cache = the input, or the output where the derivative needs it); the sigmoid uses
exp(-|x|); ELU's exp is taken of min(x, 0).
"""
# ruff: noqa: E731

import math

import torch


def relu_forward(x):
  """
  Computes the forward pass for a layer of rectified linear units (ReLUs).

  Input:
  - x: Inputs, of any shape

  Returns a tuple of:
  - out: Output, of the same shape as x
  - cache: x
  """
  out = None
  f = lambda x:torch.maximum(torch.zeros_like(x),x)  # noqa: E231
  out = f(x)
  cache = x
  return out, cache


def relu_backward(dout, cache):
  """
  Computes the backward pass for a layer of rectified linear units (ReLUs).

  Input:
  - dout: Upstream derivatives, of any shape
  - cache: Input x, of same shape as dout

  Returns:
  - dx: Gradient with respect to x
  """
  dx, x = None, cache
  dx = torch.clone(dout)
  dx[x < 0] = 0
  return dx


def leaky_relu_forward(x, alpha):
  out = torch.where(x > 0, x, alpha * x)
  cache = (x, alpha)
  return out, cache


def leaky_relu_backward(dout, cache):
  x, alpha = cache
  dx = torch.clone(dout)
  dx[x < 0] *= alpha
  return dx


def elu_forward(x, alpha):
  out = torch.where(x > 0, x, alpha * (torch.exp(torch.clamp(x, max=0)) - 1))
  cache = (x, out, alpha)
  return out, cache


def elu_backward(dout, cache):
  x, out, alpha = cache
  dx = dout * torch.where(x > 0, torch.ones_like(x), out + alpha)
  return dx


def sigmoid_forward(x):
  z = torch.exp(-torch.abs(x))
  out = torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
  cache = out
  return out, cache


def sigmoid_backward(dout, cache):
  out = cache
  dx = dout * out * (1 - out)
  return dx


def tanh_forward(x):
  out = torch.tanh(x)
  cache = out
  return out, cache


def tanh_backward(dout, cache):
  out = cache
  dx = dout * (1 - out ** 2)
  return dx


def gelu_forward(x):
  c = math.sqrt(2 / math.pi)
  t = torch.tanh(c * (x + 0.044715 * x ** 3))
  out = 0.5 * x * (1 + t)
  cache = (x, t)
  return out, cache


def gelu_backward(dout, cache):
  x, t = cache
  c = math.sqrt(2 / math.pi)
  dx = dout * (0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * c * (1 + 3 * 0.044715 * x ** 2))
  return dx


def swish_forward(x):
  s, _ = sigmoid_forward(x)
  out = x * s
  cache = (x, s)
  return out, cache


def swish_backward(dout, cache):
  x, s = cache
  dx = dout * (s + x * s * (1 - s))
  return dx


class ReLU:
  def forward(self, x):
    out, self.cache = relu_forward(x)
    return out

  def backward(self, dout):
    return relu_backward(dout, self.cache)


class LeakyReLU:
  def __init__(self, alpha=0.01):
    self.alpha = alpha

  def forward(self, x):
    out, self.cache = leaky_relu_forward(x, self.alpha)
    return out

  def backward(self, dout):
    return leaky_relu_backward(dout, self.cache)


class ELU:
  def __init__(self, alpha=1.0):
    self.alpha = alpha

  def forward(self, x):
    out, self.cache = elu_forward(x, self.alpha)
    return out

  def backward(self, dout):
    return elu_backward(dout, self.cache)


class Sigmoid:
  def forward(self, x):
    out, self.cache = sigmoid_forward(x)
    return out

  def backward(self, dout):
    return sigmoid_backward(dout, self.cache)


class Tanh:
  def forward(self, x):
    out, self.cache = tanh_forward(x)
    return out

  def backward(self, dout):
    return tanh_backward(dout, self.cache)


class GELU:
  def forward(self, x):
    out, self.cache = gelu_forward(x)
    return out

  def backward(self, dout):
    return gelu_backward(dout, self.cache)


class Swish:
  def forward(self, x):
    out, self.cache = swish_forward(x)
    return out

  def backward(self, dout):
    return swish_backward(dout, self.cache)
