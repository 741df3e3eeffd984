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
    calls = 0
    out = []
    for grads in steps:
        calls += 1
        for i, g in enumerate(grads):
            if g is None:
                continue
            g = g.double()
            s = state[i]
            s["t"] += 1
            if cls == "SGD":
                p[i] = _sgd(p[i], g, s, flags, **kwargs)
            else:
                t = calls if "global_step" in flags else s["t"]
                p[i] = _adam(p[i], g, s, t, flags, decoupled=(cls == "AdamW"), **_adam_defaults(cls, kwargs))
        out.append([t.clone() for t in p])
    return out


def _adam_defaults(cls: str, kwargs: dict) -> dict:
    base = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2 if cls == "AdamW" else 0.0}
    return {**base, **kwargs}


def _sgd(p, g, s, flags, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    if "lr_ignored" in flags:
        lr = 1.0
    if weight_decay and "no_decay" not in flags and "decay_after_momentum" not in flags \
            and "decay_without_lr" not in flags:
        g = g + weight_decay * p
    if momentum:
        if s["buf"] is None:
            s["buf"] = (1 - dampening) * g if "dampen_first" in flags else g.clone()
        else:
            s["buf"] = momentum * s["buf"] + (1 - dampening) * g
        if nesterov and "nesterov_ignored" not in flags:
            g = g + momentum * s["buf"]
        else:
            g = s["buf"]
    if weight_decay and "decay_after_momentum" in flags:
        g = g + weight_decay * p
    if "sign" in flags:
        lr = -lr
    p = p - lr * g
    if weight_decay and "decay_without_lr" in flags:
        p = p - weight_decay * p
    return p


def _adam(p, g, s, t, flags, decoupled, lr, betas, eps, weight_decay):
    b1, b2 = (betas[1], betas[0]) if "betas_swapped" in flags else betas
    coupled = weight_decay and not decoupled and "no_decay" not in flags and "decoupled" not in flags
    if decoupled and "coupled" in flags:
        coupled = True
    if coupled:
        g = g + weight_decay * p
    shrink = weight_decay and ((decoupled and "coupled" not in flags) or "decoupled" in flags) \
        and "no_decay" not in flags
    if shrink and "decay_after_update" not in flags:
        p = p * (1 - (1.0 if "decay_without_lr" in flags else lr) * weight_decay)
    if s["m"] is None:
        s["m"], s["v"] = torch.zeros_like(p), torch.zeros_like(p)
    s["m"] = b1 * s["m"] + (1 - b1) * g
    s["v"] = b2 * s["v"] + (1 - b2) * (g.abs() if "v_abs" in flags else g * g)
    m_hat, v_hat = s["m"], s["v"]
    if "no_bias_correction" not in flags:
        m_hat, v_hat = m_hat / (1 - b1**t), v_hat / (1 - b2**t)
    denom = torch.sqrt(v_hat + eps) if "eps_inside_sqrt" in flags else torch.sqrt(v_hat) + eps
    p = p - lr * m_hat / denom
    if shrink and "decay_after_update" in flags:
        p = p * (1 - lr * weight_decay)
    return p


NO_DECAY = "weight_decay is ignored: add weight_decay·p to the gradient before the update"
OPTIMIZER_SLIPS = {
    "SGD": [
        slip("the momentum buffer's first value must be the gradient itself (PyTorch does not dampen the first "
             "step): buf = g on a parameter's first update, then buf = μ·buf + (1 − dampening)·g", "dampen_first"),
        slip("nesterov is ignored: with nesterov=True the step uses g + μ·buf, not buf", "nesterov_ignored"),
        slip(NO_DECAY, "no_decay"),
        slip("weight decay is added after the momentum buffer: PyTorch adds weight_decay·p to g first, so the "
             "decay goes through the buffer too", "decay_after_momentum"),
        slip("the decay is applied without lr (p −= weight_decay·p): in SGD it is part of the gradient, "
             "g = g + weight_decay·p, and so scaled by lr", "decay_without_lr"),
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
            new = ((d * (x if "gamma_grad_from_x" in flags else x_hat)).sum(0), d.sum(0))
            accumulate = "grad_accumulated" in flags and grads[0] is not None
            grads = (grads[0] + new[0], grads[1] + new[1]) if accumulate else new
            dx_hat = d if "no_gamma_in_backward" in flags else d * w
            if batch and "no_batch_terms" not in flags:
                dx_hat = dx_hat - dx_hat.mean(0) - x_hat * (dx_hat * x_hat).mean(0)
            result = dx_hat / std
        out.append({"out": result, "weight.grad": grads[0], "bias.grad": grads[1],
                    "running_mean": rm, "running_var": rv})
    return out


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
    slip("weight.grad is Σ dout·x̂ (the normalised input), not Σ dout·x", "gamma_grad_from_x"),
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
