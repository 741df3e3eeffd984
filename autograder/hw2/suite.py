"""Assignment 2's hidden checks: which runs each class gets, and what the reference makes of them.

Each `Check` is one job in the sandbox (autograder/hw2/jobs.py runs it) and one test of
results.json. Inputs come from a generator seeded by the check's name; expected values from
the reference (scratchnn_ref/hw2), evaluated here in the grader's process.

    SGD, Adam, AdamW   trajectory: multi-step runs with changing gradients, a None grad on some
                       steps, every option (momentum, dampening, nesterov, weight decay, betas, eps),
                       float64 and float32; robust: .grad untouched, zero_grad
    BatchNorm1d        forward / backward in training mode (γ ≠ 1, β ≠ 0), gradcheck of dL/dx against
                       central differences of the student's own forward (float64), running statistics
                       then eval, robust (inputs untouched, backward after two forwards)
    Dropout            masks, mask_backward and eval, judged by their properties; robust
"""

from dataclasses import dataclass, field

import torch

from .. import limits
from ..inputs import Inputs
from . import config

F32, F64 = torch.float32, torch.float64
HIDDEN_SALT = 104729  # keeps the hidden inputs apart from the public tests'
OPTIMIZERS = ("SGD", "Adam", "AdamW")
TRAINING_GROUP = "Training (digits)"

# Per optimizer: (kwargs, dtype) of each run of its trajectory check.
RUNS = {
    "SGD": [({"lr": 0.1}, F64),
            ({"lr": 0.05, "momentum": 0.9}, F64),
            ({"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, F64),
            ({"lr": 0.05, "momentum": 0.8, "nesterov": True}, F64),
            ({"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1}, F64),
            ({"lr": 0.1, "weight_decay": 0.2}, F64),
            ({"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, F32)],
    "Adam": [({"lr": 0.01}, F64),
             ({"lr": 0.02, "betas": (0.8, 0.95)}, F64),
             ({"lr": 0.01, "eps": 1e-2}, F64),
             ({"lr": 0.01, "weight_decay": 0.1}, F64),
             ({}, F32)],
    "AdamW": [({"lr": 0.01}, F64),
              ({"lr": 0.02, "weight_decay": 0.1}, F64),
              ({"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-2, "weight_decay": 0.3}, F64),
              ({"lr": 0.01}, F32)],
}
PARAM_SHAPES = [(3, 4), (4,), (2, 3, 2)]
STEPS = 6
# Adam's and AdamW's first step is lr·g/(|g| + eps): sign descent p −= lr·sign(g), which keeps no moments,
# matches it wherever eps ≪ |g|. Their trajectory's comparisons after a parameter's first update alone pay
# (and open the gates).
SIGN_FIRST = ("Adam", "AdamW")
NONE_GRADS = {(0, 2), (2, 1), (3, 1)}  # (step, parameter) with no gradient: skipped, state kept
BN_CASES = [((8, 5), F32), ((5, 3), F64), ((16, 4), F64), ((2, 6), F32)]  # (B, C): B = 2 is the smallest
DROPOUT_SHAPE = (100, 60)  # 6000 elements: the drop rate is measured on each forward
MASK_FORWARDS = 4  # forwards of one input per run of the masks check: each pair of masks must be independent
BN_ATTRS = ["weight.grad", "bias.grad", "running_mean", "running_var"]


def kind_of(cls: str) -> str:
    return "optimizer" if cls in OPTIMIZERS else "layer"


@dataclass
class Expect:
    """One value to judge: the child's array `key` against `expected` (or one of `accepted`)."""

    key: str
    expected: torch.Tensor
    label: str
    tol: dict
    accepted: tuple = ()
    scale: torch.Tensor = None  # what the tolerance is relative to (compare's scale), or None: |expected|
    weight: float = 1.0  # its share of the check's points (0: shown, not paid)


@dataclass
class Check:
    name: str
    cls: str
    part: str
    job: dict
    inputs: dict = field(default_factory=dict)
    expects: list = field(default_factory=list)
    context: dict = field(default_factory=dict)  # what the judge of a property check needs

    # What the engine reads of a check (autograder.assignment.Check), from config.py.
    @property
    def group(self) -> str:
        return TRAINING_GROUP if self.part == "training" else self.cls

    @property
    def needs(self) -> tuple:
        return (self.cls, "BatchNorm1d", "Dropout") if self.part == "training" else (self.cls,)

    @property
    def points(self) -> float:
        if self.part == "training":  # shared by the graded trainings
            from .evaluate import GRADED

            return config.TRAINING_POINTS / len(GRADED)
        return config.WEIGHTS[self.cls][self.part]

    @property
    def visibility(self) -> str:
        return config.VISIBILITY[self.part]

    @property
    def time_limit(self) -> float:
        return config.TIME_TRAINING if self.part == "training" else limits.TIME_PER_TEST

    @property
    def gate(self):
        return config.GATES.get(self.cls, {}).get(self.part)

    @property
    def pays(self) -> bool:
        return self.part in config.PAYING


class Builder(Inputs):
    """The inputs of one check, from a generator seeded by its name; add_* draw a tensor and add it."""

    def __init__(self, seed_name: str):
        super().__init__(seed_name, HIDDEN_SALT)

    def add_randn(self, shape, dtype, scale=1.0) -> str:
        return self.tensor(self.randn(shape, dtype, scale))

    def add_nonzero(self, shape, dtype) -> str:
        """Values of either sign with |v| in [0.5, 1.5]: a dropped element is told from a kept one."""
        size = torch.rand(shape, generator=self.gen, dtype=F64) + 0.5
        sign = torch.where(torch.rand(shape, generator=self.gen, dtype=F64) < 0.5, -1.0, 1.0)
        return self.tensor((size * sign).to(dtype))


def tol(dtype) -> dict:
    return config.TOLERANCE[str(dtype).replace("torch.", "")]


def _ref():
    import scratchnn_ref.hw2.layers as layers
    import scratchnn_ref.hw2.optim as optim
    from scratchnn_ref.hw2.parameter import Parameter

    return optim, layers, Parameter


# ------------------------------------------------------------------ optimizers
def optimizer_runs(b: Builder, cls: str) -> list:
    """The runs of a trajectory check: fresh parameters and changing gradients for each."""
    runs = []
    for kwargs, dtype in RUNS[cls]:
        params = [b.add_randn(shape, dtype) for shape in PARAM_SHAPES]
        steps = [[None if (k, i) in NONE_GRADS else b.add_randn(shape, dtype, scale=1.0 + k)
                  for i, shape in enumerate(PARAM_SHAPES)] for k in range(STEPS)]
        runs.append({"kwargs": kwargs, "params": params, "steps": steps, "zero_grad": True})
    return runs


def reference_steps(cls: str, run: dict, inputs: dict) -> list:
    """[[p.data after step k]] of the reference optimizer."""
    optim, _, Parameter = _ref()
    params = [Parameter(inputs[n].clone()) for n in run["params"]]
    opt = getattr(optim, cls)(params, **run["kwargs"])
    out = []
    for grads in run["steps"]:
        for p, g in zip(params, grads, strict=True):
            p.grad = None if g is None else inputs[g].clone()
        opt.step()
        out.append([p.data.clone() for p in params])
    return out


def trajectory(cls: str) -> Check:
    from .mistakes import optimizer_steps

    b = Builder(f"{cls}.trajectory")
    runs = optimizer_runs(b, cls)
    expects = []
    for r, run in enumerate(runs):
        want = reference_steps(cls, run, b.inputs)
        accepted = []
        if cls != "SGD":  # the contract admits a count of step() calls as Adam's t too
            initial = [b.inputs[n] for n in run["params"]]
            grads = [[None if g is None else b.inputs[g] for g in step] for step in run["steps"]]
            accepted = optimizer_steps(cls, run["kwargs"], initial, grads, frozenset({"global_step"}))
        dtype = b.inputs[run["params"][0]].dtype
        for k in range(STEPS):
            for i in range(len(PARAM_SHAPES)):
                if (k, i) in NONE_GRADS:  # unchanged, as a step() that does nothing leaves it: no point in it
                    continue
                other = (accepted[k][i].to(dtype),) if accepted else ()
                first = not any((j, i) not in NONE_GRADS for j in range(k))  # the parameter's first update
                expects.append(Expect(f"r{r}s{k}p{i}", want[k][i],
                                      f"{cls}({_kwargs_text(run['kwargs'])}), {str(dtype)[6:]}: parameter {i} "
                                      f"{tuple(PARAM_SHAPES[i])} after step {k + 1}", tol(dtype), other,
                                      weight=0.0 if cls in SIGN_FIRST and first else 1.0))
    job = {"kind": "kit", "runner": "hw2_jobs", "what": "optimizer", "cls": cls, "runs": runs}
    return Check(f"{cls}.trajectory: matches the reference over {STEPS} steps with changing gradients "
                 f"({len(runs)} settings)", cls, "trajectory", job, b.inputs, expects)


def _kwargs_text(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def optimizer_robust(cls: str) -> Check:
    b = Builder(f"{cls}.robust")
    runs = optimizer_runs(b, cls)  # every setting: weight decay, momentum, ... may each change a .grad
    expects = []
    for r in range(len(runs)):
        expects.append(Expect(f"r{r}grad_changed", torch.zeros(STEPS, len(PARAM_SHAPES), dtype=torch.int64),
                              f"{cls}.step(): which .grad it changed or replaced (1) per step and parameter "
                              "(the optimizer must leave every .grad as it is, None included)",
                              {"rtol": 0.0, "atol": 0.0}))
        expects.append(Expect(f"r{r}zero_grad", torch.ones(len(PARAM_SHAPES), dtype=torch.int64),
                              f"{cls}.zero_grad(): which .grad is None afterwards (1)", {"rtol": 0.0, "atol": 0.0}))
    job = {"kind": "kit", "runner": "hw2_jobs", "what": "optimizer", "cls": cls, "runs": runs}
    return Check(f"{cls}.step: leaves every .grad as it was; zero_grad sets them to None", cls, "robust", job,
                 b.inputs, expects)


# ------------------------------------------------------------------ BatchNorm1d
def _bn_state(b: Builder, C: int, dtype) -> dict:
    return {"weight": b.tensor(b.rand(C, dtype, 0.5, 2.0)),
            "bias": b.add_randn((C,), dtype),
            "running_mean": b.add_randn((C,), dtype, scale=0.3),
            "running_var": b.tensor(b.rand(C, dtype, 0.5, 1.5))}


def reference_layer(cls: str, run: dict, inputs: dict, seed: int = 0, exact: bool = False) -> list:
    """Per call of the run, the reference's {"out", attribute: value} (Dropout: with the same seed).

    exact: computed in float64 from the same inputs and state, then rounded to their dtype (the expected
    value of a comparison: the reference's own float32 rounding is no part of it)."""
    if exact:
        wide = {n: t.double() if t.is_floating_point() else t for n, t in inputs.items()}
        dtypes = {n: t.dtype for n, t in inputs.items() if t.is_floating_point()}
        dtype = next((dtypes[n] for c in run["calls"] for n in c[1:] if n in dtypes), torch.float64)
        back = lambda v: v.to(dtype) if isinstance(v, torch.Tensor) and v.is_floating_point() else v  # noqa: E731
        return [{k: back(v) for k, v in entry.items()} for entry in reference_layer(cls, run, wide, seed)]
    _, layers, Parameter = _ref()
    torch.manual_seed(seed)
    obj = getattr(layers, cls)(**run["kwargs"])
    for attr, name in run.get("set", {}).items():
        current = getattr(obj, attr)
        if isinstance(current, Parameter):
            current.data = inputs[name].clone()
        else:
            setattr(obj, attr, inputs[name].clone())
    out = []
    for method, *names in run["calls"]:
        value = getattr(obj, method)(*[inputs[n].clone() for n in names])
        entry = {"out": value if method in ("forward", "backward") else None}
        for attr in run.get("attrs", []):
            entry[attr] = _attr(obj, attr)
            entry[attr] = entry[attr].clone() if isinstance(entry[attr], torch.Tensor) else entry[attr]
        out.append(entry)
    return out


UNIT_ROUNDING = {F32: 2.0 ** -24, F64: 2.0 ** -53}


def batchnorm_condition(run: dict, inputs: dict) -> list:
    """Per call of a BatchNorm1d run, {"out", "weight.grad", "bias.grad", "running_mean", "running_var": the
    value's condition}: how far rounding can move it, in units of rounding of the dtype (config.ROUNDING_UNITS).

    In float64, from the exact values: each number a value is computed from contributes its size, and σ² (a
    mean of squares less a square, in the formula E[x²] − E[x]²) contributes E[x²]/(σ² + eps) relative to
    1/σ and to everything divided by it. So dL/dx with B = 2 (of order eps/σ² while its terms are of order
    |dout|·|γ|/σ) and a nearly constant column get tolerances of the size of their terms' rounding. Cost:
    O(B·C) per call."""
    kwargs = run["kwargs"]
    eps, m = kwargs.get("eps", 1e-5), kwargs.get("momentum", 0.1)
    state = {k: inputs[n].double() for k, n in run.get("set", {}).items()}
    C = kwargs["num_features"]
    g, beta = state.get("weight", torch.ones(C, dtype=F64)), state.get("bias", torch.zeros(C, dtype=F64))
    rm, rv = state.get("running_mean", torch.zeros(C, dtype=F64)), state.get("running_var", torch.ones(C, dtype=F64))
    c_rm, c_rv = rm.abs(), rv.abs()
    training, cache, grads = True, None, (None, None)
    out = []
    for method, *names in run["calls"]:
        result = None
        if method in ("train", "eval"):
            training = method == "train"
        elif method == "forward":
            x = inputs[names[0]].double()
            if training:
                B = x.shape[0]
                mean, var = x.mean(0), x.var(0, correction=0)
                s = torch.sqrt(var + eps)
                k = 1 + (x * x).mean(0) / (var + eps)  # E[x²]/(σ² + eps): σ² as a difference
                x_hat = (x - mean) / s
                c_xhat = (x.abs() + x.abs().mean(0)) / s + x_hat.abs() * k
                new_rm, new_rv = (1 - m) * rm + m * mean, (1 - m) * rv + m * var * B / (B - 1)
                c_rm = (1 - m) * (c_rm + rm.abs()) + m * x.abs().mean(0) + new_rm.abs()
                c_rv = (1 - m) * (c_rv + rv.abs()) + 2 * m * B / (B - 1) * (x * x).mean(0) + new_rv.abs()
                rm, rv = new_rm, new_rv
            else:
                s = torch.sqrt(rv + eps)
                k = 1 + c_rv / (rv + eps)
                x_hat = (x - rm) / s
                c_xhat = (x.abs() + rm.abs() + c_rm) / s + x_hat.abs() * k
            cache = (x_hat, c_xhat, s, k, training)
            result = g.abs() * c_xhat + (g * x_hat).abs() + beta.abs()
        elif method == "backward":
            d = inputs[names[0]].double()
            x_hat, c_xhat, s, k, batch = cache
            grads = ((d.abs() * c_xhat).sum(0) + (d * x_hat).abs().sum(0), d.abs().sum(0))
            if batch:
                terms = d.abs() + d.abs().mean(0) + x_hat.abs() * (d * x_hat).abs().mean(0)
                through_xhat = c_xhat * (d * x_hat).abs().mean(0) + x_hat.abs() * (d.abs() * c_xhat).mean(0)
                result = g.abs() / s * (terms * 2 * k + through_xhat)
            else:
                result = (d * g).abs() / s * (1 + k)
        out.append({"out": result, "weight.grad": grads[0], "bias.grad": grads[1], "running_mean": c_rm,
                    "running_var": c_rv})
    return out


def conditioned_scale(expected: torch.Tensor, condition: torch.Tensor, dtype) -> torch.Tensor:
    """compare's scale for a value of this condition: |expected|, plus the condition's rounding in units of
    the tolerance's rtol, so that atol + rtol·scale = atol + rtol·|expected| + ROUNDING_UNITS·u·condition."""
    rtol = tol(dtype)["rtol"]
    return expected.double().abs() + condition * (config.ROUNDING_UNITS * UNIT_ROUNDING[dtype] / rtol)


def _attr(obj, dotted: str):
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def _layer_check(cls: str, part: str, title: str, b: Builder, runs: list, expects: list, **context) -> Check:
    job = {"kind": "kit", "runner": "hw2_jobs", "what": "layer", "cls": cls, "runs": runs, "seed": 0}
    return Check(f"{cls}.{title}", cls, part, job, b.inputs, expects, context)


def _expect_calls(cls: str, r: int, run: dict, want: list, b: Builder, wanted: dict, what: str) -> list:
    """Expects for the calls and attributes `wanted` ({call: [output or attribute]}) of run r; BatchNorm1d's
    with tolerances that grow with each value's condition (batchnorm_condition)."""
    dtype = b.inputs[next(n for c in run["calls"] for n in c[1:])].dtype
    condition = batchnorm_condition(run, b.inputs) if cls == "BatchNorm1d" else None
    out = []
    for c, keys in wanted.items():
        for key in keys:
            method = run["calls"][c][0]
            label = f"{cls}.{method}" if key == "out" else f"{key} after call {c + 1} ({method})"
            scale = None if condition is None else conditioned_scale(want[c][key], condition[c][key], dtype)
            out.append(Expect(f"r{r}c{c}" + ("" if key == "out" else f":{key}"), want[c][key],
                              f"{label}, {what}", tol(dtype), scale=scale))
    return out


def batchnorm_values(part: str) -> Check:
    b = Builder(f"BatchNorm1d.{part}")
    runs, expects = [], []
    for (B, C), dtype in BN_CASES:
        x, d = b.add_randn((B, C), dtype, scale=2.0), b.add_randn((B, C), dtype)
        calls = [["forward", x]] + ([["backward", d]] if part == "backward" else [])
        run = {"kwargs": {"num_features": C}, "set": _bn_state(b, C, dtype), "calls": calls, "attrs": BN_ATTRS}
        runs.append(run)
        want = reference_layer("BatchNorm1d", run, b.inputs, exact=True)
        wanted = {0: ["out"]} if part == "forward" else {1: ["out", "weight.grad", "bias.grad"]}
        expects += _expect_calls("BatchNorm1d", len(runs) - 1, run, want, b, wanted,
                                 f"training mode, {str(dtype)[6:]} input of shape {(B, C)}, γ ≠ 1, β ≠ 0")
    what = "forward in training mode" if part == "forward" else "backward in training mode: dL/dx, weight.grad, " \
                                                                   "bias.grad"
    return _layer_check("BatchNorm1d", part, f"{part}: {what} matches the reference (float32 and float64, "
                                             "several shapes)", b, runs, expects)


def batchnorm_gradcheck() -> Check:
    """dL/dx of backward against central differences of the student's forward (float64, training mode).

    Each perturbed forward runs on a fresh BatchNorm1d (same state), and all of them before the one run that
    calls backward, so no forward at a perturbed point can know of the point the gradient is taken at. The
    judge differentiates the reference's forward wherever the student's agrees with it at x and at every
    perturbed point, and fails a forward that agrees at some of them only (judge.differentiated)."""
    b = Builder("BatchNorm1d.gradcheck")
    h = config.GRAD_STEP
    x, d = b.randn((5, 3), F64, scale=2.0), b.add_randn((5, 3), F64)
    nx = b.tensor(x)
    moved = []
    for j in range(x.numel()):
        for sign in (1.0, -1.0):
            point = x.clone().reshape(-1)
            point[j] += sign * h
            moved.append(b.tensor(point.reshape(x.shape)))
    state = _bn_state(b, 3, F64)
    runs = [{"kwargs": {"num_features": 3}, "set": state, "calls": [["forward", n]], "attrs": []} for n in moved]
    runs.append({"kwargs": {"num_features": 3}, "set": state, "calls": [["forward", nx], ["backward", d]],
                 "attrs": []})
    points = runs[-1:] + runs[:-1]  # x, then the perturbed points
    reference = [reference_layer("BatchNorm1d", run, b.inputs)[0]["out"] for run in points]
    scales = [conditioned_scale(want, batchnorm_condition(run, b.inputs)[0]["out"], F64)
              for want, run in zip(reference, points, strict=True)]
    return _layer_check("BatchNorm1d", "gradcheck", "backward: gradient check of dL/dx against your own forward "
                        "(float64, training mode)", b, runs, [], dout=b.inputs[d], shape=tuple(x.shape),
                        reference=reference, scales=scales)


def batchnorm_running() -> Check:
    b = Builder("BatchNorm1d.running")
    runs, expects = [], []
    for (B, C), dtype in [((6, 4), F64), ((10, 3), F32)]:
        xs = [b.add_randn((B, C), dtype, scale=1.0 + k) for k in range(4)]
        d = b.add_randn((B, C), dtype)
        calls = [["forward", xs[0]], ["forward", xs[1]], ["forward", xs[2]], ["eval"], ["forward", xs[3]],
                 ["backward", d], ["train"], ["forward", xs[3]]]
        run = {"kwargs": {"num_features": C, "momentum": 0.3}, "set": _bn_state(b, C, dtype), "calls": calls,
               "attrs": BN_ATTRS}
        runs.append(run)
        want = reference_layer("BatchNorm1d", run, b.inputs, exact=True)
        wanted = {0: ["running_mean", "running_var"], 2: ["running_mean", "running_var"],
                  4: ["out", "running_mean", "running_var"], 5: ["out", "weight.grad", "bias.grad"], 7: ["out"]}
        expects += _expect_calls("BatchNorm1d", len(runs) - 1, run, want, b, wanted,
                                 f"momentum=0.3, three training batches then eval, {str(dtype)[6:]} {(B, C)}")
    return _layer_check("BatchNorm1d", "running", "running statistics: three training batches (unbiased "
                        "running_var), then eval (uses them, changes nothing), then train again", b, runs, expects)


def layer_robust(cls: str) -> Check:
    """Inputs never modified; backward after two forwards uses the latest (BatchNorm1d compared with the reference)."""
    b = Builder(f"{cls}.robust")
    runs, expects = [], []
    for dtype in (F32, F64):
        x1, x2 = (b.add_randn((6, 4), dtype, scale=2.0) if cls == "BatchNorm1d" else b.add_nonzero((6, 4), dtype)
                  for _ in range(2))
        d = b.add_randn((6, 4), dtype)
        kwargs = {"num_features": 4} if cls == "BatchNorm1d" else {"p": 0.3}
        run = {"kwargs": kwargs, "calls": [["forward", x1], ["forward", x2], ["backward", d]], "attrs": []}
        if cls == "BatchNorm1d":
            run["set"] = _bn_state(b, 4, dtype)
        runs.append(run)
        r = len(runs) - 1
        expects.append(Expect(f"r{r}changed", torch.zeros(0, 2, dtype=torch.int64),
                              f"{cls}: [call that changed an input, the call it was given to] ({str(dtype)[6:]})",
                              {"rtol": 0.0, "atol": 0.0}))
        if cls == "BatchNorm1d":
            want = reference_layer(cls, run, b.inputs, exact=True)
            expects += _expect_calls(cls, r, run, want, b, {2: ["out"]},
                                     f"after two forwards (it must use the latest), {str(dtype)[6:]}")
            d2 = b.add_randn((6, 4), dtype)
            again = {"kwargs": kwargs, "set": run["set"], "calls": [["forward", x1], ["backward", d],
                                                                    ["forward", x2], ["backward", d2]],
                     "attrs": ["weight.grad", "bias.grad"]}
            runs.append(again)
            want = reference_layer(cls, again, b.inputs, exact=True)
            expects += _expect_calls(cls, len(runs) - 1, again, want, b, {3: ["weight.grad", "bias.grad"]},
                                     f"after a second backward (it overwrites .grad), {str(dtype)[6:]}")
    return _layer_check(cls, "robust", "robust: inputs and dout never modified" + (
        "; backward after two forwards uses the latest" if cls == "BatchNorm1d" else ""), b, runs, expects)


# ------------------------------------------------------------------ Dropout (judged by properties)
def dropout_masks() -> Check:
    b = Builder("Dropout.masks")
    runs = []
    for p, dtype in [(0.5, F32), (0.2, F64), (0.8, F32), (1.0, F32)]:  # not p = 0: the identity earns nothing
        x = b.add_nonzero(DROPOUT_SHAPE, dtype)
        runs.append({"kwargs": {"p": p}, "calls": [["forward", x]] * MASK_FORWARDS, "attrs": []})
    return _layer_check("Dropout", "masks", "forward in training mode: zeros or x/(1 − p), the drop rate within "
                        f"{config.DROP_RATE_SIGMAS:g}σ of p, drawn independently (per row, per column, adjacent "
                        "pairs), a new mask at every forward, p = 1", b, runs, [])


def dropout_backward() -> Check:
    b = Builder("Dropout.mask_backward")
    runs = []
    for p, dtype in [(0.5, F32), (0.3, F64)]:
        x1, x2, d = b.add_nonzero((40, 30), dtype), b.add_nonzero((40, 30), dtype), b.add_randn((40, 30), dtype)
        runs.append({"kwargs": {"p": p}, "calls": [["forward", x1], ["forward", x2], ["backward", d]], "attrs": []})
    return _layer_check("Dropout", "mask_backward", "backward: dout times the mask of the latest forward", b, runs, [])


def dropout_eval() -> Check:
    b = Builder("Dropout.eval")
    runs = []
    for p, dtype in [(0.5, F32), (0.9, F64), (0.0, F64)]:  # p = 0: the identity in training mode too
        x, d = b.add_nonzero((30, 20), dtype), b.add_randn((30, 20), dtype)
        runs.append({"kwargs": {"p": p}, "calls": [["forward", x], ["eval"], ["forward", x], ["backward", d]],
                     "attrs": []})
    return _layer_check("Dropout", "eval", "eval mode (and p = 0): forward and backward are the identity", b, runs, [])


# ------------------------------------------------------------------ the training check
def training_checks() -> list:
    """The given MLP trained on the digits with the student's optimizer, BatchNorm1d and Dropout, once per
    graded setting (autograder/hw2/evaluate.py, calibrated by calibrate.py). The sandbox trains
    (training.py); the grader measures the returned weights itself."""
    from . import evaluate, replay

    out = []
    for graded in evaluate.GRADED.values():
        setting = evaluate.SETTINGS[graded.setting]
        job = {"kind": "kit", "runner": "hw2_training", **setting.job(graded.seed)}
        name = (f"Training (digits): the given MLP with your {setting.optimizer}, BatchNorm1d and Dropout "
                f"fits the training images ({_kwargs_text(setting.kwargs)}, {setting.epochs} epochs)")
        inputs = {**evaluate.make_inputs(graded.seed), **replay.probes(graded.seed)}
        out.append(Check(name, setting.optimizer, "training", job, inputs, context={"graded": graded}))
    return out


def all_checks() -> list:
    """Every sandboxed check, class by class, then the training check."""
    checks = []
    for cls in OPTIMIZERS:
        checks += [trajectory(cls), optimizer_robust(cls)]
    checks += [batchnorm_values("forward"), batchnorm_values("backward"), batchnorm_gradcheck(),
               batchnorm_running(), layer_robust("BatchNorm1d")]
    checks += [dropout_masks(), dropout_backward(), dropout_eval(), layer_robust("Dropout")]
    return checks + training_checks()
