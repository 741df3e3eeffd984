"""Style: tinytorch criteria: two-space indentation, class-level quoted annotations of every
cached value (``_log_probs``, ``_shape``, ``_num_points``, ``_coordinates``), ``backward(self,
grad_out=1.0)`` with a default upstream gradient, the cross-entropy through a numerically
stable log-softmax (``logits_max`` / ``logits_shifted`` / ``log_sum_exp``), the one-hot built
with ``zeros_like`` and index assignment at the cached coordinates, ``self._diff``/``self._size``
for the MSE with ``grad_out * 2 * self._diff / self._size``.

Ported from arieselinger/tinytorch:tinytorch/criteria/cross_entropy.py and criteria/mse.py.
Changes for the contract: numpy -> torch, the loss returned as a 0-dim tensor; MAE, Huber
and BCE are written like the MSE.
"""
# ruff: noqa: UP037

import torch


class ForwardNotCalledError(RuntimeError):
  pass


class MSELoss:
  _diff: "torch.Tensor | None" = None
  _size: "int | None" = None

  def forward(self, y_pred: "torch.Tensor", y_true: "torch.Tensor") -> "torch.Tensor":
    """
    Output:
      L(x,y) = 1 / N * <X-Y,X-Y>_F

    Gradient:
      grad_X = 2 / N * (X - Y)
    """
    if y_pred.shape != y_true.shape:
      raise RuntimeError("y_true and y_pred should have the same shapes")
    self._size = y_pred.numel()
    self._diff = y_pred - y_true
    return torch.sum(self._diff**2) / self._size

  def backward(self, grad_out: "float" = 1.0) -> "torch.Tensor":
    if self._size is None or self._diff is None:
      raise ForwardNotCalledError()
    return grad_out * 2 * self._diff / self._size


class MAELoss:
  _diff: "torch.Tensor | None" = None
  _size: "int | None" = None

  def forward(self, y_pred: "torch.Tensor", y_true: "torch.Tensor") -> "torch.Tensor":
    self._size = y_pred.numel()
    self._diff = y_pred - y_true
    return torch.sum(self._diff.abs()) / self._size

  def backward(self, grad_out: "float" = 1.0) -> "torch.Tensor":
    if self._size is None or self._diff is None:
      raise ForwardNotCalledError()
    return grad_out * torch.sign(self._diff) / self._size


class HuberLoss:
  _diff: "torch.Tensor | None" = None
  _size: "int | None" = None

  def __init__(self, delta: "float" = 1.0) -> None:
    self.delta = delta

  def forward(self, y_pred: "torch.Tensor", y_true: "torch.Tensor") -> "torch.Tensor":
    self._size = y_pred.numel()
    self._diff = y_pred - y_true
    a = self._diff.abs()
    per_element = torch.where(a <= self.delta, 0.5 * self._diff**2, self.delta * (a - 0.5 * self.delta))
    return torch.sum(per_element) / self._size

  def backward(self, grad_out: "float" = 1.0) -> "torch.Tensor":
    if self._size is None or self._diff is None:
      raise ForwardNotCalledError()
    return grad_out * self._diff.clamp(-self.delta, self.delta) / self._size


class BCELoss:
  _p: "torch.Tensor | None" = None
  _y: "torch.Tensor | None" = None
  _size: "int | None" = None

  def forward(self, y_pred: "torch.Tensor", y_true: "torch.Tensor") -> "torch.Tensor":
    self._size = y_pred.numel()
    self._p = y_pred.clamp(1e-7, 1 - 1e-7)
    self._y = y_true
    return -torch.sum(self._y * torch.log(self._p) + (1 - self._y) * torch.log(1 - self._p)) / self._size

  def backward(self, grad_out: "float" = 1.0) -> "torch.Tensor":
    if self._size is None or self._p is None or self._y is None:
      raise ForwardNotCalledError()
    return grad_out * (self._p - self._y) / (self._p * (1 - self._p)) / self._size


class SoftmaxCELoss:
  _log_probs: "torch.Tensor | None" = None
  _shape: "tuple[int, ...] | None" = None
  _num_points: "int | None" = None
  _coordinates: "tuple[torch.Tensor, torch.Tensor] | None" = None

  def forward(self, logits: "torch.Tensor", targets: "torch.Tensor") -> "torch.Tensor":
    """Softmax cross-entropy: L = -log(softmax(logits)[target])
    1. For each position:
      * Softmax
      * negative log likelihood
    2. Loss is the average over each position

    Args:
      logits: shape (..., n_classes)
      targets: shape (..., )

    Output:
      loss: mean negative log-likelihood
    """

    self._shape = logits.shape

    logits_flat = logits.reshape(-1, logits.shape[-1])
    targets_flat = targets.reshape(-1)
    num_points = targets_flat.shape[0]
    self._num_points = num_points

    # Numerically stable log-softmax (max subtraction for stability)
    logits_max = logits_flat.max(dim=-1, keepdim=True).values
    logits_shifted = logits_flat - logits_max
    log_sum_exp = torch.log(torch.sum(torch.exp(logits_shifted), dim=-1, keepdim=True))
    log_probs = logits_shifted - log_sum_exp
    self._log_probs = log_probs

    # Extract target class log-probs for each position
    rows = torch.arange(num_points)
    cols = targets_flat
    self._coordinates = rows, cols
    target_log_probs = log_probs[rows, cols]

    return -target_log_probs.mean()

  def backward(self, grad_out: "float" = 1.0) -> "torch.Tensor":
    """Gradient: [softmax(logits) - one_hot(targets)] / num_points

    Output:
      grad_in: shape (..., n_classes)
    """
    if (
      self._log_probs is None
      or self._shape is None
      or self._coordinates is None
      or self._num_points is None
    ):
      raise ForwardNotCalledError()

    # Compute softmax from cached log-probabilities
    softmax = torch.exp(self._log_probs)

    # Create one-hot encoding of targets
    one_hot = torch.zeros_like(softmax)
    one_hot[self._coordinates] = 1.0

    # Gradient: (softmax - one_hot) / num_points
    # Because of the mean reduction, each position contributes to 1/N to grdient)
    grad_in = grad_out * ((softmax - one_hot) / self._num_points)
    return grad_in.reshape(*self._shape)
