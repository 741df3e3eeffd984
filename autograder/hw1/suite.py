"""The hidden checks: which inputs each class gets, what is expected, and how it is judged.

Each `Check` becomes one job in the sandbox and one test in results.json. Its
inputs come from a seeded generator (different from the public tests'), its
expectations from scratchnn_ref evaluated here, in the grader's process.

Per class there are five checks (plus policy, judged from the source alone):
    forward    values against the reference: several shapes, float32 and float64
    backward   the same for the gradient(s); any valid subgradient at a kink
    gradcheck  the student's backward against central differences of the student's forward (float64)
    robust     inputs and dout not modified, backward after two forwards uses the latest
    large      forward and backward finite and right for inputs up to 1e4, float32 and float64
"""

from dataclasses import dataclass, field

import torch

import scratchnn_ref as ref
import scratchnn_ref.mlp  # noqa: F401  (ref.mlp)
import scratchnn_ref.train  # noqa: F401  (ref.train)

from .. import limits
from ..checks import central_difference, perturbations
from ..inputs import Inputs
from . import config

F32, F64 = torch.float32, torch.float64
ACTIVATIONS = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"]
LOSSES = ["MSELoss", "MAELoss", "HuberLoss", "BCELoss", "SoftmaxCELoss"]
NON_DEFAULT = {"LeakyReLU": {"alpha": 0.2}, "ELU": {"alpha": 0.7}, "HuberLoss": {"delta": 0.6}}
# Where a function has a kink: (where, (lowest, highest) derivative there)
KINKS = {
    "ReLU": lambda kw: (0.0, 1.0),
    "LeakyReLU": lambda kw: (min(kw.get("alpha", 0.01), 1.0), max(kw.get("alpha", 0.01), 1.0)),
    "ELU": lambda kw: (min(kw.get("alpha", 1.0), 1.0), max(kw.get("alpha", 1.0), 1.0)),
    "MAELoss": lambda kw: (-1.0, 1.0),
}
HIDDEN_SALT = 7919  # keeps the hidden inputs apart from the public tests'


SINE_FIT_GROUP = "Sine fit"


def kind_of(cls: str) -> str:
    return "Linear" if cls == "Linear" else "activation" if cls in ACTIVATIONS else "loss"


@dataclass
class Expect:
    """One value to judge: the child's array `key` against `expected`."""

    key: str
    expected: torch.Tensor
    label: str
    tol: dict
    scale: torch.Tensor = None
    kink: tuple = None  # (mask, low, high): where any value in [low, high] is right
    accepted: tuple = ()  # other right answers (config.ACCEPTED): each element may match any of them


@dataclass
class Check:
    name: str  # the test's name in results.json
    cls: str
    part: str  # forward | backward | gradcheck | robust | large | sine_fit
    job: dict
    inputs: dict = field(default_factory=dict)
    expects: list = field(default_factory=list)
    gradients: list = field(default_factory=list)  # for gradcheck: (label, analytic key, run range, dout, shape)
    context: dict = field(default_factory=dict)  # what the diagnosis may use

    # What the engine reads of a check (autograder.assignment.Check), from config.py.
    @property
    def group(self) -> str:
        return SINE_FIT_GROUP if self.part == "sine_fit" else self.cls

    @property
    def needs(self) -> tuple:
        return ("Linear", self.cls) if self.part == "sine_fit" else (self.cls,)

    @property
    def points(self) -> float:
        if self.part == "sine_fit":
            return config.SINE_FIT_POINTS / len(config.SINE_FIT)
        return config.WEIGHTS[kind_of(self.cls)][self.part]

    @property
    def visibility(self) -> str:
        return config.VISIBILITY[self.part]

    @property
    def time_limit(self) -> float:
        return config.TIME_SINE_FIT if self.part == "sine_fit" else limits.TIME_PER_TEST

    @property
    def gate(self):
        return "forward" if self.part in config.NEEDS_FORWARD else None

    @property
    def pays(self) -> bool:
        return self.part in ("forward", "backward")


class Builder(Inputs):
    """Collects a job's runs and input tensors, and evaluates the same runs on the reference."""

    def __init__(self, cls: str, seed_name: str):
        super().__init__(seed_name, HIDDEN_SALT)
        self.cls = cls
        self.runs = []

    def run(self, calls, kwargs=None, params=None, attrs=(), inputs_after=False, record=None) -> int:
        """Add a run: `calls` is [(method, [tensor names])]; returns its index."""
        run = {"kwargs": kwargs or {}, "params": params or {}, "calls": calls, "attrs": list(attrs),
               "inputs_after": inputs_after}
        if record is not None:
            run["record"] = record
        self.runs.append(run)
        return len(self.runs) - 1

    def reference(self, r: int) -> dict:
        """What the reference returns for run r: {'c0': ..., 'c1dW': ...}."""
        return reference_run(self.cls, self.runs[r], self.inputs)

    def check(self, name: str, part: str, **extra) -> Check:
        module = config.CLASSES[self.cls][:-3]
        job = {"kind": "ops", "module": module, "cls": self.cls, "runs": self.runs}
        return Check(name=name, cls=self.cls, part=part, job=job, inputs=self.inputs, **extra)


def reference_run(cls: str, run: dict, inputs: dict) -> dict:
    """What the reference returns for a run of a job: {'c0': ..., 'c1': ..., 'c1dW': ...}."""
    obj = getattr(ref, cls)(**run["kwargs"])
    for attr, key in run["params"].items():
        setattr(obj, attr, inputs[key].clone())
    out = {}
    for c, (method, args) in enumerate(run["calls"]):
        out[f"c{c}"] = getattr(obj, method)(*[inputs[a].clone() for a in args])
        for attr in run["attrs"]:
            out[f"c{c}{attr}"] = getattr(obj, attr)
    return out


def tol(dtype) -> dict:
    return config.TOLERANCE[dtype_name(dtype)]


def dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


def shape_text(t: torch.Tensor) -> str:
    return f"{dtype_name(t.dtype)} input of shape {tuple(t.shape)}"


# ------------------------------------------------------------------ inputs per kind
def activation_input(b: Builder, shape, dtype, cls, kinks=True) -> torch.Tensor:
    """Normal values of spread 2.5; a few exact zeros when kinks are welcome, none near 0 otherwise."""
    x = b.randn(shape, dtype, 2.5)
    flat = x.view(-1)
    if kinks and cls in KINKS and flat.numel() >= 4:
        flat[:: max(1, flat.numel() // 3)] = 0.0
    if not kinks:
        flat.copy_(torch.where(flat.abs() < 0.05, flat.sign().clamp(min=0) * 2 - 1, flat))  # ±1 near 0
    return x


def loss_inputs(b: Builder, cls, shape, dtype, kinks=True, kwargs=None):
    """(y_pred, y_true) for a loss; SoftmaxCE gets logits (B, K) and int64 labels (B,)."""
    if cls == "SoftmaxCELoss":
        return b.randn(shape, dtype, 3.0), torch.randint(0, shape[1], (shape[0],), generator=b.gen)
    if cls == "BCELoss":
        p = b.rand(shape, dtype, 0.02, 0.98)
        y = (b.rand(shape, F64) > 0.5).to(dtype)
        y.view(-1)[::3] = b.rand(y.view(-1)[::3].shape, dtype, 0.1, 0.9)  # soft targets too
        return p, y
    y_true = b.randn(shape, dtype)
    diff = b.randn(shape, dtype, 1.5)
    if cls == "MAELoss" and kinks and diff.numel() >= 4:
        diff.view(-1)[::3] = 0.0
    if not kinks:
        delta = (kwargs or {}).get("delta", 1.0)
        away = (diff.abs() < 0.05) | ((diff.abs() - delta).abs() < 0.05)
        diff = torch.where(away, diff + 0.2, diff)
    return y_true + diff, y_true


# Shapes are chosen so that the factors of common mistakes differ (autograder/hw1/mistakes.py tells a
# mistake by the values it gives): in the 3-d loss case B = 3, numel/B = 10, shape[0]·shape[1] = 6,
# numel/(shape[0]·shape[1]) = 5 and the last dimension 5 ≠ 2; every 2-d case has B ≠ N; Linear
# has one square case (W and Wᵀ of one shape) and B ≠ 2 in all.
ACTIVATION_SHAPES = [(6,), (3, 5), (2, 3, 4), (2, 1, 3, 2)]
LOSS_SHAPES = [(8,), (4, 3), (3, 2, 5), (5, 1)]
CE_SHAPES = [(4, 3), (1, 5), (7, 10), (3, 2)]
LINEAR_SHAPES = [(4, 5, 3), (1, 3, 6), (6, 4, 4), (3, 7, 1)]  # (B, M, N): square and not


def cases(cls):
    """(shape, dtype, kwargs) for the forward and backward checks: every shape in both dtypes."""
    shapes = {"Linear": LINEAR_SHAPES, "SoftmaxCELoss": CE_SHAPES}.get(
        cls, ACTIVATION_SHAPES if cls in ACTIVATIONS else LOSS_SHAPES)
    out = []
    for i, shape in enumerate(shapes):
        kwargs = NON_DEFAULT.get(cls, {}) if i % 2 else {}
        for dtype in (F32, F64):
            out.append((shape, dtype, kwargs))
    return out


# ------------------------------------------------------------------ building the checks
def linear_kwargs(M, N) -> dict:
    return {"in_features": M, "out_features": N}


def linear_params(b: Builder, M, N, dtype):
    W = b.randn((M, N), dtype, (2.0 / (M + N)) ** 0.5)
    bias = b.randn((N,), dtype, 0.5)
    return W, bias


def value_checks(cls: str) -> list:
    """The forward and backward checks of one class."""
    kind = kind_of(cls)
    checks = []
    for part in ("forward", "backward"):
        b = Builder(cls, f"{cls}.values")  # same inputs for both parts
        expects = []
        for shape, dtype, kwargs in cases(cls):
            if kind == "Linear":
                B, M, N = shape
                x, d = b.randn((B, M), dtype), b.randn((B, N), dtype)
                W, bias = linear_params(b, M, N, dtype)
                names = [b.tensor(t) for t in (x, d, W, bias)]
                calls = [("forward", [names[0]])] + ([("backward", [names[1]])] if part == "backward" else [])
                r = b.run(calls, kwargs=linear_kwargs(M, N), params={"W": names[2], "b": names[3]},
                          attrs=["dW", "db"] if part == "backward" else [])
                want = b.reference(r)
                what = f"{shape_text(x)} and W of shape {(M, N)}"
                if part == "forward":
                    expects.append(Expect(f"r{r}c0", want["c0"], f"Linear.forward on a {what}", tol(dtype),
                                          scale=x.abs() @ W.abs() + bias.abs()))
                else:
                    expects += [
                        Expect(f"r{r}c1", want["c1"], f"Linear.backward: dL/dx for a {what}", tol(dtype),
                               scale=d.abs() @ W.abs().T),
                        Expect(f"r{r}c1dW", want["c1dW"], f"Linear.backward: dW for a {what}", tol(dtype),
                               scale=x.abs().T @ d.abs()),
                        Expect(f"r{r}c1db", want["c1db"], f"Linear.backward: db for a {what}", tol(dtype),
                               scale=d.abs().sum(0)),
                    ]
            elif kind == "activation":
                x, d = activation_input(b, shape, dtype, cls), b.randn(shape, dtype)
                nx, nd = b.tensor(x), b.tensor(d)
                calls = [("forward", [nx])] + ([("backward", [nd])] if part == "backward" else [])
                r = b.run(calls, kwargs=kwargs)
                want = b.reference(r)
                c = len(calls) - 1
                kink = _activation_kink(cls, kwargs, x, d) if part == "backward" else None
                expects.append(Expect(f"r{r}c{c}", want[f"c{c}"], f"{cls}.{part} on a {shape_text(x)}"
                                      + (f" with {kwargs}" if kwargs else ""), tol(dtype), kink=kink))
            else:
                p, t = loss_inputs(b, cls, shape, dtype, kwargs=kwargs)
                np_, nt = b.tensor(p), b.tensor(t)
                calls = [("forward", [np_, nt])] + ([("backward", [])] if part == "backward" else [])
                r = b.run(calls, kwargs=kwargs)
                want = b.reference(r)
                c = len(calls) - 1
                kink = _loss_kink(cls, p, t) if part == "backward" else None
                expects.append(Expect(f"r{r}c{c}", want[f"c{c}"], f"{cls}.{part} on a {shape_text(p)}"
                                      + (f" with {kwargs}" if kwargs else ""), tol(dtype), kink=kink))
        title = "matches the reference (float32 and float64, several shapes)"
        checks.append(b.check(f"{cls}.{part}: {title}", part, expects=expects))
    return checks


def gradcheck(cls: str) -> Check:
    """Backward against central differences of the student's own forward, in float64, away from kinks.

    Every perturbed forward (x ± h·e_j; for Linear also W ± h·e_j and b ± h·e_j) is a run of its own, on a
    fresh object, and all of them come before the one run that takes the gradient (forward at x, then
    backward), so that no forward at a perturbed point can know of the point the gradient is taken at. The
    check also holds, per point (x first, then each perturbed run), the forward values of the reference and
    of every accepted reading (context["forwards"]), their scales and the points' names: the judge
    differentiates the reference's values wherever the student's forward agrees with them at x and at every
    perturbed point, and fails a forward that agrees at some of them only (judge.differentiated)."""
    kind = kind_of(cls)
    b = Builder(cls, f"{cls}.gradcheck")
    kwargs = NON_DEFAULT.get(cls, {})
    h = config.GRAD_STEP
    grads, names = [], {}  # names: run index -> the point it computes at
    if kind == "Linear":
        B, M, N = 3, 4, 2
        x, d = b.randn((B, M), F64), b.randn((B, N), F64)
        W, bias = linear_params(b, M, N, F64)
        nx, nd, nW, nb = (b.tensor(t) for t in (x, d, W, bias))
        blocks = []
        for label, wrt, suffix, what in (("dL/dx", x, "", "x"), ("dW", W, "dW", "W"), ("db", bias, "db", "b")):
            start = len(b.runs)
            for j, plus, minus in perturbations(wrt, h):
                for value, sign in ((plus, "+"), (minus, "−")):
                    params = {"W": nW, "b": nb}
                    arg = nx
                    if wrt is x:
                        arg = b.tensor(value)
                    else:
                        params = {**params, what: b.tensor(value)}
                    names[b.run([("forward", [arg])], kwargs=linear_kwargs(M, N), params=params)] = \
                        _point_name(what, wrt, j, sign)
            blocks.append((label, suffix, (start, len(b.runs)), wrt.shape))
        r = b.run([("forward", [nx]), ("backward", [nd])], kwargs=linear_kwargs(M, N), params={"W": nW, "b": nb},
                  attrs=["dW", "db"], record=[0, 1])
        grads = [(f"Linear.backward: {label}", f"r{r}c1{suffix}", span, d, shape)
                 for label, suffix, span, shape in blocks]
    elif kind == "activation":
        x, d = activation_input(b, (3, 4), F64, cls, kinks=False), b.randn((3, 4), F64)
        start = len(b.runs)
        for j, plus, minus in perturbations(x, h):
            names[b.run([("forward", [b.tensor(plus)])], kwargs=kwargs)] = _point_name("x", x, j, "+")
            names[b.run([("forward", [b.tensor(minus)])], kwargs=kwargs)] = _point_name("x", x, j, "−")
        stop = len(b.runs)
        r = b.run([("forward", [b.tensor(x)]), ("backward", [b.tensor(d)])], kwargs=kwargs, record=[0, 1])
        grads.append((f"{cls}.backward", f"r{r}c1", (start, stop), d, x.shape))
    else:
        shape = (3, 4)
        p, t = loss_inputs(b, cls, shape, F64, kinks=False, kwargs=kwargs)
        nt = b.tensor(t)
        start = len(b.runs)
        for j, plus, minus in perturbations(p, h):
            names[b.run([("forward", [b.tensor(plus), nt])], kwargs=kwargs)] = _point_name("y_pred", p, j, "+")
            names[b.run([("forward", [b.tensor(minus), nt])], kwargs=kwargs)] = _point_name("y_pred", p, j, "−")
        stop = len(b.runs)
        r = b.run([("forward", [b.tensor(p), nt]), ("backward", [])], kwargs=kwargs, record=[0, 1])
        grads.append((f"{cls}.backward", f"r{r}c1", (start, stop), None, p.shape))
    points = [r] + list(range(r))  # x (the gradient's run), then every perturbed run in order
    names[r] = "x" if kind != "loss" else "y_pred"
    forwards = [(name, [values[i] for i in points]) for name, values in forward_readings(cls, b, points).items()]
    scales = [_forward_scale(cls, b.runs[i], b.inputs) for i in points]
    return b.check(f"{cls}.backward: gradient check against your own forward (float64)", "gradcheck",
                   gradients=grads, context={"points": points, "names": [names[i] for i in points],
                                             "forwards": forwards, "scales": scales})


def _point_name(what: str, t: torch.Tensor, j: int, sign: str) -> str:
    """The point of a perturbed run, as the student reads it: "x[1, 2] + h", "b[0] − h"."""
    index = torch.unravel_index(torch.tensor(j), tuple(t.shape))
    return f"{what}[{', '.join(str(int(i)) for i in index)}] {sign} h"


def forward_readings(cls: str, b: Builder, points: list) -> dict:
    """{reading: [the forward value of call 0 of each run in `points`]}: the reference's first, then every
    reading config.ACCEPTED admits for forward values that differs from it at one of these runs (BCELoss
    clamp precision: the bound applied in float64, cast back; on float64 inputs, as the gradient check has,
    it is the reference itself, so it is left out)."""
    readings = {"the reference": {i: b.reference(i)["c0"] for i in points}}
    if cls == "BCELoss":
        other = {}
        for i in points:
            p, t = (b.inputs[a] for a in b.runs[i]["calls"][0][1])
            other[i] = accepted_readings(cls, p, t, b.runs[i]["kwargs"])[0][0]
        if any(not torch.equal(other[i], readings["the reference"][i]) for i in points):
            readings["the reference with the clamp in float64"] = other
    return readings


def _forward_scale(cls: str, run: dict, inputs: dict):
    """compare's scale for a forward value of this run: |x|·|W| + |b| for Linear (its rounding grows with its
    terms), else None (|expected|)."""
    if cls != "Linear":
        return None
    x = inputs[run["calls"][0][1][0]]
    W, bias = inputs[run["params"]["W"]], inputs[run["params"]["b"]]
    return x.abs() @ W.abs() + bias.abs()


def robust(cls: str) -> Check:
    """Inputs and dout untouched, stale caches handled (backward after two forwards)."""
    kind = kind_of(cls)
    b = Builder(cls, f"{cls}.robust")
    kwargs = NON_DEFAULT.get(cls, {})
    expects = []
    exact = {"rtol": 0.0, "atol": 0.0}

    if kind == "Linear":
        B, M, N = 5, 4, 3
        for dtype in (F32, F64):
            x1, x2, d = b.randn((B, M), dtype), b.randn((B, M), dtype), b.randn((B, N), dtype)
            W, bias = linear_params(b, M, N, dtype)
            n1, n2, nd, nW, nb = (b.tensor(t) for t in (x1, x2, d, W, bias))
            params, kw = {"W": nW, "b": nb}, linear_kwargs(M, N)
            r = b.run([("forward", [n1]), ("backward", [nd])], kwargs=kw, params=params, inputs_after=True)
            expects += [Expect(f"r{r}c0in0", x1, f"x given to Linear.forward ({dtype_name(dtype)}), after forward "
                               "and backward: the input must not be modified", exact),
                        Expect(f"r{r}c1in0", d, f"dout after Linear.backward ({dtype_name(dtype)}): "
                               "it must not be modified", exact)]
            r = b.run([("forward", [n1]), ("forward", [n2]), ("backward", [nd])], kwargs=kw, params=params,
                      attrs=["dW"], record=[2])
            want = b.reference(r)
            expects.append(Expect(f"r{r}c2dW", want["c2dW"], f"Linear.backward after two forwards "
                                  f"({dtype_name(dtype)}): dW must use the input of the latest forward",
                                  tol(dtype), scale=x2.abs().T @ d.abs()))
    elif kind == "activation":
        for dtype in (F32, F64):
            x1, x2 = activation_input(b, (4, 3), dtype, cls), activation_input(b, (4, 3), dtype, cls)
            d = b.randn((4, 3), dtype)
            n1, n2, nd = b.tensor(x1), b.tensor(x2), b.tensor(d)
            r = b.run([("forward", [n1]), ("backward", [nd])], kwargs=kwargs, inputs_after=True)
            expects += [Expect(f"r{r}c0in0", x1, f"x given to {cls}.forward ({dtype_name(dtype)}), after forward "
                               "and backward: the input must not be modified", exact),
                        Expect(f"r{r}c1in0", d, f"dout after {cls}.backward ({dtype_name(dtype)}): "
                               "it must not be modified", exact)]
            r = b.run([("forward", [n1]), ("forward", [n2]), ("backward", [nd])], kwargs=kwargs, record=[2])
            want = b.reference(r)
            kink = _activation_kink(cls, kwargs, x2, d)
            expects.append(Expect(f"r{r}c2", want["c2"], f"{cls}.backward after two forwards "
                                  f"({dtype_name(dtype)}): it must use the input of the latest forward",
                                  tol(dtype), kink=kink))
    else:
        shape = (4, 3)
        for dtype in (F32, F64):
            p1, t1 = loss_inputs(b, cls, shape, dtype, kwargs=kwargs)
            p2, t2 = loss_inputs(b, cls, shape, dtype, kwargs=kwargs)
            if cls == "BCELoss":  # probabilities an in-place clamp would change
                p1.view(-1)[:2] = torch.tensor([0.0, 1.0], dtype=dtype)
            n1, m1, n2, m2 = (b.tensor(t) for t in (p1, t1, p2, t2))
            r = b.run([("forward", [n1, m1]), ("backward", [])], kwargs=kwargs, inputs_after=True, record=[0])
            expects += [Expect(f"r{r}c0in0", p1, f"y_pred given to {cls}.forward ({dtype_name(dtype)}), after "
                               "forward and backward: it must not be modified", exact),
                        Expect(f"r{r}c0in1", t1, f"y_true given to {cls}.forward ({dtype_name(dtype)}), after "
                               "forward and backward: it must not be modified", exact)]
            r = b.run([("forward", [n1, m1]), ("forward", [n2, m2]), ("backward", [])], kwargs=kwargs, record=[2])
            want = b.reference(r)
            expects.append(Expect(f"r{r}c2", want["c2"], f"{cls}.backward after two forwards "
                                  f"({dtype_name(dtype)}): it must use the inputs of the latest forward",
                                  tol(dtype), kink=_loss_kink(cls, p2, t2)))
    return b.check(f"{cls}: robustness (inputs untouched, backward after two forwards)", "robust",
                   expects=expects)


def large_inputs(cls: str) -> Check:
    """Forward and backward finite and right at magnitudes up to 1e4, in float32 and float64.

    This is where a softmax without the row maximum, an exp that overflows (ELU, Swish) or a
    BCE without the clamp fail, so it has points of its own (config.WEIGHTS[kind]["large"]).
    """
    kind = kind_of(cls)
    b = Builder(cls, f"{cls}.large")
    kwargs = NON_DEFAULT.get(cls, {})
    expects = []
    for dtype in (F32, F64):
        if kind == "Linear":
            B, M, N = 5, 4, 3
            big, d = b.randn((B, M), dtype, 1e4), b.randn((B, N), dtype)
            W, bias = linear_params(b, M, N, dtype)
            params = {"W": b.tensor(W), "b": b.tensor(bias)}
            r = b.run([("forward", [b.tensor(big)]), ("backward", [b.tensor(d)])], kwargs=linear_kwargs(M, N),
                      params=params, attrs=["dW"])
            want = b.reference(r)
            expects += [Expect(f"r{r}c0", want["c0"], f"Linear.forward on {dtype_name(dtype)} inputs of "
                               "magnitude 1e4", tol(dtype), scale=big.abs() @ W.abs() + bias.abs()),
                        Expect(f"r{r}c1dW", want["c1dW"], f"Linear.backward: dW for {dtype_name(dtype)} inputs "
                               "of magnitude 1e4", tol(dtype), scale=big.abs().T @ d.abs())]
        elif kind == "activation":
            values = [-1e4, -1e3, -1e2, -30.0, -3.0, -0.5, 0.5, 3.0, 30.0, 1e2, 1e3, 1e4]
            big = torch.tensor(values, dtype=dtype)
            r = b.run([("forward", [b.tensor(big)]), ("backward", [b.tensor(torch.ones_like(big))])], kwargs=kwargs)
            want = b.reference(r)
            for c, part in ((0, "forward"), (1, "backward")):
                expects.append(Expect(f"r{r}c{c}", want[f"c{c}"], f"{cls}.{part} at ±1e2, ±1e3, ±1e4 "
                                      f"({dtype_name(dtype)}): results must be finite and right", tol(dtype)))
        else:
            big_p, big_t = _large_loss_inputs(b, cls, dtype)
            r = b.run([("forward", [b.tensor(big_p), b.tensor(big_t)]), ("backward", [])], kwargs=kwargs)
            want = b.reference(r)
            others = accepted_readings(cls, big_p, big_t, kwargs)
            for c, part in ((0, "forward"), (1, "backward")):
                expects.append(Expect(f"r{r}c{c}", want[f"c{c}"], f"{cls}.{part} on inputs of magnitude up to "
                                      f"1e4 ({dtype_name(dtype)}): results must be finite and right", tol(dtype),
                                      kink=_loss_kink(cls, big_p, big_t) if c else None, accepted=others[c]))
    return b.check(f"{cls}: large inputs (finite and right for magnitudes up to 1e4)", "large",
                   expects=expects)


def accepted_readings(cls, p, t, kwargs) -> tuple:
    """(forward's, backward's) other right answers of a loss on (p, t), per config.ACCEPTED."""
    if cls != "BCELoss":
        return (), ()
    obj = ref.BCELoss(**kwargs)
    loss64 = obj.forward(p.double(), t.double())
    grad64 = obj.backward()
    bound = ref.BCELoss.EPS
    clamped = (p.double() <= bound) | (p.double() >= 1.0 - bound)
    want = ref.BCELoss(**kwargs)
    want.forward(p.clone(), t.clone())
    grad = want.backward()
    return ((loss64.to(p.dtype),),  # "BCELoss clamp precision": the bound applied in float64
            (grad64.to(p.dtype), torch.where(clamped, 0.0, grad).to(p.dtype),  # "BCELoss gradient where clamped"
             torch.where(clamped, 0.0, grad64).to(p.dtype)))


def _activation_kink(cls, kwargs, x, d):
    if cls not in KINKS:
        return None
    low, high = KINKS[cls](kwargs)
    return (x == 0, torch.minimum(low * d, high * d), torch.maximum(low * d, high * d))


def _loss_kink(cls, p, t):
    if cls not in KINKS:
        return None
    low, high = KINKS[cls]({})
    n = p.numel()
    return ((p - t) == 0, torch.full_like(p, low / n), torch.full_like(p, high / n))


def _large_loss_inputs(b: Builder, cls, dtype):
    if cls == "SoftmaxCELoss":  # includes the article's [[1000, 0, -1000]] with label 2
        logits = torch.tensor([[1000.0, 0.0, -1000.0], [1e4, -1e4, 3.0], [-1e4, -1e4 + 5, 2.0],
                               [20.0, 20.0, 20.0]], dtype=dtype)
        return logits, torch.tensor([2, 1, 2, 0])
    if cls == "BCELoss":  # probabilities at and beyond the clamp
        p = torch.tensor([[0.0, 1.0, 1e-12], [1 - 1e-12, 0.5, 1e-3]], dtype=dtype)
        return p, torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=dtype)
    t = b.randn((3, 4), dtype)
    return t + torch.tensor([1e4, -1e4, 1e3, -1e2] * 3, dtype=dtype).reshape(3, 4), t


def initial_weights(activation: str, seed: int) -> dict:
    """W0, b0, W1, ... of the reference's MLP(DIMS) after torch.manual_seed(seed), as fit_sine starts.

    The sine fit starts from these, not from the student's Linear.__init__, so the calibration holds.
    """
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = ref.mlp.MLP(ref.train.DIMS, activation)
    finally:
        torch.random.set_rng_state(state)
    out = {}
    for i, layer in enumerate(model.linears()):
        out[f"W{i}"], out[f"b{i}"] = layer.W.clone(), layer.b.clone()
    return out


def sine_fit_checks() -> list:
    out = []
    for activation, rule in config.SINE_FIT.items():
        cls = ref.mlp.ACTIVATIONS[activation].__name__
        job = {"kind": "kit", "runner": "sine_fit", "activation": activation, "seed": rule["seed"]}
        out.append(Check(name=f"Sine fit ({cls}): your Linear and {cls} in the given MLP fit sin(2πx)",
                         cls=cls, part="sine_fit", job=job, inputs=initial_weights(activation, rule["seed"]),
                         context={"activation": activation, "threshold": rule["threshold"]}))
    return out


def all_checks() -> list:
    """Every sandboxed check, class by class, then the sine fit."""
    checks = []
    for cls in config.CLASSES:
        checks += value_checks(cls)
        checks.append(gradcheck(cls))
        checks.append(robust(cls))
        checks.append(large_inputs(cls))
    return checks + sine_fit_checks()


def numeric_gradient(check_grad, values: dict) -> torch.Tensor:
    """The central-difference gradient of one gradcheck entry from forward values by run index ({r: tensor}:
    the student's, or a reading's where the student's forward is that reading near x)."""
    label, key, (start, stop), dout, shape = check_grad
    at = [values[r] for r in range(start, stop)]
    return central_difference(at[0::2], at[1::2], dout, config.GRAD_STEP, shape)
