"""tinygrad style: SGD as LARS with trust coefficient 0 (`g = g * r * lr` with r = 1.0), Adam and AdamW
as LAMB with `adam=True` (trust ratio 1), running products `b1_t *= b1`, `b2_t *= b2` for the bias
correction, `up = m_hat / (v_hat.sqrt() + eps) + wd * t` (decoupled decay inside the update),
`assign` of the new value cast to the parameter's dtype.

Ported from tinygrad/tinygrad:tinygrad/nn/optim.py (SGD, LARS, Adam, AdamW, LAMB). Changes for the
contract: torch instead of tinygrad Tensors (`assign` -> `copy_`, `cast` -> `to`, `detach()` dropped);
momentum buffers start at zeros as in tinygrad, but the first update is not dampened and later ones
are (tinygrad has no dampening); Adam's L2 weight decay added to the gradient (tinygrad's Adam has
none); the trust-ratio code paths of LARS/LAMB kept but never taken. `b1_t` / `b2_t` advance once
per step() call: Adam's step count is one count of step() calls, a reading the contract accepts.
"""

import math

import torch


def lamb_step(opt, wd, adam=True, l2=0.0):
    """LAMB._step over the parameters with a gradient; adam=True sets the trust ratio to 1 (Adam/AdamW)."""
    b1, b2 = opt.betas
    if not hasattr(opt, "b1_t"):
        opt.b1_t, opt.b2_t = 1.0, 1.0
    opt.b1_t *= b1
    opt.b2_t *= b2
    for i, t in opt.with_grads():
        g = t.grad if l2 == 0.0 else t.grad + l2 * t.data
        if opt.m[i] is None:
            opt.m[i], opt.v[i] = torch.zeros_like(t.data), torch.zeros_like(t.data)
        opt.m[i].copy_((b1 * opt.m[i] + (1.0 - b1) * g).to(opt.m[i].dtype))
        opt.v[i].copy_((b2 * opt.v[i] + (1.0 - b2) * (g * g)).to(opt.v[i].dtype))
        m_hat = opt.m[i] / (1.0 - opt.b1_t)
        v_hat = opt.v[i] / (1.0 - opt.b2_t)
        up = (m_hat / (v_hat.sqrt() + opt.eps)) + wd * t.data
        if not adam:
            r1 = t.data.square().sum().sqrt()
            r2 = up.square().sum().sqrt()
            r = torch.where(r1 > 0, torch.where(r2 > 0, r1 / r2, 1.0), 1.0)
        else:
            r = 1.0
        t.data.copy_((t.data - opt.lr * r * up).to(t.data.dtype))

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
        tcoef, classic = 0.0, False  # SGD is LARS with the trust coefficient 0: just standard SGD
        for i, t in self.with_grads():
            g = t.grad
            r = 1.0  # tcoef == 0
            if self.weight_decay > 0: g = g + self.weight_decay * t.data
            # classic momentum does post learning rate update
            if classic: g = g * r * self.lr
            if self.momentum:
                first = self.buffers[i] is None
                if first: self.buffers[i] = torch.zeros_like(t.data)  # zero on the first run
                self.buffers[i].copy_(self.momentum * self.buffers[i] + (g if first else (1.0 - self.dampening) * g))
                g = (g + self.momentum * self.buffers[i]) if self.nesterov else self.buffers[i]
            # popular momentum does pre learning rate update
            if not classic: g = g * r * self.lr
            t.data.copy_((t.data - g).to(t.data.dtype))


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
        lamb_step(self, 0.0, adam=True, l2=self.weight_decay)


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
        lamb_step(self, self.weight_decay, adam=True)
