"""Task 2: BatchNorm1d and Dropout. Run `pytest tests/test_layers.py`.

BatchNorm1d is compared with torch.nn.BatchNorm1d (values, running statistics, and the
gradients autograd finds), with γ != 1 and β != 0 so that a missing γ or β shows. Dropout is
random, so it is judged by its properties: which values come out, how many are dropped, and
that backward uses the forward's mask.
"""

import math

import pytest
import torch
from checks import numeric_grad
from helpers import CLOSE, EXACT, F64, GRADIENT, call, check, check_unchanged, randn, tensor
from scratchnn import BatchNorm1d, Dropout

# ---------------------------------------------------------------- BatchNorm1d

GAMMA = [2.0, 0.5, -1.5]
BETA = [1.0, -1.0, 0.25]


def batchnorm(C=3, gamma=GAMMA, beta=BETA, dtype=F64, **kw) -> BatchNorm1d:
    """Your BatchNorm1d(C) with weight γ and bias β set, and everything in dtype."""
    bn = BatchNorm1d(C, **kw)
    bn.weight.data = tensor(gamma[:C], dtype)
    bn.bias.data = tensor(beta[:C], dtype)
    bn.running_mean = bn.running_mean.to(dtype)
    bn.running_var = bn.running_var.to(dtype)
    return bn


def torch_batchnorm(C=3, gamma=GAMMA, beta=BETA, **kw) -> torch.nn.BatchNorm1d:
    bn = torch.nn.BatchNorm1d(C, dtype=F64, **kw)
    with torch.no_grad():
        bn.weight.copy_(tensor(gamma[:C]))
        bn.bias.copy_(tensor(beta[:C]))
    return bn


def torch_forward_backward(bn: torch.nn.BatchNorm1d, x, dout):
    """y, dL/dx, dL/dγ, dL/dβ from PyTorch (autograd), for L = sum(y·dout)."""
    bn.weight.grad = bn.bias.grad = None
    leaf = x.clone().requires_grad_(True)
    y = bn(leaf)
    (y * dout).sum().backward()
    return y.detach(), leaf.grad, bn.weight.grad.clone(), bn.bias.grad.clone()


def batch(step: int, B=6, C=3) -> torch.Tensor:
    """A batch whose features have means near 3 and spreads near 2 (not already normalised)."""
    return randn(B, C, seed=step, scale=2.0, shift=3.0)


def test_forward_batchnorm():
    """The worked example: x (B=2, C=2), γ = [2, 0.5], β = [1, -1]."""
    x = tensor([[1.0, 2.0], [3.0, 6.0]])
    bn = batchnorm(C=2)
    y = call(bn, "forward", x)
    check_unchanged(tensor([[1.0, 2.0], [3.0, 6.0]]), x, "BatchNorm1d.forward: the input x")
    # μ = [2, 4], biased σ² = [1, 4]: x̂ = ±[1/√(1 + eps), 2/√(4 + eps)]
    a, b = 1.0 / math.sqrt(1.0 + 1e-5), 2.0 / math.sqrt(4.0 + 1e-5)
    check(y, tensor([[1.0 - 2.0 * a, -1.0 - 0.5 * b], [1.0 + 2.0 * a, -1.0 + 0.5 * b]]),
          "BatchNorm1d.forward in training mode with x = [[1, 2], [3, 6]], γ = [2, 0.5], β = [1, -1]")
    # running = 0.9·running + 0.1·batch statistic; the variance unbiased: [2, 8]
    check(bn.running_mean, tensor([0.2, 0.4]), "BatchNorm1d.running_mean after one training forward")
    check(bn.running_var, tensor([1.1, 1.7]), "BatchNorm1d.running_var after one training forward "
          "(it stores the unbiased batch variance, divided by B - 1)")


def test_backward_batchnorm():
    """Training mode: dL/dx, weight.grad and bias.grad against autograd through torch.nn.BatchNorm1d."""
    x, dout = batch(1), randn(6, 3, seed=2)
    bn = batchnorm()
    call(bn, "forward", x, strict=False)
    dx = call(bn, "backward", dout)
    check_unchanged(randn(6, 3, seed=2), dout, "BatchNorm1d.backward: dout")
    _, tdx, tdw, tdb = torch_forward_backward(torch_batchnorm(), x, dout)
    check(dx, tdx, "BatchNorm1d.backward (training mode): the returned dL/dx")
    check(bn.weight.grad, tdw, "BatchNorm1d.backward: weight.grad (dL/dγ)")
    check(bn.bias.grad, tdb, "BatchNorm1d.backward: bias.grad (dL/dβ)")


def test_gradient_check_batchnorm():
    """dL/dx, dL/dγ and dL/dβ against central differences of your own forward (training mode, float64)."""
    x, dout = batch(3, B=4, C=3), randn(4, 3, seed=4)
    gamma, beta = tensor(GAMMA), tensor(BETA)

    def forward(x_, gamma_, beta_):
        bn = batchnorm()
        bn.weight.data, bn.bias.data = gamma_, beta_
        return call(bn, "forward", x_, strict=False)

    bn = batchnorm()
    call(bn, "forward", x, strict=False)
    dx = call(bn, "backward", dout, strict=False)
    numeric = {
        "the returned dL/dx": (dx, numeric_grad(lambda t: forward(t, gamma, beta), x, dout)),
        "weight.grad": (bn.weight.grad, numeric_grad(lambda t: forward(x, t, beta), gamma, dout)),
        "bias.grad": (bn.bias.grad, numeric_grad(lambda t: forward(x, gamma, t), beta, dout)),
    }
    for what, (got, expected) in numeric.items():
        check(got, expected, f"BatchNorm1d.backward: {what} against the numerical gradient of your forward", GRADIENT)


@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_train_then_eval_batchnorm(momentum):
    """Four training batches, then eval: the running statistics after each batch, eval's output and gradients."""
    ours, theirs = batchnorm(momentum=momentum), torch_batchnorm(momentum=momentum)
    for step in range(4):
        x = batch(10 + step)
        y = call(ours, "forward", x, strict=False)
        check(y, theirs(x).detach(), f"BatchNorm1d(momentum={momentum}).forward, training batch {step + 1}")
        check(ours.running_mean, theirs.running_mean, f"BatchNorm1d.running_mean after training batch {step + 1}")
        check(ours.running_var, theirs.running_var, f"BatchNorm1d.running_var after training batch {step + 1}")
    ours.eval()
    theirs.eval()
    mean, var = ours.running_mean.clone(), ours.running_var.clone()
    x, dout = batch(20, B=5), randn(5, 3, seed=21)
    y = call(ours, "forward", x, strict=False)
    dx = call(ours, "backward", dout, strict=False)
    ty, tdx, tdw, tdb = torch_forward_backward(theirs, x, dout)
    check(y, ty, "BatchNorm1d.forward in eval mode (it uses the running statistics)")
    check(ours.running_mean, mean, "BatchNorm1d.running_mean after an eval forward (eval changes nothing)")
    check(ours.running_var, var, "BatchNorm1d.running_var after an eval forward (eval changes nothing)")
    check(dx, tdx, "BatchNorm1d.backward in eval mode: dL/dx (the statistics are constants there)")
    check(ours.weight.grad, tdw, "BatchNorm1d.backward in eval mode: weight.grad")
    check(ours.bias.grad, tdb, "BatchNorm1d.backward in eval mode: bias.grad")
    ours.train()
    theirs.train()
    x = batch(30)
    check(call(ours, "forward", x, strict=False), theirs(x).detach(), "BatchNorm1d.forward after train() again")


def test_latest_forward_and_grads_overwritten_batchnorm():
    bn = batchnorm()
    dout = randn(6, 3, seed=41)
    call(bn, "forward", batch(40), strict=False)
    call(bn, "backward", dout, strict=False)
    x = batch(42)
    call(bn, "forward", x, strict=False)
    dx = call(bn, "backward", dout, strict=False)
    theirs = torch_batchnorm()
    theirs(batch(40))  # the same running statistics
    _, tdx, tdw, tdb = torch_forward_backward(theirs, x, dout)
    check(dx, tdx, "BatchNorm1d.backward after two forwards: dL/dx (it belongs to the latest forward)")
    check(bn.weight.grad, tdw, "BatchNorm1d: weight.grad after two backwards (set it, do not add to it)")
    check(bn.bias.grad, tdb, "BatchNorm1d: bias.grad after two backwards (set it, do not add to it)")


def test_float32_batchnorm():
    x, dout = batch(50), randn(6, 3, seed=51)
    results = {}
    for dtype in (F64, torch.float32):
        bn = batchnorm(dtype=dtype)
        y = call(bn, "forward", x.to(dtype), strict=False)
        dx = call(bn, "backward", dout.to(dtype), strict=False)
        results[dtype] = {"forward output": y, "dL/dx": dx, "weight.grad": bn.weight.grad,
                          "bias.grad": bn.bias.grad, "running_mean": bn.running_mean, "running_var": bn.running_var}
    for what, got in results[torch.float32].items():
        check(got, results[F64][what].to(torch.float32), f"BatchNorm1d: the {what} in float32 against float64", CLOSE)


def test_defaults_batchnorm():
    bn = BatchNorm1d(4)
    assert (bn.eps, bn.momentum, bn.training) == (1e-5, 0.1, True)
    for what, got, want in (("weight", bn.weight.data, torch.ones(4)), ("bias", bn.bias.data, torch.zeros(4)),
                            ("running_mean", bn.running_mean, torch.zeros(4)),
                            ("running_var", bn.running_var, torch.ones(4))):
        check(got, want, f"BatchNorm1d(4).{what} at the start")


# ---------------------------------------------------------------- Dropout

SHAPE = (200, 500)  # 100,000 elements: the share dropped is within ±0.0015 of p (1 standard deviation)


def positive(seed: int, shape=SHAPE) -> torch.Tensor:
    """Values in [1, 2): never 0, so that a dropped element is always visible."""
    return 1.0 + torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def check_dropout_output(x, y, p, what: str) -> torch.Tensor:
    """Every element of y is 0 or x/(1 - p), and about a share p is 0. Returns the mask of kept elements."""
    kept = y != 0
    check(torch.where(kept, y, x / (1 - p)), x / (1 - p), f"{what}: the elements kept, which are x/(1 - p)")
    share = 1.0 - kept.double().mean().item()
    if abs(share - p) > 0.01:
        pytest.fail(f"{what}: {share:.4f} of the elements were dropped, expected about p = {p} "
                    "(p is the probability of dropping an element, not of keeping it)", pytrace=False)
    return kept


def test_forward_dropout():
    torch.manual_seed(0)
    x = positive(1)
    y = call(Dropout(0.3), "forward", x)
    check_unchanged(positive(1), x, "Dropout.forward: the input x")
    check_dropout_output(x, y, 0.3, "Dropout(0.3).forward in training mode")


def test_backward_dropout():
    """dL/dx = dout·mask, with the mask of the forward: 0 where dropped, 1/(1 - p) where kept."""
    torch.manual_seed(1)
    layer = Dropout(0.3)
    x, dout = positive(2), randn(*SHAPE, seed=3)
    y = call(layer, "forward", x, strict=False)
    dx = call(layer, "backward", dout)
    check_unchanged(randn(*SHAPE, seed=3), dout, "Dropout.backward: dout")
    check(dx, dout * (y / x), "Dropout.backward: dL/dx (it must use the mask of the forward, not a new one)")


def test_dropout_like_torch():
    """The same properties as torch.nn.Dropout's output, at three values of p."""
    x = positive(4)
    for p in (0.1, 0.5, 0.8):
        torch.manual_seed(5)
        theirs = torch.nn.Dropout(p)(x)
        check_dropout_output(x, theirs, p, f"torch.nn.Dropout({p})")  # the properties hold for PyTorch's
        y = call(Dropout(p), "forward", x, strict=False)
        check_dropout_output(x, y, p, f"Dropout({p}).forward")
        check(y.mean(), x.mean(), f"Dropout({p}).forward: the mean of the output (E[y] = x)", {"rtol": 0.02, "atol": 0})


def test_eval_is_identity_dropout():
    layer = Dropout(0.5)
    call(layer, "forward", positive(6), strict=False)  # a training forward first: eval must not reuse its mask
    layer.eval()
    x, dout = positive(7), randn(*SHAPE, seed=8)
    check(call(layer, "forward", x, strict=False), torch.nn.Dropout(0.5).eval()(x), "Dropout.forward in eval mode")
    check(call(layer, "backward", dout, strict=False), dout, "Dropout.backward in eval mode")
    layer.train()
    check_dropout_output(x, call(layer, "forward", x, strict=False), 0.5, "Dropout.forward after train() again")


def test_p_zero_and_one_dropout():
    x, dout = positive(9, (4, 5)), randn(4, 5, seed=10)
    none = Dropout(0.0)
    check(call(none, "forward", x, strict=False), x, "Dropout(0.0).forward in training mode (nothing dropped)")
    check(call(none, "backward", dout, strict=False), dout, "Dropout(0.0).backward")
    every = Dropout(1.0)
    check(call(every, "forward", x, strict=False), torch.zeros_like(x),
          "Dropout(1.0).forward in training mode (everything dropped; no division by 1 - p = 0)")
    check(call(every, "backward", dout, strict=False), torch.zeros_like(dout), "Dropout(1.0).backward")


def test_fresh_seeded_masks_dropout():
    """A new mask at every forward, from PyTorch's default generator: torch.manual_seed reproduces it."""
    x = positive(11, (50, 40))
    layer = Dropout(0.5)
    torch.manual_seed(12)
    first = call(layer, "forward", x, strict=False)
    second = call(layer, "forward", x, strict=False)
    if torch.equal(first, second):
        pytest.fail("Dropout.forward gave the same mask twice: draw a new one at every forward", pytrace=False)
    torch.manual_seed(12)
    check(call(layer, "forward", x, strict=False), first,
          "Dropout.forward after torch.manual_seed(12) again (use torch.rand or torch.bernoulli without a generator)")


def test_latest_mask_dropout():
    x, dout = positive(13, (50, 40)), randn(50, 40, seed=14)
    layer = Dropout(0.5)
    call(layer, "forward", x, strict=False)
    y = call(layer, "forward", x, strict=False)
    check(call(layer, "backward", dout, strict=False), dout * (y / x),
          "Dropout.backward after two forwards (it uses the latest mask)")


def test_float32_dropout():
    x = positive(15, (30, 20)).float()
    layer = Dropout(0.25)
    y = call(layer, "forward", x, strict=False)
    dx = call(layer, "backward", torch.ones_like(x), strict=False)
    for what, got in (("forward output", y), ("dL/dx", dx)):
        if got.dtype != torch.float32:
            pytest.fail(f"Dropout: the {what} for a float32 input is {got.dtype}, expected torch.float32",
                        pytrace=False)
    check(y, x * dx, "Dropout in float32: the output is x times the mask backward uses", EXACT)
