"""Task 3: the five losses. Run `pytest tests/test_losses.py`.

The worked examples have N > 1 columns on purpose: MSE, MAE, Huber and BCE average
over all numel = B·N elements, so their gradients are divided by numel, not by B.
"""

import math

import pytest
import torch
from checks import numeric_grad
from helpers import CLOSE, GRADIENT, away_from_zero, call, check, check_finite, check_unchanged, tensor
from scratchnn import BCELoss, HuberLoss, MAELoss, MSELoss, SoftmaxCELoss

MAKE = {
    "MSELoss": MSELoss,
    "MAELoss": MAELoss,
    "HuberLoss": lambda: HuberLoss(delta=2.0),  # not the default 1.0, to catch a hard-coded delta
    "BCELoss": BCELoss,
    "SoftmaxCELoss": SoftmaxCELoss,
}
NAMES = list(MAKE)

# Worked examples: y_pred, y_true, the loss, dL/dy_pred.
EXAMPLES = {
    # errors [[1, 0], [2, 0]]: (1 + 4) / 4; gradient 2·error / 4
    "MSELoss": ([[1.0, 2.0], [3.0, 4.0]], [[0.0, 2.0], [1.0, 4.0]],
                1.25, [[0.5, 0.0], [1.0, 0.0]]),
    # errors [[1, -2, 0.5], [-1, 3, -0.5]]: (1 + 2 + 0.5 + 1 + 3 + 0.5) / 6; gradient sign(error) / 6
    "MAELoss": ([[1.0, 0.0, 3.5], [-1.0, 3.0, 0.0]], [[0.0, 2.0, 3.0], [0.0, 0.0, 0.5]],
                8.0 / 6.0, [[1 / 6, -1 / 6, 1 / 6], [-1 / 6, 1 / 6, -1 / 6]]),
    # delta = 2, errors [[0.5, -1.5], [3, -0.2]]: e²/2 inside ±2, 2·(|e| - 1) outside:
    # (0.125 + 1.125 + 4 + 0.02) / 4; gradient: the error clipped to [-2, 2], over 4
    "HuberLoss": ([[0.5, -1.5], [3.0, -0.2]], [[0.0, 0.0], [0.0, 0.0]],
                  5.27 / 4, [[0.125, -0.375], [0.5, -0.05]]),
    # -(ln 0.5 + ln 0.2 + ln 0.75 + ln 0.9) / 4; gradient (p - y) / (p·(1 - p)) / 4
    "BCELoss": ([[0.5, 0.8], [0.25, 0.9]], [[1.0, 0.0], [0.0, 1.0]],
                -(math.log(0.5) + math.log(0.2) + math.log(0.75) + math.log(0.9)) / 4,
                [[-0.5, 1.25], [1 / 3, -1 / 3.6]]),
    # softmax rows [1/3, 1/3, 1/3] and [1/2, 1/4, 1/4]; labels 0 and 2: (ln 3 + ln 4) / 2;
    # gradient (softmax - onehot) / B with B = 2
    "SoftmaxCELoss": ([[0.0, 0.0, 0.0], [math.log(2.0), 0.0, 0.0]], [0, 2],
                      (math.log(3.0) + math.log(4.0)) / 2,
                      [[-1 / 3, 1 / 6, 1 / 6], [0.25, 0.125, -0.375]]),
}

# Large inputs: y_pred, y_true, the loss, dL/dy_pred (None: only required to be finite).
LARGE = {
    "MSELoss": ([[1e4, -1e4], [-1e4, 1e4]], [[0.0, 0.0], [0.0, 0.0]], 1e8, [[5e3, -5e3], [-5e3, 5e3]]),
    "MAELoss": ([[1e4, -1e4], [-1e4, 1e4]], [[0.0, 0.0], [0.0, 0.0]], 1e4, [[0.25, -0.25], [-0.25, 0.25]]),
    # default delta = 1: |e| - 1/2 per element; gradient sign(e) / 4
    "HuberLoss": ([[1e4, -1e4], [-1e4, 1e4]], [[0.0, 0.0], [0.0, 0.0]], 1e4 - 0.5, [[0.25, -0.25], [-0.25, 0.25]]),
    # probabilities 0 and 1 are clamped to [1e-7, 1 - 1e-7] first: -(ln 1e-7 + ln(1 - 1e-7)) / 2
    "BCELoss": ([[0.0, 1.0]], [[1.0, 1.0]], -(math.log(1e-7) + math.log(1 - 1e-7)) / 2, None),
    # log-softmax of [1000, 0, -1000] is [0, -1000, -2000]: a clamped probability would cap the loss near 20
    "SoftmaxCELoss": ([[1000.0, 0.0, -1000.0]], [2], 2000.0, [[1.0, 0.0, -1.0]]),
}


# What forward's two arguments are called in messages.
ARGS = {name: ("y_pred", "y_true") for name in NAMES} | {"SoftmaxCELoss": ("logits", "labels")}


def on(name, y_pred, y_true) -> str:
    return f"on {ARGS[name][0]} = {y_pred}, {ARGS[name][1]} = {y_true}"


def inputs(name, y_pred, y_true, dtype=torch.float64):
    """The two arguments of forward: labels of SoftmaxCELoss are int64, everything else has dtype."""
    pred = tensor(y_pred, dtype)
    true = torch.tensor(y_true, dtype=torch.int64) if name == "SoftmaxCELoss" else tensor(y_true, dtype)
    return pred, true


@pytest.mark.parametrize("name", NAMES)
def test_forward(name):
    y_pred, y_true, loss, _ = EXAMPLES[name]
    pred, true = inputs(name, y_pred, y_true)
    before = pred.clone(), true.clone()
    got = call(MAKE[name](), "forward", pred, true)
    check_unchanged(before[0], pred, f"{name}.forward: {ARGS[name][0]}")
    check_unchanged(before[1], true, f"{name}.forward: {ARGS[name][1]}")
    check(got, tensor(loss), f"{name}.forward {on(name, y_pred, y_true)}")


@pytest.mark.parametrize("name", NAMES)
def test_backward(name):
    y_pred, y_true, _, grad = EXAMPLES[name]
    pred, true = inputs(name, y_pred, y_true)
    loss = MAKE[name]()
    call(loss, "forward", pred, true, strict=False)
    got = call(loss, "backward")
    if name == "SoftmaxCELoss":
        hint = f" (the mean over the batch, B = {pred.shape[0]})"
    else:
        hint = f" (the mean over all numel = {pred.numel()} elements, not over the batch)"
    check(got, tensor(grad), f"{name}.backward {on(name, y_pred, y_true)}{hint}")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_check(name):
    """backward against central differences of your own forward, in float64."""
    gen = torch.Generator().manual_seed(1234)
    if name == "SoftmaxCELoss":
        pred = 2.0 * torch.randn(3, 5, generator=gen, dtype=torch.float64)
        true = torch.randint(0, 5, (3,), generator=gen)
    elif name == "BCELoss":
        pred = 0.05 + 0.9 * torch.rand(3, 4, generator=gen, dtype=torch.float64)  # clear of the clamp
        true = torch.rand(3, 4, generator=gen, dtype=torch.float64)
    else:
        true = torch.randn(3, 4, generator=gen, dtype=torch.float64)
        # errors with |e| in [0.2, 1.8] or [2.2, 3]: clear of MAE's kink at 0 and Huber's at ±2
        error = away_from_zero((3, 4), 0.2, 1.8, seed=1235)
        error = torch.where(error.abs() > 1.0, error + 1.2 * error.sign(), error).clamp(-3, 3)
        pred = true + error
    loss = MAKE[name]()
    call(loss, "forward", pred, true, strict=False)
    got = call(loss, "backward", strict=False)
    expected = numeric_grad(lambda p: call(MAKE[name](), "forward", p, true, strict=False), pred)
    check(got, expected, f"{name}.backward against the numerical gradient of {name}.forward", GRADIENT)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_shapes_and_dtypes(name, dtype):
    """forward gives a 0-dim tensor and backward a gradient shaped like y_pred, both of y_pred's dtype."""
    gen = torch.Generator().manual_seed(1236)
    shapes = [(4, 5), (1, 3)] if name == "SoftmaxCELoss" else [(6,), (2, 3), (2, 3, 2)]
    for shape in shapes:
        if name == "SoftmaxCELoss":
            pred, true = torch.randn(shape, generator=gen), torch.randint(0, shape[1], shape[:1], generator=gen)
        else:
            pred, true = torch.rand(shape, generator=gen), torch.rand(shape, generator=gen)
            pred = 0.05 + 0.9 * pred  # valid probabilities for BCELoss
        results = {}
        for dt in (torch.float64, dtype):
            p = pred.to(dt)
            t = true if name == "SoftmaxCELoss" else true.to(dt)
            loss = MAKE[name]()
            value = call(loss, "forward", p, t, strict=False)
            grad = call(loss, "backward", strict=False)
            expect_shape(value, (), dt, f"{name}.forward on y_pred of shape {shape} ({dt})")
            expect_shape(grad, shape, dt, f"{name}.backward on y_pred of shape {shape} ({dt})")
            results[dt] = value, grad
        (v64, g64), (v, g) = results[torch.float64], results[dtype]
        check(v, v64.to(dtype), f"{name}.forward in {dtype} against float64, shape {shape}", CLOSE)
        check(g, g64.to(dtype), f"{name}.backward in {dtype} against float64, shape {shape}", CLOSE)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_large_inputs(name, dtype):
    y_pred, y_true, expected_loss, expected_grad = LARGE[name]
    pred, true = inputs(name, y_pred, y_true, dtype)
    loss = MAKE[name]() if name != "HuberLoss" else HuberLoss()  # default delta = 1
    value = call(loss, "forward", pred, true, strict=False)
    grad = call(loss, "backward", strict=False)
    what = f"{on(name, y_pred, y_true)} ({dtype})"
    check_finite(value, f"{name}.forward {what}")
    check(value, tensor(expected_loss, dtype), f"{name}.forward {what}", CLOSE)
    check_finite(grad, f"{name}.backward {what}")
    if expected_grad is not None:
        check(grad, tensor(expected_grad, dtype), f"{name}.backward {what}", CLOSE)


def expect_shape(got, shape, dtype, what):
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != shape or got.dtype != dtype:
        kind = f"a {got.dtype} tensor of shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else got
        pytest.fail(f"{what}: expected a {dtype} tensor of shape {shape}, got {kind}", pytrace=False)
