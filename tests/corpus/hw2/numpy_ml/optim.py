"""numpy-ml style: `update(param, param_grad, param_name, cur_loss=None)` returning `param - update`,
a `cache` dict keyed by parameter name, a `hyperparameters` dict read as `H`, the cache `C`, SGD's
update `momentum * C[name] + lr * grad` (the lr inside the velocity), Adam's cache entries
{"t", "mean", "var"} per parameter, numpydoc docstrings.

Ported from ddbourgin/numpy-ml:numpy_ml/neural_nets/optimizers/optimizers.py (SGD, Adam). step()
binds each .data to the returned tensor (the contract accepts rebinding). Changes for the contract:
torch instead of numpy; no learning-rate scheduler and no clip_norm; hyperparameters built from the
given constructor's attributes (decay1/decay2 are betas, eps defaults to 1e-8, not 1e-7); dampening
after the first update, Nesterov and weight decay added to SGD; L2 weight decay and AdamW (the
parameter shrinks by lr·wd first) added to Adam.
"""

import math

import torch


def _name(i):
    return "param{}".format(i)

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
            p.data = self.update(p.data, p.grad, _name(i))

    @property
    def hyperparameters(self):
        return {
            "id": "SGD",
            "lr": self.lr,
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }

    def __str__(self):
        H = self.hyperparameters
        lr, mm, nv, wd = H["lr"], H["momentum"], H["nesterov"], H["weight_decay"]
        return "SGD(lr={}, momentum={}, nesterov={}, weight_decay={})".format(lr, mm, nv, wd)

    def update(self, param, param_grad, param_name, cur_loss=None):
        """
        Compute the SGD update for a given parameter

        Parameters
        ----------
        param : tensor of any shape
            The value of the parameter to be updated.
        param_grad : tensor of the shape of `param`
            The gradient of the loss function with respect to `param_name`.
        param_name : str
            The name of the parameter.
        cur_loss : float
            Unused (the source's learning rate schedulers read it).

        Returns
        -------
        updated_params : tensor of the shape of `param`
            The value of `param` after applying the momentum update.
        """
        if not hasattr(self, "cache"):
            self.cache = {}
        C = self.cache
        H = self.hyperparameters
        momentum, lr = H["momentum"], H["lr"]

        if H["weight_decay"]:
            param_grad = param_grad + H["weight_decay"] * param

        if param_name not in C:
            C[param_name] = torch.zeros_like(param_grad)
            share = 1.0  # the first update is not dampened
        else:
            share = 1.0 - H["dampening"]

        update = momentum * C[param_name] + share * lr * param_grad
        self.cache[param_name] = update
        if H["nesterov"]:
            update = momentum * update + lr * param_grad
        return param - update


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
            p.data = self.update(p.data, p.grad, _name(i))

    @property
    def hyperparameters(self):
        return {
            "id": type(self).__name__,
            "lr": self.lr,
            "eps": self.eps,
            "decay1": self.betas[0],
            "decay2": self.betas[1],
            "weight_decay": self.weight_decay,
            "decoupled": isinstance(self, AdamW),
        }

    def __str__(self):
        H = self.hyperparameters
        lr, d1, d2 = H["lr"], H["decay1"], H["decay2"]
        eps, wd = H["eps"], H["weight_decay"]
        return "{}(lr={}, decay1={}, decay2={}, eps={}, weight_decay={})".format(H["id"], lr, d1, d2, eps, wd)

    def update(self, param, param_grad, param_name, cur_loss=None):
        """
        Compute the Adam update for a given parameter.

        Parameters
        ----------
        param : tensor of any shape
            The value of the parameter to be updated.
        param_grad : tensor of the shape of `param`
            The gradient of the loss function with respect to `param_name`.
        param_name : str
            The name of the parameter.
        cur_loss : float
            Unused (the source's learning rate schedulers read it).

        Returns
        -------
        updated_params : tensor of the shape of `param`
            The value of `param` after applying the Adam update.
        """
        if not hasattr(self, "cache"):
            self.cache = {}
        C = self.cache
        H = self.hyperparameters
        d1, d2 = H["decay1"], H["decay2"]
        eps, lr = H["eps"], H["lr"]

        if param_name not in C:
            C[param_name] = {
                "t": 0,
                "mean": torch.zeros_like(param_grad),
                "var": torch.zeros_like(param_grad),
            }

        if H["weight_decay"] and not H["decoupled"]:
            param_grad = param_grad + H["weight_decay"] * param

        t = C[param_name]["t"] + 1
        var = C[param_name]["var"]
        mean = C[param_name]["mean"]

        # update cache
        C[param_name]["t"] = t
        C[param_name]["var"] = d2 * var + (1 - d2) * param_grad ** 2
        C[param_name]["mean"] = d1 * mean + (1 - d1) * param_grad
        self.cache = C

        # calc unbiased moment estimates and Adam update
        v_hat = C[param_name]["var"] / (1 - d2 ** t)
        m_hat = C[param_name]["mean"] / (1 - d1 ** t)
        update = lr * m_hat / (torch.sqrt(v_hat) + eps)
        return param - update


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
            p.data = self.update(p.data * (1 - self.lr * self.weight_decay), p.grad, _name(i))
