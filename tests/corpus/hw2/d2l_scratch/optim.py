"""d2l.ai from-scratch optimizers: module-level functions `sgd_momentum(params, states, hyperparams)`
and `adam(params, states, hyperparams)` with a `hyperparams` dict whose 't' counts calls, states
updated by slice assignment (`v[:] = ...`, `p[:] -= ...`), Adam's states named v (first moment) and
s (second moment).

Ported from d2l-ai/d2l-en:chapter_optimization/momentum.md (sgd_momentum) and
chapter_optimization/adam.md (adam), PyTorch tabs. Changes for the contract: no `torch.no_grad()`
and no `p.grad.data.zero_()` (no autograd; step() leaves .grad alone); gradients passed in (with L2
weight decay added, as d2l's weight-decay chapter adds it to the loss); the momentum state starts at
the first gradient (d2l starts at zeros, the same without dampening), dampening and Nesterov added;
betas and eps from the constructor (d2l fixes 0.9, 0.999, 1e-6); AdamW added. Adam's step count is
d2l's `hyperparams['t']`, one count of step() calls, a reading the contract accepts.
"""

import math

import torch


def sgd_momentum(params, grads, states, hyperparams):
    for i, (p, g) in enumerate(zip(params, grads)):
        if states[i] is None:
            states[i] = g.clone()
        else:
            states[i][:] = hyperparams['momentum'] * states[i] + (1 - hyperparams['dampening']) * g
        v = states[i]
        if hyperparams['nesterov']:
            p.data[:] -= hyperparams['lr'] * (g + hyperparams['momentum'] * v)
        else:
            p.data[:] -= hyperparams['lr'] * v


def adam(params, grads, states, hyperparams):
    (beta1, beta2), eps = hyperparams['betas'], hyperparams['eps']
    for p, g, (v, s) in zip(params, grads, states):
        v[:] = beta1 * v + (1 - beta1) * g
        s[:] = beta2 * s + (1 - beta2) * torch.square(g)
        v_bias_corr = v / (1 - beta1 ** hyperparams['t'])
        s_bias_corr = s / (1 - beta2 ** hyperparams['t'])
        p.data[:] -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
    hyperparams['t'] += 1

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
        todo = self.with_grads()
        params = [p for _, p in todo]
        if self.weight_decay:
            grads = [p.grad + self.weight_decay * p.data for p in params]
        else:
            grads = [p.grad for p in params]
        if self.momentum == 0.0:
            for p, g in zip(params, grads):
                p.data[:] -= self.lr * g
            return
        states = [self.buffers[i] for i, _ in todo]
        sgd_momentum(params, grads, states,
                     {'lr': self.lr, 'momentum': self.momentum, 'dampening': self.dampening, 'nesterov': self.nesterov})
        for (i, _), v in zip(todo, states):
            self.buffers[i] = v


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
        params = [p for _, p in self.with_grads()]
        if self.weight_decay:
            grads = [p.grad + self.weight_decay * p.data for p in params]
        else:
            grads = [p.grad for p in params]
        adam(params, grads, self.init_adam_states(), self.adam_hyperparams())

    def init_adam_states(self):
        """(v, s) of every parameter with a gradient, zeros on its first update."""
        states = []
        for i, p in self.with_grads():
            if self.m[i] is None:
                self.m[i], self.v[i] = torch.zeros_like(p.data), torch.zeros_like(p.data)
            states.append((self.m[i], self.v[i]))
        return states

    def adam_hyperparams(self):
        if not hasattr(self, 'hyperparams'):
            self.hyperparams = {'lr': self.lr, 't': 1, 'betas': self.betas, 'eps': self.eps}
        return self.hyperparams


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
        params = [p for _, p in self.with_grads()]
        for p in params:
            p.data[:] *= 1 - self.lr * self.weight_decay
        adam(params, [p.grad for p in params], self.init_adam_states(), self.adam_hyperparams())
