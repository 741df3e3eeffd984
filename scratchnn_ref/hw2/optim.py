# Generated from solutions/hw2/scratchnn/optim.py by `make generate`: edit that file, not this one.
"""Task 1: three optimizers, SGD, Adam and AdamW, with PyTorch's semantics.

An optimizer holds a list of ``Parameter`` objects. After a backward pass has set their
``.grad``, ``step()`` updates every ``.data`` in place; a parameter whose ``.grad`` is None
is skipped (its state stays as it was): ``with_grads()`` lists the others.
``step()`` never changes a ``.grad``.
``zero_grad()`` sets every ``.grad`` to None.

Notation for one parameter p with gradient g (both of p's shape), at its t-th update:
lr the learning rate, wd the weight decay. Each update costs O(numel(p)) time; the state
each optimizer keeps per parameter is listed in its class docstring.

The constructors, ``with_grads`` and ``zero_grad`` are given; you write the three ``step`` methods.
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
            g = p.grad
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            if self.momentum != 0.0:
                buf = self.buffers[i]
                # the first update: buf = g (a copy, as later updates change buf in place); then μ·buf + (1 - τ)·g
                buf = g.clone() if buf is None else buf.mul_(self.momentum).add_(g, alpha=1.0 - self.dampening)
                self.buffers[i] = buf
                g = g + self.momentum * buf if self.nesterov else buf
            p.data.add_(g, alpha=-self.lr)


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
            g = p.grad
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            self._adam_update(i, p, g)

    def _adam_update(self, i: int, p, g: torch.Tensor) -> None:
        """Adam's step of parameter i from the gradient g, in place (PyTorch's order of operations).

        p = p − (lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + eps): the same as lr·m̂ / (√v̂ + eps), with
        one temporary (the denominator) instead of four. O(numel(p)).
        """
        beta1, beta2 = self.betas
        if self.m[i] is None:
            self.m[i] = torch.zeros_like(p.data)
            self.v[i] = torch.zeros_like(p.data)
        self.t[i] += 1
        self.m[i].mul_(beta1).add_(g, alpha=1.0 - beta1)
        self.v[i].mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
        bias1, bias2 = 1.0 - beta1 ** self.t[i], 1.0 - beta2 ** self.t[i]
        denom = self.v[i].sqrt().div_(math.sqrt(bias2)).add_(self.eps)
        p.data.addcdiv_(self.m[i], denom, value=-self.lr / bias1)


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
            self._adam_update(i, p, p.grad)
