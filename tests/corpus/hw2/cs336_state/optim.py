"""CS336 assignment style: a `param_groups` list of dicts read as `group['lr']`, `group['betas']`, a
`self.state[p]` dict per parameter (keyed by the parameter itself) initialised when `len(state) == 0`
with `state['step']`, `state['m']`, `state['v']`; in-place tensor methods (`m.mul_(beta1).add_(grad,
alpha=1 - beta1)`, `v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)`), `denom = (v /
bias_correction2).sqrt().add_(eps)` and `p.data.addcdiv_(m, denom, value=-step_size)`; the
decoupled decay `p.data.add_(p.data, alpha=-weight_decay * lr)`.

Ported from weiruihhh/cs336_note_and_hw:chapter1/hw7/adamw.py (AdamW). Changes for the contract: no
torch.optim.Optimizer (the given base class; `param_groups` is one group built from the given
constructor's attributes, and `self.state` is created at the first step); the source decays the
parameter after the Adam update, from the already updated value: PyTorch decays it first (p·(1 −
lr·wd), then the step), and that is the order here (the difference is lr²·wd·|step|, a relative 1e-5
with the defaults, more with a large lr); the deprecated `addcdiv_(-step_size, m, denom)` is
`addcdiv_(m, denom, value=-step_size)`; SGD (state['momentum_buffer'], dampening, Nesterov, L2 weight
decay) and Adam (L2 weight decay added to grad) added in the source's style.
"""

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


def _param_groups(opt):
    group = dict(params=[p for p in opt.params], lr=opt.lr, weight_decay=opt.weight_decay)
    if hasattr(opt, "betas"):
        group.update(betas=opt.betas, eps=opt.eps)
    else:
        group.update(momentum=opt.momentum, dampening=opt.dampening, nesterov=opt.nesterov)
    return [group]


def _state(opt):
    if not hasattr(opt, "state"):
        opt.state = {}
    return opt.state


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
        for group in _param_groups(self):
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad.data
                state = _state(self).setdefault(p, {})

                if group['weight_decay'] != 0:
                    grad = grad.add(p.data, alpha=group['weight_decay'])
                if group['momentum'] != 0:
                    if len(state) == 0:
                        state['momentum_buffer'] = torch.clone(grad).detach()
                    else:
                        state['momentum_buffer'].mul_(group['momentum']).add_(grad, alpha=1 - group['dampening'])
                    buf = state['momentum_buffer']
                    if group['nesterov']:
                        grad = grad.add(buf, alpha=group['momentum'])
                    else:
                        grad = buf

                p.data.add_(grad, alpha=-group['lr'])


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
        self._adam(decoupled=False)

    def _adam(self, decoupled):
        for group in _param_groups(self):
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad.data
                state = _state(self).setdefault(p, {})
                # initialise the state
                if len(state) == 0:
                    state['step'] = 0
                    state['m'] = torch.zeros_like(p.data)  # momentum
                    state['v'] = torch.zeros_like(p.data)  # RMS

                m, v = state['m'], state['v']  # references: the in-place updates change the state
                beta1, beta2 = group['betas']

                state['step'] += 1

                if decoupled:
                    # decoupled weight decay: straight on the parameter, never through the gradient
                    p.data.add_(p.data, alpha=-group['weight_decay'] * group['lr'])
                elif group['weight_decay'] != 0:
                    grad = grad.add(p.data, alpha=group['weight_decay'])

                # Adam update
                m.mul_(beta1).add_(grad, alpha=1 - beta1)  # mul_ and add_ are in place
                v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                # bias correction
                bias_correction1 = 1 - beta1 ** state['step']
                bias_correction2 = 1 - beta2 ** state['step']
                step_size = group['lr'] / bias_correction1

                denom = (v / bias_correction2).sqrt().add_(group['eps'])
                p.data.addcdiv_(m, denom, value=-step_size)  # multiply first, then divide


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
        self._adam(decoupled=True)
