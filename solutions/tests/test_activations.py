"""Task 2: the seven activations. Run `pytest tests/test_activations.py`."""

import math

import pytest
import torch
from checks import numeric_grad
from helpers import CLOSE, GRADIENT, away_from_zero, call, check, check_finite, check_unchanged, tensor
from scratchnn import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Swish, Tanh

LN2, LN3, LN4 = math.log(2.0), math.log(3.0), math.log(4.0)

# The layer each test builds (LeakyReLU and ELU with a non-default alpha, to catch a hard-coded one).
MAKE = {
    "Sigmoid": Sigmoid,
    "Tanh": Tanh,
    "ReLU": ReLU,
    "LeakyReLU": lambda: LeakyReLU(alpha=0.1),
    "ELU": lambda: ELU(alpha=2.0),
    "GELU": GELU,
    "Swish": Swish,
}

# Worked examples: x, f(x), f'(x). Each can be checked by hand (GELU to 12 digits with a calculator);
# they use σ(ln 3) = 3/4 and tanh(ln 3) = 4/5.
EXAMPLES = {
    "Sigmoid": ([0.0, LN3, -LN3], [0.5, 0.75, 0.25], [0.25, 0.1875, 0.1875]),
    "Tanh": ([0.0, LN3, -LN3], [0.0, 0.8, -0.8], [1.0, 0.36, 0.36]),
    "ReLU": ([-2.0, -0.5, 0.5, 3.0], [0.0, 0.0, 0.5, 3.0], [0.0, 0.0, 1.0, 1.0]),
    "LeakyReLU": ([-2.0, -0.5, 0.5, 3.0], [-0.2, -0.05, 0.5, 3.0], [0.1, 0.1, 1.0, 1.0]),
    # alpha·(e^x - 1) at x = -ln 4 and -ln 2 with alpha = 2; slope alpha·e^x
    "ELU": ([-LN4, -LN2, 0.5, 3.0], [-1.5, -1.0, 0.5, 3.0], [0.5, 1.0, 1.0, 1.0]),
    # the tanh form: GELU(1) = 0.841192 (the erf form would give 0.841345); GELU(x) - GELU(-x) = x
    "GELU": ([0.0, 1.0, -1.0, 2.0],
             [0.0, 0.841191990608, -0.158808009392, 1.95459769409],
             [0.5, 1.08296408385, -0.0829640838458, 1.08609925662]),
    # x·σ(x), slope σ(x)·(1 + x·(1 - σ(x)))
    "Swish": ([0.0, LN3, -LN3], [0.0, 0.75 * LN3, -0.25 * LN3],
              [0.5, 0.75 * (1 + 0.25 * LN3), 0.25 * (1 - 0.75 * LN3)]),
}
DOUT = [1.0, -2.0, 0.5, 3.0]  # upstream gradients for the worked examples

# Far from 0 every activation is close to a simple function: f(x) and f'(x) for x <= -30 and x >= 30.
ASYMPTOTES = {
    "Sigmoid": (lambda x: torch.where(x < 0, 0.0, 1.0), lambda x: torch.zeros_like(x)),
    "Tanh": (lambda x: torch.where(x < 0, -1.0, 1.0), lambda x: torch.zeros_like(x)),
    "ReLU": (lambda x: torch.where(x < 0, 0.0, x), lambda x: torch.where(x < 0, 0.0, 1.0)),
    "LeakyReLU": (lambda x: torch.where(x < 0, 0.1 * x, x), lambda x: torch.where(x < 0, 0.1, 1.0)),
    "ELU": (lambda x: torch.where(x < 0, -2.0, x), lambda x: torch.where(x < 0, 0.0, 1.0)),
    "GELU": (lambda x: torch.where(x < 0, 0.0, x), lambda x: torch.where(x < 0, 0.0, 1.0)),
    "Swish": (lambda x: torch.where(x < 0, 0.0, x), lambda x: torch.where(x < 0, 0.0, 1.0)),
}
LARGE = [-1e4, -1e3, -1e2, -30.0, 30.0, 1e2, 1e3, 1e4]

NAMES = list(MAKE)


@pytest.mark.parametrize("name", NAMES)
def test_forward(name):
    x_values, f_values, _ = EXAMPLES[name]
    x = tensor(x_values)
    x_before = x.clone()
    y = call(MAKE[name](), "forward", x)
    check_unchanged(x_before, x, f"{name}.forward: the input x")
    check(y, tensor(f_values), f"{name}.forward on x = {x_values}")


@pytest.mark.parametrize("name", NAMES)
def test_backward(name):
    x_values, _, slopes = EXAMPLES[name]
    x = tensor(x_values)
    dout_values = DOUT[:len(x_values)]
    dout = tensor(dout_values)
    layer = MAKE[name]()
    call(layer, "forward", x, strict=False)
    dx = call(layer, "backward", dout)
    check_unchanged(tensor(dout_values), dout, f"{name}.backward: dout")
    check(dx, tensor(slopes) * tensor(dout_values), f"{name}.backward on x = {x_values}, dout = {dout_values}")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_check(name):
    """backward against central differences of your own forward, in float64."""
    x = away_from_zero((3, 4), 0.2, 3.0, seed=1234)  # clear of the kinks of ReLU and LeakyReLU at 0
    dout = torch.randn(3, 4, generator=torch.Generator().manual_seed(1235), dtype=torch.float64)
    layer = MAKE[name]()
    call(layer, "forward", x, strict=False)
    dx = call(layer, "backward", dout, strict=False)
    expected = numeric_grad(lambda t: call(MAKE[name](), "forward", t, strict=False), x, dout)
    check(dx, expected, f"{name}.backward against the numerical gradient of {name}.forward", GRADIENT)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4)], ids=["1-D", "2-D", "3-D"])
def test_shapes_and_dtypes(name, shape):
    """Any shape; float32 stays float32, float64 stays float64, and both agree."""
    x64 = away_from_zero(shape, 0.1, 2.0, seed=1236)
    dout64 = torch.randn(shape, generator=torch.Generator().manual_seed(1237), dtype=torch.float64)
    results = {}
    for dtype in (torch.float64, torch.float32):
        layer = MAKE[name]()
        y = call(layer, "forward", x64.to(dtype), strict=False)
        dx = call(layer, "backward", dout64.to(dtype), strict=False)
        for what, got in ((f"{name}.forward", y), (f"{name}.backward", dx)):
            if not isinstance(got, torch.Tensor) or got.dtype != dtype or tuple(got.shape) != shape:
                pytest.fail(f"{what} on a {dtype} input of shape {shape}: expected a {dtype} tensor "
                            f"of shape {shape}, got {describe(got)}", pytrace=False)
        results[dtype] = (y, dx)
    (y64, dx64), (y32, dx32) = results[torch.float64], results[torch.float32]
    check(y32, y64.float(), f"{name}.forward in float32 against float64", CLOSE)
    check(dx32, dx64.float(), f"{name}.backward in float32 against float64", CLOSE)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_large_inputs(name, dtype):
    """Finite and right for |x| up to 1e4 (no e^x of a large positive x, no inf·0)."""
    x = tensor(LARGE, dtype)
    layer = MAKE[name]()
    y = call(layer, "forward", x, strict=False)
    dx = call(layer, "backward", torch.ones_like(x), strict=False)
    f, slope = ASYMPTOTES[name]
    for what, got, expected in ((f"{name}.forward", y, f(x)), (f"{name}.backward", dx, slope(x))):
        check_finite(got, f"{what} on x = {LARGE} ({dtype})")
        check(got, expected.to(dtype), f"{what} on x = {LARGE} ({dtype})", CLOSE)


def describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return type(value).__name__
