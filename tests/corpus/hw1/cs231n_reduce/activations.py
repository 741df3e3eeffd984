"""Style: CS231n-style ``relu_forward`` / ``relu_backward`` where backward writes into the
upstream gradient (``dout[ x <= 0]=0; dx = dout``) — here on a copy —, spaces inside
parentheses, and classes that keep the boolean mask as ``self.relu_mask`` (and similar
``*_mask`` / ``*_cache`` attributes for the other activations).

Ported from ethan-mgallagher/cs231n-Assignment-2:assignment2/cs231n/layers.py
(relu_forward, relu_backward). Changes for the contract: the source's relu_backward
modifies dout in place, which the contract forbids: it clones dout first; the other
activations are new, in the same style (stable sigmoid, ELU's exp of min(x, 0)).
"""
# ruff: noqa: E201, E202, E225

import math

import torch


def relu_forward(x):
  out = torch.maximum( torch.zeros_like(x), x )
  cache = x
  return out, cache


def relu_backward(dout, cache):
  dx, x = None, cache
  dout = dout.clone()
  dout[ x <= 0]=0

  dx = dout
  return dx


class ReLU:
  def forward(self, x):
    out, x = relu_forward( x )
    self.relu_mask = x > 0
    return out

  def backward(self, dout):
    return dout * self.relu_mask


class LeakyReLU:
  def __init__(self, alpha=0.01):
    self.alpha = alpha

  def forward(self, x):
    self.leaky_mask = x > 0
    return torch.where( self.leaky_mask, x, self.alpha * x )

  def backward(self, dout):
    dx = dout.clone()
    dx[ ~self.leaky_mask ] *= self.alpha
    return dx


class ELU:
  def __init__(self, alpha=1.0):
    self.alpha = alpha

  def forward(self, x):
    self.elu_mask = x > 0
    self.exp_cache = torch.exp( torch.clamp( x, max=0 ) )
    return torch.where( self.elu_mask, x, self.alpha * ( self.exp_cache - 1 ) )

  def backward(self, dout):
    return torch.where( self.elu_mask, dout, self.alpha * self.exp_cache * dout )


class Sigmoid:
  def forward(self, x):
    pos_mask = x >= 0
    z = torch.exp( -torch.abs( x ) )
    self.sig_cache = torch.where( pos_mask, 1 / ( 1 + z ), z / ( 1 + z ) )
    return self.sig_cache

  def backward(self, dout):
    return dout * self.sig_cache * ( 1 - self.sig_cache )


class Tanh:
  def forward(self, x):
    self.tanh_cache = torch.tanh( x )
    return self.tanh_cache

  def backward(self, dout):
    return dout * ( 1 - self.tanh_cache ** 2 )


class GELU:
  def forward(self, x):
    self.x_cache = x
    self.t_cache = torch.tanh( math.sqrt( 2 / math.pi ) * ( x + 0.044715 * x ** 3 ) )
    return 0.5 * x * ( 1 + self.t_cache )

  def backward(self, dout):
    x, t = self.x_cache, self.t_cache
    du = math.sqrt( 2 / math.pi ) * ( 1 + 3 * 0.044715 * x ** 2 )
    return dout * ( 0.5 * ( 1 + t ) + 0.5 * x * ( 1 - t ** 2 ) * du )


class Swish:
  def forward(self, x):
    self.x_cache = x
    z = torch.exp( -torch.abs( x ) )
    self.sig_cache = torch.where( x >= 0, 1 / ( 1 + z ), z / ( 1 + z ) )
    return x * self.sig_cache

  def backward(self, dout):
    s = self.sig_cache
    return dout * ( s + self.x_cache * s * ( 1 - s ) )
