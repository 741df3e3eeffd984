"""The reference (scratchnn_ref) against torch.autograd and torch.nn.functional.

The grader scores students against scratchnn_ref, so it must agree with PyTorch's own
implementations: float64 values and gradients on 1-D to 4-D inputs, magnitudes up to 1e4,
dtypes kept, inputs untouched. The tests named test_errata_* pin where the seed article
is wrong (see the student README's last section).
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

import scratchnn_ref as ref

F64 = torch.float64
TIGHT = {"rtol": 1e-10, "atol": 1e-12}  # float64, reference against PyTorch

# name -> (the reference layer, the same function in PyTorch)
ACTIVATIONS = {
    "Sigmoid": (ref.Sigmoid, torch.sigmoid),
    "Tanh": (ref.Tanh, torch.tanh),
    "ReLU": (ref.ReLU, F.relu),
    "LeakyReLU": (ref.LeakyReLU, lambda x: F.leaky_relu(x, negative_slope=0.01)),
    "LeakyReLU(0.2)": (lambda: ref.LeakyReLU(alpha=0.2), lambda x: F.leaky_relu(x, negative_slope=0.2)),
    "ELU": (ref.ELU, lambda x: F.elu(x, alpha=1.0)),
    "ELU(1.7)": (lambda: ref.ELU(alpha=1.7), lambda x: F.elu(x, alpha=1.7)),
    "GELU": (ref.GELU, lambda x: F.gelu(x, approximate="tanh")),
    "Swish": (ref.Swish, F.silu),
}

# name -> (the reference loss, the same loss in PyTorch, what y_pred holds)
LOSSES = {
    "MSELoss": (ref.MSELoss, F.mse_loss, "real"),
    "MAELoss": (ref.MAELoss, F.l1_loss, "real"),
    "HuberLoss": (ref.HuberLoss, lambda p, t: F.huber_loss(p, t, delta=1.0), "real"),
    "HuberLoss(0.6)": (lambda: ref.HuberLoss(delta=0.6), lambda p, t: F.huber_loss(p, t, delta=0.6), "real"),
    "BCELoss": (ref.BCELoss, F.binary_cross_entropy, "probability"),
}
SHAPES = [(7,), (3, 5), (2, 3, 4), (2, 2, 3, 3)]
LARGE = [-1e4, -1e3, -1e2, -20.0, -1.5, 1.5, 20.0, 1e2, 1e3, 1e4]


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def autograd(fn, inputs: list, dout=None):
    """fn(*inputs) and the gradients of sum(fn · dout) (or of the scalar fn) w.r.t. every input."""
    leaves = [t.detach().clone().requires_grad_(True) for t in inputs]
    out = fn(*leaves)
    (out if dout is None else out * dout).sum().backward()
    return out.detach(), [leaf.grad for leaf in leaves]


def run_activation(make, x, dout):
    layer = make()
    return layer.forward(x), layer.backward(dout)


def real_pair(shape, seed, scale=2.0):
    g = gen(seed)
    return scale * torch.randn(shape, generator=g, dtype=F64), scale * torch.randn(shape, generator=g, dtype=F64)


def probability_pair(shape, seed):
    """Probabilities including 0 and 1 (clamped by BCELoss), and soft targets in [0, 1]."""
    g = gen(seed)
    p = torch.rand(shape, generator=g, dtype=F64)
    p.view(-1)[:2] = torch.tensor([0.0, 1.0], dtype=F64)
    return p, torch.rand(shape, generator=g, dtype=F64)


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{len(s)}-D")
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(name, shape):
    make, torch_fn = ACTIVATIONS[name]
    x, dout = real_pair(shape, seed=len(shape), scale=3.0)
    y, dx = run_activation(make, x, dout)
    y_torch, (dx_torch,) = autograd(torch_fn, [x], dout)
    torch.testing.assert_close(y, y_torch, **TIGHT, msg=lambda m: f"{name}.forward: {m}")
    torch.testing.assert_close(dx, dx_torch, **TIGHT, msg=lambda m: f"{name}.backward: {m}")


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_large_magnitudes(name, dtype):
    """Finite for |x| up to 1e4 and equal to PyTorch's float64 result (rounded to dtype)."""
    make, torch_fn = ACTIVATIONS[name]
    x = torch.tensor(LARGE, dtype=dtype)
    dout = torch.linspace(-1.0, 2.0, len(LARGE), dtype=dtype)
    y, dx = run_activation(make, x, dout)
    assert torch.isfinite(y).all() and torch.isfinite(dx).all(), (y, dx)
    y_torch, (dx_torch,) = autograd(torch_fn, [x.to(F64)], dout.to(F64))
    tol = TIGHT if dtype == F64 else {"rtol": 1e-6, "atol": 1e-7}
    torch.testing.assert_close(y, y_torch.to(dtype), **tol)
    torch.testing.assert_close(dx, dx_torch.to(dtype), **tol)


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_keeps_dtype_and_inputs(name, dtype):
    make, _ = ACTIVATIONS[name]
    x, dout = (t.to(dtype) for t in real_pair((4, 5), seed=7))
    x_before, dout_before = x.clone(), dout.clone()
    y, dx = run_activation(make, x, dout)
    assert (y.dtype, dx.dtype) == (dtype, dtype)
    assert (y.shape, dx.shape) == (x.shape, x.shape)
    assert torch.equal(x, x_before) and torch.equal(dout, dout_before)


def test_errata_7_elu_and_swish_at_infinity():
    """Masks times inf and x·σ(x) give NaN at ±inf; the reference gives the limits."""
    for dtype in (torch.float32, F64):
        x = torch.tensor([-math.inf, -1e4, 1e4, math.inf], dtype=dtype)
        dout = torch.full_like(x, 3.0)
        inf = math.inf
        expected = {  # f(x) and dout · f'(x)
            "ELU(1.7)": ([-1.7, -1.7, 1e4, inf], [0.0, 0.0, 3.0, 3.0]),
            "Swish": ([0.0, 0.0, 1e4, inf], [0.0, 0.0, 3.0, 3.0]),
        }
        for name, (f, df) in expected.items():
            y, dx = run_activation(ACTIVATIONS[name][0], x, dout)
            assert not torch.isnan(y).any() and not torch.isnan(dx).any(), (name, dtype, y, dx)
            torch.testing.assert_close(y, torch.tensor(f, dtype=dtype), msg=lambda m, n=name: f"{n}.forward: {m}")
            torch.testing.assert_close(dx, torch.tensor(df, dtype=dtype), msg=lambda m, n=name: f"{n}.backward: {m}")


def test_gelu_is_the_tanh_form():
    """GELU(1) of the tanh form is 0.841192; the erf form would give 0.841345."""
    y = ref.GELU().forward(torch.tensor([1.0], dtype=F64))
    assert abs(y.item() - 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * 1.044715))) < 1e-15
    assert abs(y.item() - F.gelu(torch.tensor(1.0, dtype=F64)).item()) > 1e-4


# ---------------------------------------------------------------- losses


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (6,)], ids=["4x3", "2x3x5", "6"])
@pytest.mark.parametrize("name", LOSSES)
def test_loss_matches_torch(name, shape):
    make, torch_fn, kind = LOSSES[name]
    pred, true = probability_pair(shape, seed=11) if kind == "probability" else real_pair(shape, seed=11)
    loss = make()
    value = loss.forward(pred, true)
    grad = loss.backward()
    if kind == "probability":
        # PyTorch's BCE on the clamped probabilities; the gradient w.r.t. the clamped tensor is
        # the subgradient the reference uses where the clamp is active
        pred = pred.clamp(ref.BCELoss.EPS, 1 - ref.BCELoss.EPS)
    value_torch, (grad_torch, _) = autograd(torch_fn, [pred, true])
    assert value.shape == () and grad.shape == pred.shape
    torch.testing.assert_close(value, value_torch, **TIGHT, msg=lambda m: f"{name}.forward: {m}")
    torch.testing.assert_close(grad, grad_torch, **TIGHT, msg=lambda m: f"{name}.backward: {m}")


@pytest.mark.parametrize("B, K", [(5, 4), (1, 7), (8, 2)])
def test_softmax_ce_matches_torch(B, K):
    g = gen(B * K)
    logits = 3.0 * torch.randn(B, K, generator=g, dtype=F64)
    labels = torch.randint(0, K, (B,), generator=g)
    loss = ref.SoftmaxCELoss()
    value = loss.forward(logits, labels)
    grad = loss.backward()
    value_torch, (grad_torch,) = autograd(lambda z: F.cross_entropy(z, labels), [logits])
    torch.testing.assert_close(value, value_torch, **TIGHT)
    torch.testing.assert_close(grad, grad_torch, **TIGHT)


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", [*LOSSES, "SoftmaxCELoss"])
def test_loss_keeps_dtype_and_inputs(name, dtype):
    if name == "SoftmaxCELoss":
        make, true = ref.SoftmaxCELoss, torch.tensor([0, 4, 2, 2])
        pred = torch.randn(4, 5, generator=gen(3), dtype=dtype)
    else:
        make, _, kind = LOSSES[name]
        pair = probability_pair((4, 5), seed=3) if kind == "probability" else real_pair((4, 5), seed=3)
        pred, true = (t.to(dtype) for t in pair)
    before = pred.clone(), true.clone()
    loss = make()
    value = loss.forward(pred, true)
    grad = loss.backward()
    assert (value.dtype, grad.dtype) == (dtype, dtype)
    assert value.shape == () and grad.shape == pred.shape
    assert torch.equal(pred, before[0]) and torch.equal(true, before[1])


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", ["MSELoss", "MAELoss", "HuberLoss", "HuberLoss(0.6)", "SoftmaxCELoss"])
def test_loss_large_magnitudes(name, dtype):
    """Errors and logits of magnitude up to 1e4: finite and equal to PyTorch in float64."""
    g = gen(5)
    scale = torch.tensor([1e2, 1e3, 1e4], dtype=F64).repeat(4)[:12].reshape(4, 3)
    pred = scale * torch.randn(4, 3, generator=g, dtype=F64).sign()
    if name == "SoftmaxCELoss":
        make, true = ref.SoftmaxCELoss, torch.tensor([0, 1, 2, 1])
        torch_fn = F.cross_entropy
    else:
        make, torch_fn, _ = LOSSES[name]
        true = torch.randn(4, 3, generator=g, dtype=F64)
    loss = make()
    value = loss.forward(pred.to(dtype), true.to(dtype) if true.is_floating_point() else true)
    grad = loss.backward()
    assert torch.isfinite(value) and torch.isfinite(grad).all()
    value_torch, grads = autograd(lambda p: torch_fn(p, true), [pred])
    tol = TIGHT if dtype == F64 else {"rtol": 1e-5, "atol": 1e-6}
    torch.testing.assert_close(value, value_torch.to(dtype), **tol)
    torch.testing.assert_close(grad, grads[0].to(dtype), **tol)


def test_errata_2_bce_gradient_is_over_numel():
    """With N > 1 columns the gradient is divided by numel = B·N; dividing by B is N times too large."""
    p, y = probability_pair((4, 3), seed=21)
    p = p.clamp(0.05, 0.95)
    loss = ref.BCELoss()
    loss.forward(p, y)
    grad = loss.backward()
    per_element = (p - y) / (p * (1 - p))
    torch.testing.assert_close(grad, per_element / 12, **TIGHT)
    assert not torch.allclose(grad, per_element / 4)
    _, (grad_torch, _) = autograd(F.binary_cross_entropy, [p, y])
    torch.testing.assert_close(grad, grad_torch, **TIGHT)


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
def test_errata_3_cross_entropy_goes_through_log_softmax(dtype):
    """A clamped probability caps the loss near 20.7; log-softmax gives the true cost."""
    loss = ref.SoftmaxCELoss()
    value = loss.forward(torch.tensor([[1000.0, 0.0, -1000.0]], dtype=dtype), torch.tensor([2]))
    assert value.item() == pytest.approx(2000.0, rel=1e-6)
    torch.testing.assert_close(loss.backward(), torch.tensor([[1.0, 0.0, -1.0]], dtype=dtype))
    # the article's batch: that row and a uniform one, mean (2000 + ln 3) / 2 = 1000.5, not 10.9
    value = loss.forward(torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]], dtype=dtype),
                         torch.tensor([2, 0]))
    assert value.item() == pytest.approx((2000.0 + math.log(3.0)) / 2, rel=1e-6)
    assert torch.isfinite(loss.backward()).all()


# ---------------------------------------------------------------- Linear and MLP


def make_linear(W, b) -> "ref.Linear":
    layer = ref.Linear(*W.shape)
    layer.W, layer.b = W.clone(), b.clone()
    return layer


@pytest.mark.parametrize("B, M, N", [(5, 4, 3), (1, 6, 1), (8, 1, 7)])
def test_linear_matches_autograd(B, M, N):
    g = gen(B + 10 * M + 100 * N)
    x, W, b = (torch.randn(*s, generator=g, dtype=F64) for s in ((B, M), (M, N), (N,)))
    dout = torch.randn(B, N, generator=g, dtype=F64)
    layer = make_linear(W, b)
    y = layer.forward(x)
    dx = layer.backward(dout)
    y_torch, (dx_torch, dW_torch, db_torch) = autograd(lambda x_, W_, b_: x_ @ W_ + b_, [x, W, b], dout)
    torch.testing.assert_close(y, y_torch, **TIGHT)
    torch.testing.assert_close(dx, dx_torch, **TIGHT)
    torch.testing.assert_close(layer.dW, dW_torch, **TIGHT)
    torch.testing.assert_close(layer.db, db_torch, **TIGHT)
    assert layer.dW.shape == (M, N) and layer.db.shape == (N,) and dx.shape == (B, M)


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
def test_linear_keeps_dtype_inputs_and_large_magnitudes(dtype):
    g = gen(31)
    x, dout = 1e4 * torch.randn(6, 4, generator=g, dtype=F64), 1e4 * torch.randn(6, 3, generator=g, dtype=F64)
    W, b = torch.randn(4, 3, generator=g, dtype=F64), torch.randn(3, generator=g, dtype=F64)
    layer = make_linear(W.to(dtype), b.to(dtype))
    xd, doutd = x.to(dtype), dout.to(dtype)
    before = xd.clone(), doutd.clone()
    y = layer.forward(xd)
    dx = layer.backward(doutd)
    for t in (y, dx, layer.dW, layer.db):
        assert t.dtype == dtype and torch.isfinite(t).all()
    assert torch.equal(xd, before[0]) and torch.equal(doutd, before[1])
    tol = TIGHT if dtype == F64 else {"rtol": 1e-5, "atol": 1e-2}  # entries of size ~1e4..1e9
    torch.testing.assert_close(y, (x @ W + b).to(dtype), **tol)
    torch.testing.assert_close(layer.dW, (x.T @ dout).to(dtype), **tol)


def test_errata_4_linear_backward_is_two_matmuls():
    """Backward is two matrix products (dW and dx) of the forward's size: 2× the forward's FLOPs, not 3×."""
    B, M, N = 16, 32, 8
    layer = ref.Linear(M, N)
    x, dout = torch.randn(B, M), torch.randn(B, N)
    with FlopCounterMode(display=False) as forward_flops:
        layer.forward(x)
    with FlopCounterMode(display=False) as backward_flops:
        layer.backward(dout)
    assert forward_flops.get_total_flops() == 2 * B * M * N
    assert backward_flops.get_total_flops() == 2 * forward_flops.get_total_flops()


TORCH_ACTIVATION = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": ACTIVATIONS["GELU"][1],
                    "swish": F.silu, "elu": F.elu, "leaky_relu": F.leaky_relu}


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATION))
def test_mlp_matches_autograd(activation):
    dims = [3, 5, 4, 2]
    g = gen(41)
    params = []
    for m, n in zip(dims[:-1], dims[1:], strict=True):
        params += [torch.randn(m, n, generator=g, dtype=F64), 0.1 * torch.randn(n, generator=g, dtype=F64)]
    x = torch.randn(6, 3, generator=g, dtype=F64)
    dout = torch.randn(6, 2, generator=g, dtype=F64)

    model = ref.MLP(dims, activation)
    for layer, W, b in zip(model.linears(), params[0::2], params[1::2], strict=True):
        layer.W, layer.b = W.clone(), b.clone()
    y = model.forward(x)
    model.backward(dout)

    def torch_mlp(x_, *ps):
        h = x_
        for i in range(0, len(ps), 2):
            h = h @ ps[i] + ps[i + 1]
            if i < len(ps) - 2:
                h = TORCH_ACTIVATION[activation](h)
        return h

    y_torch, grads = autograd(torch_mlp, [x, *params], dout)
    torch.testing.assert_close(y, y_torch, **TIGHT)
    # every layer's dW and db: the gradient has gone back through every activation and Linear
    for i, layer in enumerate(model.linears()):
        torch.testing.assert_close(layer.dW, grads[1 + 2 * i], **TIGHT, msg=lambda m, i=i: f"layer {i} dW: {m}")
        torch.testing.assert_close(layer.db, grads[2 + 2 * i], **TIGHT, msg=lambda m, i=i: f"layer {i} db: {m}")
