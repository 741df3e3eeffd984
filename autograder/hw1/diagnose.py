"""Name a mistake only when it is sure: one sentence that says what to fix, or nothing.

`likely_cause(cls, comparisons)` takes every comparison of one check (mistakes.Comparison: the
student's value, the right one, the call it came from) and names a cause only when exactly one
cause reproduces the student's results on all of them:

1. the formulas of the class's catalogue (autograder/hw1/mistakes.py). A formula reproduces a
   wrong value of the student's when its own is wrong too and matches it within
   config.DIAGNOSIS_SLACK times the check's tolerance (elements at a kink aside), a right value
   when its own is right as well, and a run that raised when it raises an exception of the
   same type (in the same method, where the error says which);
2. only when no formula does: symptoms, read off the result itself (a float64 tensor, a changed
   input, inf or NaN where the answer is finite, a transposed shape), which must show in every
   failing comparison.

Causes that share a text are one cause (the same slip made in forward, in backward or in
both), and a mistake that changes only what the check compares is preferred to one that also
changes what it does not see. Two different causes that both fit, or none: nothing is named.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from . import config
from .mistakes import OVERFLOW, Comparison, Mistake, Raises, catalogue


@dataclass(frozen=True)
class Symptom:
    """A failure read off the student's result itself: it names its cause when it shows in every failing comparison."""

    cause: str
    shows: Callable  # Comparison -> bool


def likely_cause(cls: str, comparisons: list, formulas: bool = True, extra: tuple = ()) -> str | None:
    """The one cause that reproduces every comparison of a check, or None.

    `formulas=False` asks the symptoms only (where the comparisons are not against the reference,
    as in the gradient check of a wrong forward); `extra` adds symptoms of one check.
    """
    failing = [c for c in comparisons if not c.passed]
    if not failing:
        return None
    ordered = failing + [c for c in comparisons if c.passed]  # most mistakes are ruled out by the first failure
    tiers = ([catalogue(cls)] if formulas else []) + [symptoms(cls) + list(extra)]
    compared = {c.call.key for c in comparisons}
    for tier in tiers:
        found = [(m, text) for m in tier if (text := _reproduces(m, ordered, failing))]
        # A mistake that changes only what this check compares is the simpler reading of the same values than
        # one that also changes what it does not see (a factor 2 missing in backward, or a ½ in both methods).
        seen_only = [(m, text) for m, text in found if isinstance(m, Symptom) or set(m.formulas) <= compared]
        causes = {text for _, text in seen_only or found}
        if causes:
            return causes.pop() if len(causes) == 1 else None
    return None


def _reproduces(m, comparisons: list, failing: list) -> str | None:
    """m's cause if m reproduces the student's result on every comparison, else None."""
    try:
        if isinstance(m, Symptom):
            return m.cause if all(m.shows(c) for c in failing) else None
        constant = None
        if m.fit:
            constant = next((k for c in failing if (k := m.fit(c)) is not None), None)
            if constant is None:
                return None
        if all(_consistent(m.predict(c, constant), c) for c in comparisons):
            return m.text(constant)
    except Exception:  # noqa: BLE001  (a formula that cannot be evaluated on these inputs explains nothing)
        return None
    return None


def _consistent(prediction, c: Comparison) -> bool:
    """Whether a mistake's prediction for c agrees with what the student's code did there."""
    if c.passed:
        return prediction is None or (not isinstance(prediction, Raises)
                                      and _near(c.got, prediction, c, config.DIAGNOSIS_SLACK))
    if c.raised:
        return (isinstance(prediction, Raises) and c.error == prediction.error
                and c.raised_in in (None, prediction.method))
    if prediction is None or isinstance(prediction, Raises) or c.got is None or c.got.dtype != c.expected.dtype:
        return False
    first = prediction[0] if isinstance(prediction, tuple) else prediction
    return _near(c.got, prediction, c, config.DIAGNOSIS_SLACK) and not _near(first, c.answers, c, 1.0)


def _near(value: torch.Tensor, answers, c: Comparison, slack: float) -> bool:
    """Every element of `value` within slack × c.tol of one of `answers` (element by element), kinks aside.

    NaN matches NaN and an infinity the same infinity; the tolerance's scale is c.scale where it
    has the answer's shape (or its transpose's), else |answer|.
    """
    answers = answers if isinstance(answers, tuple) else (answers,)
    answers = [a for a in answers if isinstance(a, torch.Tensor) and a.shape == value.shape]
    if not answers:
        return False
    v = value.to(torch.float64)
    rtol, atol = slack * c.tol["rtol"], slack * c.tol["atol"]
    ok = torch.zeros(v.shape, dtype=torch.bool)
    for a in answers:
        a = a.to(torch.float64)
        err = (v - a).abs()
        same = (torch.isnan(v) & torch.isnan(a)) | (torch.isinf(a) & (v == a))
        ok |= same | (err <= atol + rtol * _size(a, c.scale))
    if c.kink is not None and c.kink.shape == v.shape:
        ok |= c.kink
    return bool(ok.all())


def _size(answer: torch.Tensor, scale) -> torch.Tensor:
    if scale is not None and scale.shape == answer.shape:
        return scale.to(torch.float64).nan_to_num(posinf=0.0)
    if scale is not None and scale.dim() == 2 and scale.T.shape == answer.shape:
        return scale.T.to(torch.float64).nan_to_num(posinf=0.0)
    return answer.abs().nan_to_num(posinf=0.0, nan=0.0)


# ------------------------------------------------------------------ symptoms
def _has(c: Comparison) -> bool:
    return c.got is not None


FLOAT64_LEAK = Symptom("a float64 tensor crept in: avoid .double(), and give new tensors dtype=x.dtype (or use Python "
                       "floats for constants)",
                       lambda c: _has(c) and c.expected.dtype == torch.float32 and c.got.dtype == torch.float64)
OTHER_DTYPE = Symptom("keep the dtype of the inputs: avoid .float() and .double(), and give new tensors dtype=x.dtype",
                      lambda c: _has(c) and c.got.dtype != c.expected.dtype
                      and not (c.expected.dtype == torch.float32 and c.got.dtype == torch.float64))
CHANGED_INPUT = Symptom("you changed an input in place (x += ..., x[...] = ..., x.clamp_(...), torch.exp(x, out=x)): "
                        "compute new tensors instead", lambda c: _has(c) and c.call.output == "input")


def _transposed(c) -> bool:
    g, e = c.got.shape, c.expected.shape
    return len(g) == 2 and len(e) == 2 and tuple(g) == tuple(e)[::-1] and g != e


TRANSPOSED = Symptom("your result is transposed: check the order of the matrix product",
                     lambda c: _has(c) and _transposed(c))
ZERO_DIM = Symptom("a loss returns a 0-dim tensor: the mean over all elements (.mean(), no keepdim)",
                   lambda c: _has(c) and c.expected.dim() == 0 and c.got.dim() != 0)
RESHAPED = Symptom("right number of elements, wrong shape: keep the shape of the input (no reshape or squeeze)",
                   lambda c: _has(c) and c.expected.dim() > 0 and c.got.shape != c.expected.shape
                   and c.got.numel() == c.expected.numel() and not _transposed(c))
FORWARD_IGNORES_INPUT = Symptom("your forward does not change at all when this input changes: does forward use it "
                                "(the bias b, say)?",
                                lambda c: _has(c) and not bool(c.expected.any()) and bool(c.got.any()))

def _not_finite(c) -> bool:
    return (_has(c) and c.got.shape == c.expected.shape and c.got.dtype == c.expected.dtype
            and bool(torch.isfinite(c.expected).all()) and not bool(torch.isfinite(c.got).all()))


def symptoms(cls: str) -> list:
    out = [FLOAT64_LEAK, OTHER_DTYPE, CHANGED_INPUT, TRANSPOSED, ZERO_DIM, RESHAPED]
    if cls in OVERFLOW:
        out.append(Symptom(OVERFLOW[cls], _not_finite))
    return out


# ------------------------------------------------------------------ a fact, not a cause
def constant_factor(got: torch.Tensor, expected: torch.Tensor):
    """c if got ≈ c·expected for a constant c ≠ 1 (least squares, checked), else None."""
    if got.shape != expected.shape or got.numel() == 0:
        return None
    g, e = got.to(torch.float64).reshape(-1), expected.to(torch.float64).reshape(-1)
    if not (torch.isfinite(g).all() and torch.isfinite(e).all()) or float(e @ e) == 0.0:
        return None
    c = float(g @ e) / float(e @ e)
    if abs(c - 1) < 1e-3 or abs(c) < 1e-12:
        return None
    return c if bool(((g - c * e).abs() <= 1e-6 + 1e-3 * (c * e).abs()).all()) else None


def common_factor(comparisons: list):
    """The constant c with got ≈ c·expected in every failing comparison, or None (a fact to report, not a cause)."""
    failing = [c for c in comparisons if not c.passed]
    factors = [constant_factor(c.got, c.expected) if c.got is not None and c.got.dtype == c.expected.dtype else None
               for c in failing]
    if not factors or any(f is None for f in factors):
        return None
    return factors[0] if all(math.isclose(f, factors[0], rel_tol=1e-3) for f in factors) else None


__all__ = ["Mistake", "Symptom", "likely_cause", "common_factor", "constant_factor", "symptoms"]
