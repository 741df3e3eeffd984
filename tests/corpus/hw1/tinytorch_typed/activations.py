"""Style: tinytorch (Arie Selinger): two-space indentation, class-level annotations of the
caches written as quoted annotations (``_sigma: "torch.Tensor | None" = None``), quoted
parameter and return annotations (``def forward(self, x: "torch.Tensor") -> "torch.Tensor"``),
a module-level ``ForwardNotCalledError`` raised when backward comes first, ``grad_out`` /
``grad_in`` naming, ``parameters() -> Sequence``; GELU with ``sech2_g`` and
``g_prime = sqrt(2/pi) * (1 + 0.134145 * x**2)``; ReLU as ``x * (x > 0)``.

Ported from arieselinger/tinytorch:tinytorch/activations/sigmoid.py, activations/relu.py
and activations/gelu.py (numpy; the annotations there are ``np.ndarray | None``).
Changes for the contract: numpy -> torch; the sigmoid takes exp of -|x|; the other
activations are written the same way.
"""
# ruff: noqa: UP035, UP037

import math
from typing import Sequence

import torch


class ForwardNotCalledError(RuntimeError):
  pass


class Module:
  def parameters(self) -> Sequence:
    return []


class Sigmoid(Module):
  _sigma: "torch.Tensor | None" = None

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      x: shape (B, d)

    Output:
      y = exp(x)/(1+exp(x)) = 1 / (1 + exp(-x))
    """
    e = torch.exp(-x.abs())
    self._sigma = torch.where(x >= 0, 1.0 / (1 + e), e / (1 + e))
    return self._sigma

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      grad_out: shape (B, d)

    Output:
      grad_in: shape (B, d), grad_out * s'(x)
    """
    if self._sigma is None:
      raise ForwardNotCalledError()

    # s'(x) = s(x)(1-s(x))
    return grad_out * self._sigma * (1 - self._sigma)


class Tanh(Module):
  _tanh: "torch.Tensor | None" = None

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    self._tanh = torch.tanh(x)
    return self._tanh

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    if self._tanh is None:
      raise ForwardNotCalledError()
    # tanh'(x) = 1 - tanh(x)^2
    return grad_out * (1 - self._tanh**2)


class ReLU(Module):
  _x: "torch.Tensor | None" = None

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      x: shape (B, *d)
    """
    self._x = x
    return x * (x > 0)

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      grad_out: shape (B, *d)

    Output:
      grad_in: shape (B, *d)
    """
    if self._x is None:
      raise ForwardNotCalledError()
    return grad_out * (self._x > 0)


class LeakyReLU(Module):
  _x: "torch.Tensor | None" = None

  def __init__(self, alpha: "float" = 0.01) -> None:
    self.alpha = alpha

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    self._x = x
    return torch.where(x > 0, x, self.alpha * x)

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    if self._x is None:
      raise ForwardNotCalledError()
    return torch.where(self._x > 0, grad_out, self.alpha * grad_out)


class ELU(Module):
  _x: "torch.Tensor | None" = None
  _exp: "torch.Tensor | None" = None

  def __init__(self, alpha: "float" = 1.0) -> None:
    self.alpha = alpha

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    self._x = x
    self._exp = torch.exp(torch.clamp(x, max=0.0))
    return torch.where(x > 0, x, self.alpha * (self._exp - 1))

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    if self._x is None or self._exp is None:
      raise ForwardNotCalledError()
    return torch.where(self._x > 0, grad_out, self.alpha * self._exp * grad_out)


class GELU(Module):
  """
  Gaussian Error Linear Unit activation function
  Using the tanh approximation

  d(GELU)/dx = 0.5 * [1 + tanh(g) + x * sech^2(g) * g'(x)]
  """

  _x: "torch.Tensor | None" = None
  _tanh_g: "torch.Tensor | None" = None

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      x: shape (...)
    """
    self._x = x
    g: "torch.Tensor" = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
    tanh_g: "torch.Tensor" = torch.tanh(g)
    self._tanh_g = tanh_g
    return 0.5 * x * (1 + tanh_g)

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    """
    Args:
      grad_out: shape (...)

    Output:
      grad_in: shape (...)
    """
    if self._x is None or self._tanh_g is None:
      raise ForwardNotCalledError()

    # Derivatives
    sech2_g = 1 - self._tanh_g**2
    g_prime = math.sqrt(2 / math.pi) * (1 + 0.134145 * self._x**2)

    # d(GELU)/dx = 0.5 * [1 + tanh(g) + x * sech^2(g) * g'(x)]
    grad_x = 0.5 * (1 + self._tanh_g + self._x * sech2_g * g_prime) * grad_out

    return grad_x


class Swish(Module):
  _x: "torch.Tensor | None" = None
  _sigma: "torch.Tensor | None" = None

  def forward(self, x: "torch.Tensor") -> "torch.Tensor":
    self._x = x
    e = torch.exp(-x.abs())
    self._sigma = torch.where(x >= 0, 1.0 / (1 + e), e / (1 + e))
    return x * self._sigma

  def backward(self, grad_out: "torch.Tensor") -> "torch.Tensor":
    if self._x is None or self._sigma is None:
      raise ForwardNotCalledError()
    # d(x s(x))/dx = s(x) + x s(x) (1 - s(x))
    return grad_out * self._sigma * (1 + self._x * (1 - self._sigma))
