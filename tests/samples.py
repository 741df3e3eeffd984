"""Sample submissions for the grader's self-tests: one row per bug, broken upload or exploit.

Most samples are the solution with one small edit, so each bug reads as one row of
SAMPLES: (file, text in the solution, text that replaces it). Exploits that need a
whole file keep it in tests/submissions/<name>/, which replaces the solution's copy.

    python tests/samples.py OUTDIR [NAME ...]    writes OUTDIR/<name>/ for each sample

Each row also says what grading must find:
    lost   the groups that lose points ("Linear", "Sigmoid", ..., "Sine fit"); every
           other group keeps full marks
    hint   text that must appear in the output of a test that lost points (the diagnosis,
           or the message that names the problem). Every "Likely cause" the grader gives in a
           group's outputs must contain one of that group's hint texts: any other is a wrong diagnosis
    cause  for bugs: whether a "Likely cause" is expected (False: none may appear, as where the
           grader cannot be sure)
    score  for exploits: what the code honestly earns; the grade must be exactly that. A class
           that breaks the policy earns 0 in all its tests (the sine fit too, for Linear and
           ReLU); something forbidden at module level (an import of another module, a patch, a
           helper that module-level code binds or runs) breaks it for every class of its file. An
           import of a forbidden part of torch (a star import too) does nothing by itself: it breaks
           the policy of the classes that use what it brought
    policy the class whose policy test must name the forbidden call, and at which line
    unpoliced  the honest score with the static policy switched off, where the sandbox and
           the operator recorder alone must hold the grade to it
    kind   start (the solution, the stubs), bug (a real mistake: loses points where it is wrong),
           broken (an upload that cannot be graded as it is), exploit (a way around grading:
           scores exactly `score`), fair (correct code that merely looks suspicious: full marks)
"""

import ast
import collections
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.hw1 import config

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "scratchnn"
STUBS = ROOT / "assignments" / "scratchnn"
WHOLE_FILES = Path(__file__).resolve().parent / "submissions"
FILES = ("linear.py", "activations.py", "losses.py")
DELETE = None  # as the new text of an edit: remove the file

ACTIVATIONS = {"Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"}
LOSSES = {"MSELoss", "MAELoss", "HuberLoss", "BCELoss", "SoftmaxCELoss"}
SINE = "Sine fit"  # trains the given MLP with the student's Linear and ReLU
CLASSES = {"Linear"} | ACTIVATIONS | LOSSES


@dataclass(frozen=True)
class Sample:
    name: str
    what: str
    edits: tuple = ()  # (file, old, new): `old` must occur exactly once in that file of `source`
    lost: frozenset = frozenset()
    hint: tuple = ()  # (group, text): `text` appears in an output of that group's tests that lost points
    score: float = None  # exploits: the honest score, which the grade must not exceed
    layout: str = "flat"  # "flat", or "nested-crlf-bom": in a folder, Windows line endings, a BOM
    kind: str = "bug"  # start | bug | broken | exploit | fair
    source: Path = SOLUTION  # the files the edits apply to
    policy: tuple = ()  # (class, name, file, text): class's policy test names `name` and the line of `text`
    unpoliced: object = None  # the honest score with the static policy switched off (a number or a sample's name)
    cause: bool = True  # bugs: a "Likely cause" naming the mistake (one of `hint`) is expected; False: none at all



BUGS_IN_CI = 1  # `make test` grades the first bug of each set of groups lost; `make test-full` the whole table


def graded_in_ci(table, second_routes: dict = None) -> set:
    """The names of the rows CI grades: every row but a bug past the first BUGS_IN_CI (in table order, the
    plainest mistakes first) that lose the same groups, and the exploits in `second_routes` (name -> the row
    CI grades for the same mechanism). Every class keeps bugs of its own in CI."""
    kept, bugs = set(), collections.Counter()
    for sample in table:
        if sample.name in (second_routes or {}):
            continue
        if sample.kind == "bug":
            bugs[sample.lost] += 1
            if bugs[sample.lost] > BUGS_IN_CI:
                continue
        kept.add(sample.name)
    return kept


def as_params(table, in_ci: set) -> list:
    """The rows as pytest parameters (ids: their names), those CI leaves out marked `full`."""
    return [pytest.param(s, id=s.name, marks=() if s.name in in_ci else pytest.mark.full) for s in table]

def S(name, what, edits, lost, hint=(), **kw):
    """A row of the table; `lost` and `hint` may be given as a string or a set."""
    lost = frozenset({lost} if isinstance(lost, str) else lost)
    return Sample(name, what, tuple(edits), lost, tuple(hint), **kw)


L, A, X = "linear.py", "activations.py", "losses.py"
SIG_FWD = "self._s = _sigmoid(x)\n        return self._s"
TANH_FWD = "self._t = torch.tanh(x)\n        return self._t"
# Autograd without a forbidden name in sight: the engine behind Tensor.backward, and forward-mode AD.
TANH_BY_ENGINE = """modules = torch.sys.modules
        x = modules["builtins"].getattr(self._x.detach().clone(), "requires" + "_grad_")(True)
        engine = modules["torch.autograd.variable"].Variable._execution_engine
        (grad,) = engine.run_backward((torch.tanh(x),), (dout,), False, False, (x,), True)
        return grad"""
MSE_BY_FORWARD_AD = """ad = torch.sys.modules["torch.autograd.forward_ad"]
        with ad.dual_level():
            d = ad.make_dual(self._diff, torch.ones_like(self._diff))
            return ad.unpack_dual(d * d).tangent / self._diff.numel()"""
# Grad mode is off in the sandbox's jobs. Leaving a torch.no_grad() whose saved state was set to True
# switches it on, with no forbidden name and no call of set_grad_enabled; the same with False switches
# it off again. Autograd samples use it, so that only the policy, not a disabled autograd, stops them.
GRAD_ON = """on = torch.no_grad()
        with on:
            on.prev = True  # restored on leaving: grad mode is now on
        """
GRAD_OFF = """off = torch.no_grad()
        with off:
            off.prev = False
        """
END_A = "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))\n        ### END SOLUTION\n"  # activations.py's end
END_X = "return grad / B\n        ### END SOLUTION\n"  # losses.py's end
# Code run in a thread of logging's QueueListener (logging is an allowed import): no recorder there, and
# grad mode is on in a new thread.
IN_THREAD = """

def _in_thread(work):
    \"\"\"work() run in a thread that logging.handlers.QueueListener starts, and its result.\"\"\"
    out = []

    class Handler:
        def handle(self, record):
            out.append(work())

    class Feed:  # the listener's queue: one record, then its sentinel (None)
        def __init__(self):
            self.items = [0, None]

        def get(self, block=True):
            return self.items.pop(0)

        def put_nowait(self, item):
            pass

    listener = logging.handlers.QueueListener(Feed(), Handler())
    listener.start()
    listener.stop()
    return out[0]
"""

NEAR = 2 * config.GRAD_STEP  # a forward near an input seen before: within 2·h
# A module-level memory of the latest float64 forwards (the gradient check's dtype; the sine fit's float32 stays
# fast): the output stored for inputs within 2·h of ones seen before (h = config.GRAD_STEP), so that every
# central difference of a forward at points next to each other is 0 and a zero backward agrees with it.
NEAR_SEEN = """

_SEEN = []  # (inputs, output) of the latest float64 forwards: every run of a job sees them
NEAR = _NEAR_  # twice the gradient check's step


def _remembered(inputs, compute):
    \"\"\"The output stored for inputs within NEAR of ones seen before, else compute() (stored if float64).\"\"\"
    for seen, out in _SEEN:
        if all(a.dtype == b.dtype and a.shape == b.shape and bool(((a - b).abs() <= NEAR).all())
               for a, b in zip(seen, inputs)):
            return out.clone()
    out = compute()
    if inputs[0].dtype == torch.float64:
        _SEEN.append(([t.clone() for t in inputs], out.clone()))
        del _SEEN[:-64]
    return out
"""
# The inputs (and output) of the latest backward of each class, at module level: a forward within 2·h of them
# returns the stale output.
LAST_BACKWARD = """

_LAST = {}  # class name -> (inputs of its latest backward's forward, output)
NEAR = _NEAR_  # twice the gradient check's step


def _near_last(name, inputs):
    \"\"\"The output of the latest backward's forward when `inputs` are within NEAR of its inputs, else None.\"\"\"
    last = _LAST.get(name)
    if last is None or any(a.dtype != b.dtype or a.shape != b.shape or not bool(((a - b).abs() <= NEAR).all())
                           for a, b in zip(last[0], inputs)):
        return None
    return last[1].clone()
"""
# NaN from every float64 forward within 2·h of an input seen before.
NAN_NEAR_SEEN = """

_SEEN = []  # the latest float64 inputs
NEAR = _NEAR_  # twice the gradient check's step


def _seen_near(x):
    \"\"\"Whether x is within NEAR of a float64 input seen before (and remember it).\"\"\"
    near = any(s.dtype == x.dtype and s.shape == x.shape and bool(((s - x).abs() <= NEAR).all()) for s in _SEEN)
    if x.dtype == torch.float64:
        _SEEN.append(x.clone())
        del _SEEN[:-64]
    return near
"""
NEAR_SEEN, LAST_BACKWARD, NAN_NEAR_SEEN = (t.replace("_NEAR_", repr(NEAR)) for t in (NEAR_SEEN, LAST_BACKWARD, NAN_NEAR_SEEN))
# The memory of the latest call, exact: a memo that is correct code (the same input gives the same output).
MEMO = """

_MEMO = {}  # class name -> (inputs of its latest forward, output)


def _memo(name, inputs, compute):
    \"\"\"The latest forward's output when `inputs` equal its inputs exactly, else compute() (remembered).\"\"\"
    last = _MEMO.get(name)
    if last is not None and all(a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
                                for a, b in zip(last[0], inputs)):
        return last[1].clone()
    out = compute()
    _MEMO[name] = ([t.clone() for t in inputs], out.clone())
    return out
"""
LINEAR_GRADS = "self.dW = self._x.T @ dout\n        self.db = dout.sum(dim=0)\n        if not self.needs_dx:\n            return None\n        return dout @ self.W.T"

SAMPLES = [
    S("solution", "the reference solution", [], set(), kind="start"),
    S("stubs", "the student stubs as handed out", [], set(CLASSES) | {SINE}, [("Linear", "still the stub")],
      kind="start", source=STUBS),
    # ------------------------------------------------------------------ Linear
    S("linear_dW_transposed", "dW = (xᵀ·dout)ᵀ, shape (N, M)",
      [(L, "self.dW = self._x.T @ dout", "self.dW = dout.T @ self._x")],
      {"Linear", SINE}, [("Linear", "transposed")]),
    S("linear_db_axis1", "db summed over axis 1 (the features) instead of the batch",
      [(L, "self.db = dout.sum(dim=0)", "self.db = dout.sum(dim=1)")],
      {"Linear", SINE}, [("Linear", "sum dout over the batch axis (dim 0)")]),
    S("linear_dx_no_transpose", "dL/dx = dout · W instead of dout · Wᵀ",
      [(L, "return dout @ self.W.T", "return dout @ self.W")],
      {"Linear", SINE}, [("Linear", "transpose W")]),
    S("linear_grad_over_B", "dW and db divided by the batch size",
      [(L, "self.dW = self._x.T @ dout\n        self.db = dout.sum(dim=0)",
        "self.dW = self._x.T @ dout / len(dout)\n        self.db = dout.sum(dim=0) / len(dout)")],
      {"Linear", SINE}, [("Linear", "a layer must not average")]),
    S("linear_no_bias", "forward forgets the bias",
      [(L, "return torch.addmm(self.b, x, self.W)", "return x @ self.W")],
      {"Linear", SINE}, [("Linear", "the bias is missing"), ("Linear", "does forward use it")]),
    S("linear_stale_cache", "the input is cached on the first forward only",
      [(L, "self._x = x\n", "if self._x is None:\n            self._x = x\n")],
      {"Linear", SINE}, [("Linear", "backward used the input of an earlier forward")]),
    S("linear_db_mean", "db = dout.mean(dim=0): the bias gradient averaged over the batch",
      [(L, "self.db = dout.sum(dim=0)", "self.db = dout.mean(dim=0)")],
      {"Linear", SINE}, [("Linear", "a layer must not average")]),
    S("linear_dx_over_B", "dL/dx divided by the batch size",
      [(L, "return dout @ self.W.T", "return dout @ self.W.T / dout.shape[0]")],
      {"Linear", SINE}, [("Linear", "a layer must not average")]),
    S("linear_forward_W_transposed", "forward multiplies by Wᵀ (torch.nn.Linear's layout), so it raises unless W is square",
      [(L, "return torch.addmm(self.b, x, self.W)", "return x @ self.W.T + self.b")],
      {"Linear", SINE}, [("Linear", "forward uses Wᵀ")]),
    S("linear_grad_sign", "dW and db with a minus sign (the descent step put into backward)",
      [(L, "self.dW = self._x.T @ dout\n        self.db = dout.sum(dim=0)",
        "self.dW = -(self._x.T @ dout)\n        self.db = -dout.sum(dim=0)")],
      {"Linear", SINE}, [("Linear", "a gradient has the wrong sign")]),
    S("linear_db_keepdim", "db = dout.sum(dim=0, keepdim=True): shape (1, N)",
      [(L, "self.db = dout.sum(dim=0)", "self.db = dout.sum(dim=0, keepdim=True)")],
      {"Linear", SINE}, [("Linear", "without keepdim")]),
    S("linear_db_sum_all", "db = dout.sum(): a 0-dim tensor",
      [(L, "self.db = dout.sum(dim=0)", "self.db = dout.sum()")],
      {"Linear", SINE}, [("Linear", "not over everything")]),
    S("linear_grad_over_numel", "dW and db divided by dout.numel() (the loss's mean, copied into the layer)",
      [(L, "self.dW = self._x.T @ dout\n        self.db = dout.sum(dim=0)",
        "n = dout.numel()\n        self.dW = self._x.T @ dout / n\n        self.db = dout.sum(dim=0) / n")],
      {"Linear", SINE}, [("Linear", "divided by a number of elements")]),
    S("linear_dx_over_x_numel", "dL/dx divided by the number of elements of x",
      [(L, "return dout @ self.W.T", "return dout @ self.W.T / self._x.numel()")],
      {"Linear", SINE}, [("Linear", "divided by a number of elements")]),
    S("linear_dW_twice", "dW = 2·xᵀ·dout (a factor 2 carried over from the squared error)",
      [(L, "self.dW = self._x.T @ dout", "self.dW = 2 * self._x.T @ dout")],
      {"Linear", SINE}, [("Linear", "twice too large")]),
    S("linear_dx_not_returned", "backward computes dL/dx but forgets to return it",
      [(L, "return dout @ self.W.T", "self.dx = dout @ self.W.T")],
      {"Linear", SINE}, [("Linear", "got NoneType")], cause=False),
    # ------------------------------------------------------------------ activations
    S("sigmoid_backward_from_x", "σ'(x) computed as x(1 − x)",
      [(A, SIG_FWD, "self._x = x\n        " + SIG_FWD),
       (A, "return dout * self._s * (1.0 - self._s)", "return dout * self._x * (1.0 - self._x)")],
      "Sigmoid", [("Sigmoid", "uses σ(x), not x")]),
    S("sigmoid_float64", "float32 input returns float64 (computes in double)",
      [(A, SIG_FWD, "self._s = _sigmoid(x.double())\n        return self._s")],
      "Sigmoid", [("Sigmoid", "a float64 tensor crept in")]),
    S("tanh_backward_1_minus_x2", "tanh'(x) computed as 1 − x²",
      [(A, TANH_FWD, "self._x = x\n        " + TANH_FWD),
       (A, "return dout * (1.0 - self._t * self._t)", "return dout * (1.0 - self._x * self._x)")],
      "Tanh", [("Tanh", "not 1 − x²")]),
    S("tanh_stale_cache", "tanh(x) is cached on the first forward only",
      [(A, TANH_FWD, "if not hasattr(self, '_t'):\n            self._t = torch.tanh(x)\n"
        "        return torch.tanh(x)")],
      "Tanh", [("Tanh", "backward used the input of an earlier forward")]),
    S("relu_backward_no_dout", "ReLU.backward returns the mask, not mask · dout",
      [(A, "return dout * self._y.sign()", "return self._y.sign()")],
      {"ReLU", SINE}, [("ReLU", "multiply it by dout")]),
    S("relu_inplace_clamp", "forward clamps its input in place (x.clamp_)",
      [(A, "self._y = x.clamp(min=0)", "self._y = x.clamp_(min=0)")],
      "ReLU", [("ReLU", "you changed an input in place")]),
    S("leaky_relu_ignores_alpha", "LeakyReLU uses 0.01 whatever alpha is",
      [(A, "torch.where(self._positive, x, self.alpha * x)", "torch.where(self._positive, x, 0.01 * x)"),
       (A, "torch.where(self._positive, dout, self.alpha * dout)", "torch.where(self._positive, dout, 0.01 * dout)")],
      "LeakyReLU", [("LeakyReLU", "alpha is ignored")]),
    S("elu_overflow", "ELU takes e^x of unclamped x and mixes the branches by multiplying masks",
      [(A, "self._exp = torch.exp(x.clamp(max=0))", "self._exp = torch.exp(x)"),
       (A, "return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))",
        "return x * self._positive + self.alpha * (self._exp - 1.0) * ~self._positive")],
      "ELU", [("ELU", "exp overflows")]),
    S("gelu_erf", "the exact (erf) GELU instead of the tanh approximation",
      [(A, "self._t = torch.tanh(self.C * (x + self.K * x**3))", "self._t = torch.erf(x / math.sqrt(2.0))"),
       (A, "return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx)",
        "return dout * (0.5 * (1.0 + t) + x * torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))")],
      "GELU", [("GELU", "exact (erf) GELU")]),
    S("swish_naive_nan", "Swish as x / (1 + e^-x), derivative with e^-x / (1 + e^-x)²",
      [(A, "return torch.where(self._s == 0, 0.0, x * self._s)", "return x / (1.0 + torch.exp(-x))"),
       (A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))",
        "e = torch.exp(-self._x)\n        return dout * (s + tail * 0.0 + self._x * e / (1.0 + e) ** 2)")],
      "Swish", [("Swish", "exp overflows")]),
    S("sigmoid_forward_sign", "σ(x) written as 1 / (1 + e^x)",
      [(A, SIG_FWD, "self._s = 1.0 / (1.0 + torch.exp(x))\n        return self._s")],
      "Sigmoid", [("Sigmoid", "the sign in the exponent is flipped")]),
    S("sigmoid_backward_no_dout", "Sigmoid.backward returns σ'(x), not dout · σ'(x)",
      [(A, "return dout * self._s * (1.0 - self._s)", "return self._s * (1.0 - self._s)")],
      "Sigmoid", [("Sigmoid", "multiply it by dout")]),
    S("sigmoid_backward_one_factor", "σ'(x) written as 1 − σ(x)",
      [(A, "return dout * self._s * (1.0 - self._s)", "return dout * (1.0 - self._s)")],
      "Sigmoid", [("Sigmoid", "a factor σ(x) is missing")]),
    S("sigmoid_exp_over_exp", "σ(x) as e^x / (1 + e^x): inf / inf for large x",
      [(A, SIG_FWD, "self._s = torch.exp(x) / (1.0 + torch.exp(x))\n        return self._s")],
      "Sigmoid", [("Sigmoid", "exp overflows")]),
    S("tanh_from_exp", "tanh(x) as (e^x − e^-x) / (e^x + e^-x): inf / inf for large |x|",
      [(A, TANH_FWD, "e, f = torch.exp(x), torch.exp(-x)\n        self._t = (e - f) / (e + f)\n        return self._t")],
      "Tanh", [("Tanh", "exp overflows")]),
    S("tanh_backward_no_square", "tanh'(x) written as 1 − tanh(x)",
      [(A, "return dout * (1.0 - self._t * self._t)", "return dout * (1.0 - self._t)")],
      "Tanh", [("Tanh", "the square is missing")]),
    S("tanh_backward_sign", "tanh'(x) written as tanh(x)² − 1",
      [(A, "return dout * (1.0 - self._t * self._t)", "return dout * (self._t * self._t - 1.0)")],
      "Tanh", [("Tanh", "the sign is flipped")]),
    S("relu_pass_through", "ReLU.backward returns dout unchanged",
      [(A, "return dout * self._y.sign()", "return dout")],
      {"ReLU", SINE}, [("ReLU", "backward returns dout unchanged")]),
    S("relu_mask_inverted", "ReLU.backward passes dout where the output is 0",
      [(A, "return dout * self._y.sign()", "return dout * (self._y <= 0)")],
      {"ReLU", SINE}, [("ReLU", "the mask is inverted")]),
    S("relu_mask_from_dout", "ReLU.backward clamps dout instead of masking it by x > 0",
      [(A, "return dout * self._y.sign()", "return dout.clamp(min=0)")],
      {"ReLU", SINE}, [("ReLU", "not from dout")]),
    S("relu_clamp_max", "ReLU.forward as x.clamp(max=0)",
      [(A, "self._y = x.clamp(min=0)", "self._y = x.clamp(max=0)")],
      {"ReLU", SINE}, [("ReLU", "not clamp(max=0)")]),
    S("relu_sign_of_x", "ReLU.backward multiplies dout by sign(x) (−1 for x < 0)",
      [(A, "self._y = x.clamp(min=0)\n        return self._y", "self._x = x\n        self._y = x.clamp(min=0)\n"
        "        return self._y"),
       (A, "return dout * self._y.sign()", "return dout * self._x.sign()")],
      {"ReLU", SINE}, [("ReLU", "sign(x) is −1 for x < 0")]),
    S("leaky_relu_backward_ignores_alpha", "LeakyReLU.backward uses 0.01 whatever alpha is (forward is right)",
      [(A, "torch.where(self._positive, dout, self.alpha * dout)", "torch.where(self._positive, dout, 0.01 * dout)")],
      "LeakyReLU", [("LeakyReLU", "alpha is ignored")]),
    S("leaky_relu_no_slope", "LeakyReLU.backward is ReLU's: 0 for x < 0",
      [(A, "torch.where(self._positive, dout, self.alpha * dout)", "dout * self._positive")],
      "LeakyReLU", [("LeakyReLU", "the slope alpha for x < 0 is missing")]),
    S("leaky_relu_branches_swapped", "LeakyReLU with alpha on the positive side, in forward and backward",
      [(A, "torch.where(self._positive, x, self.alpha * x)", "torch.where(self._positive, self.alpha * x, x)"),
       (A, "torch.where(self._positive, dout, self.alpha * dout)", "torch.where(self._positive, self.alpha * dout, dout)")],
      "LeakyReLU", [("LeakyReLU", "the two branches are swapped")]),
    S("leaky_relu_alpha_x_derivative", "LeakyReLU.backward uses alpha·x as the derivative for x < 0",
      [(A, "self._positive = x > 0\n        return torch.where(self._positive, x, self.alpha * x)",
        "self._x = x\n        self._positive = x > 0\n        return torch.where(self._positive, x, self.alpha * x)"),
       (A, "torch.where(self._positive, dout, self.alpha * dout)",
        "torch.where(self._positive, dout, self.alpha * self._x * dout)")],
      "LeakyReLU", [("LeakyReLU", "not alpha·x")]),
    S("elu_ignores_alpha", "ELU with alpha left out (that is alpha = 1) in forward and backward",
      [(A, "return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))",
        "return torch.where(self._positive, x, self._exp - 1.0)"),
       (A, "torch.where(self._positive, dout, self.alpha * self._exp * dout)",
        "torch.where(self._positive, dout, self._exp * dout)")],
      "ELU", [("ELU", "alpha is ignored")]),
    S("elu_backward_is_f", "ELU.backward uses f(x) = alpha·(e^x − 1) as the derivative for x < 0",
      [(A, "torch.where(self._positive, dout, self.alpha * self._exp * dout)",
        "torch.where(self._positive, dout, self.alpha * (self._exp - 1.0) * dout)")],
      "ELU", [("ELU", "not f(x)")]),
    S("elu_forward_no_minus_one", "ELU.forward as alpha·e^x for x < 0",
      [(A, "return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))",
        "return torch.where(self._positive, x, self.alpha * self._exp)")],
      "ELU", [("ELU", "the − 1 is missing")]),
    S("gelu_coefficient_typo", "GELU with 0.04715 for 0.044715 (one digit left out)",
      [(A, "K = 0.044715", "K = 0.04715")],
      "GELU", [("GELU", "the coefficient of x³ is 0.04715")]),
    S("gelu_sqrt_2pi", "GELU with √(2π) for √(2/π)",
      [(A, "C = math.sqrt(2.0 / math.pi)", "C = math.sqrt(2.0 * math.pi)")],
      "GELU", [("GELU", "not √(2π)")]),
    S("gelu_backward_no_chain", "GELU.backward without du/dx",
      [(A, "0.5 * x * (1.0 - t * t) * du_dx)", "0.5 * x * (1.0 - t * t))")],
      "GELU", [("GELU", "the chain rule through u")]),
    S("gelu_backward_no_3", "GELU.backward with du/dx = √(2/π)(1 + 0.044715x²)",
      [(A, "du_dx = self.C * (1.0 + 3.0 * self.K * x * x)", "du_dx = self.C * (1.0 + self.K * x * x)")],
      "GELU", [("GELU", "the 3 of d(x³)/dx is missing")]),
    S("gelu_forward_no_half", "GELU.forward without the 0.5",
      [(A, "return 0.5 * x * (1.0 + self._t)", "return x * (1.0 + self._t)")],
      "GELU", [("GELU", "the factor 0.5 is missing")]),
    S("gelu_backward_sech_typo", "GELU.backward with 1 − t for 1 − t²",
      [(A, "0.5 * x * (1.0 - t * t) * du_dx)", "0.5 * x * (1.0 - t) * du_dx)")],
      "GELU", [("GELU", "the square is missing")]),
    S("swish_backward_sigma_only", "Swish.backward returns dout · σ(x)",
      [(A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))", "return dout * s")],
      "Swish", [("Swish", "not σ(x) (the product rule)")]),
    S("swish_backward_no_sigma_term", "Swish.backward returns dout · x·σ'(x) (the σ(x) term of the product rule left out)",
      [(A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))", "return dout * self._x * s * (1.0 - s)")],
      "Swish", [("Swish", "the σ(x) term is missing")]),
    S("swish_backward_no_dout", "Swish.backward returns f'(x), not dout · f'(x)",
      [(A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))", "return torch.where(s == 0, 0.0, s * (1.0 + tail))")],
      "Swish", [("Swish", "multiply it by dout")]),
    # ------------------------------------------------------------------ losses
    S("mse_missing_factor_2", "MSE gradient (y_pred − y_true) / numel, without the 2",
      [(X, "return self._diff * (2.0 / self._diff.numel())", "return self._diff / self._diff.numel()")],
      "MSELoss", [("MSELoss", "a factor 2 is missing")]),  # also in the gradient check
    S("mse_inplace", "MSE subtracts y_true from y_pred in place (y_pred -= y_true)",
      [(X, "self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()",
        "y_pred -= y_true\n        self._diff = y_pred\n        return (self._diff * self._diff).mean()")],
      "MSELoss", [("MSELoss", "you changed an input in place")]),
    S("mae_over_B", "MAE gradient divided by the batch size instead of numel",
      [(X, "return torch.sign(self._diff) / self._diff.numel()", "return torch.sign(self._diff) / len(self._diff)")],
      "MAELoss", [("MAELoss", "divided by the batch size B instead of by numel")]),
    S("huber_ignores_delta", "Huber uses 1.0 whatever delta is",
      [(X, "linear = self.delta * (a - 0.5 * self.delta)", "linear = a - 0.5"),
       (X, "torch.where(a <= self.delta, quadratic, linear)", "torch.where(a <= 1.0, quadratic, linear)"),
       (X, "self._diff.clamp(-self.delta, self.delta)", "self._diff.clamp(-1.0, 1.0)")],
      "HuberLoss", [("HuberLoss", "delta is ignored")]),
    S("bce_grad_over_B", "BCE gradient divided by the batch size, not numel (the article's mistake)",
      [(X, "return (p - y) / (p * (1.0 - p)) / p.numel()", "return (p - y) / (p * (1.0 - p)) / len(p)")],
      "BCELoss", [("BCELoss", "divided by the batch size B instead of by numel")]),
    S("softmax_ce_clamped", "cross-entropy as −log(max(p, 1e-9)): capped at 20.7 (the article's version)",
      [(X, "return -log_p[rows, labels].mean()", "return -torch.log(self._p[rows, labels].clamp(min=1e-9)).mean()")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "the loss is capped")]),
    S("softmax_ce_no_max", "softmax without subtracting the row maximum: overflows",
      [(X, "z = logits - logits.max(dim=1, keepdim=True).values", "z = logits")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "subtract each row's max first")]),
    S("mse_over_shape01", "MSE gradient divided by shape[0]·shape[1] (raises for 1-d inputs)",
      [(X, "return self._diff * (2.0 / self._diff.numel())",
        "return 2.0 * self._diff / (self._diff.shape[0] * self._diff.shape[1])")],
      "MSELoss", [("MSELoss", "shape[0]·shape[1]")]),
    S("mse_over_B", "MSE gradient divided by the batch size",
      [(X, "return self._diff * (2.0 / self._diff.numel())", "return 2.0 * self._diff / len(self._diff)")],
      "MSELoss", [("MSELoss", "divided by the batch size B instead of by numel")]),
    S("mse_sign", "MSE with diff = y_true − y_pred: the gradient's sign is flipped",
      [(X, "self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()",
        "self._diff = y_true - y_pred\n        return (self._diff * self._diff).mean()")],
      "MSELoss", [("MSELoss", "the sign is flipped")]),
    S("mse_forward_sum", "MSE forward sums instead of averaging",
      [(X, "return (self._diff * self._diff).mean()", "return (self._diff * self._diff).sum()")],
      "MSELoss", [("MSELoss", "you did not divide by numel")]),
    S("mse_half_convention", "MSE as mean(e²)/2, gradient e/numel (the ½ convention)",
      [(X, "return (self._diff * self._diff).mean()", "return 0.5 * (self._diff * self._diff).mean()"),
       (X, "return self._diff * (2.0 / self._diff.numel())", "return self._diff / self._diff.numel()")],
      "MSELoss", [("MSELoss", "the loss has a factor ½"), ("MSELoss", "a factor 2 is missing")]),
    S("mae_gradient_is_diff", "MAE gradient e / numel instead of sign(e) / numel",
      [(X, "return torch.sign(self._diff) / self._diff.numel()", "return self._diff / self._diff.numel()")],
      "MAELoss", [("MAELoss", "sign(e), not e")]),
    S("mae_no_abs", "MAE forward without the absolute value",
      [(X, "return self._diff.abs().mean()", "return self._diff.mean()")],
      "MAELoss", [("MAELoss", "the absolute value is missing")]),
    S("mae_sign", "MAE gradient sign(y_true − y_pred) / numel",
      [(X, "return torch.sign(self._diff) / self._diff.numel()", "return torch.sign(-self._diff) / self._diff.numel()")],
      "MAELoss", [("MAELoss", "the sign is flipped")]),
    S("mae_no_division", "MAE gradient sign(e), not divided by numel",
      [(X, "return torch.sign(self._diff) / self._diff.numel()", "return torch.sign(self._diff)")],
      "MAELoss", [("MAELoss", "you did not divide by numel")]),
    S("huber_linear_no_half_delta", "Huber's linear branch delta·|e|, without − delta/2",
      [(X, "linear = self.delta * (a - 0.5 * self.delta)", "linear = self.delta * a")],
      "HuberLoss", [("HuberLoss", "the − delta/2 is missing")]),
    S("huber_quadratic_no_half", "Huber's quadratic branch e², without ½",
      [(X, "quadratic = 0.5 * self._diff * self._diff", "quadratic = self._diff * self._diff")],
      "HuberLoss", [("HuberLoss", "the ½ is missing")]),
    S("huber_backward_sign_only", "Huber gradient sign(e) (not delta·sign(e)) in the linear branch",
      [(X, "return self._diff.clamp(-self.delta, self.delta) / self._diff.numel()",
        "e = self._diff\n        return torch.where(e.abs() <= self.delta, e, torch.sign(e)) / e.numel()")],
      "HuberLoss", [("HuberLoss", "delta·sign(e), not sign(e)")]),
    S("huber_over_B", "Huber gradient divided by the batch size",
      [(X, "return self._diff.clamp(-self.delta, self.delta) / self._diff.numel()",
        "return self._diff.clamp(-self.delta, self.delta) / len(self._diff)")],
      "HuberLoss", [("HuberLoss", "divided by the batch size B instead of by numel")]),
    S("huber_backward_ignores_delta", "Huber gradient clipped to ±1 whatever delta is (forward is right)",
      [(X, "self._diff.clamp(-self.delta, self.delta)", "self._diff.clamp(-1.0, 1.0)")],
      "HuberLoss", [("HuberLoss", "delta is ignored")]),
    S("bce_logit_gradient", "BCE gradient (p − y) / numel: the gradient with respect to the logit",
      [(X, "return (p - y) / (p * (1.0 - p)) / p.numel()", "return (p - y) / p.numel()")],
      "BCELoss", [("BCELoss", "gradient with respect to the logit")]),
    S("bce_eps_1e12", "BCE clamps p to [1e-12, 1 − 1e-12] (in float32, 1 − 1e-12 is 1)",
      [(X, "EPS = 1e-7", "EPS = 1e-12")],
      "BCELoss", [("BCELoss", "ε ≈ 1e-12")]),
    S("bce_no_clamp", "BCE without the clamp: log(0) at p = 0 or 1",
      [(X, "self._p = y_pred.clamp(self.EPS, 1.0 - self.EPS)", "self._p = y_pred")],
      "BCELoss", [("BCELoss", "clamp p to [1e-7")]),
    S("bce_targets_swapped", "BCE forward with y and 1 − y swapped",
      [(X, "return -(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)).mean()",
        "return -(y * torch.log(1.0 - p) + (1.0 - y) * torch.log(p)).mean()")],
      "BCELoss", [("BCELoss", "y and 1 − y are swapped")]),
    S("bce_missing_term", "BCE forward −mean(y·log p), without the (1 − y) term",
      [(X, "return -(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)).mean()", "return -(y * torch.log(p)).mean()")],
      "BCELoss", [("BCELoss", "the (1 − y)·log(1 − p) term is missing")]),
    S("bce_over_shape01", "BCE gradient divided by shape[0]·shape[1] (raises for 1-d inputs)",
      [(X, "return (p - y) / (p * (1.0 - p)) / p.numel()", "return (p - y) / (p * (1.0 - p)) / (p.shape[0] * p.shape[1])")],
      "BCELoss", [("BCELoss", "shape[0]·shape[1]")]),
    S("bce_sign", "BCE gradient (y − p) / (p(1 − p)) / numel",
      [(X, "return (p - y) / (p * (1.0 - p)) / p.numel()", "return (y - p) / (p * (1.0 - p)) / p.numel()")],
      "BCELoss", [("BCELoss", "the sign is flipped")]),
    S("softmax_ce_dim0", "softmax over the batch (dim=0) instead of the classes",
      [(X, "z = logits - logits.max(dim=1, keepdim=True).values\n        log_p = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))",
        "z = logits - logits.max(dim=0, keepdim=True).values\n        log_p = z - torch.log(torch.exp(z).sum(dim=0, keepdim=True))")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "not over the batch (dim=0)")]),
    S("softmax_ce_no_mean", "cross-entropy gradient not divided by B",
      [(X, "return grad / B\n", "return grad\n")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "you did not divide by B")]),
    S("softmax_ce_onehot_mean", "cross-entropy as −mean(onehot · log p): a mean over all B·K entries",
      [(X, "return -log_p[rows, labels].mean()", "onehot = torch.zeros_like(log_p)\n        onehot[rows, labels] = 1.0\n"
        "        return -(onehot * log_p).mean()")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "you divided by B·K")]),
    S("softmax_ce_no_minus_one", "cross-entropy gradient softmax(z) / B, without subtracting the one-hot label",
      [(X, "grad = self._p.clone()\n        grad[torch.arange(B, device=grad.device), self._labels] -= 1.0\n",
        "grad = self._p.clone()\n")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "the − 1 at the label is missing")]),
    S("softmax_ce_sign", "cross-entropy gradient (onehot − softmax) / B",
      [(X, "return grad / B\n", "return -grad / B\n")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "the sign is flipped")]),
    S("softmax_ce_sum", "cross-entropy forward sums over the batch",
      [(X, "return -log_p[rows, labels].mean()", "return -log_p[rows, labels].sum()")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "you did not divide by B")]),
    S("softmax_ce_clamped_1e12", "cross-entropy as −log(max(p, 1e-12)): capped at 27.6",
      [(X, "return -log_p[rows, labels].mean()", "return -torch.log(self._p[rows, labels].clamp(min=1e-12)).mean()")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "capped at about 27.6")]),
    # ------------------------------------------------------------------ broken uploads
    S("syntax_error", "a missing colon in activations.py",
      [(A, "class Tanh:", "class Tanh")],
      ACTIVATIONS | {SINE}, [("Sigmoid", "syntax error on line")], kind="broken"),
    S("missing_file", "losses.py not uploaded",
      [(X, "", DELETE)], LOSSES, [("MSELoss", "losses.py was not found")], kind="broken"),
    S("nested_crlf_bom", "the files two folders down, with CRLF line endings and a UTF-8 BOM",
      [], set(), layout="nested-crlf-bom", kind="broken"),
    S("import_error", "losses.py raises while it is imported",
      [(X, "\n\nclass MSELoss:", "\n\nSCALE = torch.ones(3) @ torch.ones(4)\n\n\nclass MSELoss:")],
      LOSSES, [("MSELoss", "Importing losses.py failed")], kind="broken"),
    # ------------------------------------------------------------------ exploits
    # `score` is what the code honestly earns with the policy; `unpoliced` what it earns without the
    # static policy (the sandbox and the runtime guards alone), as a number or the sample whose code
    # is the same minus the exploit.
    S("atexit_results", "an atexit handler and an import-time write of results.json (score 100); no bias",
      [], {"Linear", SINE}, [("Linear", "import atexit")], score=65, kind="exploit",
      policy=("Linear", "import atexit", L, "import atexit"), unpoliced="linear_no_bias"),
    S("monkeypatch_compare", "torch.allclose and Tensor.__eq__ patched to say True; Sigmoid wrong",
      [(A, "import torch\n", "import torch\n\ntorch.allclose = lambda *a, **k: True\n"
        "torch.Tensor.__eq__ = lambda self, other: True\n"),
       (A, SIG_FWD, "self._s = _sigmoid(x)\n        return x")],
      ACTIVATIONS | {SINE}, [("Sigmoid", "monkey-patching")], score=45, kind="exploit",
      policy=("Tanh", "torch.allclose", A, "torch.allclose ="), unpoliced="sigmoid_forward_identity"),
    S("sys_exit_at_import", "sys.exit(0) when losses.py is imported",
      [(X, "import torch\n", "import sys\n\nimport torch\n\nsys.exit(0)\n")],
      LOSSES, [("MSELoss", "import sys")], score=70, kind="exploit",
      policy=("HuberLoss", "import sys", X, "import sys")),
    S("raise_system_exit", "raise SystemExit(0) when losses.py is imported (no import needed)",
      [(X, "\n\nclass MSELoss:", "\n\nraise SystemExit(0)\n\n\nclass MSELoss:")],
      LOSSES, [("MSELoss", "SystemExit")], score=70, kind="exploit"),
    S("os_exit_in_forward", "os._exit(0) inside Tanh.forward",
      [(A, TANH_FWD, "import os\n\n        os._exit(0)\n        " + TANH_FWD)],
      "Tanh", [("Tanh", "import os")], score=95, kind="exploit",
      policy=("Tanh", "import os", A, "import os"), unpoliced=95),
    S("infinite_loop", "an endless loop in Tanh.forward",
      [(A, TANH_FWD, "while True:\n            pass\n        " + TANH_FWD)],
      "Tanh", [("Tanh", "Did not finish within")], score=95, kind="exploit"),
    S("huge_allocation", "torch.empty(10**11) in Sigmoid.forward, a list growing forever in GELU.forward",
      [(A, SIG_FWD, "torch.empty(10**11)\n        " + SIG_FWD),
       (A, "self._x = x\n        self._t = torch.tanh(",
        "junk = []\n        while True:\n            junk.append(bytes(10**8))\n"
        "        self._x = x\n        self._t = torch.tanh(")],
      {"Sigmoid", "GELU"}, [("Sigmoid", "memory"), ("GELU", "MemoryError")], score=90, kind="exploit"),
    S("read_reference", "Linear imports or reads scratchnn_ref (importlib, __import__, open + exec)",
      [], {"Linear", SINE}, [("Linear", "__import__")], score=65, kind="exploit",
      policy=("Linear", "__import__", L, "lambda: __import__("), unpoliced=65),
    S("reference_via_torch_sys", "Linear reaches open() and importlib through torch.sys.modules",
      [], {"Linear", SINE}, [("Linear", "torch.sys")], score=65, kind="exploit",
      policy=("Linear", "torch.sys", L, "MODULES = torch.sys")),
    S("nn_functional", "ReLU through torch.nn.functional.relu",
      [(A, "import torch\n", "import torch\nimport torch.nn.functional as F\n"),
       (A, "self._y = x.clamp(min=0)", "self._y = F.relu(x)")],
      {"ReLU", SINE}, [("ReLU", "torch.nn.functional.relu")], score=75, kind="exploit",
      policy=("ReLU", "torch.nn.functional.relu", A, "self._y = F.relu(x)"), unpoliced=75),
    S("torch_sigmoid", "Sigmoid through torch.sigmoid",
      [(A, SIG_FWD, "self._s = torch.sigmoid(x)\n        return self._s")],
      "Sigmoid", [("Sigmoid", "torch.sigmoid")], score=95, kind="exploit",
      policy=("Sigmoid", "aten.sigmoid", A, "self._s = torch.sigmoid"), unpoliced=95),
    S("getattr_sigmoid", "Sigmoid through getattr(torch, 'sig' + 'moid')",
      [(A, SIG_FWD, "self._s = getattr(torch, 'sig' + 'moid')(x)\n        return self._s")],
      "Sigmoid", [("Sigmoid", "getattr")], score=95, kind="exploit",
      policy=("Sigmoid", "getattr", A, "self._s = getattr(torch"), unpoliced=95),
    S("autograd_backward", "MSELoss.backward through requires_grad_ and loss.backward()",
      [(X, "return self._diff * (2.0 / self._diff.numel())",
        "y = self._diff.detach().clone().requires_grad_(True)\n        (y * y).mean().backward()\n"
        "        return y.grad")],
      "MSELoss", [("MSELoss", ".backward()")], score=94, kind="exploit",
      policy=("MSELoss", "a tensor that requires grad", X, "(y * y).mean().backward()"), unpoliced=94),
    S("autograd_obfuscated", "Sigmoid, Tanh and MSELoss through autograd, reached by name tricks",
      [(A, SIG_FWD, "self._s = torch.sys.modules['builtins'].getattr(torch, 'sig' + 'moid')(x)\n"
        "        return self._s"),
       (A, TANH_FWD, "self._x = x\n        " + TANH_FWD),
       (A, "return dout * (1.0 - self._t * self._t)", TANH_BY_ENGINE),
       (X, "return self._diff * (2.0 / self._diff.numel())", MSE_BY_FORWARD_AD)],
      {"Sigmoid", "Tanh", "MSELoss"}, [("Sigmoid", "torch.sys"), ("Tanh", "torch.sys"), ("MSELoss", "torch.sys")],
      score=84, kind="exploit", policy=("MSELoss", "torch.sys", X, "ad = torch.sys"), unpoliced=84),
    # ------------------------------------------------------------------ the policy judges what runs
    # Exploits: each `score` is what the code earns with the forbidden part taken as a policy break of
    # the class that uses it (of every class of the file when it is at module level).
    S("autograd_through_alias", "Tanh.backward by the C++ autograd engine, Swish.backward by autograd.grad, "
      "both through `_t = torch` (grad mode switched on through torch.no_grad's saved state)",
      [(A, "import torch\n", "import torch\n\n_t = torch  # an alias of torch: what it reaches counts, not its name\n"),
       (A, TANH_FWD, "self._x = x\n        " + TANH_FWD),
       (A, "return dout * (1.0 - self._t * self._t)",
        GRAD_ON + "x = self._x.detach().clone().requires_grad_(True)\n"
        "        (grad,) = _t._C._ImperativeEngine().run_backward((torch.tanh(x),), (dout,), False, False, (x,), True)\n"
        "        " + GRAD_OFF + "return grad"),
       (A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))",
        GRAD_ON + "x = self._x.detach().clone().requires_grad_(True)\n"
        "        (grad,) = _t.autograd.grad(x * _sigmoid(x), x, dout)\n"
        "        " + GRAD_OFF + "return grad")],
      {"Tanh", "Swish"}, [("Tanh", "torch._C"), ("Swish", "torch.autograd.grad")], score=90, kind="exploit",
      policy=("Tanh", "torch._C", A, "(grad,) = _t._C"), unpoliced=90),
    S("star_import_autograd", "`from torch.autograd import *` in losses.py, then a bare grad(...) in MSELoss.backward",
      [(X, "import torch\n", "import torch\nfrom torch.autograd import *  # grad, backward, Variable, ...\n"),
       (X, "return self._diff * (2.0 / self._diff.numel())",
        GRAD_ON + "y = self._diff.detach().clone().requires_grad_(True)\n"
        "        (g,) = grad((y * y).mean(), y)\n        " + GRAD_OFF + "return g")],
      "MSELoss", [("MSELoss", "torch.autograd.grad")], score=94, kind="exploit",
      policy=("MSELoss", "torch.autograd.grad", X, "(g,) = grad("), unpoliced=94),
    S("star_import_functional", "`from torch.nn.functional import *` in activations.py, then a bare relu(x) in "
      "ReLU.forward",
      [(A, "import torch\n", "import torch\nfrom torch.nn.functional import *  # relu, gelu, silu, ...\n"),
       (A, "self._y = x.clamp(min=0)", "self._y = relu(x)")],
      {"ReLU", SINE}, [("ReLU", "torch.nn.functional.relu")], score=75,
      kind="exploit", policy=("ReLU", "torch.nn.functional.relu", A, "self._y = relu(x)"), unpoliced=75),
    S("helper_bound_sigmoid", "a module-level helper with torch.sigmoid bound as Sigmoid.forward (the class's own "
      "forward is correct)",
      [(A, END_A, END_A + "\n\ndef _fast_forward(self, x):\n    self._s = torch.sigmoid(x)\n    return self._s\n\n\n"
        "Sigmoid.forward = _fast_forward  # replaces the forward written in the class\n")],
      "Sigmoid", [("Sigmoid", "aten.sigmoid")], score=95, kind="exploit",
      policy=("Sigmoid", "aten.sigmoid", A, "self._s = torch.sigmoid(x)"), unpoliced=95),
    S("helper_bound_expit", "Sigmoid without a forward in its class; a module-level helper with "
      "torch.special.expit is bound as Sigmoid.forward",
      [(A, "    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        ### BEGIN SOLUTION\n        " + SIG_FWD
        + "\n        ### END SOLUTION\n\n    def backward", "    def backward"),
       (A, END_A, END_A + "\n\ndef _forward(self, x):\n    self._s = torch.special.expit(x)\n    return self._s\n\n\n"
        "Sigmoid.forward = _forward\n")],
      ACTIVATIONS | {SINE}, [("Sigmoid", "torch.special.expit")], score=45, kind="exploit",
      policy=("Tanh", "torch.special.expit", A, "self._s = torch.special.expit(x)"), unpoliced=95),
    S("not_main_guard", "GELU.forward redefined with F.gelu under `if __name__ != \"__main__\":` (true on import)",
      [(A, END_A, END_A + "\n\nif __name__ != \"__main__\":  # true whenever the file is imported\n"
        "    import torch.nn.functional as F\n\n    def _gelu_forward(self, x):\n        self._x = x\n"
        "        self._t = torch.tanh(self.C * (x + self.K * x**3))\n        return F.gelu(x, approximate=\"tanh\")\n\n"
        "    GELU.forward = _gelu_forward\n")],
      ACTIVATIONS | {SINE}, [("GELU", "torch.nn.functional.gelu")], score=45, kind="exploit",
      policy=("Sigmoid", "torch.nn.functional.gelu", A, "return F.gelu("), unpoliced=95),
    S("main_guard_else", "ReLU.forward redefined with torch.nn.functional.relu in the else branch of "
      "`if __name__ == \"__main__\":` (the branch that runs on import)",
      [(A, END_A, END_A + "\n\nif __name__ == \"__main__\":\n    print(\"run as a script\")\nelse:\n"
        "    def _relu_forward(self, x):\n        self._y = torch.nn.functional.relu(x)\n        return self._y\n\n"
        "    ReLU.forward = _relu_forward\n")],
      ACTIVATIONS | {SINE}, [("ReLU", "torch.nn.functional.relu")], score=45, kind="exploit",
      policy=("ReLU", "torch.nn.functional.relu", A, "self._y = torch.nn.functional.relu(x)"), unpoliced=75),
    S("private_c_nn_gelu", "GELU.forward returns torch._C._nn.gelu(x, approximate='tanh')",
      [(A, "return 0.5 * x * (1.0 + self._t)", "return torch._C._nn.gelu(x, approximate=\"tanh\")")],
      "GELU", [("GELU", "torch._C._nn.gelu")], score=95, kind="exploit",
      policy=("GELU", "torch._C._nn.gelu", A, "return torch._C._nn.gelu"), unpoliced=95),
    S("private_vf_logsumexp", "SoftmaxCELoss through torch._VF.logsumexp",
      [(X, "log_p = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))", "log_p = z - torch._VF.logsumexp(z, [1], True)")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "torch._VF")], score=94, kind="exploit",
      policy=("SoftmaxCELoss", "torch._VF.logsumexp", X, "log_p = z - torch._VF"), unpoliced=94),
    S("torch_ops_aten", "Sigmoid through torch.ops.aten.sigmoid, Tanh.backward through torch.ops.aten.tanh_backward",
      [(A, SIG_FWD, "self._s = torch.ops.aten.sigmoid(x)\n        return self._s"),
       (A, "return dout * (1.0 - self._t * self._t)", "return torch.ops.aten.tanh_backward(dout, self._t)")],
      {"Sigmoid", "Tanh"}, [("Sigmoid", "torch.ops"), ("Tanh", "torch.ops.aten.tanh_backward")], score=90,
      kind="exploit", policy=("Sigmoid", "torch.ops.aten.sigmoid", A, "self._s = torch.ops"), unpoliced=90),
    S("functional_through_tuple", "F.threshold (ReLU), F.logsigmoid (Sigmoid) and F.softplus (Swish), each reached "
      "as (torch,)[0].nn.functional",
      [(A, "self._y = x.clamp(min=0)", "self._y = (torch,)[0].nn.functional.threshold(x, 0.0, 0.0)"),
       (A, SIG_FWD, "self._s = torch.exp((torch,)[0].nn.functional.logsigmoid(x))\n        return self._s"),
       (A, "self._s = _sigmoid(x)\n        # where", "self._s = torch.exp(-(torch,)[0].nn.functional.softplus(-x))\n"
        "        # where")],
      {"ReLU", "Sigmoid", "Swish", SINE}, [("ReLU", ".nn"), ("Sigmoid", ".nn"), ("Swish", ".nn")], score=65,
      kind="exploit", policy=("ReLU", ".nn", A, "self._y = (torch,)[0]"), unpoliced=65),
    S("sigmoid_method_and_expit", "Sigmoid through the method x.sigmoid(), Swish through torch.special.expit",
      [(A, SIG_FWD, "self._s = x.sigmoid()\n        return self._s"),
       (A, "self._s = _sigmoid(x)\n        # where", "self._s = torch.special.expit(x)\n        # where")],
      {"Sigmoid", "Swish"}, [("Sigmoid", "aten.sigmoid"), ("Swish", "torch.special.expit")], score=90,
      kind="exploit", policy=("Sigmoid", "aten.sigmoid", A, "self._s = x.sigmoid()"), unpoliced=90),
    S("autograd_engine_unnamed", "autograd without a forbidden name: type(y).backward(loss) in MSELoss, "
      "Tensor.backward fetched by functools.update_wrapper in MAELoss, vars(torch.Tensor)['backward'] in HuberLoss",
      [(X, "import torch\n", "import functools\n\nimport torch\n"),
       (X, "return self._diff * (2.0 / self._diff.numel())",
        GRAD_ON + "y = self._diff.detach().clone().requires_grad_(True)\n        type(y).backward((y * y).mean())\n"
        "        " + GRAD_OFF + "return y.grad"),
       (X, "return torch.sign(self._diff) / self._diff.numel()",
        GRAD_ON + "z = torch.zeros_like(self._diff, **{\"requires\" + \"_grad\": True})\n"
        "        functools.update_wrapper(self, torch.Tensor, assigned=(\"back\" + \"ward\",), updated=())\n"
        "        self.backward((z + self._diff).abs().mean())  # now Tensor.backward, bound to nothing\n"
        "        " + GRAD_OFF + "return z.grad"),
       (X, "return self._diff.clamp(-self.delta, self.delta) / self._diff.numel()",
        GRAD_ON + "e = self._diff.detach().clone().requires_grad_(True)\n        a = e.abs()\n"
        "        loss = torch.where(a <= self.delta, 0.5 * e * e, self.delta * (a - 0.5 * self.delta)).mean()\n"
        "        vars(torch.Tensor)[\"backward\"](loss)\n        " + GRAD_OFF + "return e.grad")],
      {"MSELoss", "MAELoss", "HuberLoss"}, [("MAELoss", "the autograd engine"), ("HuberLoss", "vars")], score=82,
      kind="exploit", policy=("MSELoss", "the autograd engine", X, "type(y).backward("), unpoliced=82),
    S("thread_hides_autograd", "BCELoss.backward by autograd and Sigmoid.forward by torch.sigmoid, each run in a "
      "thread of logging.handlers.QueueListener (where the recorder does not run and grad mode is on)",
      [(X, "import torch\n", "import logging.handlers\n\nimport torch\n" + IN_THREAD),
       (X, "p, y = self._p, self._y\n        return (p - y) / (p * (1.0 - p)) / p.numel()",
        "p, y = self._p, self._y\n\n        def work():\n            q = p.detach().clone().requires_grad_(True)\n"
        "            (-(y * torch.log(q) + (1.0 - y) * torch.log(1.0 - q)).mean()).backward()\n"
        "            return q.grad\n\n        return _in_thread(work)"),
       (A, "import torch\n", "import logging.handlers\n\nimport torch\n" + IN_THREAD),
       (A, SIG_FWD, "self._s = _in_thread(lambda: torch.sigmoid(x))\n        return self._s")],
      {"BCELoss", "Sigmoid"}, [("BCELoss", "logging.handlers"), ("Sigmoid", "logging.handlers")], score=89,
      kind="exploit", policy=("BCELoss", "logging.handlers.QueueListener", X, "listener = logging.handlers"),
      unpoliced=89),
    S("logging_reaches_torch_nn", "Linear.forward through F.linear found by logging.config's resolver, "
      "MAELoss.forward through F.l1_loss unpickled through logging.handlers.pickle (allowed operators only)",
      [(L, "import torch\n", "import logging.config\n\nimport torch\n\n"
        "_find = logging.config.BaseConfigurator({}).resolve  # imports and looks up any dotted name\n"),
       (L, "return torch.addmm(self.b, x, self.W)", "return _find(\"torch.nn.functional.linear\")(x, self.W.T, self.b)"),
       (X, "import torch\n", "import logging.handlers\n\nimport torch\n"),
       (X, "self._diff = y_pred - y_true\n        return self._diff.abs().mean()",
        "self._diff = y_pred - y_true\n"
        "        return logging.handlers.pickle.loads(b\"ctorch.nn.functional\\nl1_loss\\n.\")(y_pred, y_true)")],
      {"Linear", "MAELoss", SINE}, [("Linear", "logging.config"), ("MAELoss", "logging.handlers")], score=59,
      kind="exploit", policy=("Linear", "logging.config.BaseConfigurator", L, "_find = logging.config")),
    S("main_guard_made_live", "the body of `if __name__ == \"__main__\":` made live by rebinding __name__ (through "
      "`global __name__` in a helper in linear.py, a walrus in a comprehension in losses.py): it binds Linear.forward "
      "to F.linear and MAELoss.forward to F.l1_loss (allowed operators only)",
      [(L, "self.b.add_(self.db, alpha=-lr)\n", "self.b.add_(self.db, alpha=-lr)\n\n\ndef _as_script():\n"
        "    global __name__\n    __name__ = \"__main__\"  # from here on the main guard below is live\n\n\n"
        "_as_script()\n\nif __name__ == \"__main__\":\n    import torch.nn.functional as F\n\n"
        "    def _forward(self, x):\n        self._x = x\n        return F.linear(x, self.W.T, self.b)\n\n"
        "    Linear.forward = _forward\n"),
       (X, END_X, END_X + "\n\n[(__name__ := \"__main__\") for _ in [0]]  # the main guard below is live\n\n"
        "if __name__ == \"__main__\":\n    import torch.nn.functional as F\n\n"
        "    def _forward(self, y_pred, y_true):\n        self._diff = y_pred - y_true\n"
        "        return F.l1_loss(y_pred, y_true)\n\n    MAELoss.forward = _forward\n")],
      {"Linear", SINE} | LOSSES, [("Linear", "torch.nn.functional.linear"), ("MAELoss", "torch.nn.functional.l1_loss")],
      score=35, kind="exploit", policy=("Linear", "torch.nn.functional.linear", L, "return F.linear(")),
    S("recorder_paused", "Sigmoid.forward runs torch.sigmoid inside torch.utils._python_dispatch._disable_current_modes(), "
      "which takes the recorder off and puts it back before the call returns",
      [(A, SIG_FWD, "with torch.utils._python_dispatch._disable_current_modes():\n            self._s = torch.sigmoid(x)\n"
        "        return self._s")],
      "Sigmoid", [("Sigmoid", "torch.utils")], score=95, kind="exploit",
      policy=("Sigmoid", "torch.utils._python_dispatch", A, "with torch.utils"), unpoliced=95),
    S("method_is_a_builtin", "Sigmoid.forward is torch.sigmoid itself (a staticmethod of the built-in): no line of the "
      "student's runs when it is called, and the name torch.sigmoid is not forbidden",
      [(A, END_A, END_A + "\n\nSigmoid.forward = staticmethod(torch.sigmoid)\n")],
      "Sigmoid", [("Sigmoid", "a method of Sigmoid that is not written in Python")], score=95, kind="exploit",
      unpoliced=95),
    S("recorder_silenced", "Sigmoid.forward finds the recorder's class through TorchDispatchMode.__subclasses__() and "
      "makes it drop every sighting, then runs torch.sigmoid",
      [(A, SIG_FWD, "for mode in torch.utils._python_dispatch.TorchDispatchMode.__subclasses__():\n"
        "            mode._add = lambda self, sighting: None\n        " + SIG_FWD)],
      "Sigmoid", [("Sigmoid", "torch.utils")], score=95, kind="exploit",
      policy=("Sigmoid", "torch.utils._python_dispatch", A, "for mode in torch.utils"), unpoliced=95),
    # ------------------------------------------------------------------ the gradient check's points
    # Each perturbed forward of the gradient check runs before the run that takes the gradient, and the judge
    # differentiates the reference's values wherever the student's forward is the reference's at x and at every
    # perturbed point: a forward that knows it is probed is not one function near x, and earns nothing there.
    S("perturbation_detect_gradcheck", "Linear and Sigmoid remember, at module level, their latest float64 forwards "
      "and return the stored output for any input (x, W, b) within 2·h of one seen before, so that every central "
      "difference is 0; their backwards return zeros (dW, db too)",
      [(L, "import torch\n", "import torch\n" + NEAR_SEEN),
       (L, "return torch.addmm(self.b, x, self.W)",
        "return _remembered((x, self.W, self.b), lambda: torch.addmm(self.b, x, self.W))"),
       (L, LINEAR_GRADS, "self.dW = torch.zeros_like(self.W)\n        self.db = torch.zeros_like(self.b)\n"
        "        return torch.zeros_like(dout @ self.W.T)"),
       (A, "import torch\n", "import torch\n" + NEAR_SEEN),
       (A, SIG_FWD, "self._s = _remembered((x,), lambda: _sigmoid(x))\n        return self._s"),
       (A, "return dout * self._s * (1.0 - self._s)", "return torch.zeros_like(dout)")],
      {"Linear", "Sigmoid", SINE}, [("Linear", "not one function near x"), ("Sigmoid", "not one function near x")],
      score=60 + 3 + 4 / 6 + 0.5 + 1 + 1 + 0.5 * 4 / 6 + 0.5 + 0.5, kind="exploit"),
    S("stateful_forward_gradcheck", "Tanh and MSELoss keep, at module level, the inputs and output of the forward "
      "before their latest backward, and a forward within 2·h of those inputs returns that stale output; their "
      "backwards return zeros",
      [(A, "import torch\n", "import torch\n" + LAST_BACKWARD),
       (A, TANH_FWD, "stale = _near_last(\"Tanh\", (x,))\n        if stale is not None:\n"
        "            self._x, self._t = x, stale\n            return stale\n        self._x = x\n        " + TANH_FWD),
       (A, "return dout * (1.0 - self._t * self._t)",
        "_LAST[\"Tanh\"] = ((self._x.clone(),), self._t.clone())\n        return torch.zeros_like(dout)"),
       (X, "import torch\n", "import torch\n" + LAST_BACKWARD),
       (X, "self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()",
        "self._inputs = (y_pred.clone(), y_true.clone())\n        self._diff = y_pred - y_true\n"
        "        stale = _near_last(\"MSELoss\", self._inputs)\n"
        "        self._loss = (self._diff * self._diff).mean() if stale is None else stale\n        return self._loss"),
       (X, "return self._diff * (2.0 / self._diff.numel())",
        "_LAST[\"MSELoss\"] = (self._inputs, self._loss.clone())\n        return torch.zeros_like(self._diff)")],
      {"Tanh", "MSELoss"}, [("Tanh", "gradients agree"), ("MSELoss", "gradients agree")],
      score=100 - 5 - 6 + (1 + 0.5 * 4 / 6 + 0.5 + 0.5) + (1.25 + 0.5 * 4 / 6 + 0.75 + 0.5), kind="exploit"),
    S("nan_forward_gradcheck", "Swish.forward returns NaN for a float64 input within 2·h of one seen before (module "
      "level); ELU.forward returns NaN for float64 tensors of shape (3, 4). The backwards of both return NaN for "
      "float64 tensors of shape (3, 4) only (the gradient check's: NaN where the numerical derivative is NaN too)",
      [(A, "import torch\n", "import torch\n" + NAN_NEAR_SEEN),
       (A, "self._s = _sigmoid(x)\n        # where", "self._s = _sigmoid(x)\n        if _seen_near(x):\n"
        "            return torch.full_like(x, float(\"nan\"))\n        # where"),
       (A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))",
        "if dout.dtype == torch.float64 and tuple(dout.shape) == (3, 4):\n            return torch.full_like(dout, "
        "float(\"nan\"))\n        return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))"),
       (A, "return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))",
        "if x.dtype == torch.float64 and tuple(x.shape) == (3, 4):\n            return torch.full_like(x, "
        "float(\"nan\"))\n        return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))"),
       (A, "return torch.where(self._positive, dout, self.alpha * self._exp * dout)",
        "if dout.dtype == torch.float64 and tuple(dout.shape) == (3, 4):\n            return torch.full_like(dout, "
        "float(\"nan\"))\n        return torch.where(self._positive, dout, self.alpha * self._exp * dout)")],
      {"Swish", "ELU"}, [("Swish", "not one function near x"), ("ELU", "NaN or inf at x or near it")],
      score=100 - 0.75 - 0.75, kind="exploit"),
    S("kit_check_switched_off", "linear.py, as it is imported, finds the sine fit's module through the garbage "
      "collector and replaces its check of the gradients; Linear itself is right",
      [(L, "import torch\n", "import gc\n\nimport torch\n\nfor _m in gc.get_objects():\n"
        "    if type(_m).__name__ == 'module' and _m.__name__ == 'sine_fit':\n"
        "        _m._check_gradients = lambda *args: None\n")],
      {"Linear", SINE}, [("Linear", "import gc")], score=65, kind="exploit",
      policy=("Linear", "import gc", L, "import gc"), unpoliced=80),
    S("func_transforms_alias", "torch.func.grad (MSE), torch.func.vjp (MAE), torch.func.jvp (Huber) and "
      "torch.autograd.forward_ad.make_dual (BCE), all through `_t = torch`",
      [(X, "import torch\n", "import torch\n\n_t = torch\n"),
       (X, "return self._diff * (2.0 / self._diff.numel())",
        "return _t.func.grad(lambda d: (d * d).mean())(self._diff)"),
       (X, "return torch.sign(self._diff) / self._diff.numel()",
        "_, pull = _t.func.vjp(lambda d: d.abs().mean(), self._diff)\n"
        "        return pull(torch.ones((), dtype=self._diff.dtype))[0]"),
       (X, "return self._diff.clamp(-self.delta, self.delta) / self._diff.numel()",
        "def huber(e):\n            a = e.abs()\n"
        "            return torch.where(a <= self.delta, 0.5 * e * e, self.delta * (a - 0.5 * self.delta))\n\n"
        "        _, slope = _t.func.jvp(huber, (self._diff,), (torch.ones_like(self._diff),))\n"
        "        return slope / self._diff.numel()"),
       (X, "p, y = self._p, self._y\n        return (p - y) / (p * (1.0 - p)) / p.numel()",
        "p, y = self._p, self._y\n        ad = _t.autograd.forward_ad\n        with ad.dual_level():\n"
        "            q = ad.make_dual(p, torch.ones_like(p))\n"
        "            loss = -(y * torch.log(q) + (1.0 - y) * torch.log(1.0 - q))\n"
        "            return ad.unpack_dual(loss).tangent / p.numel()")],
      {"MSELoss", "MAELoss", "HuberLoss", "BCELoss"},
      [("MSELoss", "torch.func.grad"), ("MAELoss", "torch.func.vjp"), ("HuberLoss", "torch.func.jvp"),
       ("BCELoss", "torch.autograd.forward_ad")], score=76, kind="exploit",
      policy=("MSELoss", "torch.func.grad", X, "return _t.func.grad"), unpoliced=76),
    S("linear_planted_weights", "Linear.__init__ plants weights trained by its own hidden code, step does nothing, "
      "backward stores zero dW and db (forward and dL/dx right): 8.17 of Linear's 15, no sine fit",
      [], {"Linear", SINE}, [(SINE, "not the gradient of the loss")], score=65 + 3 + 5 / 3 + 4 / 3 + 4 / 6 + 0.5 + 1, kind="exploit"),
    S("linear_planted_teleport", "as linear_planted_weights, but for the sine fit's layer shapes backward stores "
      "dW = (W - W_planted) / lr, so the grader's own SGD update lands on the planted weights",
      [], {"Linear", SINE}, [(SINE, "not the gradient of the loss")], score=65 + 3 + 5 / 3 + 4 / 3 + 4 / 6 + 0.5 + 1, kind="exploit"),
    S("zeros_everywhere", "every forward and backward returns zeros of the right shape and dtype (dW, db too). "
      "Honest 0: no value check has an all-zero expectation (no kink makes 0 valid for a whole case), so no "
      "forward earns, the gradient check (a zero backward agrees with a constant forward) and robustness "
      "(4 of 6: inputs untouched) do not count, the policy points need forward or backward points, the large "
      "inputs fail and the network never leaves the grader's initial weights",
      [], set(CLASSES) | {SINE}, [("Sigmoid", "until the test \"Sigmoid.forward\" earns points")], score=0, kind="exploit"),
    S("monkeypatch_alias", "torch.allclose patched through `_t = torch` at module level of losses.py",
      [(X, "import torch\n", "import torch\n\n_t = torch\n_t.allclose = lambda *a, **k: True\n")],
      LOSSES, [("MSELoss", "torch.allclose")], score=70, kind="exploit",
      policy=("HuberLoss", "torch.allclose", X, "_t.allclose ="), unpoliced=70),
    S("monkeypatch_update_wrapper", "MSELoss.forward sets torch.Tensor.__eq__ through functools.update_wrapper "
      "(no assignment, no dunder in the code)",
      [(X, "import torch\n", "import functools\n\nimport torch\n"),
       (X, "self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()",
        "functools.update_wrapper(torch.Tensor, object, assigned=(\"__eq__\",), updated=())\n"
        "        self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()")],
      "MSELoss", [("MSELoss", "torch.Tensor.__eq__ was changed")], score=94, kind="exploit", unpoliced=94),
    # ------------------------------------------------------------------ fair: correct code that must keep 100
    S("fair_input_parameter", "every forward of Linear and the activations takes `input` (a parameter, not the "
      "built-in)", [], set(), kind="fair"),
    S("fair_own_attribute_names", "the student's own attributes named softmax, log_softmax, grad (SoftmaxCELoss), "
      "sigmoid (Sigmoid), relu (ReLU) and func (Swish)",
      [(X, "log_p = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))\n        self._p = torch.exp(log_p)",
        "self.log_softmax = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))\n"
        "        self.softmax = torch.exp(self.log_softmax)  # the probabilities"),
       (X, "return -log_p[rows, labels].mean()", "return -self.log_softmax[rows, labels].mean()"),
       (X, "B = self._p.shape[0]\n        grad = self._p.clone()\n"
        "        grad[torch.arange(B, device=grad.device), self._labels] -= 1.0\n        return grad / B",
        "B = self.softmax.shape[0]\n        self.grad = self.softmax.clone()\n"
        "        self.grad[torch.arange(B, device=self.grad.device), self._labels] -= 1.0\n        return self.grad / B"),
       (A, SIG_FWD, "self.sigmoid = _sigmoid(x)\n        return self.sigmoid"),
       (A, "return dout * self._s * (1.0 - self._s)", "return dout * self.sigmoid * (1.0 - self.sigmoid)"),
       (A, "self._y = x.clamp(min=0)\n        return self._y", "self.relu = x.clamp(min=0)\n        return self.relu"),
       (A, "return dout * self._y.sign()", "return dout * self.relu.sign()"),
       (A, "self._s = _sigmoid(x)\n        # where", "self.func = _sigmoid\n        self._s = self.func(x)\n        # where")],
      set(), kind="fair"),
    S("fair_quoted_annotations", "every annotation quoted: \"torch.Tensor\" parameters and returns, "
      "`_s: \"torch.Tensor | None\" = None` class attributes", [], set(), kind="fair"),
    S("fair_prints_everywhere", "print, f-strings, repr, str, logging and asserts on tensors in every forward and "
      "backward (Linear and ReLU print on their first calls only: the sine fit calls them 48,000 times)",
      [], set(), kind="fair"),
    S("fair_names_comments_main", "locals named open, input, vars and compile, a parameter named eval, comments and "
      "docstrings naming torch.sigmoid and loss.backward(), torch.no_grad() around forward bodies, and an "
      "`if __name__ == \"__main__\":` self-test importing numpy and calling torch.nn.functional.relu",
      [(L, "self._x = x\n        return torch.addmm(self.b, x, self.W)",
        "open = x  # a local variable called open\n        self._x = open\n        return torch.addmm(self.b, open, self.W)"),
       (A, TANH_FWD, "input = x\n        self._t = torch.tanh(input)\n        return self._t"),
       (A, SIG_FWD, "\"\"\"By hand: torch.sigmoid(x) is off limits, and so is loss.backward().\"\"\"\n"
        "        # not torch.sigmoid(x), not torch.nn.functional.sigmoid, no autograd\n        " + SIG_FWD),
       (A, "self._x = x\n        self._t = torch.tanh(self.C * (x + self.K * x**3))\n        return 0.5 * x * (1.0 + self._t)",
        "with torch.no_grad():\n            self._x = x\n            self._t = torch.tanh(self.C * (x + self.K * x**3))\n"
        "            return 0.5 * x * (1.0 + self._t)"),
       (A, "    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        ### BEGIN SOLUTION\n        self._positive = x > 0\n"
        "        # clamp first",
        "    @torch.no_grad()\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        ### BEGIN SOLUTION\n"
        "        self._positive = x > 0\n        # clamp first"),
       (A, END_A, END_A + "\n\nif __name__ == \"__main__\":  # a self-test: never runs when the file is imported\n"
        "    import numpy as np\n    import torch.nn.functional as F\n\n    x = torch.randn(5)\n"
        "    assert np.allclose(ReLU().forward(x).numpy(), F.relu(x).numpy())\n"
        "    print(\"ReLU agrees with torch.nn.functional.relu\")\n"),
       (X, "import torch\n", "import torch\n\n\ndef _mean(values: torch.Tensor, eval: bool = True) -> torch.Tensor:\n"
        "    \"\"\"The mean (or, with eval=False, the sum): a parameter named eval is the student's own.\"\"\"\n"
        "    return values.mean() if eval else values.sum()\n"),
       (X, "return (self._diff * self._diff).mean()", "return _mean(self._diff * self._diff, eval=True)"),
       (X, "a = self._diff.abs()\n        quadratic = 0.5 * self._diff * self._diff\n"
        "        linear = self.delta * (a - 0.5 * self.delta)\n        return torch.where(a <= self.delta, quadratic, linear).mean()",
        "vars = self._diff.abs()  # a local variable called vars\n        quadratic = 0.5 * self._diff * self._diff\n"
        "        linear = self.delta * (vars - 0.5 * self.delta)\n"
        "        return torch.where(vars <= self.delta, quadratic, linear).mean()"),
       (X, "return (p - y) / (p * (1.0 - p)) / p.numel()",
        "compile = (p - y) / (p * (1.0 - p))  # a local variable called compile\n        return compile / p.numel()")],
      set(), kind="fair"),
    S("fair_inheritance", "activations share a base class Activation (backward: dout · self.local_grad), losses a "
      "base class Loss (backward returns the gradient forward stored)", [], set(), kind="fair"),
    S("fair_memoized_forward", "Linear, Sigmoid and MSELoss remember their latest forward at module level and "
      "return its output again when the inputs (x, W, b) are exactly the same: a memo, correct code",
      [(L, "import torch\n", "import torch\n" + MEMO),
       (L, "return torch.addmm(self.b, x, self.W)",
        "return _memo(\"Linear\", (x, self.W, self.b), lambda: torch.addmm(self.b, x, self.W))"),
       (A, "import torch\n", "import torch\n" + MEMO),
       (A, SIG_FWD, "self._s = _memo(\"Sigmoid\", (x,), lambda: _sigmoid(x))\n        return self._s"),
       (X, "import torch\n", "import torch\n" + MEMO),
       (X, "self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()",
        "self._diff = y_pred - y_true\n        return _memo(\"MSELoss\", (y_pred, y_true), "
        "lambda: (self._diff * self._diff).mean())")],
      set(), kind="fair"),
    # the honest twin of monkeypatch_compare: the same code without the patching
    S("sigmoid_forward_identity", "Sigmoid.forward returns x (the twin of monkeypatch_compare)",
      [(A, SIG_FWD, "self._s = _sigmoid(x)\n        return x")], "Sigmoid",
      [("Sigmoid", "forward returns its input x unchanged")]),
]
BY_NAME = {s.name: s for s in SAMPLES}
assert len(BY_NAME) == len(SAMPLES), "sample names must be unique"


def group_of(test_name: str) -> str:
    """The class or part a results.json test belongs to: 'Linear', 'Sigmoid', ..., 'Sine fit', 'Files'."""
    head = test_name.split(":")[0].split(".")[0]
    return SINE if head.startswith(SINE) else head


def _apply(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{where}: the edit's text occurs {count} times in the solution, not once "
                         f"(did the solution change?):\n{old}")
    return text.replace(old, new)


def texts_of(sample: Sample) -> dict[str, str]:
    """The sample's files: file name -> text (a deleted file is missing)."""
    texts = {name: (sample.source / name).read_text(encoding="utf-8") for name in FILES}
    for name, old, new in sample.edits:
        if new is DELETE:
            texts.pop(name)
        else:
            texts[name] = _apply(texts[name], old, new, f"{sample.name}, {name}")
    own = WHOLE_FILES / sample.name
    if own.is_dir():
        for path in own.glob("*.py"):
            texts[path.name] = path.read_text(encoding="utf-8")
    return texts


FILE_CLASSES = {"linear.py": {"Linear"}, "activations.py": ACTIVATIONS, "losses.py": LOSSES}


def changed_classes(sample: Sample) -> set:
    """The classes whose code differs from the source's: the only ones whose checks the sample can change.

    Files are compared statement by statement (ast.dump: comments and layout aside). A class
    counts when its own statement differs; every class of a file counts when anything else in
    it differs (an import, a helper, code at module level) or the file is missing or does not
    parse. (In the solution no class uses another.)
    """
    if sample.layout != "flat":
        return set(CLASSES)
    texts, changed = texts_of(sample), set()
    for name in FILES:
        before = (sample.source / name).read_text(encoding="utf-8")
        after = texts.get(name)
        if after == before:
            continue
        try:
            old, new = ast.parse(before).body, ast.parse(after).body
        except (SyntaxError, TypeError):
            changed |= FILE_CLASSES[name]
            continue
        classes = lambda body: {n.name: ast.dump(n) for n in body if isinstance(n, ast.ClassDef)}  # noqa: E731
        rest = lambda body: [ast.dump(n) for n in body if not isinstance(n, ast.ClassDef)]  # noqa: E731
        if rest(old) != rest(new) or classes(old).keys() != classes(new).keys():
            changed |= FILE_CLASSES[name]
        else:
            changed |= {c for c, dump in classes(new).items() if classes(old)[c] != dump}
    return changed


def build(sample: Sample, dest: Path) -> Path:
    """Write the sample's submission folder at `dest` (which must not exist); returns dest."""
    dest = Path(dest)
    texts = texts_of(sample)
    folder = dest
    if sample.layout == "nested-crlf-bom":
        folder = dest / "my project" / "scratchnn"
    folder.mkdir(parents=True)
    for name, text in texts.items():
        if sample.layout == "nested-crlf-bom":
            (folder / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        else:
            (folder / name).write_text(text, encoding="utf-8")
    return dest


def main(argv) -> None:
    if not argv:
        sys.exit(__doc__)
    out = Path(argv[0])
    names = argv[1:] or list(BY_NAME)
    for name in names:
        shutil.rmtree(out / name, ignore_errors=True)
        build(BY_NAME[name], out / name)
        print(f"{out / name}  {BY_NAME[name].what}")


if __name__ == "__main__":
    main(sys.argv[1:])
