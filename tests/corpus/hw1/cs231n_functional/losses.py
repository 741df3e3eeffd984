"""Style: CS231n ``softmax_loss(x, y)`` / ``svm_loss``: one function that returns
``(loss, dx)`` at once, so the class computes the gradient during forward and backward
only hands it back; ``probs = exp(x - max(x, axis=1, keepdims=True))``,
``dx = probs.copy(); dx[np.arange(N), y] -= 1; dx /= N``; two-space indentation.

Ported from kaiweihuang/CS231n:assignment2/cs231n/layers.py (softmax_loss).
Changes for the contract: the source's loss is ``-log(probs[arange(N), y])``, which is
-log(0) = inf when a probability underflows (logits 1e4 apart), so the log is taken of the
shifted logits (log-sum-exp); the regression losses are written as the same (loss, dx)
functions and average over numel; BCE clamps to [1e-7, 1 - 1e-7].
"""

import torch


def softmax_loss(x, y):
  """
  Computes the loss and gradient for softmax classification.

  Inputs:
  - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class
    for the ith input.
  - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
    0 <= y[i] < C

  Returns a tuple of:
  - loss: Scalar giving the loss
  - dx: Gradient of the loss with respect to x
  """
  shifted_logits = x - torch.max(x, dim=1, keepdim=True).values
  Z = torch.sum(torch.exp(shifted_logits), dim=1, keepdim=True)
  log_probs = shifted_logits - torch.log(Z)
  probs = torch.exp(log_probs)
  N = x.shape[0]
  loss = -torch.sum(log_probs[torch.arange(N), y]) / N
  dx = probs.clone()
  dx[torch.arange(N), y] -= 1
  dx /= N
  return loss, dx


def mse_loss(x, y):
  n = x.numel()
  diff = x - y
  loss = torch.sum(diff * diff) / n
  dx = 2 * diff / n
  return loss, dx


def mae_loss(x, y):
  n = x.numel()
  diff = x - y
  loss = torch.sum(torch.abs(diff)) / n
  dx = torch.sign(diff) / n
  return loss, dx


def huber_loss(x, y, delta):
  n = x.numel()
  diff = x - y
  quad = torch.abs(diff) <= delta
  loss = torch.sum(torch.where(quad, 0.5 * diff ** 2, delta * (torch.abs(diff) - 0.5 * delta))) / n
  dx = torch.where(quad, diff, delta * torch.sign(diff)) / n
  return loss, dx


def bce_loss(x, y):
  n = x.numel()
  p = torch.clamp(x, 1e-7, 1 - 1e-7)
  loss = -torch.sum(y * torch.log(p) + (1 - y) * torch.log(1 - p)) / n
  dx = (p - y) / (p * (1 - p)) / n
  return loss, dx


class SoftmaxCELoss:
  def forward(self, x, y):
    loss, self.dx = softmax_loss(x, y)
    return loss

  def backward(self):
    return self.dx


class MSELoss:
  def forward(self, x, y):
    loss, self.dx = mse_loss(x, y)
    return loss

  def backward(self):
    return self.dx


class MAELoss:
  def forward(self, x, y):
    loss, self.dx = mae_loss(x, y)
    return loss

  def backward(self):
    return self.dx


class HuberLoss:
  def __init__(self, delta=1.0):
    self.delta = delta

  def forward(self, x, y):
    loss, self.dx = huber_loss(x, y, self.delta)
    return loss

  def backward(self):
    return self.dx


class BCELoss:
  def forward(self, x, y):
    loss, self.dx = bce_loss(x, y)
    return loss

  def backward(self):
    return self.dx
