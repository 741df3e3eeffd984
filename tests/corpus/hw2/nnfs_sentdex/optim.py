""""Neural Networks from Scratch" (nnfs) style: pre_update_params / update_params / post_update_params,
`current_learning_rate`, momentum arrays holding whole updates (`weight_updates = momentum *
momentums - lr * dweights`), a global `iterations` counter and `(self.iterations + 1)` in the bias
correction, state arrays created on first use.

Ported from Sentdex/nnfs_book:Chapter_15/Ch15_Final.py (Optimizer_SGD, Optimizer_Adam). The source
updates a layer's weights and biases; here update_params(i, param) updates one Parameter, its arrays
kept in the optimizer's lists (buffers for the momentums, m and v for Adam's momentums and cache).
Changes for the contract: torch instead of numpy; no learning-rate decay (decay = 0); dampening
(the first update is not dampened), Nesterov and weight decay (L2 added to dweights, as the source's
regularisers add it to the layer's gradient) added to SGD; AdamW (p shrinks by lr·wd, then Adam's
update from the gradient alone) added. Adam's step count is the source's one count of step() calls
(`iterations`), the reading the contract accepts.
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
        self.pre_update_params()
        for i, param in self.with_grads():
            self.update_params(i, param)
        self.post_update_params()

    # Call once before any parameter updates
    def pre_update_params(self):
        if not hasattr(self, 'iterations'):
            self.iterations = 0
        self.current_learning_rate = self.lr

    # Update parameters
    def update_params(self, i, param):
        dweights = param.grad
        if self.weight_decay:
            dweights = dweights + self.weight_decay * param.data

        # If we use momentum
        if self.momentum:

            # If there is no momentum array yet, create it filled with zeros;
            # the first update takes the whole gradient (no dampening)
            if self.buffers[i] is None:
                self.buffers[i] = torch.zeros_like(param.data)
                gradient_share = 1.
            else:
                gradient_share = 1. - self.dampening

            # Build weight updates with momentum - take previous
            # updates multiplied by retain factor and update with
            # current gradients
            weight_updates = \
                self.momentum * self.buffers[i] - \
                self.current_learning_rate * gradient_share * dweights
            self.buffers[i] = weight_updates

            # Nesterov: look ahead along the new momentum
            if self.nesterov:
                weight_updates = self.momentum * weight_updates - \
                                 self.current_learning_rate * dweights

        # Vanilla SGD updates (as before momentum update)
        else:
            weight_updates = -self.current_learning_rate * dweights

        # Update weights using either
        # vanilla or momentum updates
        param.data += weight_updates

    # Call once after any parameter updates
    def post_update_params(self):
        self.iterations += 1


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
        self.pre_update_params()
        for i, param in self.with_grads():
            dweights = param.grad
            if self.weight_decay:
                dweights = dweights + self.weight_decay * param.data
            self.update_params(i, param, dweights)
        self.post_update_params()

    # Call once before any parameter updates
    def pre_update_params(self):
        if not hasattr(self, 'iterations'):
            self.iterations = 0
        self.current_learning_rate = self.lr
        self.beta_1, self.beta_2 = self.betas
        self.epsilon = self.eps

    # Update parameters
    def update_params(self, i, param, dweights):

        # If there are no cache arrays yet,
        # create them filled with zeros
        if self.v[i] is None:
            self.m[i] = torch.zeros_like(param.data)
            self.v[i] = torch.zeros_like(param.data)

        # Update momentum  with current gradients
        self.m[i] = self.beta_1 * self.m[i] + (1 - self.beta_1) * dweights
        # Get corrected momentum
        # self.iteration is 0 at first pass
        # and we need to start with 1 here
        weight_momentums_corrected = self.m[i] / \
            (1 - self.beta_1 ** (self.iterations + 1))
        # Update cache with squared current gradients
        self.v[i] = self.beta_2 * self.v[i] + \
            (1 - self.beta_2) * dweights**2
        # Get corrected cache
        weight_cache_corrected = self.v[i] / \
            (1 - self.beta_2 ** (self.iterations + 1))

        # Vanilla SGD parameter update + normalization
        # with square rooted cache
        param.data += -self.current_learning_rate * \
                      weight_momentums_corrected / \
                      (torch.sqrt(weight_cache_corrected) +
                          self.epsilon)

    # Call once after any parameter updates
    def post_update_params(self):
        self.iterations += 1


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
        self.pre_update_params()
        for i, param in self.with_grads():
            # Decoupled weight decay: shrink the parameter, then Adam's update from the gradient alone
            param.data -= self.current_learning_rate * self.weight_decay * param.data
            self.update_params(i, param, param.grad)
        self.post_update_params()
