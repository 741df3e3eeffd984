"""cs231n style: update rules as functions `rule(w, dw, config) -> (next_w, config)`, two-space indent.

Ported from zlotus/cs231n:assignment2/cs231n/optim.py (sgd, sgd_momentum, adam). Each parameter's
config dict is rebuilt from the optimizer's lists at every step and its cached values written back.
Changes for the contract: torch instead of numpy; the velocity is absent (not zeros) before the first
update, so that the first update is not dampened; dampening, Nesterov and weight decay added to
sgd_momentum (the source has none of them); L2 weight decay added to the gradient for Adam; AdamW
(decay p by lr·wd, then the adam rule) added.
"""

import math

import torch


def sgd(w, dw, config=None):
  """
  Performs vanilla stochastic gradient descent.

  config format:
  - learning_rate: Scalar learning rate.
  """
  if config is None: config = {}
  config.setdefault('learning_rate', 1e-2)

  w -= config['learning_rate'] * dw
  return w, config


def sgd_momentum(w, dw, config=None):
  """
  Performs stochastic gradient descent with momentum.

  config format:
  - learning_rate: Scalar learning rate.
  - momentum: Scalar between 0 and 1 giving the momentum value.
  - dampening: Scalar; the share of dw left out of the velocity after the first update.
  - nesterov: If True, step along the look-ahead direction.
  - velocity: A tensor of the same shape as w and dw used to store a moving
    average of the gradients, times -learning_rate (absent before the first update).
  """
  if config is None: config = {}
  config.setdefault('learning_rate', 1e-2)
  config.setdefault('momentum', 0.9)
  config.setdefault('dampening', 0.0)
  config.setdefault('nesterov', False)
  v = config.get('velocity')

  next_w = None
  momentum, learning_rate = config['momentum'], config['learning_rate']
  if v is None:
    v = -learning_rate*dw  # the first update: the whole gradient
  else:
    v = momentum*v - learning_rate*(1-config['dampening'])*dw
  if config['nesterov']:
    w += momentum*v - learning_rate*dw
  else:
    w += v
  next_w = w
  config['velocity'] = v

  return next_w, config


def adam(x, dx, config=None):
  """
  Uses the Adam update rule, which incorporates moving averages of both the
  gradient and its square and a bias correction term.

  config format:
  - learning_rate: Scalar learning rate.
  - beta1: Decay rate for moving average of first moment of gradient.
  - beta2: Decay rate for moving average of second moment of gradient.
  - epsilon: Small scalar used for smoothing to avoid dividing by zero.
  - m: Moving average of gradient.
  - v: Moving average of squared gradient.
  - t: Iteration number.
  """
  if config is None: config = {}
  config.setdefault('learning_rate', 1e-3)
  config.setdefault('beta1', 0.9)
  config.setdefault('beta2', 0.999)
  config.setdefault('epsilon', 1e-8)
  config.setdefault('m', torch.zeros_like(x))
  config.setdefault('v', torch.zeros_like(x))
  config.setdefault('t', 0)

  next_x = None
  learning_rate, beta1, beta2, epsilon, m, v, t = config['learning_rate'], \
    config['beta1'], config['beta2'], config['epsilon'], config['m'], \
    config['v'], config['t']+1

  m = beta1*m + (1-beta1)*dx
  v = beta2*v + (1-beta2)*(dx**2)
  mb = m / (1-beta1**t) # correct bias
  vb = v / (1-beta2**t) # correct bias
  x += -learning_rate*mb / (torch.sqrt(vb)+epsilon)
  next_x = x
  config['m'], config['v'], config['t'] = m, v, t

  return next_x, config

class Optimizer:
    """What the three optimizers share (given): the parameter list, ``with_grads`` and ``zero_grad``."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list")
        if lr < 0.0:
            raise ValueError(f"invalid learning rate {lr}: it must be >= 0")
        self.lr = lr

    def with_grads(self) -> list:
        """(i, p) for every parameter ``self.params[i]`` whose ``.grad`` is not None: the ones to update."""
        return [(i, p) for i, p in enumerate(self.params) if p.grad is not None]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None (PyTorch's default, set_to_none=True)."""
        for p in self.params:
            p.grad = None


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, dampening, Nesterov and weight decay.

    For each parameter with a gradient, with μ = momentum and τ = dampening:

        g = g + wd·p                        (only if wd != 0; every parameter, biases too)
        if μ != 0:
            buf = g                         on the parameter's first update (a copy of g,
                                            not dampened)
            buf = μ·buf + (1 - τ)·g         on every later update
            g = g + μ·buf   if nesterov, else   g = buf
        p = p - lr·g

    State: ``self.buffers[i]``, the momentum buffer of ``self.params[i]`` (None until its
    first update; only used when μ != 0): numel(p) numbers per parameter.
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if momentum < 0.0:
            raise ValueError(f"invalid momentum {momentum}: it must be >= 0")
        if weight_decay < 0.0:
            raise ValueError(f"invalid weight_decay {weight_decay}: it must be >= 0")
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.buffers = [None] * len(self.params)

    def step(self) -> None:
        """One update of every parameter whose ``.grad`` is not None. Cost O(Σ numel(p))."""
        for i, p in self.with_grads():
            dw = p.grad
            if self.weight_decay != 0.0:
                dw = dw + self.weight_decay * p.data
            if self.momentum == 0.0:
                sgd(p.data, dw, {'learning_rate': self.lr})
                continue
            config = {'learning_rate': self.lr, 'momentum': self.momentum, 'dampening': self.dampening,
                      'nesterov': self.nesterov, 'velocity': self.buffers[i]}
            _, config = sgd_momentum(p.data, dw, config)
            self.buffers[i] = config['velocity']


class Adam(Optimizer):
    """Adam (Kingma & Ba), with L2 weight decay added to the gradient as PyTorch does.

    For each parameter with a gradient, with (β1, β2) = betas and t its own update count:

        t = t + 1                           (a parameter skipped for a None grad keeps its t)
        g = g + wd·p                        (only if wd != 0)
        m = β1·m + (1 - β1)·g               m and v start at zeros
        v = β2·v + (1 - β2)·g²
        m̂ = m / (1 - β1^t),   v̂ = v / (1 - β2^t)        (bias correction, from t = 1)
        p = p - lr·m̂ / (√v̂ + eps)

    State per parameter i: ``self.m[i]`` and ``self.v[i]`` (None until its first update,
    then tensors of p's shape) and ``self.t[i]`` (an int, 0 until its first update):
    2·numel(p) numbers per parameter.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"invalid betas {betas}: each must be in [0, 1)")
        if eps < 0.0:
            raise ValueError(f"invalid eps {eps}: it must be >= 0")
        if weight_decay < 0.0:
            raise ValueError(f"invalid weight_decay {weight_decay}: it must be >= 0")
        self.betas = tuple(betas)
        self.eps = eps
        self.weight_decay = weight_decay
        self.m = [None] * len(self.params)
        self.v = [None] * len(self.params)
        self.t = [0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter whose ``.grad`` is not None. Cost O(Σ numel(p))."""
        for i, p in self.with_grads():
            dx = p.grad
            if self.weight_decay != 0.0:
                dx = dx + self.weight_decay * p.data
            self._adam_rule(i, p, dx)

    def _adam_rule(self, i, p, dx):
        """Run the adam rule on parameter i with its config (m, v and t from the optimizer's lists)."""
        config = {'learning_rate': self.lr, 'beta1': self.betas[0], 'beta2': self.betas[1],
                  'epsilon': self.eps, 't': self.t[i]}
        if self.m[i] is not None:
            config['m'], config['v'] = self.m[i], self.v[i]
        _, config = adam(p.data, dx, config)
        self.m[i], self.v[i], self.t[i] = config['m'], config['v'], config['t']


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW.

    Adam's update, except that the decay is not added to the gradient: each parameter
    first shrinks, then takes Adam's step computed from g alone (t, m and v as in Adam):

        p = p·(1 - lr·wd)                   (every parameter with a gradient, biases too)
        t, m, v, m̂, v̂ as in Adam, from g
        p = p - lr·m̂ / (√v̂ + eps)

    The default weight_decay is 1e-2 (Adam's is 0). State and cost are Adam's. You may
    share code with ``Adam.step`` through a helper of your own.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)

    def step(self) -> None:
        """One update of every parameter whose ``.grad`` is not None. Cost O(Σ numel(p))."""
        for i, p in self.with_grads():
            p.data.mul_(1.0 - self.lr * self.weight_decay)
            self._adam_rule(i, p, p.grad)
