"""What the public tests share: calling your code, and comparing its results.

A method that still raises NotImplementedError fails the one test named after it
(``test_step[...]``, ``test_forward[...]``, ``test_backward[...]``) with the stub's message;
every other test that needs it is skipped, so each unwritten method shows up as one clear failure.

PyTorch's own torch.optim and torch.nn appear in these tests as the reference to compare with:
that is fine in a test, never in your scratchnn files.
"""

import json
import sys
from pathlib import Path

import pytest
import recorder
import torch
from checks import compare

HERE = Path(__file__).resolve().parent
STUDENT_FILES = ["optim.py", "layers.py"]


def course_policy() -> dict:
    """The grader's policy rules: tests/course_policy.json in the student kit, the grader's config in its repository."""
    path = HERE / "course_policy.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    sys.path.insert(0, str(HERE.parent.parent.parent))
    from autograder import generate
    from autograder.assignment import load

    return generate.course_policy(load("hw2"))


POLICY = course_policy()
OPERATORS = recorder.OperatorRules.of(POLICY["operators"])

# |got - expected| <= atol + rtol·|expected|
EXACT = {"rtol": 1e-7, "atol": 1e-9}      # float64, against hand-computed values or PyTorch
CLOSE = {"rtol": 1e-4, "atol": 1e-5}      # float32 against float64
GRADIENT = {"rtol": 1e-5, "atol": 1e-7}   # backward against central differences (float64)
F64 = torch.float64


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


def check_unchanged(before: torch.Tensor, after: torch.Tensor, what: str) -> None:
    if not torch.equal(before, after):
        pytest.fail(f"{what} was modified in place: work on new tensors instead", pytrace=False)


def tensor(values, dtype=F64) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


def randn(*shape, seed: int, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
    """float64 normal values, scale·N(0, 1) + shift, from a generator of their own (the global one is untouched)."""
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64) + shift
