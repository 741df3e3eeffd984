"""Task 1: the Linear layer. Run `pytest tests/test_linear.py`."""

import pytest
import torch
from checks import numeric_grad
from helpers import CLOSE, GRADIENT, call, check, check_unchanged, tensor
from scratchnn import Linear

# The worked example: B = 2 samples, M = 3 inputs, N = 2 outputs.
X = [[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]]
W = [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]
BIAS = [0.5, -1.0]
Y = [[4.5, -2.0], [2.5, -4.0]]          # X @ W + b
DOUT = [[1.0, 0.0], [2.0, -1.0]]
DX = [[1.0, 0.0, 1.0], [2.0, -1.0, 3.0]]  # DOUT @ Wᵀ
DW = [[1.0, 0.0], [0.0, 1.0], [7.0, -2.0]]  # Xᵀ @ DOUT
DB = [3.0, -1.0]                         # DOUT summed over the batch


def layer_with(W_values, b_values, dtype=torch.float64) -> Linear:
    """A Linear layer whose W and b are set to the given values (and dtype)."""
    layer = Linear(len(W_values), len(W_values[0]))
    layer.W, layer.b = tensor(W_values, dtype), tensor(b_values, dtype)
    return layer


def test_forward():
    layer = layer_with(W, BIAS)
    x = tensor(X)
    y = call(layer, "forward", x)
    check_unchanged(tensor(X), x, "Linear.forward: the input x")
    check(y, tensor(Y), f"Linear.forward with x = {X}, W = {W}, b = {BIAS}")


def test_backward():
    layer = layer_with(W, BIAS)
    call(layer, "forward", tensor(X), strict=False)
    dout = tensor(DOUT)
    dx = call(layer, "backward", dout)
    check_unchanged(tensor(DOUT), dout, "Linear.backward: dout")
    check_unchanged(tensor(W), layer.W, "Linear.backward: W (only step changes it)")
    where = f"with x = {X}, W = {W}, dout = {DOUT}"
    check(dx, tensor(DX), f"Linear.backward: the returned dL/dx {where}")
    check(layer.dW, tensor(DW), f"Linear.backward: the stored dW {where}")
    check(layer.db, tensor(DB), f"Linear.backward: the stored db {where}")


def test_gradient_check():
    """dL/dx, dW and db against central differences of your own forward, in float64."""
    gen = torch.Generator().manual_seed(1234)
    x = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    W0 = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    b0 = torch.randn(2, generator=gen, dtype=torch.float64)
    dout = torch.randn(4, 2, generator=gen, dtype=torch.float64)

    def forward(x_, W_, b_):
        layer = Linear(3, 2)
        layer.W, layer.b = W_, b_
        return call(layer, "forward", x_, strict=False)

    layer = Linear(3, 2)
    layer.W, layer.b = W0.clone(), b0.clone()
    call(layer, "forward", x, strict=False)
    dx = call(layer, "backward", dout, strict=False)
    numeric = {
        "the returned dL/dx": (dx, numeric_grad(lambda t: forward(t, W0, b0), x, dout)),
        "the stored dW": (layer.dW, numeric_grad(lambda t: forward(x, t, b0), W0, dout)),
        "the stored db": (layer.db, numeric_grad(lambda t: forward(x, W0, t), b0, dout)),
    }
    for what, (got, expected) in numeric.items():
        check(got, expected, f"Linear.backward: {what} against the numerical gradient of Linear.forward", GRADIENT)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("batch, m, n", [(5, 4, 3), (1, 3, 1)])
def test_shapes_and_dtypes(dtype, batch, m, n):
    """(B, M) -> (B, N); dL/dx (B, M), dW (M, N), db (N,); every result in the input's dtype."""
    gen = torch.Generator().manual_seed(1236)
    x = torch.randn(batch, m, generator=gen, dtype=torch.float64)
    dout = torch.randn(batch, n, generator=gen, dtype=torch.float64)
    W0 = torch.randn(m, n, generator=gen, dtype=torch.float64)
    b0 = torch.randn(n, generator=gen, dtype=torch.float64)
    results = {}
    for dt in (torch.float64, dtype):
        layer = Linear(m, n)
        layer.W, layer.b = W0.to(dt), b0.to(dt)
        y = call(layer, "forward", x.to(dt), strict=False)
        dx = call(layer, "backward", dout.to(dt), strict=False)
        results[dt] = {"forward output": (y, (batch, n)), "backward's dL/dx": (dx, (batch, m)),
                       "dW": (layer.dW, (m, n)), "db": (layer.db, (n,))}
        for what, (got, shape) in results[dt].items():
            if not isinstance(got, torch.Tensor) or tuple(got.shape) != shape or got.dtype != dt:
                kind = f"a {got.dtype} tensor of shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else got
                pytest.fail(f"Linear: the {what} for B, M, N = {batch}, {m}, {n} in {dt}: expected a {dt} tensor "
                            f"of shape {shape}, got {kind}", pytrace=False)
    for what, (got, _) in results[dtype].items():
        check(got, results[torch.float64][what][0].to(dtype), f"Linear: the {what} in {dtype} against float64",
              CLOSE)
