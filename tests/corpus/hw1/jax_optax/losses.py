"""Style: optax losses: element-wise loss functions that do no reduction (the mean is taken
by the caller), with long docstrings; ``huber_loss`` as ``quadratic = minimum(|err|, delta);
linear = |err| - quadratic; 0.5 * quadratic ** 2 + delta * linear``;
``softmax_cross_entropy_with_integer_labels`` that subtracts the row max, takes the label
logits with ``take_along_axis(logits, labels[..., None], axis=-1)[..., 0]`` and the log
normaliser ``log(sum(exp(logits)))``; the BCE with ``log_p`` / ``log_not_p`` (log1p(-p)).

Ported from google-deepmind/optax:optax/_src/loss.py (squared_error, huber_loss,
sigmoid_binary_cross_entropy, softmax_cross_entropy_with_integer_labels). Changes for the
contract: the classes take the mean (over numel, or over the batch for the
cross-entropy) and write out the gradients optax would get from jax.grad; the BCE takes
probabilities clipped to [1e-7, 1 - 1e-7] (optax's takes logits); the absolute error is
new, written like squared_error.
"""

import torch


def squared_error(predictions, targets=None):
    """Calculates the squared error for a set of predictions.

    Mean Squared Error can be computed as squared_error(a, b).mean().
    """
    errors = predictions - targets if targets is not None else predictions
    return errors ** 2


def absolute_error(predictions, targets=None):
    errors = predictions - targets if targets is not None else predictions
    return torch.abs(errors)


def huber_loss(predictions, targets=None, delta=1.):
    """Huber loss, similar to L2 loss close to zero, L1 loss away from zero.

    If gradient descent is applied to the `huber loss`, it is equivalent to
    clipping gradients of an `l2_loss` to `[-delta, delta]` in the backward pass.
    """
    errors = (predictions - targets) if (targets is not None) else predictions
    # 0.5 * err^2                  if |err| <= d
    # 0.5 * d^2 + d * (|err| - d)  if |err| > d
    abs_errors = torch.abs(errors)
    quadratic = torch.minimum(abs_errors, torch.full_like(abs_errors, delta))
    # Same as max(abs_x - delta, 0) but avoids potentially doubling gradient.
    linear = abs_errors - quadratic
    return 0.5 * quadratic ** 2 + delta * linear


def binary_cross_entropy(probs, labels, eps=1e-7):
    p = torch.clamp(probs, eps, 1 - eps)
    log_p = torch.log(p)
    # log(1 - p) = log1p(-p)
    log_not_p = torch.log1p(-p)
    return -labels * log_p - (1. - labels) * log_not_p


def softmax_cross_entropy_with_integer_labels(logits, labels):
    """Computes softmax cross entropy between sets of logits and integer labels.

    Returns:
      Cross entropy between each prediction and the corresponding target
      distributions, with shape `[...]`.
    """
    # This is like take_along_axis(log_softmax(...), ...) except that
    # we avoid subtracting the normalizer from all values, just from the values
    # for the correct labels.
    logits_max = torch.max(logits, dim=-1, keepdim=True).values
    logits = logits - logits_max
    label_logits = torch.take_along_dim(logits, labels[..., None], dim=-1)[..., 0]
    log_normalizers = torch.log(torch.sum(torch.exp(logits), dim=-1))
    return log_normalizers - label_logits


class MSELoss:
    def forward(self, y_pred, y_true):
        self.errors = y_pred - y_true
        return squared_error(y_pred, y_true).mean()

    def backward(self):
        return 2 * self.errors / self.errors.numel()


class MAELoss:
    def forward(self, y_pred, y_true):
        self.errors = y_pred - y_true
        return absolute_error(y_pred, y_true).mean()

    def backward(self):
        return torch.sign(self.errors) / self.errors.numel()


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, y_pred, y_true):
        self.errors = y_pred - y_true
        return huber_loss(y_pred, y_true, delta=self.delta).mean()

    def backward(self):
        # clipping the gradient of an l2_loss to [-delta, delta]
        return torch.clamp(self.errors, -self.delta, self.delta) / self.errors.numel()


class BCELoss:
    eps = 1e-7

    def forward(self, y_pred, y_true):
        self.p = torch.clamp(y_pred, self.eps, 1 - self.eps)
        self.labels = y_true
        return binary_cross_entropy(y_pred, y_true, self.eps).mean()

    def backward(self):
        # d/dp of -y log p - (1 - y) log1p(-p)
        grad = -self.labels / self.p + (1. - self.labels) / (1. - self.p)
        return grad / self.p.numel()


class SoftmaxCELoss:
    def forward(self, logits, labels):
        self.logits, self.labels = logits, labels
        return softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    def backward(self):
        logits = self.logits - torch.max(self.logits, dim=-1, keepdim=True).values
        probs = torch.exp(logits) / torch.sum(torch.exp(logits), dim=-1, keepdim=True)
        one_hot = torch.zeros_like(probs).scatter_(-1, self.labels[..., None], 1.)
        return (probs - one_hot) / self.labels.numel()
