"""Every reference class keeps its inputs' device and dtype: on the CPU always, on CUDA when there is one.

On a machine without a GPU the CUDA cases are skipped; run this file on one to check them.
"""

import pytest
import torch

import scratchnn_ref as ref

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
ACTIVATIONS = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"]
LOSSES = ["MSELoss", "MAELoss", "HuberLoss", "BCELoss"]


def _same_place(t: torch.Tensor, like: torch.Tensor):
    assert t.device == like.device, f"moved from {like.device} to {t.device}"
    assert t.dtype == like.dtype, f"dtype {like.dtype} became {t.dtype}"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_linear_keeps_device(device, dtype):
    layer = ref.Linear(5, 3)
    layer.W, layer.b = layer.W.to(device, dtype), layer.b.to(device, dtype)
    x = torch.randn(4, 5, device=device, dtype=dtype)
    y = layer.forward(x)
    dx = layer.backward(torch.ones_like(y))
    for t in (y, dx, layer.dW, layer.db):
        _same_place(t, x)
    layer.step(0.1)
    _same_place(layer.W, x)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_keeps_device(device, name):
    x = torch.randn(3, 4, device=device, dtype=torch.float64) * 1e3
    act = getattr(ref, name)()
    y = act.forward(x)
    dx = act.backward(torch.ones_like(x))
    _same_place(y, x)
    _same_place(dx, x)
    assert torch.isfinite(y).all() and torch.isfinite(dx).all()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", LOSSES)
def test_loss_keeps_device(device, name):
    p = torch.rand(4, 3, device=device, dtype=torch.float32) * 0.9 + 0.05
    t = torch.rand(4, 3, device=device, dtype=torch.float32).round()
    loss = getattr(ref, name)()
    value = loss.forward(p, t)
    _same_place(value, p)
    _same_place(loss.backward(), p)


@pytest.mark.parametrize("device", DEVICES)
def test_softmax_ce_keeps_device(device):
    z = torch.randn(5, 4, device=device) * 1e4
    labels = torch.randint(0, 4, (5,), device=device)
    loss = ref.SoftmaxCELoss()
    value = loss.forward(z, labels)
    _same_place(value, z)
    _same_place(loss.backward(), z)
    assert torch.isfinite(value)


@pytest.mark.parametrize("device", DEVICES)
def test_mlp_trains_on_device(device):
    torch.manual_seed(0)
    model = ref.MLP([1, 32, 32, 1], "tanh")
    for layer in model.linears():
        layer.W, layer.b = layer.W.to(device), layer.b.to(device)
    x = torch.linspace(-1, 1, 64, device=device).reshape(64, 1)
    y = torch.sin(3 * x)
    loss_fn = ref.MSELoss()
    first = None
    for _ in range(200):
        loss = loss_fn.forward(model.forward(x), y)
        first = first if first is not None else float(loss)
        model.backward(loss_fn.backward())
        model.step(0.1)
    assert all(layer.W.device == x.device for layer in model.linears())
    assert float(loss) < 0.5 * first
