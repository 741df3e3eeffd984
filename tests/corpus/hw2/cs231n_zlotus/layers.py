"""cs231n style: `*_forward(x, ..., param) -> (out, cache)` and `*_backward(dout, cache)` functions, two-space indent,
the simplified batch-norm backward (batchnorm_backward_alt).

Ported from zlotus/cs231n:assignment2/cs231n/layers.py (batchnorm_forward, batchnorm_backward_alt,
dropout_forward, dropout_backward). The classes call the functions with a bn_param / dropout_param dict.
Changes for the contract: torch instead of numpy; PyTorch's momentum convention (momentum is the
weight of the new batch; cs231n's is the weight of the old statistics) and the unbiased running
variance; test mode caches x̂ and 1/√(running_var + eps) so that backward works in eval mode too;
cs231n's dropout p is the keep probability, here p is the drop probability (keep = 1 − p), with
p = 1 giving zeros instead of 0/0; the mask takes x's dtype; the `seed` option is left out.
"""

import torch

from .parameter import Parameter


def batchnorm_forward(x, gamma, beta, bn_param):
  """
  Forward pass for batch normalization.

  During training the sample mean and (uncorrected) sample variance are
  computed from minibatch statistics and used to normalize the incoming data.
  We also keep an exponentially decaying running mean of the mean and the
  (corrected) variance of each feature, used to normalize data at test-time:

  running_mean = (1 - momentum) * running_mean + momentum * sample_mean
  running_var = (1 - momentum) * running_var + momentum * sample_var * N / (N - 1)

  Input:
  - x: Data of shape (N, D)
  - gamma: Scale parameter of shape (D,)
  - beta: Shift paremeter of shape (D,)
  - bn_param: Dictionary with the following keys:
    - mode: 'train' or 'test'; required
    - eps: Constant for numeric stability
    - momentum: Constant for running mean / variance.
    - running_mean: Array of shape (D,) giving running mean of features
    - running_var Array of shape (D,) giving running variance of features

  Returns a tuple of:
  - out: of shape (N, D)
  - cache: A tuple of values needed in the backward pass
  """
  mode = bn_param['mode']
  eps = bn_param.get('eps', 1e-5)
  momentum = bn_param.get('momentum', 0.1)

  N, D = x.shape
  running_mean = bn_param.get('running_mean', torch.zeros(D, dtype=x.dtype, device=x.device))
  running_var = bn_param.get('running_var', torch.ones(D, dtype=x.dtype, device=x.device))

  out, cache = None, None
  if mode == 'train':
    sample_mean = torch.mean(x, dim=0)
    xcentered = x - sample_mean
    xcentered2 = xcentered**2 # x centered squarre
    sample_var = torch.mean(xcentered2, dim=0)
    std = torch.sqrt(sample_var + eps)
    stdinv = 1 / std
    xhat = xcentered * stdinv
    out = gamma * xhat + beta

    running_mean = (1 - momentum) * running_mean + momentum * sample_mean
    running_var = (1 - momentum) * running_var + momentum * sample_var * N / (N - 1)

    cache = (gamma, xhat, stdinv, std, xcentered)
  elif mode == 'test':
    stdinv = 1 / torch.sqrt(running_var+eps)
    x_hat = (x-running_mean) * stdinv
    out = gamma*x_hat + beta
    cache = (gamma, x_hat, stdinv, None, None)
  else:
    raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

  # Store the updated running means back into bn_param
  bn_param['running_mean'] = running_mean
  bn_param['running_var'] = running_var

  return out, cache


def batchnorm_backward_alt(dout, cache):
  """
  Alternative backward pass for batch normalization: the derivatives worked
  out on paper and simplified.

  Inputs:
  - dout: Upstream derivatives, of shape (N, D)
  - cache: Variable of intermediates from batchnorm_forward.

  Returns a tuple of:
  - dx: Gradient with respect to inputs x, of shape (N, D)
  - dgamma: Gradient with respect to scale parameter gamma, of shape (D,)
  - dbeta: Gradient with respect to shift parameter beta, of shape (D,)
  """
  gamma, xhat, stdinv, std, xcentered = cache
  N, D = dout.shape

  dbeta = torch.sum(dout, dim=0)
  dgamma = torch.sum(xhat * dout, dim=0)
  if xcentered is None: # test mode: the running statistics are constants
    return gamma * stdinv * dout, dgamma, dbeta
  dx = (gamma*stdinv/N) * \
       (N*dout - torch.sum(dout*xcentered, dim=0) * \
       xcentered*stdinv**2 - \
       torch.sum(dout, dim=0))

  return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
  """
  Performs the forward pass for (inverted) dropout.

  Inputs:
  - x: Input data, of any shape
  - dropout_param: A dictionary with the following keys:
    - p: Dropout parameter. We drop each neuron output with probability p.
    - mode: 'test' or 'train'. If the mode is train, then perform dropout;
      if the mode is test, then just return the input.

  Outputs:
  - out: Array of the same shape as x.
  - cache: A tuple (dropout_param, mask). In training mode, mask is the dropout
    mask that was used to multiply the input; in test mode, mask is None.
  """
  p, mode = dropout_param['p'], dropout_param['mode']

  mask = None
  out = None

  if mode == 'train':
    keep = 1 - p # the probability of keeping a unit
    if keep == 0:
      mask = torch.zeros_like(x)
    else:
      mask = (torch.rand(x.shape, dtype=x.dtype, device=x.device) < keep).to(x.dtype) / keep
    out = mask * x
  elif mode == 'test':
    out = x

  cache = (dropout_param, mask)
  out = out.to(x.dtype)

  return out, cache


def dropout_backward(dout, cache):
  """
  Perform the backward pass for (inverted) dropout.

  Inputs:
  - dout: Upstream derivatives, of any shape
  - cache: (dropout_param, mask) from dropout_forward.
  """
  dropout_param, mask = cache
  mode = dropout_param['mode']

  dx = None
  if mode == 'train':
    dx = mask * dout
  elif mode == 'test':
    dx = dout
  return dx

class BatchNorm1d:
    """Batch normalisation over a batch x (B, C): each of the C features is normalised on its own.

    Training mode (statistics of this batch, per feature c; B >= 2):
        μ = mean_i x[i, c]             σ² = mean_i (x[i, c] - μ)²      (biased: divided by B)
        x̂ = (x - μ) / √(σ² + eps)      y = γ·x̂ + β
        running_mean = (1 - momentum)·running_mean + momentum·μ
        running_var  = (1 - momentum)·running_var  + momentum·σ²·B/(B - 1)   (unbiased)
    Eval mode (the running statistics; nothing is updated):
        x̂ = (x - running_mean) / √(running_var + eps)      y = γ·x̂ + β

    Parameters (given): ``weight`` γ (C,) ones and ``bias`` β (C,) zeros, both Parameters.
    Buffers (given): ``running_mean`` (C,) zeros and ``running_var`` (C,) ones, plain tensors.
    ``backward`` returns dL/dx (B, C) and sets (overwrites) ``weight.grad`` and ``bias.grad`` (C,).

    Cost: forward and backward O(B·C) time each; forward caches x̂ (B·C numbers) and 1/√(σ² + eps) (C).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = Parameter(torch.ones(num_features))
        self.bias = Parameter(torch.zeros(num_features))
        self.running_mean = torch.zeros(num_features)
        self.running_var = torch.ones(num_features)
        self.training = True

    def train(self) -> "BatchNorm1d":
        self.training = True
        return self

    def eval(self) -> "BatchNorm1d":
        self.training = False
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C) -> y (B, C). In training mode also updates the running statistics."""
        bn_param = {'mode': 'train' if self.training else 'test', 'eps': self.eps, 'momentum': self.momentum,
                    'running_mean': self.running_mean, 'running_var': self.running_var}
        out, self.cache = batchnorm_forward(x, self.weight.data, self.bias.data, bn_param)
        self.running_mean, self.running_var = bn_param['running_mean'], bn_param['running_var']
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        dx, self.weight.grad, self.bias.grad = batchnorm_backward_alt(dout, self.cache)
        return dx


class Dropout:
    """Dropout: in training mode each element is zeroed with probability p, the rest scaled by 1/(1 - p).

    Training mode: y = x·mask, mask[j] = 0 with probability p and 1/(1 - p) otherwise, drawn
    independently for every element at every forward, from PyTorch's default random generator
    (so ``torch.manual_seed`` makes it reproducible). E[y] = x. p = 0 gives y = x; p = 1 gives
    zeros (nothing survives, and nothing is divided by 0).
    Eval mode: y = x (identity).
    ``backward(dout)`` returns dout·mask with the mask of the latest forward (dout in eval mode).

    Any shape. Cost: O(numel) time; forward caches the mask (numel numbers) in training mode.
    """

    def __init__(self, p: float = 0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p
        self.training = True

    def train(self) -> "Dropout":
        self.training = True
        return self

    def eval(self) -> "Dropout":
        self.training = False
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (any shape) -> y (same shape)."""
        out, self.cache = dropout_forward(x, {'p': self.p, 'mode': 'train' if self.training else 'test'})
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        return dropout_backward(dout, self.cache)
