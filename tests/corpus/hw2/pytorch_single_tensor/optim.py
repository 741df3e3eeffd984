"""PyTorch's own single-tensor optimizer code: `_single_tensor_sgd` / `_single_tensor_adam` functions over
lists (params, grads, momentum_buffer_list, exp_avgs, exp_avg_sqs, state_steps) with keyword-only
hyperparameters, `grad.add(param, alpha=...)`, `exp_avg.lerp_`, `addcmul_`, `addcdiv_`, step counts as
tensors read back by `_get_value`, one function for Adam and AdamW (`decoupled_weight_decay`).

Ported from pytorch/pytorch:torch/optim/sgd.py and torch/optim/adam.py (torch 2.13; the
`_init_group` step of each class gathers the lists). Changes for the contract: written without
torch.optim (its Optimizer class, param_groups and state dict replaced by the given lists); the
options the contract has not (maximize is kept, always False; amsgrad, capturable, differentiable,
complex views, tensor lr and foreach/fused paths left out).
"""

import math

import torch


def _get_value(x):
    return x.item() if isinstance(x, torch.Tensor) else x


def _single_tensor_sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening,
                       nesterov, maximize):
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        if momentum != 0:
            buf = momentum_buffer_list[i]

            if buf is None:
                buf = grad.detach().clone()
                momentum_buffer_list[i] = buf
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)

            if nesterov:
                grad = grad.add(buf, alpha=momentum)
            else:
                grad = buf

        param.add_(grad, alpha=-lr)


def _single_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr,
                        weight_decay, eps, maximize, decoupled_weight_decay):
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]

        # update step
        step_t += 1

        if weight_decay != 0:
            if decoupled_weight_decay:
                # Perform stepweight decay
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        # Decay the first and second moment running average coefficient
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        step = _get_value(step_t)

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step

        step_size = lr / bias_correction1

        bias_correction2_sqrt = bias_correction2**0.5

        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)

        param.addcdiv_(exp_avg, denom, value=-step_size)

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
        params, grads, momentum_buffer_list, indices = [], [], [], []
        for i, p in self.with_grads():  # _init_group
            params.append(p.data)
            grads.append(p.grad)
            momentum_buffer_list.append(self.buffers[i])
            indices.append(i)

        _single_tensor_sgd(params, grads, momentum_buffer_list, weight_decay=self.weight_decay,
                           momentum=self.momentum, lr=self.lr, dampening=self.dampening,
                           nesterov=self.nesterov, maximize=False)

        if self.momentum != 0:
            # update momentum_buffers in state
            for i, buf in zip(indices, momentum_buffer_list):
                self.buffers[i] = buf


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
        self._adam(decoupled_weight_decay=False)

    def _adam(self, decoupled_weight_decay):
        params, grads, exp_avgs, exp_avg_sqs, state_steps, indices = [], [], [], [], [], []
        for i, p in self.with_grads():  # _init_group
            if self.m[i] is None:  # Lazy state initialization
                self.m[i] = torch.zeros_like(p.data)
                self.v[i] = torch.zeros_like(p.data)
            params.append(p.data)
            grads.append(p.grad)
            exp_avgs.append(self.m[i])
            exp_avg_sqs.append(self.v[i])
            state_steps.append(torch.tensor(float(self.t[i])))
            indices.append(i)

        beta1, beta2 = self.betas
        _single_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, state_steps, beta1=beta1, beta2=beta2,
                            lr=self.lr, weight_decay=self.weight_decay, eps=self.eps, maximize=False,
                            decoupled_weight_decay=decoupled_weight_decay)
        for i, step_t in zip(indices, state_steps):
            self.t[i] = int(_get_value(step_t))


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
        self._adam(decoupled_weight_decay=True)
