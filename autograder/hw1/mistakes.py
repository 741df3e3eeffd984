"""The catalogue of common mistakes: per class, plausible wrong formulas computed from a check's own inputs.

A `Mistake` is one wrong implementation a student plausibly writes. From the call a compared
value came from (`Call`: the inputs, dout, W and b, the constructor's arguments) it says what
that implementation returns there, or that it raises there. autograder/hw1/diagnose.py names a
mistake only when it alone reproduces the student's results on every comparison of a check.

Formulas are computed in float64 from the grader's inputs. Where rounding is the point (a
clamp's ε) they clamp in the inputs' dtype first, as the student's code does. A mistake may
carry a constant read off the student's own values (`fit`: the ε of a clamp, from the loss).
"""

import inspect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

import scratchnn_ref as ref

from .suite import ACTIVATIONS, NON_DEFAULT


@dataclass(frozen=True)
class Raises:
    """A prediction: the mistaken code raises an exception of this type in this method (forward or backward)."""

    method: str
    error: str  # the exception's type name: RuntimeError (a matrix product of the wrong shapes), IndexError


METHOD = {"forward": "forward", "backward": "backward", "dW": "backward", "db": "backward"}  # formula key -> method


@dataclass
class Call:
    """The call a compared value came from."""

    cls: str
    part: str  # forward | backward: the method whose result is compared
    output: str = ""  # "": its return value; "dW", "db": Linear's stored gradients; "input": an argument, after the run
    inputs: list = field(default_factory=list)  # the latest forward's arguments: [x] or [y_pred, y_true]
    dout: torch.Tensor = None  # the run's backward's argument (Linear, activations)
    params: dict = field(default_factory=dict)  # Linear's {"W": (M, N), "b": (N,)}
    kwargs: dict = field(default_factory=dict)  # the constructor's arguments (alpha, delta)
    earlier: list = None  # the first forward's arguments, when backward came after two forwards
    methods: tuple = ("forward",)  # the methods the run called

    @property
    def key(self) -> str:
        """Which result is compared: forward, backward, dW, db or input (the formula keys of a Mistake)."""
        return self.output if self.output in ("dW", "db", "input") else self.part


@dataclass
class Comparison:
    """One compared value: the student's (or the lack of one) against the right one."""

    call: Call
    expected: torch.Tensor  # the reference's value
    tol: dict  # {"rtol", "atol"}: the check's tolerance
    got: torch.Tensor = None  # the student's value; None when there is none (the run raised, no tensor came back)
    raised: bool = False  # the student's run raised an exception
    raised_in: str = None  # in which method (forward, backward), where the error says
    error: str = None  # the type name of the exception the student's run raised
    passed: bool = False
    accepted: tuple = ()  # other right answers (config.ACCEPTED): each element may match any of them
    scale: torch.Tensor = None  # the size of the terms of a matrix product (suite.Expect.scale)
    kink: torch.Tensor = None  # bool mask of expected's shape: any subgradient is right there, so not compared

    @property
    def answers(self) -> tuple:
        return (self.expected, *self.accepted)


@dataclass(frozen=True)
class Mistake:
    """A wrong implementation: a formula (Comparison, constant) -> tensor for each result it changes.

    Keys: "forward", "backward" (for Linear: dL/dx), "dW", "db"; a result without a formula (or
    whose formula returns None) is right. A formula raises RuntimeError or IndexError where the
    mistaken code would (a matrix product of the wrong shapes, shape[1] of a 1-d tensor), and
    may return a tuple of tensors (right readings of the same mistake: each element may match
    any of them). With `fit`, the constant is read off a failing comparison and `cause` is a
    function of it.
    """

    cause: object  # str, or constant -> str
    formulas: dict
    fit: Callable = None  # Comparison -> constant, or None where it cannot be read off

    def text(self, constant) -> str:
        return self.cause(constant) if callable(self.cause) else self.cause

    def predict(self, c: Comparison, constant=None):
        """c's value under this mistake: a tensor (or tuple), Raises, or None (the right value)."""
        values = {}
        for method in ("forward", "backward"):  # the whole run raises if any of its methods would
            if method in c.call.methods:
                try:
                    values |= {k: f(c, constant) for k, f in self.formulas.items() if METHOD[k] == method}
                except (RuntimeError, IndexError) as exc:
                    return Raises(method, type(exc).__name__)
        return values.get(c.call.key)


def subsets(cause, formulas: dict, fit=None) -> list:
    """One Mistake per non-empty subset of `formulas`, all with one cause (a slip made in one method or in all)."""
    keys = list(formulas)
    return [Mistake(cause, {k: formulas[k] for k in chosen}, fit)
            for n in range(1, len(keys) + 1) for chosen in itertools.combinations(keys, n)]


# ------------------------------------------------------------------ helpers
def _f64(t):
    return t.to(torch.float64) if t.is_floating_point() else t


def x_(c):
    return _f64(c.call.inputs[0])


def d_(c):
    return _f64(c.call.dout)


def times(factor: Callable) -> Callable:
    """The formula 'the right value times factor(call)', for every right reading."""
    return lambda c, k: tuple(_f64(a) * factor(c.call) for a in c.answers)


def negated(c, k):
    return times(lambda call: -1.0)(c, k)


def reference(key: str, kwargs: dict = None, earlier: bool = False) -> Callable:
    """The formula 'what the reference gives', with other constructor arguments or the earlier forward's inputs."""
    def formula(c, k):
        call = c.call
        obj = getattr(ref, call.cls)(**(call.kwargs if kwargs is None else kwargs))
        for name, value in call.params.items():
            setattr(obj, name, _f64(value).clone())
        out = obj.forward(*[_f64(a).clone() for a in (call.earlier if earlier else call.inputs)])
        if key == "forward":
            return out
        grad = obj.backward(d_(c).clone()) if call.dout is not None else obj.backward()
        return {"backward": grad, "dW": getattr(obj, "dW", None), "db": getattr(obj, "db", None)}[key]
    return formula


def stale(key: str) -> Callable:
    """backward from the earlier forward's input (where the run had two forwards; elsewhere right: None)."""
    def formula(c, k):
        return reference(key, earlier=True)(c, k) if c.call.earlier else None
    return formula


OVERFLOW = {  # what inf or NaN where the right answer is finite means, per class
    "SoftmaxCELoss": "exp overflows for large logits: subtract each row's max first (log-sum-exp, log-softmax)",
    "BCELoss": "log(0) or a division by 0 at p = 0 or 1: clamp p to [1e-7, 1 − 1e-7] before taking logs, and use "
               "the clamped p in backward",
    **dict.fromkeys(set(ACTIVATIONS) - {"ReLU", "LeakyReLU"},
                    "exp overflows for large |x| (e^1e4 is inf, and inf·0 or inf/inf is NaN): take exp only of "
                    "non-positive numbers, e.g. e^(−|x|), or clamp before exp"),
}
STALE = "backward used the input of an earlier forward: store what backward needs in every forward"
NEGATIVE = "the sign is flipped"


def default_of(cls: str, name: str):
    """The default of a constructor argument (alpha, delta) of the reference's class."""
    return inspect.signature(getattr(ref, cls)).parameters[name].default


def default_ignored(cls: str) -> str:
    name, value = next(iter(NON_DEFAULT[cls].items()))
    return f"{name} is ignored: use self.{name} (it was {value} in some tests, not the default {default_of(cls, name)})"


def _sig(x):
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _bisect(f, target: float, lo: float, hi: float, steps: int = 80):
    """u in [lo, hi] with f(u) = target for f decreasing, or None when target is outside [f(hi), f(lo)]."""
    if not (f(hi) <= target <= f(lo)):
        return None
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) > target else (lo, mid)
    return 0.5 * (lo + hi)


def _power_of_ten(eps):
    """eps when it is a power of ten (within 2%), the ε a student writes (1e-9, 1e-12), else None.

    A constant fitted to one number would fit any number; an ε that comes out a power of ten
    is the mark of a clamp."""
    if eps is None or eps <= 0:
        return None
    k = round(math.log10(eps))
    return 10.0**k if abs(math.log10(eps) - k) < 0.01 else None


def _finite_scalar(c) -> float | None:
    if c.call.part != "forward" or c.got is None or c.got.numel() != 1 or not torch.isfinite(c.got).all():
        return None
    return float(c.got.to(torch.float64))


# ------------------------------------------------------------------ Linear
def _W(c):
    return _f64(c.call.params["W"])


def _b(c):
    return _f64(c.call.params["b"])


def _B(call):
    return call.inputs[0].shape[0]


AVERAGES = ("a layer must not average: you divided by the batch size B; dW = xᵀ · dout, db = dout summed over the "
            "batch and dL/dx = dout · Wᵀ (the loss already divided)")


ELEMENTS = ("a layer must not average: you divided by a number of elements (numel); dW = xᵀ · dout, db = dout "
            "summed over the batch and dL/dx = dout · Wᵀ (the loss already divided)")
TWICE = ("a gradient is twice too large: a linear layer's gradients have no factor 2 (dW = xᵀ · dout, db = dout "
         "summed over the batch, dL/dx = dout · Wᵀ)")


def linear() -> list:
    return [
        Mistake("the bias is missing: add b (broadcast over the batch)", {"forward": lambda c, k: x_(c) @ _W(c)}),
        Mistake("forward uses Wᵀ: W has shape (M, N) here, so y = x · W + b",
                {"forward": lambda c, k: x_(c) @ _W(c).T + _b(c)}),
        Mistake("your dW is transposed: dW = xᵀ · dout, shape (M, N)", {"dW": lambda c, k: d_(c).T @ x_(c)}),
        Mistake("db must have shape (N,): sum dout over the batch axis (dim 0), not over the features (dim 1)",
                {"db": lambda c, k: d_(c).sum(dim=1)}),
        Mistake("db has shape (1, N): sum over dim 0 without keepdim",
                {"db": lambda c, k: d_(c).sum(dim=0, keepdim=True)}),
        Mistake("db must have shape (N,): sum dout over the batch axis only (dim 0), not over everything",
                {"db": lambda c, k: d_(c).sum()}),
        Mistake("dL/dx = dout · Wᵀ: transpose W", {"backward": lambda c, k: d_(c) @ _W(c)}),
        *subsets(AVERAGES, {key: times(lambda call: 1.0 / _B(call)) for key in ("backward", "dW", "db")}),
        *subsets(ELEMENTS, {key: times(lambda call: 1.0 / call.dout.numel()) for key in ("backward", "dW", "db")}),
        *subsets(ELEMENTS, {key: times(lambda call: 1.0 / call.inputs[0].numel()) for key in ("backward", "dW", "db")}),
        *subsets(TWICE, {key: times(lambda call: 2.0) for key in ("backward", "dW", "db")}),
        *subsets("a gradient has the wrong sign: backward returns +dL/d(·); step subtracts lr · gradient",
                 {key: negated for key in ("backward", "dW", "db")}),
        Mistake(STALE, {"dW": stale("dW")}),
    ]


# ------------------------------------------------------------------ activations
PASS_THROUGH = "backward returns dout unchanged: multiply it by f'(x) (the chain rule)"
NO_DOUT = "you returned f'(x): multiply it by dout (the chain rule)"


def activation_common() -> list:
    return [
        Mistake("forward returns its input x unchanged", {"forward": lambda c, k: x_(c)}),
        Mistake(PASS_THROUGH, {"backward": lambda c, k: d_(c)}),
        Mistake(NO_DOUT, {"backward": lambda c, k: reference("backward")(_with_dout(c, 1.0), k)}),
        Mistake(NEGATIVE + ": backward returns dout · f'(x)", {"backward": negated}),
        Mistake(STALE, {"backward": stale("backward")}),
    ]


def _with_dout(c, value):
    """c with dout replaced by a constant tensor."""
    call = Call(**{**c.call.__dict__, "dout": torch.full_like(d_(c), value)})
    return Comparison(call, c.expected, c.tol)


def sigmoid() -> list:
    return [
        Mistake("σ(x) = 1 / (1 + e^(−x)): the sign in the exponent is flipped",
                {"forward": lambda c, k: _sig(-x_(c))}),
        Mistake("σ'(x) = σ(x)(1 − σ(x)) uses σ(x), not x",
                {"backward": lambda c, k: d_(c) * x_(c) * (1 - x_(c))}),
        Mistake("σ'(x) = σ(x)(1 − σ(x)): a factor σ(x) is missing",
                {"backward": lambda c, k: d_(c) * (1 - _sig(x_(c)))}),
    ]


def tanh() -> list:
    return [
        Mistake("tanh'(x) = 1 − tanh(x)², not 1 − x²", {"backward": lambda c, k: d_(c) * (1 - x_(c) ** 2)}),
        Mistake("tanh'(x) = 1 − tanh(x)²: the square is missing",
                {"backward": lambda c, k: d_(c) * (1 - torch.tanh(x_(c)))}),
    ]


def relu() -> list:
    x = x_
    return [
        Mistake("the mask is inverted: ReLU passes dout where x > 0 and 0 where x < 0",
                {"backward": lambda c, k: d_(c) * (x(c) < 0)}),
        Mistake("the mask must come from the forward's input (x > 0), not from dout",
                {"backward": lambda c, k: d_(c).clamp(min=0)}),
        Mistake("sign(x) is −1 for x < 0: the derivative is the mask (x > 0), 1 or 0",
                {"backward": lambda c, k: d_(c) * torch.sign(x(c))}),
        *subsets("ReLU keeps the positive part: clamp(min=0) (max(x, 0)), not clamp(max=0)",
                 {"forward": lambda c, k: x(c).clamp(max=0),
                  "backward": lambda c, k: d_(c) * torch.sign(x(c).clamp(max=0))}),
    ]


def _alpha(c):
    return c.call.kwargs.get("alpha", default_of(c.call.cls, "alpha"))


def leaky_relu() -> list:
    x, a = x_, _alpha
    return [
        *subsets(default_ignored("LeakyReLU"), {"forward": reference("forward", kwargs={}),
                                                "backward": reference("backward", kwargs={})}),
        *subsets("the slope alpha for x < 0 is missing (that is ReLU): alpha·x there, derivative alpha",
                 {"forward": lambda c, k: x(c).clamp(min=0), "backward": lambda c, k: d_(c) * (x(c) > 0)}),
        *subsets("the two branches are swapped: x for x > 0, alpha·x for x < 0",
                 {"forward": lambda c, k: torch.where(x(c) > 0, a(c) * x(c), x(c)),
                  "backward": lambda c, k: torch.where(x(c) > 0, a(c) * d_(c), d_(c))}),
        Mistake("the derivative of alpha·x is alpha, not alpha·x",
                {"backward": lambda c, k: torch.where(x(c) > 0, d_(c), a(c) * x(c) * d_(c))}),
    ]


def _exp_neg(c):
    """e^x where x < 0 (e^0 = 1 elsewhere: no overflow)."""
    return torch.exp(x_(c).clamp(max=0))


def elu() -> list:
    x, a = x_, _alpha
    return [
        *subsets(default_ignored("ELU"), {"forward": reference("forward", kwargs={}),
                                          "backward": reference("backward", kwargs={})}),
        Mistake("ELU is alpha·(e^x − 1) for x < 0: the − 1 is missing",
                {"forward": lambda c, k: torch.where(x(c) > 0, x(c), a(c) * _exp_neg(c))}),
        Mistake("the derivative of alpha·(e^x − 1) is alpha·e^x (= f(x) + alpha), not f(x)",
                {"backward": lambda c, k: torch.where(x(c) > 0, d_(c), a(c) * (_exp_neg(c) - 1) * d_(c))}),
    ]


GELU_C, GELU_K = math.sqrt(2.0 / math.pi), 0.044715


def gelu_value(x, C=GELU_C, K=GELU_K):
    return 0.5 * x * (1 + torch.tanh(C * (x + K * x**3)))


def gelu_grad(x, d, C=GELU_C, K=GELU_K, chain=True, three=3.0, sech2=True, first=True):
    """dout · GELU'(x), or one of its common slips (no du/dx, no 3 in it, 1 − t for 1 − t², no 0.5(1 + t))."""
    t = torch.tanh(C * (x + K * x**3))
    du = C * (1 + three * K * x * x) if chain else 1.0
    return d * ((0.5 * (1 + t) if first else 0.0) + 0.5 * x * ((1 - t * t) if sech2 else (1 - t)) * du)


def gelu_k_typos() -> list:
    """Typos of 0.044715: one digit left out, doubled or swapped with the next, a shifted point, roundings, none."""
    digits = "044715"
    found = set()
    for i in range(len(digits)):
        found |= {digits[:i] + digits[i + 1:], digits[:i] + digits[i] + digits[i:]}
        if i + 1 < len(digits):
            found.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:])
    values = {float("0." + s) for s in found if s} | {0.44715, 0.0044715, 0.0447, 0.04472, 0.045, 0.04, 0.0}
    return sorted(values - {GELU_K})


GELU_C_TYPOS = {math.sqrt(2 * math.pi): "√(2π)", math.sqrt(math.pi / 2): "√(π/2)", 2 / math.pi: "2/π",
                1.0: "missing", 0.7978: "0.7978", 0.79788: "0.79788", 0.798: "0.798", 0.797: "0.797", 0.8: "0.8"}


def _normal_cdf(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


def _normal_pdf(x):
    return torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def gelu() -> list:
    x, d = x_, d_
    out = subsets("this is the exact (erf) GELU; the assignment asks for the tanh approximation",
                  {"forward": lambda c, k: x(c) * _normal_cdf(x(c)),
                   "backward": lambda c, k: d(c) * (_normal_cdf(x(c)) + x(c) * _normal_pdf(x(c)))})
    for K in gelu_k_typos():
        cause = ("the 0.044715·x³ term is missing" if K == 0 else
                 f"the coefficient of x³ is {K:g} here, not 0.044715 (a typo?)")
        out += subsets(cause, {"forward": lambda c, k, K=K: gelu_value(x(c), K=K),
                               "backward": lambda c, k, K=K: gelu_grad(x(c), d(c), K=K)})
    for C, name in GELU_C_TYPOS.items():
        cause = ("the factor √(2/π) inside tanh is missing" if C == 1.0 else
                 f"the factor inside tanh is √(2/π) ≈ 0.7978846, not {name}")
        out += subsets(cause, {"forward": lambda c, k, C=C: gelu_value(x(c), C=C),
                               "backward": lambda c, k, C=C: gelu_grad(x(c), d(c), C=C)})
    return out + [
        Mistake("the factor 0.5 is missing: GELU(x) = 0.5·x·(1 + tanh(u))",
                {"forward": lambda c, k: 2 * gelu_value(x(c))}),
        Mistake("the chain rule through u = √(2/π)(x + 0.044715x³) is missing: multiply (1 − t²) by "
                "du/dx = √(2/π)(1 + 3·0.044715x²)", {"backward": lambda c, k: gelu_grad(x(c), d(c), chain=False)}),
        Mistake("du/dx = √(2/π)(1 + 3·0.044715·x²): the 3 of d(x³)/dx is missing",
                {"backward": lambda c, k: gelu_grad(x(c), d(c), three=1.0)}),
        Mistake("tanh'(u) = 1 − tanh(u)²: the square is missing",
                {"backward": lambda c, k: gelu_grad(x(c), d(c), sech2=False)}),
        Mistake("the product rule: GELU'(x) = 0.5(1 + t) + 0.5·x·(1 − t²)·du/dx; the first term is missing",
                {"backward": lambda c, k: gelu_grad(x(c), d(c), first=False)}),
    ]


def swish() -> list:
    x, d = x_, d_
    return [
        Mistake("the derivative of x·σ(x) is σ(x)·(1 + x·(1 − σ(x))), not σ(x) (the product rule)",
                {"backward": lambda c, k: d(c) * _sig(x(c))}),
        Mistake("the product rule: (x·σ(x))' = σ(x) + x·σ'(x); the σ(x) term is missing",
                {"backward": lambda c, k: d(c) * x(c) * _sig(x(c)) * (1 - _sig(x(c)))}),
        Mistake("Swish is x·σ(x) = x / (1 + e^(−x)): the sign in the exponent is flipped",
                {"forward": lambda c, k: x(c) * _sig(-x(c))}),
    ]


# ------------------------------------------------------------------ losses
def _pt(c):
    p, t = c.call.inputs
    return _f64(p), _f64(t)


def _n(c):
    return c.call.inputs[0].numel()


def _diff(c):
    p, t = _pt(c)
    return p - t


def scaled_both(factor) -> dict:
    """The loss and its gradient, both times factor(call)."""
    return {"forward": times(factor), "backward": times(factor)}


def mean_loss_factors() -> list:
    """Dividing by something other than numel, in forward, backward or both (the loss and its gradient scale alike)."""
    def over(divisor):
        return lambda call: call.inputs[0].numel() / divisor(call.inputs[0])
    return [
        *subsets("you divided by the batch size B instead of by numel (every element counts: the loss is a mean "
                 "over all of them)", scaled_both(over(lambda p: p.shape[0]))),
        *subsets("you divided by shape[0]·shape[1] instead of by numel (inputs may have any number of dimensions: "
                 "use .numel())", scaled_both(over(lambda p: p.shape[0] * p.shape[1]))),
        *subsets("you divided by the last dimension (shape[-1]) instead of by numel",
                 scaled_both(over(lambda p: p.shape[-1]))),
        *subsets("you did not divide by numel: the loss is a mean, so the loss and its gradient carry 1/numel",
                 scaled_both(over(lambda p: 1))),
        *subsets("you divided by numel twice", scaled_both(over(lambda p: p.numel() ** 2))),
        Mistake(NEGATIVE + ": the gradient is with respect to y_pred, of (y_pred − y_true)", {"backward": negated}),
        Mistake(NEGATIVE + ": the loss is positive", {"forward": negated}),
        Mistake(STALE, {"backward": stale("backward")}),
    ]


def mse() -> list:
    n = _n
    half = times(lambda call: 0.5)
    return [
        Mistake("a factor 2 is missing (d/de e² = 2e)", {"backward": half}),
        Mistake("the loss has a factor ½: here MSE is mean((y_pred − y_true)²), without ½", {"forward": half}),
        Mistake("the loss has a factor ½: here MSE is mean((y_pred − y_true)²), without ½, and its gradient "
                "2·(y_pred − y_true)/numel", {"forward": half, "backward": half}),
        Mistake("that is the root of the mean square: MSE has no square root",
                {"forward": lambda c, k: (_diff(c) ** 2).mean().sqrt()}),
        Mistake("square each difference, then average: mean((y_pred − y_true)²), not (mean(y_pred − y_true))²",
                {"forward": lambda c, k: _diff(c).mean() ** 2}),
        Mistake("that is the MAE's gradient: MSE's is 2·(y_pred − y_true)/numel",
                {"backward": lambda c, k: torch.sign(_diff(c)) / n(c)}),
    ]


def mae() -> list:
    n = _n
    return [
        Mistake("the gradient of |e| is sign(e), not e", {"backward": lambda c, k: _diff(c) / n(c)}),
        Mistake("the gradient of |e| is sign(e), not |e|", {"backward": lambda c, k: _diff(c).abs() / n(c)}),
        Mistake("the gradient of |e| is sign(e): it is −1/numel where y_pred < y_true",
                {"backward": lambda c, k: torch.ones_like(_diff(c)) / n(c)}),
        Mistake("the absolute value is missing: mean(|y_pred − y_true|)", {"forward": lambda c, k: _diff(c).mean()}),
    ]


def _delta(c):
    return c.call.kwargs.get("delta", default_of("HuberLoss", "delta"))


def _inside(c):
    """Where Huber is quadratic: |e| <= delta."""
    return _diff(c).abs() <= _delta(c)


def huber() -> list:
    e, dl, n, inside = _diff, _delta, _n, _inside
    return [
        *subsets(default_ignored("HuberLoss"), {"forward": reference("forward", kwargs={}),
                                                "backward": reference("backward", kwargs={})}),
        Mistake("the linear branch is delta·(|e| − delta/2): the − delta/2 is missing",
                {"forward": lambda c, k: torch.where(inside(c), 0.5 * e(c) ** 2, dl(c) * e(c).abs()).mean()}),
        Mistake("the quadratic branch is e²/2: the ½ is missing",
                {"forward": lambda c, k: torch.where(inside(c), e(c) ** 2,
                                                     dl(c) * (e(c).abs() - 0.5 * dl(c))).mean()}),
        Mistake("the gradient of the linear branch is delta·sign(e), not sign(e)",
                {"backward": lambda c, k: torch.where(inside(c), e(c), torch.sign(e(c))) / n(c)}),
        Mistake("the gradient is e only where |e| <= delta: clip it to [−delta, delta]",
                {"backward": lambda c, k: e(c) / n(c)}),
    ]


def _bce(p, y, eps):
    """(loss, gradient) of BCE with p clamped to [eps, 1 − eps] in p's dtype, then computed in float64."""
    q = p.clamp(eps, 1.0 - eps).to(torch.float64)
    y = _f64(y)
    loss = -(y * torch.log(q) + (1 - y) * torch.log(1 - q)).mean()
    grad = (q - y) / (q * (1 - q)) / p.numel()
    clamped = (p <= eps) | (p >= 1.0 - eps)
    return loss, (grad, torch.where(clamped, 0.0, grad))  # the formula at the bound, or 0 there (config.ACCEPTED)


def _bce_fit(c):
    """The ε of a clamp [ε, 1 − ε] that gives the student's loss, or None."""
    target = _finite_scalar(c)
    if target is None:
        return None
    p, y = c.call.inputs
    u = _bisect(lambda u: float(_bce(_f64(p), y, 10.0**u)[0]), target, -30.0, -1.0)  # the loss falls as ε grows
    return None if u is None else _power_of_ten(10.0**u)


def _bce_eps(eps) -> str:
    return (f"p is clamped to [ε, 1 − ε] with ε ≈ {eps:.2g} here, not 1e-7 (a loss of −log ε ≈ {-math.log(eps):.3g} "
            "at p = 0 or 1)")


def _p(c):
    """BCE's p, clamped as the reference does (in the input's dtype), in float64."""
    return _f64(c.call.inputs[0].clamp(ref.BCELoss.EPS, 1 - ref.BCELoss.EPS))


def _y(c):
    return _f64(c.call.inputs[1])


def bce() -> list:
    p, y, n = _p, _y, _n
    return [
        Mistake("that is the gradient with respect to the logit, (p − y)/numel: BCELoss takes probabilities, so "
                "its gradient is (p − y) / (p·(1 − p)) / numel", {"backward": lambda c, k: (p(c) - y(c)) / n(c)}),
        *subsets("the (1 − y)·log(1 − p) term is missing",
                 {"forward": lambda c, k: (-y(c) * torch.log(p(c))).mean(),
                  "backward": lambda c, k: -y(c) / p(c) / n(c)}),
        *subsets("y and 1 − y are swapped: −mean(y·log p + (1 − y)·log(1 − p))",
                 {"forward": lambda c, k: (-(y(c) * torch.log(1 - p(c)) + (1 - y(c)) * torch.log(p(c)))).mean(),
                  "backward": lambda c, k: (p(c) + y(c) - 1) / (p(c) * (1 - p(c))) / n(c)}),
        Mistake(_bce_eps, {"forward": lambda c, eps: _bce(*c.call.inputs, eps)[0],  # the clamped p serves both
                           "backward": lambda c, eps: _bce(*c.call.inputs, eps)[1]}, fit=_bce_fit),
    ]


def _log_softmax(z, dim):
    return z - torch.logsumexp(z, dim=dim, keepdim=True)


def _picked(c, logp):
    """logp at each example's label."""
    return logp[torch.arange(logp.shape[0]), c.call.inputs[1]]


def _onehot(c):
    z, labels = c.call.inputs
    return torch.eye(z.shape[1], dtype=torch.float64)[labels]


def _label_p(c):
    return torch.exp(_picked(c, _log_softmax(x_(c), 1)))


def _ce_fit(c):
    """The ε of a clamp of the label's probability that gives the student's loss, or None."""
    target = _finite_scalar(c)
    if target is None:
        return None
    p = _label_p(c)
    u = _bisect(lambda u: float(-torch.log(p.clamp(min=10.0**u)).mean()), target, -300.0, -0.01)  # falls as ε grows
    return None if u is None else _power_of_ten(10.0**u)


def _ce_cap(eps) -> str:
    return (f"the loss is capped at about {-math.log(eps):.3g} for very wrong predictions (−log of a probability "
            f"clamped at ε ≈ {eps:.2g}): compute log-softmax (z − max − log Σ exp(z − max)) instead")


def _batch(call):
    return call.inputs[0].shape[0]


def _classes(call):
    return call.inputs[0].shape[1]


def _naive(c):
    """(log-softmax, softmax) without the row maximum, in the logits' dtype (where exp overflows), in float64."""
    z = c.call.inputs[0]
    e = torch.exp(z)
    return _f64(z - torch.log(e.sum(dim=1, keepdim=True))), _f64(e / e.sum(dim=1, keepdim=True))


def softmax_ce() -> list:
    z, B, K, both = x_, _batch, _classes, scaled_both
    return [
        Mistake(OVERFLOW["SoftmaxCELoss"],  # log-softmax as z − log Σ exp(z), or softmax as exp(z) / Σ exp(z)
                {"forward": lambda c, k: -_picked(c, _naive(c)[0]).mean(),
                 "backward": lambda c, k: (torch.exp(_naive(c)[0]) - _onehot(c)) / B(c.call)}),
        Mistake(OVERFLOW["SoftmaxCELoss"], {"forward": lambda c, k: -torch.log(_picked(c, _naive(c)[1])).mean(),
                                            "backward": lambda c, k: (_naive(c)[1] - _onehot(c)) / B(c.call)}),
        *subsets("softmax runs over the classes of each example (dim=1), not over the batch (dim=0)",
                 {"forward": lambda c, k: -_picked(c, _log_softmax(z(c), 0)).mean(),
                  "backward": lambda c, k: (torch.exp(_log_softmax(z(c), 0)) - _onehot(c)) / B(c.call)}),
        *subsets("you did not divide by B: the loss is the mean over the batch", both(B)),
        *subsets("you divided by B·K (numel) instead of by B: average over the examples, not over every logit",
                 both(lambda call: 1.0 / K(call))),
        *subsets("you divided by B twice", both(lambda call: 1.0 / B(call))),
        Mistake("the gradient is (softmax(z) − onehot(label)) / B: the − 1 at the label is missing",
                {"backward": lambda c, k: torch.exp(_log_softmax(z(c), 1)) / B(c.call)}),
        Mistake(NEGATIVE + ": the gradient is (softmax(z) − onehot(label)) / B", {"backward": negated}),
        Mistake(NEGATIVE + ": the loss is −mean(log p[label]), which is positive", {"forward": negated}),
        Mistake(_ce_cap, {"forward": lambda c, eps: -torch.log(_label_p(c).clamp(min=eps)).mean()}, fit=_ce_fit),
        Mistake(STALE, {"backward": stale("backward")}),
    ]


SPECIFIC = {"Linear": linear, "Sigmoid": sigmoid, "Tanh": tanh, "ReLU": relu, "LeakyReLU": leaky_relu, "ELU": elu,
            "GELU": gelu, "Swish": swish, "MSELoss": mse, "MAELoss": mae, "HuberLoss": huber, "BCELoss": bce,
            "SoftmaxCELoss": softmax_ce}
_CACHE = {}


def catalogue(cls: str) -> list:
    """Every Mistake known for a class."""
    if cls not in _CACHE:
        common = (activation_common() if cls in ACTIVATIONS else
                  mean_loss_factors() if cls in ("MSELoss", "MAELoss", "HuberLoss", "BCELoss") else [])
        _CACHE[cls] = common + SPECIFIC[cls]()
    return _CACHE[cls]
