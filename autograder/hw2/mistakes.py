"""Assignment 2's catalogue of plausible wrong implementations, for the "Likely cause" line.

Each entry is the reference's update or layer with one slip (research notes §3: the buffer
dampened on the first step, no bias correction, decay coupled in AdamW, the unbiased variance
in BatchNorm's normalisation, ...), written here as flags of small float64 implementations
(the reference itself has no flags). The judge names an entry only when it alone reproduces
the student's values in every comparison of a check (autograder/hw2/judge.py). Cost: one
run of the check's steps or calls per entry, O(Σ numel) each.
"""

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Slip:
    """One wrong implementation: `flags` switched on in the class's implementation below."""

    cause: str
    flags: frozenset


def slip(cause: str, *flags: str) -> Slip:
    return Slip(cause, frozenset(flags))


# ------------------------------------------------------------------ optimizers
def optimizer_steps(cls: str, kwargs: dict, params: list, steps: list, flags=frozenset()) -> list:
    """[[p after step k, for each parameter]] of optimizer `cls` with these flags, in float64.

    params: the initial tensors; steps: per step, a gradient per parameter or None (skipped).
    Flags: see OPTIMIZER_SLIPS; "global_step" is the accepted reading of Adam's count of step() calls.
    """
    p = [t.double().clone() for t in params]
    state = [dict(t=0, buf=None, m=None, v=None) for _ in p]
    calls = updates = 0
    out = []
    for grads in steps:
        calls += 1
        for i, g in enumerate(grads):
            if g is None and "none_as_zero" not in flags:
                continue
            g = torch.zeros_like(p[i]) if g is None else g.double()
            s = state[i]
            s["t"] += 1
            updates += 1
            if cls == "SGD":
                p[i] = _sgd(p[i], g, s, flags, **kwargs)
            else:
                t = _step_count(flags, s["t"], calls, updates)
                p[i] = _adam(p[i], g, s, t, flags, decoupled=(cls == "AdamW"), **_adam_defaults(cls, kwargs, flags))
        out.append([t.clone() for t in p])
    return out


def _step_count(flags, own: int, calls: int, updates: int) -> int:
    """Adam's t for this update: the parameter's own count of updates, or what a slip makes of it."""
    if "global_step" in flags:
        return calls
    if "t_shared" in flags:  # one counter, advanced for every parameter updated
        return updates
    if "t_twice" in flags:
        return 2 * own
    if "t_after" in flags:  # advanced after the update: 0 on the first
        return own - 1
    return own


def _adam_defaults(cls: str, kwargs: dict, flags=frozenset()) -> dict:
    default_decay = 1e-2 if cls == "AdamW" and "default_decay_zero" not in flags else 0.0
    base = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": default_decay}
    return {**base, **kwargs}


def _sgd(p, g, s, flags, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    if "lr_ignored" in flags:
        lr = 1.0
    shrink = weight_decay and ("decay_without_lr" in flags or "decay_without_lr_after" in flags)
    if weight_decay and not shrink and "no_decay" not in flags and "decay_after_momentum" not in flags:
        g = g + weight_decay * (torch.sign(p) if "decay_l1" in flags else p)
    if shrink and "decay_without_lr" in flags:
        p = p - weight_decay * p
    if "buffer_reset" in flags:
        s["buf"] = None
    if momentum:
        if s["buf"] is None:
            s["buf"] = (1 - dampening) * g if "dampen_first" in flags else g.clone()
        else:
            s["buf"] = momentum * s["buf"] + (1 - dampening) * g
        if nesterov and "nesterov_ignored" not in flags:
            g = g + (1.0 if "nesterov_without_mu" in flags else momentum) * s["buf"]
        else:
            g = s["buf"]
    if weight_decay and "decay_after_momentum" in flags:
        g = g + weight_decay * p
    if "sign" in flags:
        lr = -lr
    p = p - lr * g
    if shrink and "decay_without_lr_after" in flags:
        p = p - weight_decay * p
    return p


def _adam_decay(flags, decoupled: bool) -> tuple:
    """(L2: weight_decay·p added to g, shrink: p scaled down) of Adam (decoupled=False) or AdamW with these flags."""
    if "no_decay" in flags:
        return False, False
    if decoupled:
        return "coupled" in flags or "decay_twice" in flags, "coupled" not in flags
    return "decoupled" not in flags, "decoupled" in flags


def _adam(p, g, s, t, flags, decoupled, lr, betas, eps, weight_decay):
    b1, b2 = (betas[1], betas[0]) if "betas_swapped" in flags else betas
    l2, shrink = _adam_decay(flags, decoupled) if weight_decay else (False, False)
    rate = weight_decay * (1.0 if "decay_without_lr" in flags else lr * lr if "decay_lr_squared" in flags else lr)
    if shrink and "decay_after_update" not in flags:
        p = p * (1 - rate)
    if l2:  # after the shrink: AdamW's decay_twice shrinks p, then Adam's step adds the L2 term of the shrunk p
        g = g + weight_decay * p
    if s["m"] is None:
        s["m"], s["v"] = torch.zeros_like(p), torch.zeros_like(p)
    m = b1 * s["m"] + (1 - b1) * g
    if "m_lost" not in flags:  # m_lost: the new m is used but never stored
        s["m"] = m
    s["v"] = b2 * s["v"] + (1 - b2) * (g.abs() if "v_abs" in flags else g * g)
    m_hat, v_hat = m, s["v"]
    if "no_bias_correction" not in flags:
        m_hat, v_hat = m_hat / (1 - b1**t), v_hat / (1 - b2**t)
    denom = torch.sqrt(v_hat + eps) if "eps_inside_sqrt" in flags else torch.sqrt(v_hat) + eps
    p = p - lr * m_hat / denom
    if shrink and "decay_after_update" in flags:
        p = p * (1 - rate)
    return p


NO_DECAY = "weight_decay is ignored: add weight_decay·p to the gradient before the update"
DECAY_WITHOUT_LR = ("the decay is applied without lr (p −= weight_decay·p): in SGD it is part of the gradient, "
                    "g = g + weight_decay·p, and so scaled by lr")
NONE_GRAD = ("a parameter whose .grad is None is updated as if its gradient were zeros: skip it (if p.grad is None: "
             "continue), leaving it and its state unchanged")
OPTIMIZER_SLIPS = {
    "SGD": [
        slip("the momentum buffer's first value must be the gradient itself (PyTorch does not dampen the first "
             "step): buf = g on a parameter's first update, then buf = μ·buf + (1 − dampening)·g", "dampen_first"),
        slip("nesterov is ignored: with nesterov=True the step uses g + μ·buf, not buf", "nesterov_ignored"),
        slip(NO_DECAY, "no_decay"),
        slip("weight decay is added after the momentum buffer: PyTorch adds weight_decay·p to g first, so the "
             "decay goes through the buffer too", "decay_after_momentum"),
        slip(DECAY_WITHOUT_LR, "decay_without_lr"),
        slip(DECAY_WITHOUT_LR, "decay_without_lr_after"),
        slip("weight decay is L2: add weight_decay·p to the gradient, not weight_decay·sign(p) (that is L1)",
             "decay_l1"),
        slip("Nesterov's step is g + μ·buf: μ multiplies the buffer", "nesterov_without_mu"),
        slip("momentum never accumulates: the buffers are reset at every step; keep each parameter's buffer in "
             "the optimizer from one step() to the next", "buffer_reset"),
        slip(NONE_GRAD, "none_as_zero"),
        slip("the update has the wrong sign: p = p − lr·g", "sign"),
        slip("lr is ignored: p = p − lr·g", "lr_ignored"),
    ],
    "Adam": [
        slip("no bias correction: divide m by (1 − β1ᵗ) and v by (1 − β2ᵗ), t the parameter's step count",
             "no_bias_correction"),
        slip("eps goes outside the square root: lr·m̂ / (√v̂ + eps)", "eps_inside_sqrt"),
        slip("v must average g² (the squared gradient), not |g|", "v_abs"),
        slip("β1 and β2 are swapped: betas = (β1 for m, β2 for v)", "betas_swapped"),
        slip(NO_DECAY + " (Adam's decay is coupled: g = g + weight_decay·p)", "no_decay"),
        slip("Adam's weight decay is coupled (L2: g = g + weight_decay·p); shrinking p directly is AdamW's",
             "decoupled"),
        slip("the step count t is advanced twice per update: advance each parameter's t once per step, before the "
             "bias correction", "t_twice"),
        slip("the step count t is advanced after the update, so the first update divides by 1 − β⁰ = 0: advance "
             "t before the bias correction (t = 1 on a parameter's first update)", "t_after"),
        slip("the step count t is one counter advanced for every parameter: each parameter needs its own t (or one "
             "count of step() calls), 1 on its first update", "t_shared"),
        slip("m is never stored: the new m = β1·m + (1 − β1)·g is used but self.m keeps its first value; assign it "
             "back (or update it in place)", "m_lost"),
        slip(NONE_GRAD, "none_as_zero"),
    ],
    "AdamW": [
        slip("AdamW's decay is decoupled: shrink p = p·(1 − lr·weight_decay) and leave g alone; adding "
             "weight_decay·p to g is Adam's (L2)", "coupled"),
        slip("AdamW shrinks p before Adam's step, p·(1 − lr·weight_decay), not after it", "decay_after_update"),
        slip("AdamW's decay is scaled by lr: p = p·(1 − lr·weight_decay)", "decay_without_lr"),
        slip("weight_decay is ignored: AdamW shrinks p = p·(1 − lr·weight_decay) at every step", "no_decay"),
        slip("no bias correction: divide m by (1 − β1ᵗ) and v by (1 − β2ᵗ), t the parameter's step count",
             "no_bias_correction"),
        slip("eps goes outside the square root: lr·m̂ / (√v̂ + eps)", "eps_inside_sqrt"),
        slip("AdamW's decay applies lr twice: shrink p = p·(1 − lr·weight_decay), lr once", "decay_lr_squared"),
        slip("AdamW's default weight_decay is 1e-2, as the given constructor has it: keep that default",
             "default_decay_zero"),
        slip("AdamW applies the decay twice: it shrinks p and also adds weight_decay·p to g (Adam's L2); AdamW's "
             "decay is the shrink p = p·(1 − lr·weight_decay) alone", "decay_twice"),
        slip("the step count t is one counter advanced for every parameter: each parameter needs its own t (or one "
             "count of step() calls), 1 on its first update", "t_shared"),
        slip(NONE_GRAD, "none_as_zero"),
    ],
}


# ------------------------------------------------------------------ BatchNorm1d
def batchnorm_calls(calls: list, inputs: dict, state: dict, kwargs: dict, flags=frozenset()) -> list:
    """What BatchNorm1d with these flags gives for `calls` ([method, input names...]), in float64: per call
    {"out": returned tensor or None, "weight.grad", "bias.grad", "running_mean", "running_var"}.
    state: the initial weight, bias, running_mean, running_var."""
    eps, momentum = kwargs.get("eps", 1e-5), kwargs.get("momentum", 0.1)
    w, b = state["weight"].double(), state["bias"].double()
    rm, rv = state["running_mean"].double(), state["running_var"].double()
    training, cache, grads = True, None, (None, None)
    out = []
    for method, *names in calls:
        result = None
        if method in ("train", "eval"):
            training = method == "train"
        elif method == "forward":
            x = inputs[names[0]].double()
            batch = training or "eval_batch_stats" in flags  # normalise with this batch's statistics
            if (training or "eval_updates" in flags) and "running_frozen" not in flags:
                m = 1 - momentum if "momentum_reversed" in flags else momentum
                unbiased = x.var(0, correction=0 if "running_biased" in flags else 1)
                rm, rv = (1 - m) * rm + m * x.mean(0), (1 - m) * rv + m * unbiased
            if batch:
                mean, var = x.mean(0), x.var(0, correction=1 if "unbiased_norm" in flags else 0)
            else:
                mean, var = rm, rv
            std = torch.sqrt(var) + eps if "eps_outside_sqrt" in flags else torch.sqrt(var + eps)
            x_hat = (x - mean) / std
            cache = (x, x_hat, std, batch)
            result = x_hat * w + b
        elif method == "backward":
            d = inputs[names[0]].double()
            x, x_hat, std, batch = cache
            new = ((d * (x if "gamma_grad_from_x" in flags else x_hat)).sum(0),
                   d.mean(0) if "bias_grad_mean" in flags else d.sum(0))
            accumulate = "grad_accumulated" in flags and grads[0] is not None
            grads = (grads[0] + new[0], grads[1] + new[1]) if accumulate else new
            dx_hat = d if "no_gamma_in_backward" in flags else d * w
            result = _batch_terms(dx_hat, x_hat, flags) / std if batch or "eval_backward_batch_terms" in flags \
                else dx_hat / std
        out.append({"out": result, "weight.grad": grads[0], "bias.grad": grads[1],
                    "running_mean": rm, "running_var": rv})
    return out


def _batch_terms(dx_hat, x_hat, flags):
    """dx̂ less the terms from μ and σ² (training mode's backward, before the division by the std), or a slip's."""
    if "no_batch_terms" in flags:
        return dx_hat
    mean_term = 0.0 if "no_mean_term" in flags else dx_hat.mean(0)
    xhat_term = 0.0 if "no_xhat_term" in flags else x_hat * (dx_hat * x_hat).mean(0)
    return dx_hat - mean_term - xhat_term


BATCHNORM_SLIPS = [
    slip("normalise with the biased batch variance (divide by B); only running_var uses the unbiased one",
         "unbiased_norm"),
    slip("running_var must be updated with the unbiased batch variance (divide by B − 1), as PyTorch does",
         "running_biased"),
    slip("momentum is the weight of the new batch: running = (1 − momentum)·running + momentum·batch",
         "momentum_reversed"),
    slip("eps goes inside the square root: (x − μ) / √(σ² + eps)", "eps_outside_sqrt"),
    slip("the running statistics are never updated in training mode", "running_frozen"),
    slip("eval mode must normalise with the running statistics, not the batch's", "eval_batch_stats"),
    slip("eval mode must not update the running statistics", "eval_updates"),
    slip("backward in training mode misses the terms from μ and σ² (they depend on x): dx = (dx̂ − mean(dx̂) − "
         "x̂·mean(dx̂·x̂)) / √(σ² + eps)", "no_batch_terms"),
    slip("backward in training mode misses the term −mean(dx̂) (from μ): dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / "
         "√(σ² + eps)", "no_mean_term"),
    slip("backward in training mode misses the term −x̂·mean(dx̂·x̂) (from σ²): dx = (dx̂ − mean(dx̂) − "
         "x̂·mean(dx̂·x̂)) / √(σ² + eps)", "no_xhat_term"),
    slip("μ and σ² are the running statistics, constants in eval mode: there backward is dx = dout·γ / "
         "√(running_var + eps), without the batch terms of training mode", "eval_backward_batch_terms"),
    slip("weight.grad is Σ dout·x̂ (the normalised input), not Σ dout·x", "gamma_grad_from_x"),
    slip("bias.grad is Σ dout over the batch, not its mean", "bias_grad_mean"),
    slip("backward forgets γ: dx̂ = dout·γ", "no_gamma_in_backward"),
    slip("each backward sets weight.grad and bias.grad afresh (=, not +=): the optimizer's zero_grad is not "
         "called between the grader's backward calls", "grad_accumulated"),
]


def fits(got: torch.Tensor, want: torch.Tensor, tol: dict, slack: float) -> bool:
    """Whether got reproduces want within slack times the tolerance (NaN and inf where want has them)."""
    if got is None or want is None or tuple(got.shape) != tuple(want.shape):
        return False
    g, w = got.double(), want.double()
    same_special = torch.equal(torch.isnan(g), torch.isnan(w)) and torch.equal(g.isinf(), w.isinf())
    finite = torch.isfinite(w)
    close = (g[finite] - w[finite]).abs() <= slack * (tol["atol"] + tol["rtol"] * w[finite].abs())
    return bool(same_special and close.all())


def binomial_bound(n: int, p: float, sigmas: float) -> tuple:
    """(lowest, highest) count of drops among n elements dropped with probability p, within `sigmas` σ."""
    sd = math.sqrt(n * p * (1 - p))
    return n * p - sigmas * sd, n * p + sigmas * sd
