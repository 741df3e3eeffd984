"""Style: CS231n ``softmax_loss`` / ``svm_loss`` (one function returning ``(loss, dx)``,
``correct_class_scores = x[np.arange(N), y]``), with the label entries addressed by flat
index arithmetic (``flat[np.arange(N) * C + y]``) instead of fancy 2-D indexing, and the
regression losses as the same (loss, dx) functions.

Ported from ethan-mgallagher/cs231n-Assignment-2:assignment2/cs231n/layers.py (softmax_loss,
svm_loss). Changes for the contract: the source's ``-log(probs[arange(N), y])`` is -log(0)
for logits 1e4 apart, so the loss is the log-sum-exp of the shifted scores minus the correct
class's shifted score; losses average over numel (the regression ones) or N.
"""

import torch


def softmax_loss(x, y):
  N, C = x.shape
  shifted = x - torch.max(x, dim=1, keepdim=True).values
  log_Z = torch.log(torch.sum(torch.exp(shifted), dim=1))
  flat_index = torch.arange(N) * C + y
  correct_class_scores = shifted.reshape(-1)[flat_index]
  loss = torch.sum(log_Z - correct_class_scores) / N
  probs = torch.exp(shifted - log_Z.reshape(N, 1))
  dx = probs.reshape(-1).clone()
  dx[flat_index] -= 1
  dx = dx.reshape(N, C) / N
  return loss, dx


def l2_loss(x, y):
  n = x.numel()
  return torch.sum((x - y) ** 2) / n, 2 * (x - y) / n


def l1_loss(x, y):
  n = x.numel()
  return torch.sum(torch.abs(x - y)) / n, torch.sign(x - y) / n


def huber_loss(x, y, delta):
  n = x.numel()
  r = x - y
  inside = torch.abs(r) <= delta
  loss = torch.sum(torch.where(inside, 0.5 * r * r, delta * (torch.abs(r) - 0.5 * delta))) / n
  dx = torch.where(inside, r, delta * torch.sign(r)) / n
  return loss, dx


def binary_cross_entropy_loss(x, y):
  n = x.numel()
  p = torch.clamp(x, 1e-7, 1 - 1e-7)
  loss = -torch.sum(y * torch.log(p) + (1 - y) * torch.log(1 - p)) / n
  dx = (p - y) / (p * (1 - p)) / n
  return loss, dx


class _CachedLoss:
  fn = None

  def forward(self, x, y):
    loss, self.dx_cache = type(self).fn(x, y)
    return loss

  def backward(self):
    return self.dx_cache


class SoftmaxCELoss(_CachedLoss):
  fn = staticmethod(softmax_loss)


class MSELoss(_CachedLoss):
  fn = staticmethod(l2_loss)


class MAELoss(_CachedLoss):
  fn = staticmethod(l1_loss)


class BCELoss(_CachedLoss):
  fn = staticmethod(binary_cross_entropy_loss)


class HuberLoss(_CachedLoss):
  def __init__(self, delta=1.0):
    self.delta = delta

  def forward(self, x, y):
    loss, self.dx_cache = huber_loss(x, y, self.delta)
    return loss
