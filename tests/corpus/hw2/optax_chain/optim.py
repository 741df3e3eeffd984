"""optax style: optimizers as chains of GradientTransformations (init, update) with NamedTuple states:
`trace` for momentum, `add_decayed_weights`, `scale_by_adam` (update_moment, bias_correction,
`eps_root`), `scale_by_learning_rate`, then `apply_updates`. Adam with L2 is
chain(add_decayed_weights, scale_by_adam, ...); AdamW is chain(scale_by_adam, add_decayed_weights, ...):
−lr·(adam + wd·p) is PyTorch's decay-then-step, exactly.

Ported from google-deepmind/optax:optax/_src/transform.py (trace, scale_by_adam, add_decayed_weights,
scale_by_learning_rate), optax/_src/combine.py (chain), optax/_src/alias.py (sgd, adam, adamw) and
optax/_src/update.py (apply_updates). Changes for the contract: torch tensors instead of jax pytrees,
one state per parameter (kept in a list on the optimizer, created at the parameter's first update, so
its count is the parameter's own); `trace` gains PyTorch's dampening (not applied on the first update,
hence a count in TraceState); apply_updates adds in place to .data.
"""

import math

import torch


from typing import Any, Callable, NamedTuple


class GradientTransformation(NamedTuple):
    init: Callable
    update: Callable


class EmptyState(NamedTuple):
    pass


class TraceState(NamedTuple):
    count: int
    trace: Any


class ScaleByAdamState(NamedTuple):
    count: int
    mu: Any
    nu: Any


def chain(*args):
    transforms = [t for t in args if t is not None]

    def init_fn(params):
        return tuple(fn.init(params) for fn in transforms)

    def update_fn(updates, state, params=None):
        new_state = []
        for s, fn in zip(state, transforms):
            updates, new_s = fn.update(updates, s, params)
            new_state.append(new_s)
        return updates, tuple(new_state)

    return GradientTransformation(init_fn, update_fn)


def trace(decay, nesterov=False, dampening=0.0):
    def init_fn(params):
        return TraceState(count=0, trace=torch.zeros_like(params))

    def update_fn(updates, state, params=None):
        share = 1.0 if state.count == 0 else 1.0 - dampening
        f = lambda g, t: share * g + decay * t
        new_trace = f(updates, state.trace)
        updates = updates + decay * new_trace if nesterov else new_trace
        return updates, TraceState(count=state.count + 1, trace=new_trace)

    return GradientTransformation(init_fn, update_fn)


def add_decayed_weights(weight_decay=0.0):
    def init_fn(params):
        return EmptyState()

    def update_fn(updates, state, params):
        return updates + weight_decay * params, state

    return GradientTransformation(init_fn, update_fn)


def update_moment(updates, moments, decay, order):
    return (1 - decay) * (updates**order) + decay * moments


def update_moment_per_elem_norm(updates, moments, decay, order):
    return (1 - decay) * (torch.abs(updates)**order) + decay * moments


def bias_correction(moment, decay, count):
    bias_correction_ = 1 - decay**count
    return moment / bias_correction_


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    def init_fn(params):
        mu = torch.zeros_like(params)  # First moment
        nu = torch.zeros_like(params)  # Second moment
        return ScaleByAdamState(count=0, mu=mu, nu=nu)

    def update_fn(updates, state, params=None):
        mu = update_moment(updates, state.mu, b1, 1)
        nu = update_moment_per_elem_norm(updates, state.nu, b2, 2)
        count_inc = state.count + 1
        mu_hat = bias_correction(mu, b1, count_inc)
        nu_hat = bias_correction(nu, b2, count_inc)
        updates = mu_hat / (torch.sqrt(nu_hat + eps_root) + eps)
        return updates, ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


def scale(step_size):
    def init_fn(params):
        return EmptyState()

    def update_fn(updates, state, params=None):
        return updates * step_size, state

    return GradientTransformation(init_fn, update_fn)


def scale_by_learning_rate(learning_rate):
    return scale(-learning_rate)


def apply_updates(params, updates):
    params.add_(updates.to(params.dtype))


def sgd(learning_rate, momentum=None, nesterov=False, dampening=0.0, weight_decay=0.0):
    return chain(
        add_decayed_weights(weight_decay) if weight_decay else None,
        trace(decay=momentum, nesterov=nesterov, dampening=dampening) if momentum else None,
        scale_by_learning_rate(learning_rate),
    )


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0):
    return chain(
        add_decayed_weights(weight_decay) if weight_decay else None,
        scale_by_adam(b1=b1, b2=b2, eps=eps),
        scale_by_learning_rate(learning_rate),
    )


def adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4):
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps),
        add_decayed_weights(weight_decay),
        scale_by_learning_rate(learning_rate),
    )


def run(opt, tx):
    """One step of the transformation tx on every parameter of opt with a gradient."""
    if not hasattr(opt, "opt_states"):
        opt.opt_states = [None] * len(opt.params)
    for i, p in opt.with_grads():
        if opt.opt_states[i] is None:
            opt.opt_states[i] = tx.init(p.data)
        updates, opt.opt_states[i] = tx.update(p.grad, opt.opt_states[i], p.data)
        apply_updates(p.data, updates)

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
        run(self, sgd(self.lr, momentum=self.momentum, nesterov=self.nesterov, dampening=self.dampening,
                      weight_decay=self.weight_decay))


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
        b1, b2 = self.betas
        run(self, adam(self.lr, b1=b1, b2=b2, eps=self.eps, weight_decay=self.weight_decay))


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
        b1, b2 = self.betas
        run(self, adamw(self.lr, b1=b1, b2=b2, eps=self.eps, weight_decay=self.weight_decay))
