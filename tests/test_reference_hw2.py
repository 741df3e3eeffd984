"""Assignment 2's solution (solutions/hw2/scratchnn) against torch.optim and torch.nn.

The grader scores students against this code, so it must agree with PyTorch: SGD with every
combination of its flags, Adam and AdamW over multi-step float64 trajectories with new gradients
at every step and None gradients on some steps; BatchNorm1d's values, gradients and running
statistics against torch.nn.BatchNorm1d and autograd; Dropout's masks by their statistics.
Also: the given model's gradients against autograd, the data file, and the training run.

The package is loaded under a private name (assignment 1's is imported as ``scratchnn``
by other tests in the same session).
"""

import hashlib
import importlib
import importlib.util
import itertools
import re
import sys
from pathlib import Path

import pytest
import torch

from autograder.stubs import MARKER, reference_text, stub_text

ROOT = Path(__file__).resolve().parent.parent
HW2 = ROOT / "solutions" / "hw2"
F64 = torch.float64
TIGHT = {"rtol": 1e-10, "atol": 1e-12}  # float64, the solution against PyTorch


def _load(name: str = "_scratchnn_hw2"):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HW2 / "scratchnn" / "__init__.py",
                                                      submodule_search_locations=[str(HW2 / "scratchnn")])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return {sub: importlib.import_module(f"{name}.{sub}") for sub in ("optim", "layers", "parameter", "model",
                                                                      "data", "train")}


HW = _load()
optim, layers, Parameter = HW["optim"], HW["layers"], HW["parameter"].Parameter


def close(got, expected, what, tol=TIGHT):
    assert isinstance(got, torch.Tensor), f"{what}: not a tensor"
    assert got.shape == expected.shape and got.dtype == expected.dtype, \
        f"{what}: {got.dtype}{tuple(got.shape)} against {expected.dtype}{tuple(expected.shape)}"
    torch.testing.assert_close(got, expected, **tol, msg=lambda m: f"{what}: {m}")


# ---------------------------------------------------------------- optimizers

SHAPES = [(4, 3), (3,), ()]  # a weight, a bias, a scalar
STEPS = 10
# (step, parameter) pairs without a gradient: parameter 1 skips step 4, parameter 2 gets its first
# gradient at step 3 (so its state starts late) and skips step 7.
NONE_AT = {(3, 1), (0, 2), (1, 2), (2, 2), (6, 2)}


def gradients(seed: int, dtype=F64, none_at=NONE_AT) -> list:
    gen = torch.Generator().manual_seed(seed)
    return [[None if (s, i) in none_at else 3.0 * torch.randn(shape, generator=gen, dtype=dtype)
             for i, shape in enumerate(SHAPES)] for s in range(STEPS)]


def initial(dtype=F64) -> list:
    gen = torch.Generator().manual_seed(0)
    return [torch.randn(shape, generator=gen, dtype=dtype) for shape in SHAPES]


def trajectories(ours, theirs, kw, dtype=F64, none_at=NONE_AT, seed=1):
    """Run our optimizer and torch's from the same start on the same gradients; the parameters after each step."""
    grads = gradients(seed, dtype, none_at)
    mine = [Parameter(t.clone()) for t in initial(dtype)]
    torchs = [torch.nn.Parameter(t.clone()) for t in initial(dtype)]
    opt, topt = ours(mine, **kw), theirs(torchs, foreach=False, **kw)
    kept = [[None if g is None else g.clone() for g in step] for step in grads]
    out = []
    for step in grads:
        for p, q, g in zip(mine, torchs, step, strict=True):
            p.grad = g
            q.grad = None if g is None else g.clone()
        opt.step()
        topt.step()
        out.append(([p.data.clone() for p in mine], [q.detach().clone() for q in torchs]))
    for s, (step, before) in enumerate(zip(grads, kept, strict=True)):
        for g, b in zip(step, before, strict=True):
            assert (g is None and b is None) or torch.equal(g, b), f"a .grad given at step {s + 1} was changed"
    return out


def assert_same_trajectory(out, what, tol=TIGHT):
    for s, (mine, torchs) in enumerate(out):
        for i, (p, q) in enumerate(zip(mine, torchs, strict=True)):
            close(p, q, f"{what}: parameter {i} after step {s + 1}", tol)


SGD_CASES = [dict(lr=0.1, momentum=m, dampening=d, nesterov=n, weight_decay=w)
             for m, d, n, w in itertools.product([0.0, 0.9], [0.0, 0.3], [False, True], [0.0, 0.1])
             if not (n and (m == 0.0 or d != 0.0))]
ADAM_CASES = [dict(), dict(lr=0.05), dict(lr=0.05, betas=(0.8, 0.99)), dict(lr=0.05, eps=1e-3),
              dict(lr=0.05, weight_decay=0.1), dict(lr=0.01, betas=(0.0, 0.5), eps=1e-6, weight_decay=0.3)]


@pytest.mark.parametrize("kw", SGD_CASES, ids=str)
def test_sgd_against_torch(kw):
    assert_same_trajectory(trajectories(optim.SGD, torch.optim.SGD, kw), f"SGD({kw})")


@pytest.mark.parametrize("kw", ADAM_CASES, ids=str)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_and_adamw_against_torch(name, kw):
    """PyTorch's step count is per parameter: NONE_AT makes a parameter's count lag the number of step() calls."""
    assert_same_trajectory(trajectories(getattr(optim, name), getattr(torch.optim, name), kw), f"{name}({kw})")


@pytest.mark.parametrize("name, kw", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
                                      ("Adam", dict(lr=0.05, weight_decay=0.1)), ("AdamW", dict(lr=0.05))])
def test_float32_against_torch(name, kw):
    out = trajectories(getattr(optim, name), getattr(torch.optim, name), kw, dtype=torch.float32)
    assert_same_trajectory(out, f"{name}({kw}) in float32", {"rtol": 1e-5, "atol": 1e-6})


def test_defaults_are_torchs():
    params = [Parameter(torch.zeros(2))]
    adam, adamw = optim.Adam(params), optim.AdamW(params)
    torch_adam = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))]).defaults
    torch_adamw = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))]).defaults
    for ours, theirs in ((adam, torch_adam), (adamw, torch_adamw)):
        assert (ours.lr, ours.betas, ours.eps, ours.weight_decay) == \
            (theirs["lr"], tuple(theirs["betas"]), theirs["eps"], theirs["weight_decay"])
    sgd = optim.SGD(params, lr=0.1)
    assert (sgd.momentum, sgd.dampening, sgd.nesterov, sgd.weight_decay) == (0.0, 0.0, False, 0.0)


def test_invalid_settings_raise_like_torch():
    for kw in (dict(lr=0.1, nesterov=True), dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
               dict(lr=-1.0)):
        with pytest.raises(ValueError):
            torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], **kw)
        with pytest.raises(ValueError):
            optim.SGD([Parameter(torch.zeros(1))], **kw)


def test_zero_grad_and_no_grad_step():
    params = [Parameter(t.clone()) for t in initial()]
    for opt in (optim.SGD(params, lr=0.1, momentum=0.9), optim.Adam(params), optim.AdamW(params)):
        for p in params:
            p.grad = torch.ones_like(p.data)
        opt.zero_grad()
        assert all(p.grad is None for p in params)
        before = [p.data.clone() for p in params]
        opt.step()  # nothing has a gradient: nothing moves (AdamW's decay included)
        assert all(torch.equal(p.data, b) for p, b in zip(params, before, strict=True))


def test_step_updates_data_in_place():
    """The given model reads W.data on every forward: step must update that very tensor (or rebind it)."""
    for make in (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), optim.Adam, optim.AdamW):
        p = Parameter(torch.ones(3, dtype=F64))
        data = p.data
        p.grad = torch.full((3,), 2.0, dtype=F64)
        make([p]).step()
        assert p.data is data and not torch.equal(data, torch.ones(3, dtype=F64))


# ---------------------------------------------------------------- BatchNorm1d


def ours_bn(C, gamma, beta, **kw):
    bn = layers.BatchNorm1d(C, **kw)
    bn.weight.data, bn.bias.data = gamma.clone(), beta.clone()
    bn.running_mean, bn.running_var = bn.running_mean.to(gamma.dtype), bn.running_var.to(gamma.dtype)
    return bn


def torch_bn(C, gamma, beta, **kw):
    bn = torch.nn.BatchNorm1d(C, dtype=gamma.dtype, **kw)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
    return bn


def autograd_bn(bn, x, dout):
    bn.weight.grad = bn.bias.grad = None
    leaf = x.clone().requires_grad_(True)
    y = bn(leaf)
    (y * dout).sum().backward()
    return y.detach(), leaf.grad, bn.weight.grad.clone(), bn.bias.grad.clone()


def bn_case(B, C, seed, dtype=F64):
    gen = torch.Generator().manual_seed(seed)
    gamma = (1.0 + torch.rand(C, generator=gen, dtype=dtype)) * torch.where(torch.arange(C) % 2 == 0, 1.0, -1.0)
    beta = torch.randn(C, generator=gen, dtype=dtype)
    xs = [5.0 * torch.randn(B, C, generator=gen, dtype=dtype) + 12.0 for _ in range(6)]
    douts = [torch.randn(B, C, generator=gen, dtype=dtype) for _ in range(6)]
    return gamma, beta, xs, douts


@pytest.mark.parametrize("B, C", [(2, 3), (7, 5), (32, 1), (64, 16)])
@pytest.mark.parametrize("momentum, eps", [(0.1, 1e-5), (0.5, 1e-3)])
def test_batchnorm_against_torch(B, C, momentum, eps):
    """Five training steps (values, gradients, running statistics after each), then eval, then train again."""
    gamma, beta, xs, douts = bn_case(B, C, seed=B * 100 + C)
    ours, theirs = ours_bn(C, gamma, beta, momentum=momentum, eps=eps), torch_bn(C, gamma, beta, momentum=momentum,
                                                                                 eps=eps)

    def compare(x, dout, what):
        kept = x.clone(), dout.clone()
        y = ours.forward(x)
        dx = ours.backward(dout)
        ty, tdx, tdw, tdb = autograd_bn(theirs, x, dout)
        assert torch.equal(x, kept[0]) and torch.equal(dout, kept[1]), f"{what}: an input was modified"
        close(y, ty, f"{what}: forward")
        close(dx, tdx, f"{what}: dL/dx", {"rtol": 1e-9, "atol": 1e-11})
        close(ours.weight.grad, tdw, f"{what}: weight.grad", {"rtol": 1e-9, "atol": 1e-11})
        close(ours.bias.grad, tdb, f"{what}: bias.grad")
        close(ours.running_mean, theirs.running_mean, f"{what}: running_mean")
        close(ours.running_var, theirs.running_var, f"{what}: running_var")

    for s in range(5):
        compare(xs[s], douts[s], f"training step {s + 1}")
    ours.eval()
    theirs.eval()
    mean, var = ours.running_mean.clone(), ours.running_var.clone()
    compare(xs[5], douts[5], "eval")
    assert torch.equal(ours.running_mean, mean) and torch.equal(ours.running_var, var), "eval changed the statistics"
    ours.train()
    theirs.train()
    compare(xs[0], douts[0], "training after eval")


def test_batchnorm_float32_against_torch():
    gamma, beta, xs, douts = bn_case(16, 4, seed=3, dtype=torch.float32)
    ours, theirs = ours_bn(4, gamma, beta), torch_bn(4, gamma, beta)
    for x, dout in zip(xs, douts, strict=True):
        y, dx = ours.forward(x), ours.backward(dout)
        ty, tdx, tdw, tdb = autograd_bn(theirs, x, dout)
        for what, got, want in (("y", y, ty), ("dx", dx, tdx), ("weight.grad", ours.weight.grad, tdw),
                                ("bias.grad", ours.bias.grad, tdb), ("running_var", ours.running_var,
                                                                     theirs.running_var)):
            close(got, want, f"float32 {what}", {"rtol": 1e-4, "atol": 1e-4})


def test_batchnorm_defaults_and_batch_of_one():
    bn, tbn = layers.BatchNorm1d(5), torch.nn.BatchNorm1d(5)
    assert (bn.eps, bn.momentum) == (tbn.eps, tbn.momentum)
    for ours, theirs in ((bn.weight.data, tbn.weight), (bn.bias.data, tbn.bias), (bn.running_mean, tbn.running_mean),
                         (bn.running_var, tbn.running_var)):
        assert torch.equal(ours, theirs.detach())
    with pytest.raises(ValueError):
        tbn(torch.zeros(1, 5))
    with pytest.raises(ValueError):
        bn.forward(torch.zeros(1, 5))
    bn.eval()
    assert bn.forward(torch.ones(1, 5)).shape == (1, 5)  # a batch of one is fine in eval mode


# ---------------------------------------------------------------- Dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_mask_statistics(p):
    """Over 400,000 elements: the dropped share within 5 standard deviations of p, the survivors exactly x/(1 - p),
    no correlation between neighbours or between two forwards, E[y] = x; and torch.nn.Dropout meets the same."""
    n = 400_000
    sd = (p * (1 - p) / n) ** 0.5
    x = torch.ones(400, 1000, dtype=F64)
    torch.manual_seed(7)
    layer = layers.Dropout(p)
    for y in (layer.forward(x), torch.nn.Dropout(p)(x)):
        kept = y != 0
        assert torch.equal(y[kept], torch.full_like(y[kept], 1.0 / (1 - p)))
        assert abs((1 - kept.double().mean().item()) - p) < 5 * sd
        k = kept.double()
        neighbours = (k[:, 1:] * k[:, :-1]).mean().item()  # P(both kept) = (1 - p)² if independent
        assert abs(neighbours - (1 - p) ** 2) < 5 * (1 - p) * sd * 2
        assert abs(y.mean().item() - 1.0) < 5 * sd / (1 - p)
    first = layer.forward(x) != 0
    second = layer.forward(x) != 0
    assert abs((first & second).double().mean().item() - (1 - p) ** 2) < 10 * sd


def test_dropout_backward_eval_and_limits():
    gen = torch.Generator().manual_seed(8)
    x = 1.0 + torch.rand(50, 60, generator=gen, dtype=F64)
    dout = torch.randn(50, 60, generator=gen, dtype=F64)
    layer = layers.Dropout(0.3)
    layer.forward(x)
    y = layer.forward(x)  # backward belongs to this one
    kept = (x.clone(), dout.clone())
    dx = layer.backward(dout)
    assert torch.equal(dx, dout * (y / x)) or torch.allclose(dx, dout * (y / x), rtol=1e-15, atol=0)
    assert torch.equal(x, kept[0]) and torch.equal(dout, kept[1])
    layer.eval()
    assert torch.equal(layer.forward(x), torch.nn.Dropout(0.3).eval()(x))
    assert torch.equal(layer.backward(dout), dout)
    zero, one = layers.Dropout(0.0), layers.Dropout(1.0)
    assert torch.equal(zero.forward(x), x) and torch.equal(zero.backward(dout), dout)
    assert torch.equal(one.forward(x), torch.zeros_like(x)) and torch.equal(one.backward(dout), torch.zeros_like(dout))
    assert torch.equal(torch.nn.Dropout(1.0)(x), torch.zeros_like(x))  # PyTorch's p = 1: zeros, no NaN
    with pytest.raises(ValueError):
        layers.Dropout(1.5)


def test_dropout_seeded_and_dtype():
    x = torch.ones(20, 30)
    layer = layers.Dropout(0.5)
    torch.manual_seed(9)
    a = layer.forward(x)
    torch.manual_seed(9)
    assert torch.equal(layer.forward(x), a)
    assert a.dtype == torch.float32 and layer.backward(torch.ones_like(x)).dtype == torch.float32
    assert layer.forward(x.double()).dtype == F64


# ---------------------------------------------------------------- the given model, the data, training


def test_mlp_gradients_against_autograd():
    """The given MLP (Linear, BatchNorm1d, ReLU twice, then Linear; SoftmaxCELoss) against the same net in autograd."""
    model_mod = HW["model"]
    torch.manual_seed(11)
    net = model_mod.MLP([6, 5, 4, 3], dropout=0.0)
    params = net.parameters()
    assert [tuple(p.data.shape) for p in params] == [(6, 5), (5,), (5,), (5,), (5, 4), (4,), (4,), (4,), (4, 3), (3,)]
    gen = torch.Generator().manual_seed(12)
    for p in params:
        p.data = p.data.double() + 0.3 * torch.randn(p.data.shape, generator=gen, dtype=F64)
    for layer in net.layers:
        if isinstance(layer, layers.BatchNorm1d):
            layer.running_mean, layer.running_var = layer.running_mean.double(), layer.running_var.double()
    x = torch.randn(8, 6, generator=gen, dtype=F64)
    labels = torch.randint(0, 3, (8,), generator=gen)
    leaves = [p.data.clone().requires_grad_(True) for p in params]

    def torch_net(training: bool):
        h = x
        bns = [layer for layer in net.layers if isinstance(layer, layers.BatchNorm1d)]
        for k in range(3):
            W, b = leaves[4 * k], leaves[4 * k + 1]
            h = h @ W + b
            if k < 2:
                bn = bns[k]
                h = torch.nn.functional.batch_norm(h, bn.running_mean.clone(), bn.running_var.clone(),
                                                   leaves[4 * k + 2], leaves[4 * k + 3], training, 0.1, 1e-5)
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, labels)

    loss_fn = model_mod.SoftmaxCELoss()
    for training in (True, False):
        if training:
            net.train()
        else:
            net.eval()
        for leaf in leaves:
            leaf.grad = None
        expected = torch_net(training)
        expected.backward()
        loss = loss_fn.forward(net.forward(x), labels)
        net.backward(loss_fn.backward())
        close(loss, expected.detach(), f"loss (training={training})")
        for i, (p, leaf) in enumerate(zip(params, leaves, strict=True)):
            close(p.grad, leaf.grad, f"parameter {i} .grad (training={training})", {"rtol": 1e-9, "atol": 1e-11})


def test_digits_data():
    data = HW["data"]
    digest = hashlib.sha256(data.DATA_FILE.read_bytes()).hexdigest()
    assert digest in (HW2 / "data" / "README.md").read_text(encoding="utf-8"), "the README's sha256 is stale"
    x, y = data.load_digits()
    assert x.shape == (1797, 64) and x.dtype == torch.float32 and y.shape == (1797,) and y.dtype == torch.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert torch.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # as the UCI test set
    a, b = data.train_test_split(x, y, seed=3), data.train_test_split(x, y, seed=3)
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    assert a[0].shape == (1438, 64) and a[2].shape == (359, 64)
    rows = {tuple(r.tolist()) + (int(c),) for r, c in zip(torch.cat([a[0], a[2]]), torch.cat([a[1], a[3]]),
                                                         strict=True)}
    assert rows == {tuple(r.tolist()) + (int(c),) for r, c in zip(x, y, strict=True)}  # a partition of the data
    assert not torch.equal(data.train_test_split(x, y, seed=4)[1], a[1])


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_training_on_digits(optimizer):
    """The given training run with the solution: training loss far below chance (ln 10 = 2.3), test accuracy high."""
    train = HW["train"]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: more threads only wait on each other
    try:
        model, (x_train, y_train, x_test, y_test) = train.fit_digits(optimizer, seed=0)
    finally:
        torch.set_num_threads(threads)
    train_loss, _ = train.evaluate(model, x_train, y_train)
    _, test_acc = train.evaluate(model, x_test, y_test)
    assert train_loss < 0.01 and test_acc > 0.95, (train_loss, test_acc)


# ---------------------------------------------------------------- stubs and reference


@pytest.mark.parametrize("name, methods", [("optim.py", ["SGD.step", "Adam.step", "AdamW.step"]),
                                           ("layers.py", ["BatchNorm1d.forward", "BatchNorm1d.backward",
                                                          "Dropout.forward", "Dropout.backward"])])
def test_stubs_and_reference(name, methods):
    source = (HW2 / "scratchnn" / name).read_text(encoding="utf-8")
    stub = stub_text(source, name)
    raised = re.findall(r'raise NotImplementedError\("(\S+) is not written yet', stub)
    assert raised == methods
    compile(stub, name, "exec")
    reference = reference_text(source)
    assert not any(MARKER.match(line) for line in reference.splitlines())
    compile(reference, name, "exec")


def test_given_files_have_no_markers():
    for path in (HW2 / "scratchnn").glob("*.py"):
        if path.name not in ("optim.py", "layers.py"):
            assert "### BEGIN" not in path.read_text(encoding="utf-8"), path.name
