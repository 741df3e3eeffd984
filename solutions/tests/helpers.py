"""What the public tests share: calling your code, and comparing its results.

A method that still raises NotImplementedError fails the one test named after it
(``test_forward[...]`` or ``test_backward[...]``) with the stub's message; every other
test that needs it is skipped, so each unwritten class shows up as one clear failure.
"""

import json
import sys
from pathlib import Path

import pytest
import recorder
import torch
from checks import compare

HERE = Path(__file__).resolve().parent


def course_policy() -> dict:
    """The grader's policy rules: tests/course_policy.json in the student kit, the grader's config in its repository."""
    path = HERE / "course_policy.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    sys.path.insert(0, str(HERE.parent.parent))
    from autograder.assignment import load
    from autograder.generate import course_policy as from_config

    return from_config(load("hw1"))


POLICY = course_policy()
OPERATORS = recorder.OperatorRules.of(POLICY["operators"])

# |got - expected| <= atol + rtol·|expected|
EXACT = {"rtol": 1e-7, "atol": 1e-9}      # float64 worked examples
CLOSE = {"rtol": 1e-4, "atol": 1e-5}      # float32 against float64
GRADIENT = {"rtol": 1e-5, "atol": 1e-7}   # backward against central differences (float64)


def call(obj, method: str, *args, strict: bool = True):
    """obj.method(*args), with the grader's operator recorder watching (a forbidden operator or autograd
    fails the test, as it would zero the class on Gradescope). NotImplementedError fails this test if
    strict, else skips it."""
    watch = recorder.Recorder(OPERATORS, POLICY["operators"]["student_files"])
    try:
        with watch:
            value = getattr(obj, method)(*args)
    except NotImplementedError as e:
        message = str(e)
    else:
        if watch.sightings:
            listed = "\n".join(f"  {s.message()}" for s in watch.sightings)
            pytest.fail(f"{type(obj).__name__}.{method} breaks the course policy, so the grader scores all of "
                        f"{type(obj).__name__} 0:\n{listed}", pytrace=False)
        return value
    # outside the except block, so that pytest shows the message alone
    name = f"{type(obj).__name__}.{method}"
    if strict:
        pytest.fail(message or f"{name} raised NotImplementedError", pytrace=False)
    pytest.skip(f"{name} is not written yet (test_{method} reports it)")


def check(got, expected: torch.Tensor, what: str, tol: dict = EXACT) -> None:
    """Fail with checks.compare's message (shape, dtype, worst index, expected vs got) on a mismatch."""
    message = compare(got, expected, what, **tol)
    if message:
        pytest.fail(message, pytrace=False)


def check_finite(got: torch.Tensor, what: str) -> None:
    bad = ~torch.isfinite(got)
    if bad.any():
        index = tuple(int(i) for i in bad.nonzero()[0])
        pytest.fail(f"{what}: not finite (inf or NaN) at index {index}: {got[index].item()}", pytrace=False)


def check_unchanged(before: torch.Tensor, after: torch.Tensor, what: str) -> None:
    if not torch.equal(before, after):
        pytest.fail(f"{what} was modified in place: work on new tensors instead", pytrace=False)


def tensor(values, dtype=torch.float64) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


def away_from_zero(shape, low: float, high: float, seed: int) -> torch.Tensor:
    """float64 values with |v| in [low, high] and random signs: clear of kinks at 0."""
    gen = torch.Generator().manual_seed(seed)
    magnitude = low + (high - low) * torch.rand(shape, generator=gen, dtype=torch.float64)
    sign = torch.where(torch.rand(shape, generator=gen) < 0.5, -1.0, 1.0).to(torch.float64)
    return magnitude * sign
