"""DeZero style ("Deep Learning from Scratch 3"): every optimizer runs `update()`, which collects the
parameters with a gradient, runs the hook functions over them (`WeightDecay`), then calls
`update_one(param)` for each; the state lives in dicts keyed by `id(param)` (MomentumSGD's
`self.vs`, Adam's `self.ms` / `self.vs`); MomentumSGD's velocity `v *= momentum; v -= lr * grad;
param.data += v`; Adam's moments as `m += (1 - beta1) * (grad - m)` and its bias correction folded
into an lr property (`alpha * sqrt(fix2) / fix1`), with one count of update() calls.

Ported from oreilly-japan/deep-learning-from-scratch-3:dezero/optimizers.py (Optimizer, WeightDecay,
SGD, MomentumSGD, Adam). Changes for the contract: torch instead of numpy/cupy (no `cuda` module), the
given constructors and base class (the source's `setup(target)` and `add_hook` are gone: the hooks
are built from `weight_decay`, and the dicts are created at the first update, as the constructors are
given); SGD and MomentumSGD are one class, the velocity starts as `-lr * grad` (no dampening on the
first update), dampening and Nesterov added; the source's WeightDecay hook adds `rate * param.data` to
`param.grad` in place, which the contract forbids: here the hooks work on a dict of gradients, and
AdamW's decoupled decay is a hook too (`param.data *= 1 - lr * rate`, before the update, as PyTorch);
the source's lr property is `lr_t` (self.lr is the contract's base rate) and its count `self.t`
is `self.iters` (self.t is the given per-parameter list), and with the bias
correction folded into the step size eps shrinks by the same factor (`eps_t = eps * sqrt(fix2)`) so
that the update is PyTorch's exactly (the source adds a constant eps, Kingma & Ba's ε̂). The step
count is the source's one count of update() calls, a reading the contract accepts.
"""

import math

import torch


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


# =============================================================================
# Hook functions
# =============================================================================
class WeightDecay:
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, params, grads):
        for param in params:
            grads[id(param)] = grads[id(param)] + self.rate * param.data


class DecoupledWeightDecay:
    def __init__(self, lr, rate):
        self.lr = lr
        self.rate = rate

    def __call__(self, params, grads):
        for param in params:
            param.data *= 1. - self.lr * self.rate


# =============================================================================
# SGD / MomentumSGD / Adam
# =============================================================================
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
        self.update()

    def hooks(self):
        return [WeightDecay(self.weight_decay)] if self.weight_decay != 0.0 else []

    def update(self):
        params = [p for _, p in self.with_grads()]
        grads = {id(p): p.grad for p in params}

        for f in self.hooks():
            f(params, grads)

        for param in params:
            self.update_one(param, grads[id(param)])

    def update_one(self, param, grad):
        if self.momentum == 0.0:
            param.data -= self.lr * grad
            return

        if not hasattr(self, "vs"):
            self.vs = {}
        v_key = id(param)
        if v_key not in self.vs:
            self.vs[v_key] = -self.lr * grad
        else:
            v = self.vs[v_key]
            v *= self.momentum
            v -= self.lr * (1. - self.dampening) * grad

        v = self.vs[v_key]
        if self.nesterov:
            param.data += self.momentum * v - self.lr * grad
        else:
            param.data += v


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
        self.update()

    def hooks(self):
        return [WeightDecay(self.weight_decay)] if self.weight_decay != 0.0 else []

    def update(self):
        if not hasattr(self, "ms"):
            self.iters, self.ms, self.vs = 0, {}, {}
        self.iters += 1

        params = [p for _, p in self.with_grads()]
        grads = {id(p): p.grad for p in params}

        for f in self.hooks():
            f(params, grads)

        for param in params:
            self.update_one(param, grads[id(param)])

    @property
    def lr_t(self):
        beta1, beta2 = self.betas
        fix1 = 1. - math.pow(beta1, self.iters)
        fix2 = 1. - math.pow(beta2, self.iters)
        return self.lr * math.sqrt(fix2) / fix1

    @property
    def eps_t(self):
        fix2 = 1. - math.pow(self.betas[1], self.iters)
        return self.eps * math.sqrt(fix2)

    def update_one(self, param, grad):
        key = id(param)
        if key not in self.ms:
            self.ms[key] = torch.zeros_like(param.data)
            self.vs[key] = torch.zeros_like(param.data)

        m, v = self.ms[key], self.vs[key]
        beta1, beta2 = self.betas

        m += (1 - beta1) * (grad - m)
        v += (1 - beta2) * (grad * grad - v)
        param.data -= self.lr_t * m / (torch.sqrt(v) + self.eps_t)


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
        self.update()

    def hooks(self):
        return [DecoupledWeightDecay(self.lr, self.weight_decay)]
