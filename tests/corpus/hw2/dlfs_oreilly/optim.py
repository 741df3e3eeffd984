""""Deep Learning from Scratch" (O'Reilly Japan) style: Momentum with a velocity `v = momentum*v - lr*grad`
added to the parameter, Nesterov in the Sutskever/Bengio reformulation, and Adam with the bias
correction folded into the step size (`lr_t = lr * sqrt(1 - beta2**iter) / (1 - beta1**iter)`) and the
moments updated as `m += (1 - beta1) * (grad - m)`, a global `iter` counter.

Ported from oreilly-japan/deep-learning-from-scratch:common/optimizer.py (SGD, Momentum, Nesterov,
Adam). Changes for the contract: torch instead of numpy, parameters as a list (not a dict); the
velocity is created at the first update without dampening, dampening and weight decay (L2 added to
grad) added; the source's Nesterov adds `momentum*momentum*v` with the already-updated v, which is
not Nesterov momentum: here it uses the velocity before the update (p += μ²·v_old − (1+μ)·lr·grad, equal
to PyTorch's p −= lr·(grad + μ·buf)); with lr_t folded in, eps must shrink with the same factor to
keep PyTorch's formula exactly, so eps_t = eps·sqrt(1 − beta2**iter) replaces the source's constant 1e-7;
AdamW added. Adam's step count is the source's one count of step() calls, a reading the contract
accepts.
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
        v = self.buffers  # velocity of each parameter (None before its first update)
        for i, p in self.with_grads():
            grad = p.grad
            if self.weight_decay != 0.0:
                grad = grad + self.weight_decay * p.data
            if self.momentum == 0.0:  # SGD
                p.data -= self.lr * grad
            elif self.nesterov:  # Nesterov
                v_old = torch.zeros_like(p.data) if v[i] is None else v[i]
                p.data += self.momentum * self.momentum * v_old
                p.data -= (1 + self.momentum) * self.lr * grad
                v[i] = self.momentum * v_old - self.lr * grad
            else:  # Momentum
                if v[i] is None:
                    v[i] = -self.lr * grad
                else:
                    v[i] = self.momentum * v[i] - self.lr * (1 - self.dampening) * grad
                p.data += v[i]


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
        self._update(l2=self.weight_decay)

    def _update(self, l2):
        beta1, beta2 = self.betas
        self.iter = getattr(self, "iter", 0) + 1
        lr_t = self.lr * math.sqrt(1.0 - beta2**self.iter) / (1.0 - beta1**self.iter)
        eps_t = self.eps * math.sqrt(1.0 - beta2**self.iter)

        for i, p in self.with_grads():
            grad = p.grad if l2 == 0.0 else p.grad + l2 * p.data
            if self.m[i] is None:
                self.m[i] = torch.zeros_like(p.data)
                self.v[i] = torch.zeros_like(p.data)
            self.m[i] += (1 - beta1) * (grad - self.m[i])
            self.v[i] += (1 - beta2) * (grad**2 - self.v[i])

            p.data -= lr_t * self.m[i] / (torch.sqrt(self.v[i]) + eps_t)


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
            p.data *= 1.0 - self.lr * self.weight_decay
        self._update(l2=0.0)
