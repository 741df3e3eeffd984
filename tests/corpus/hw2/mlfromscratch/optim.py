"""ML-From-Scratch style: one optimizer object per weight (the source copies the optimizer for every
layer's weights), each with `update(w, grad_wrt_w)` returning the new w and its own state
(`self.w_updt`, `self.m`, `self.v`), `learning_rate`, `b1`, `b2`.

Ported from eriklindernoren/ML-From-Scratch:mlfromscratch/deep_learning/optimizers.py
(StochasticGradientDescent, Adam). step() binds each .data to the returned tensor (the contract accepts
rebinding). Changes for the contract: torch instead of numpy; new objects per parameter instead of
copy.copy (copy is not an allowed import); the source's momentum is an exponential average
`momentum * w_updt + (1 - momentum) * grad` from zeros, PyTorch's buffer starts at the first gradient and
then adds (1 − dampening)·grad; Nesterov and weight decay added; the source's Adam divides by (1 − b1)
and (1 − b2) instead of (1 − b1^t) and (1 − b2^t): fixed with a step count t per parameter; eps from the
constructor; L2 decay for Adam, decoupled decay for AdamW added.
"""

import math

import torch


class StochasticGradientDescent():
    def __init__(self, learning_rate=0.01, momentum=0, dampening=0, nesterov=False, weight_decay=0):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.w_updt = None

    def update(self, w, grad_wrt_w):
        if self.weight_decay:
            grad_wrt_w = grad_wrt_w + self.weight_decay * w
        if not self.momentum:
            return w - self.learning_rate * grad_wrt_w
        # If not initialized: start at the gradient
        if self.w_updt is None:
            self.w_updt = grad_wrt_w.clone()
        # Use momentum if set
        else:
            self.w_updt = self.momentum * self.w_updt + (1 - self.dampening) * grad_wrt_w
        if self.nesterov:
            return w - self.learning_rate * (grad_wrt_w + self.momentum * self.w_updt)
        # Move against the gradient to minimize loss
        return w - self.learning_rate * self.w_updt


class AdamRule():
    def __init__(self, learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0, decoupled=False):
        self.learning_rate = learning_rate
        self.eps = eps
        self.m = None
        self.v = None
        self.t = 0
        # Decay rates
        self.b1 = b1
        self.b2 = b2
        self.weight_decay = weight_decay
        self.decoupled = decoupled

    def update(self, w, grad_wrt_w):
        if self.decoupled:
            w = w * (1 - self.learning_rate * self.weight_decay)
        elif self.weight_decay:
            grad_wrt_w = grad_wrt_w + self.weight_decay * w
        # If not initialized
        if self.m is None:
            self.m = torch.zeros_like(grad_wrt_w)
            self.v = torch.zeros_like(grad_wrt_w)

        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * grad_wrt_w
        self.v = self.b2 * self.v + (1 - self.b2) * torch.pow(grad_wrt_w, 2)

        m_hat = self.m / (1 - self.b1 ** self.t)
        v_hat = self.v / (1 - self.b2 ** self.t)

        self.w_updt = self.learning_rate * m_hat / (torch.sqrt(v_hat) + self.eps)

        return w - self.w_updt

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
        if not hasattr(self, "param_opts"):
            self.param_opts = [StochasticGradientDescent(self.lr, self.momentum, self.dampening, self.nesterov,
                                                         self.weight_decay) for _ in self.params]
        for i, p in self.with_grads():
            p.data = self.param_opts[i].update(p.data, p.grad)


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
        self._update(decoupled=False)

    def _update(self, decoupled):
        if not hasattr(self, "param_opts"):
            b1, b2 = self.betas
            self.param_opts = [AdamRule(self.lr, b1, b2, self.eps, self.weight_decay, decoupled)
                               for _ in self.params]
        for i, p in self.with_grads():
            p.data = self.param_opts[i].update(p.data, p.grad)


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
        self._update(decoupled=True)
