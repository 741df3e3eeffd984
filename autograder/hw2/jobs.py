"""Assignment 2's checks of single classes, the sandbox side: an optimizer's steps, a layer's calls.

A module of the sandbox's kit (child.py's job kind "kit", runner "hw2_jobs"). It imports only
torch and the `scratchnn` package under test, and holds no code of the classes students
write (student code runs in this process). Every call into student code runs inside
`with calls():`. Student code gets copies of the inputs; after every call each copy is
compared with its original, and a change is reported (inputs must never be modified).

A job is {"what": "optimizer" or "layer", "cls", "seed", "runs": [run]}; each run r starts afresh:
    optimizer run: {"kwargs", "params": [name], "steps": [[name or None]], "zero_grad": bool}
        returns r{r}s{k}p{i}: params[i].data after step k; r{r}grad_changed (steps, params): 1 where
        step k changed a .grad; r{r}zero_grad (params,): 1 where .grad is None after zero_grad()
    layer run:     {"kwargs", "set": {attribute: name}, "calls": [[method, name...]], "attrs": [dotted]}
        returns r{r}c{c}: what call c returned; r{r}c{c}:{attr}: each attribute after call c;
        r{r}changed (n, 2): [call that changed an input, call it was given to]
"""

import torch


def run(job: dict, inputs: dict, calls) -> dict:
    import importlib

    torch.manual_seed(job.get("seed", 0))
    with calls():  # only the file this job grades: a missing or broken other file costs nothing here
        importlib.import_module("scratchnn.optim" if job["what"] == "optimizer" else "scratchnn.layers")
        from scratchnn.parameter import Parameter
    one = optimizer if job["what"] == "optimizer" else layer
    out = {}
    for r, spec in enumerate(job["runs"]):
        out |= {f"r{r}{key}": value for key, value in one(job["cls"], spec, inputs, calls, Parameter).items()}
    return out


def _same(t, original) -> bool:
    return type(t) is torch.Tensor and t.dtype == original.dtype and t.shape == original.shape and \
        bool(torch.equal(t, original))


def optimizer(cls, job, inputs, calls, Parameter) -> dict:
    import scratchnn.optim as optim

    params = [Parameter(inputs[name].clone()) for name in job["params"]]
    with calls():
        opt = getattr(optim, cls)(params, **job["kwargs"])
    out = {}
    changed = torch.zeros(len(job["steps"]), len(params), dtype=torch.int64)
    for k, grads in enumerate(job["steps"]):
        given = [None if g is None else inputs[g].clone() for g in grads]
        for p, g in zip(params, given, strict=True):
            p.grad = g
        with calls():
            opt.step()
        for i, (p, g) in enumerate(zip(params, given, strict=True)):
            out[f"s{k}p{i}"] = p.data.clone() if type(p.data) is torch.Tensor else p.data
            original = None if grads[i] is None else inputs[grads[i]]
            if (original is None and p.grad is not None) or (original is not None and not (
                    p.grad is g and _same(g, original))):
                changed[k, i] = 1
    out["grad_changed"] = changed
    if job.get("zero_grad"):
        with calls():
            opt.zero_grad()
        out["zero_grad"] = torch.tensor([int(p.grad is None) for p in params])
    return out


def _attr(obj, dotted: str):
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def layer(cls, job, inputs, calls, Parameter) -> dict:
    import scratchnn.layers as layers

    with calls():  # reading and setting the student's attributes are calls too (a property)
        obj = getattr(layers, cls)(**job["kwargs"])
        for attr, name in job.get("set", {}).items():
            current = getattr(obj, attr, None)
            if type(current) is Parameter:
                current.data = inputs[name].clone()
            else:
                setattr(obj, attr, inputs[name].clone())
    out, given, changed = {}, [], []
    for c, (method, *names) in enumerate(job["calls"]):
        tensors = [inputs[n].clone() for n in names]
        given += [(c, t, n) for t, n in zip(tensors, names, strict=True)]
        with calls():
            value = getattr(obj, method)(*tensors)
        for c0, t, n in given:
            if [c0] not in [ch[1:] for ch in changed] and not _same(t, inputs[n]):
                changed.append([c, c0])
        if method in ("forward", "backward"):  # as returned: a later call may change the tensor in place
            out[f"c{c}"] = value.clone() if type(value) is torch.Tensor else value
        with calls():
            held = [(attr, _attr(obj, attr)) for attr in job.get("attrs", [])]
        for attr, value in held:
            out[f"c{c}:{attr}"] = value.clone() if type(value) is torch.Tensor else value
    out["changed"] = torch.tensor(changed, dtype=torch.int64).reshape(-1, 2)
    return out
