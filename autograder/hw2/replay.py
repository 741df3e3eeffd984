"""Assignment 2's training check, the proof that the weights were trained by the optimizer's rule.

The training loss alone cannot tell a trained network from weights put there: a step() that writes
weights fitted offline (the digits ship with the kit) reaches any loss. So the sandbox also
records, at every step, a few probe coordinates of each parameter: the gradient step() was given
and the value after it (training.py). Updates are element-wise, so the grader replays the
reference optimizer on those coordinates alone, from their initial values and the recorded
gradients, and each step's update must be the rule's, from the student's own value before it.

    probes(seed)                the job's extra inputs: probe_<name> (k,) int64, flat indices
    problem(setting, inputs, outputs) -> str | None     the first update that is not the rule's

Where Adam's update is ill-conditioned (√v̂ within a factor 100 of eps, from gradients of about 1e-6
or less), equally right readings of eps differ by up to the whole step, so those coordinates and
steps are not compared. Cost: steps · k · (parameters) element-wise operations, under a millisecond
a step for k = 32.
"""

import torch

from . import evaluate

PROBES = 32  # coordinates of each parameter (all of them where it has fewer)
RTOL = 1e-2  # of the rule's update: the float32 rounding of a right update is about 1e-6 of it
ATOL = 1e-6  # of |p|: float32 keeps about 6e-8 of it, and a right update rounds a few times


def parameter_names(dims: list = evaluate.DIMS) -> list[str]:
    """The trained parameters (weight_names without the running statistics), in MLP.parameters() order."""
    return [n for n in evaluate.weight_names(dims) if not n.startswith("running_")]


def probes(seed: int, dims: list = evaluate.DIMS) -> dict:
    """probe_<name>: PROBES distinct flat indices of each parameter, drawn from the grader's seed."""
    shapes = {n: t.shape for n, t in evaluate.make_inputs(seed, dims).items()}
    draw = torch.Generator().manual_seed(seed + 2)
    out = {}
    for name in parameter_names(dims):
        size = shapes[name].numel()
        out[f"probe_{name}"] = torch.randperm(size, generator=draw)[:PROBES].sort().values
    return out


def problem(setting: evaluate.Setting, inputs: dict, outputs: dict):
    """Why the recorded updates are not the optimizer's rule, or None. outputs: probe_grad_<name> and
    probe_after_<name> (steps, k) of training.run; inputs: the initial weights and probe_<name>."""
    names = parameter_names()
    grads, after = [], []
    for name in names:
        g, a = outputs.get(f"probe_grad_{name}"), outputs.get(f"probe_after_{name}")
        k = len(inputs[f"probe_{name}"])
        if not all(isinstance(t, torch.Tensor) and t.dim() == 2 and t.shape[1] == k for t in (g, a)) \
                or g.shape != a.shape:
            return f"the training returned no record of the updates of {name}"
        grads.append(g.double())
        after.append(a.double())
    steps = grads[0].shape[0]
    if steps == 0 or any(g.shape[0] != steps for g in grads):
        return "the training's record of its updates is incomplete"
    Parameter = evaluate.reference("parameter").Parameter
    params = [Parameter(inputs[n].reshape(-1)[inputs[f"probe_{n}"]].double().clone()) for n in names]
    optimizer = getattr(evaluate.reference("optim"), setting.optimizer)(params, **setting.kwargs)
    beta2 = setting.kwargs.get("betas", (0.9, 0.999))[1]
    eps = setting.kwargs.get("eps", 1e-8)
    v = [torch.zeros_like(p.data) for p in params]
    for t in range(steps):
        before = [p.data.clone() for p in params]
        for p, g in zip(params, grads, strict=True):
            p.grad = g[t].clone()
        optimizer.step()
        for i, (name, p) in enumerate(zip(names, params, strict=True)):
            rule, got = p.data - before[i], after[i][t] - before[i]
            compared = torch.isfinite(got)
            if setting.optimizer != "SGD":
                v[i] = beta2 * v[i] + (1 - beta2) * grads[i][t] ** 2
                compared &= (v[i] / (1 - beta2 ** (t + 1))).sqrt() > 100 * eps
            off = (got - rule).abs() > RTOL * rule.abs() + ATOL * before[i].abs() + 1e-12
            bad = (off & compared) | ~torch.isfinite(got)
            if bool(bad.any()):
                j = int(bad.nonzero()[0])
                index = int(inputs[f"probe_{name}"][j])
                return (f"at step {t + 1}, {name}[flat index {index}] changed by {float(got[j]):.4g}, where "
                        f"{setting.optimizer}'s rule gives {float(rule[j]):.4g} from the gradient step() was "
                        "given and the state of the steps before")
            p.data = after[i][t].clone()  # go on from the student's own weights
    return None
