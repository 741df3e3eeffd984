"""Assignment 1's sine fit, run in the sandbox: the given MLP of the student's Linear and ReLU is
trained by this loop from the grader's initial weights, and every step's gradients are checked.

A module of the sandbox's kit (child.py's job kind "kit"): it imports only torch and the
`scratchnn` package under test, and holds no reference implementation (student code runs in
the same process).
"""


class SineFitError(Exception):
    """The student's layers returned something the training cannot use."""


def run(job, inputs, calls) -> dict:
    """Train the given MLP of the student's layers on sin(2πx); return the trained weights.

    Only the student's forward and backward take part: the initial weights are the grader's
    (inputs W0, b0, ...), and the loss (MSE) and the SGD update W -= lr·dW are done here, the
    same way as scratchnn.train.fit_sine, so the calibration of the threshold holds.
    Cost: epochs · N_TRAIN · 6 · Σ d_l·d_(l+1) FLOPs, about 0.1 GFLOP.
    """
    import torch
    from scratchnn import train
    from scratchnn.mlp import MLP

    settings = train.SETTINGS[job["activation"]]
    with calls():  # every touch of the student's objects, attributes too (a property is a call)
        model = MLP(train.DIMS, job["activation"])
        layers = model.linears()
    params = [(inputs[f"W{i}"].clone(), inputs[f"b{i}"].clone()) for i in range(len(layers))]
    x, y = train.sine_data(seed=job["seed"])
    order = torch.Generator().manual_seed(job["seed"] + 1)
    lr, size = settings["lr"], settings["batch_size"]
    step = 0
    for _ in range(settings["epochs"]):
        perm = torch.randperm(len(x), generator=order)
        for start in range(0, len(x), size):
            idx = perm[start:start + size]
            with calls():
                for layer, (W, b) in zip(layers, params, strict=True):
                    layer.W, layer.b = W.clone(), b.clone()
            with calls():
                out = model.forward(x[idx])
            _expect_tensor(out, (len(idx), 1), "the network's output")
            diff = out - y[idx]
            with calls():
                model.backward(diff * (2.0 / diff.numel()))
            with calls():  # read once: what is checked is what the update uses
                grads = [(getattr(layer, "dW", None), getattr(layer, "db", None)) for layer in layers]
            for i, ((dW, db), (W, b)) in enumerate(zip(grads, params, strict=True)):
                _expect_tensor(dW, tuple(W.shape), f"dW of layer {i}")
                _expect_tensor(db, tuple(b.shape), f"db of layer {i}")
            if job["activation"] == "relu":
                _check_gradients(grads, params, x[idx], y[idx], step)
            for (W, b), (dW, db) in zip(params, grads, strict=True):
                W.add_(dW, alpha=-lr)
                b.add_(db, alpha=-lr)
            step += 1
    out = {}
    for i, (W, b) in enumerate(params):
        out[f"W{i}"], out[f"b{i}"] = W, b
    return out


GRADIENT_RTOL = 1e-3  # of the size of the gradient's terms; float32 rounding is about 1e-6 of it


def _true_gradients(params, x, y, slack: bool = False) -> list:
    """[(dW, db)] per layer of the MSE of the ReLU MLP with these weights on the batch (x, y): what a right
    backward gives. With `slack`, [(dW's, db's)] instead: GRADIENT_RTOL of the size of the
    terms each entry sums (|h|ᵀ·|d|, |d| carried back through |W|), for rounding, plus all of the terms
    that pass a ReLU within rounding of its kink (another order of summation may put z on the other side
    of 0, and any subgradient is right there). Cost: one forward and backward (twice that with slack)."""
    import torch

    if slack:  # the slack is worked out in float64, from which float32 only rounds
        params = [(W.double(), b.double()) for W, b in params]
        x, y = x.double(), y.double()
    hs, zs, near, h = [x], [], [], x
    for i, (W, b) in enumerate(params):
        z = torch.addmm(b, h, W)
        zs.append(z)
        if slack:
            near.append(z.abs() <= 1e-4 * torch.addmm(b.abs(), h.abs(), W.abs()))
        h = z.clamp(min=0) if i < len(params) - 1 else z
        hs.append(h)
    d = (h - y) * (2.0 / h.numel())
    size, free = d.abs(), torch.zeros_like(d)
    out = []
    for i in reversed(range(len(params))):
        if slack:
            room = GRADIENT_RTOL * size + free
            out.append((hs[i].abs().T @ room, room.sum(dim=0)))
        else:
            out.append((hs[i].T @ d, d.sum(dim=0)))
        if i:
            mask, W = zs[i - 1] > 0, params[i][0]
            dh = d @ W.T
            d = dh * mask
            if slack:
                size = (size @ W.abs().T) * mask
                free = (free @ W.abs().T) * mask + dh.abs() * near[i - 1]
    return out[::-1]


def _check_gradients(grads, params, x, y, step) -> None:
    """The grader trains with the student's gradients: each must be the loss's gradient at every step (so
    that no backward can steer the weights anywhere else), up to rounding and kinks. A first, cheap look
    compares with the largest entry; only where that fails is the slack of every entry worked out."""
    truth, slacks = _true_gradients(params, x, y), None
    for i, (dW, db) in enumerate(grads):
        for j, (name, got) in enumerate((("dW", dW), ("db", db))):
            off = (got - truth[i][j]).abs()
            if bool((off <= 1e-4 * truth[i][j].abs().max() + 1e-9).all()):
                continue
            off = off.double()
            slacks = slacks or _true_gradients(params, x, y, slack=True)
            allowed = slacks[i][j] + 1e-8
            if not bool((off <= allowed).all()):  # NaN fails too
                worst = float((off / allowed).nan_to_num(float("inf")).max())
                raise SineFitError(f"at training step {step + 1}, {name} of layer {i} is not the gradient of the "
                                   f"loss ({worst:.3g} times the rounding allowed): the grader trains with your "
                                   "gradients, so they must be right at every step")


def _expect_tensor(value, shape, what) -> None:
    import torch

    if type(value) is not torch.Tensor or tuple(value.shape) != shape or value.dtype != torch.float32:
        got = f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}" if isinstance(value, torch.Tensor) \
            else type(value).__name__
        raise SineFitError(f"during training, {what} should be a float32 tensor of shape {shape}, not {got}")
