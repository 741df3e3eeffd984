"""Assignment 2's training check, the sandbox side: train the given MLP with the student's code.

This file runs in the sandbox's job process, beside the student's package ``scratchnn`` (the
student's optim.py and layers.py, the given parameter.py and model.py). It imports nothing
but torch, the standard library and ``scratchnn``, and it holds no code of the classes the
student writes: student code runs in this process and could call it. The grade is not
computed here: the grader measures the returned weights itself (autograder/hw2/evaluate.py).

Protocol: ``run(job, inputs, calls) -> outputs``.

job (settings, all plain data):
    optimizer    "SGD", "Adam" or "AdamW": the class of scratchnn.optim to train with
    kwargs       its keyword arguments, e.g. {"lr": 0.05, "momentum": 0.9}
    dims         the MLP's widths, e.g. [64, 64, 64, 10]
    dropout      the Dropout probability of every hidden layer (0: no Dropout layers)
    epochs       passes over the training data
    batch_size   B; each epoch takes the data in a new random order, in batches of B (the
                 last one smaller; one of a single row is skipped, as BatchNorm1d needs two)
    seed         torch.manual_seed(seed) before the MLP is built (its Dropout masks follow),
                 and the batch order from torch.Generator().manual_seed(seed + 1): the
                 same random streams as scratchnn.train.fit_digits(optimizer, seed)

inputs (tensors made by the grader; copies are handed to student code):
    x_train (N, dims[0]) float32, y_train (N,) int64
    W{i} (dims[i], dims[i+1]), b{i} (dims[i+1],)         Linear i's initial weights, float32
    gamma{k}, beta{k}, running_mean{k}, running_var{k}   BatchNorm1d k's (C,) = (dims[k+1],)
                                                         initial weight, bias and running statistics

outputs (a dict of new tensors):
    the same names as the weights in inputs (W{i}, b{i}, gamma{k}, beta{k}, running_mean{k},
    running_var{k}) with their trained values, and
    epoch_loss (epochs,) float64: each epoch's mean batch loss, as the student's layers
    computed it in training mode (for information only: the grade never rests on it).

``calls`` is a zero-argument function returning a context manager; every call into student
code runs inside one (the module imports, constructors, forward, backward, train, step,
zero_grad, and every read or write of an attribute of a student object). An exception raised
by student code propagates unchanged; a value the training cannot use (not a float32 tensor
of the right shape, NaN or inf) raises TrainingError with a message for the student.

Cost: epochs · ⌈N / B⌉ steps, each one forward and backward of the MLP (about
6·B·Σ dims[i]·dims[i+1] FLOPs) and one optimizer step (O(number of weights)), plus a check of
every value read back (O(B·Σ dims) per step).
"""

import importlib

import torch


class TrainingError(Exception):
    """The student's code returned or left something the training cannot use."""


def run(job: dict, inputs: dict, calls) -> dict:
    """Train the given MLP with the student's optimizer and layers; return the trained tensors."""
    with calls():
        optim = importlib.import_module("scratchnn.optim")
        given = importlib.import_module("scratchnn.model")  # the given model; it imports layers.py
    Parameter = importlib.import_module("scratchnn.parameter").Parameter  # given, complete
    own_layers = (given.Linear, given.ReLU)  # the given layers; every other layer is the student's

    torch.manual_seed(job["seed"])
    with calls():
        net = given.MLP(list(job["dims"]), dropout=job["dropout"])
        layers = list(net.layers)
    named, norms = _named_parameters(layers, own_layers, given.BatchNorm1d, Parameter, calls)
    for name, p in named:
        _set_initial(p, inputs[name], name)
    for k, bn in enumerate(norms):
        for stat in ("running_mean", "running_var"):
            value = inputs[f"{stat}{k}"].clone()
            with calls():
                setattr(bn, stat, value)

    with calls():
        cls = getattr(optim, job["optimizer"], None)
    if not isinstance(cls, type):
        raise TrainingError(f"optim.py has no class {job['optimizer']}")
    params = [p for _, p in named]
    with calls():
        opt = cls(params, **job["kwargs"])

    # The probe coordinates of each parameter (replay.py): their gradient and value after every step.
    probes = {name: inputs[f"probe_{name}"] for name, _ in named if f"probe_{name}" in inputs}
    seen_grad, seen_after = {name: [] for name in probes}, {name: [] for name in probes}
    x, y = inputs["x_train"], inputs["y_train"]
    loss_fn = given.SoftmaxCELoss()
    order = torch.Generator().manual_seed(job["seed"] + 1)
    size = job["batch_size"]
    epoch_loss = torch.zeros(job["epochs"], dtype=torch.float64)
    step = 0
    for epoch in range(job["epochs"]):
        with calls():
            net.train()
        perm = torch.randperm(len(x), generator=order)
        total, n_batches = 0.0, 0
        for start in range(0, len(x), size):
            idx = perm[start:start + size]
            if len(idx) < 2:
                continue
            step += 1
            n_batches += 1
            where = f"at training step {step} (epoch {epoch + 1})"
            with calls():
                opt.zero_grad()
            logits = _forward(layers, own_layers, x[idx].clone(), calls, where)
            total += float(loss_fn.forward(logits, y[idx].clone()))
            _backward(layers, own_layers, loss_fn.backward(), calls, where)
            for name, p in named:
                grad = _check(p.grad, p.data.shape, f"{where}, the .grad of {_what(name)} after backward")
                if name in probes:
                    seen_grad[name].append(grad.reshape(-1)[probes[name]].clone())
            with calls():
                opt.step()
            for name, p in named:
                data = _check(_data(p, Parameter, name, where), tuple(inputs[name].shape),
                              f"{where}, {_what(name)} after optimizer.step()", diverged=True)
                if name in probes:
                    seen_after[name].append(data.reshape(-1)[probes[name]].clone())
        epoch_loss[epoch] = total / n_batches

    out = {name: p.data.clone() for name, p in named}
    for k, bn in enumerate(norms):
        for stat in ("running_mean", "running_var"):
            with calls():
                value = getattr(bn, stat, None)
            out[f"{stat}{k}"] = _check(value, tuple(inputs[f"{stat}{k}"].shape),
                                       f"after training, BatchNorm1d layer {k}'s {stat}").clone()
    out["epoch_loss"] = epoch_loss
    for name in probes:
        out[f"probe_grad_{name}"] = torch.stack(seen_grad[name])
        out[f"probe_after_{name}"] = torch.stack(seen_after[name])
    return out


# ---------------------------------------------------------------- the network, layer by layer
def _named_parameters(layers, own_layers, BatchNorm1d, Parameter, calls):
    """[(name, Parameter)] in the order of MLP.parameters(), and the BatchNorm1d layers in order.

    Linear i gives W{i}, b{i}; BatchNorm1d k gives gamma{k}, beta{k}, each of which must be
    one of the given Parameters. Dropout layers have none.
    """
    named, norms = [], []
    n_linear = 0
    for layer in layers:
        if type(layer) in own_layers:
            if hasattr(layer, "W"):  # a Linear
                named += [(f"W{n_linear}", layer.W), (f"b{n_linear}", layer.b)]
                n_linear += 1
            continue
        if type(layer) is not BatchNorm1d:  # a Dropout
            continue
        with calls():
            weight, bias = getattr(layer, "weight", None), getattr(layer, "bias", None)
        k = len(norms)
        for name, p in ((f"gamma{k}", weight), (f"beta{k}", bias)):
            if type(p) is not Parameter:
                raise TrainingError(f"BatchNorm1d layer {k}'s {'weight' if name[0] == 'g' else 'bias'} "
                                    f"should be a Parameter, not {type(p).__name__}")
            named.append((name, p))
        norms.append(layer)
    return named, norms


def _set_initial(p, value: torch.Tensor, name: str) -> None:
    """Give a parameter the grader's initial value (a copy)."""
    _check(p.data, tuple(value.shape), f"{_what(name)} as the constructor made it", finite=False)
    p.data = value.clone()
    p.grad = None


def _forward(layers, own_layers, h: torch.Tensor, calls, where: str) -> torch.Tensor:
    """The MLP's forward, one layer at a time, checking every layer's output. h (B, C0) -> logits (B, K)."""
    for j, layer in enumerate(layers):
        h = _through(layer, "forward", h, own_layers, calls, where, j)
    return h


def _backward(layers, own_layers, d: torch.Tensor, calls, where: str) -> None:
    """The MLP's backward, one layer at a time, checking the gradient each layer returns (None from the first)."""
    for j in reversed(range(len(layers))):
        d = _through(layers[j], "backward", d, own_layers, calls, where, j)


def _through(layer, method: str, value: torch.Tensor, own_layers, calls, where: str, j: int):
    """layer.forward(value) or layer.backward(value), checked. A student layer must return a finite float32
    tensor of value's shape; a given layer's result (it cannot be wrong) is only checked to be finite,
    so that weights grown too large are named as such, not blamed on the next layer."""
    if type(layer) in own_layers:
        out = getattr(layer, method)(value)
        if out is not None and not bool(torch.isfinite(out).all()):
            raise TrainingError(f"{where}, the given {type(layer).__name__}.{method} (layer {j} of the MLP) gave "
                                "NaN or inf: the weights grew too large, so the update is probably too large or "
                                "in the wrong direction")
        return out
    with calls():
        out = getattr(layer, method)(value)
    return _check(out, tuple(value.shape), f"{where}, {type(layer).__name__}.{method}'s output")


def _data(p, Parameter, name: str, where: str):
    if type(p) is not Parameter:
        raise TrainingError(f"{where}, {_what(name)} is no longer a Parameter")
    return p.data


# ---------------------------------------------------------------- guards
def _what(name: str) -> str:
    """'W1' -> 'Linear layer 1's W', 'gamma0' -> "BatchNorm1d layer 0's weight"."""
    for prefix, layer, attr in (("W", "Linear", "W"), ("b", "Linear", "b"),
                                ("gamma", "BatchNorm1d", "weight"), ("beta", "BatchNorm1d", "bias")):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            return f"{layer} layer {name[len(prefix):]}'s {attr}"
    return name


def _check(value, shape: tuple, what: str, finite: bool = True, diverged: bool = False) -> torch.Tensor:
    """value itself if it is a float32 tensor of this shape (and finite): else TrainingError saying what it is."""
    if type(value) is not torch.Tensor:  # a subclass could fake its values
        raise TrainingError(f"{what} should be a float32 tensor of shape {shape}, not {_describe(value)}")
    if tuple(value.shape) != tuple(shape) or value.dtype != torch.float32 or value.device.type != "cpu":
        raise TrainingError(f"{what} should be a float32 tensor of shape {shape}, not {_describe(value)}")
    if finite and not bool(torch.isfinite(value).all()):
        hint = (": the weights diverged, so the update is probably too large or in the wrong direction"
                if diverged else "")
        raise TrainingError(f"{what} holds NaN or inf{hint}")
    return value


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {type(value).__name__} of shape {tuple(value.shape)}, dtype {value.dtype} on {value.device}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"

