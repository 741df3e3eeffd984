"""Common mistakes, recognised from a wrong result: one sentence that says what to fix.

`explain(cls, part, got, expected, ctx)` returns a hint or None. `ctx` holds the inputs
of the call: inputs (the latest forward's arguments), dout, params (W, b), kwargs,
label, and earlier (an earlier forward's arguments, for stale caches). Each
rule compares the student's result with what a known mistake would have produced
(computed here from the same inputs), or looks at the shape, dtype and finiteness.
"""

import math

import torch

import scratchnn_ref as ref


def _close(a: torch.Tensor, b: torch.Tensor, rtol=1e-3, atol=1e-6) -> bool:
    if a.shape != b.shape:
        return False
    a, b = a.to(torch.float64), b.to(torch.float64)
    if not (torch.isfinite(a).all() and torch.isfinite(b).all()):
        return False
    return bool(((a - b).abs() <= atol + rtol * b.abs()).all())


def constant_factor(got: torch.Tensor, expected: torch.Tensor):
    """c if got ≈ c·expected for a constant c ≠ 1 (least squares, checked), else None."""
    if got.shape != expected.shape or got.numel() == 0:
        return None
    g, e = got.to(torch.float64).reshape(-1), expected.to(torch.float64).reshape(-1)
    if not (torch.isfinite(g).all() and torch.isfinite(e).all()) or float(e @ e) == 0.0:
        return None
    c = float(g @ e) / float(e @ e)
    if abs(c - 1) < 1e-3 or abs(c) < 1e-12:
        return None
    return c if _close(g, c * e) else None


def factor_hint(cls, c, inputs) -> str:
    """What a constant factor c between the result and the right one most likely means."""
    x = inputs[0] if inputs else None
    is_loss = cls.endswith("Loss")
    numel = x.numel() if x is not None and is_loss and cls != "SoftmaxCELoss" else None
    batch = x.shape[0] if x is not None and x.dim() > 0 and (is_loss or cls == "Linear") else None
    names = []
    if numel and batch and numel != batch:
        names += [(numel / batch, "you divided by the batch size B instead of by numel (every element counts: "
                   "the loss is a mean over all of them)"),
                  (batch / numel, "the factor is B/numel too small: divide by numel once, not by more")]
    if numel:
        names += [(numel, "you did not divide by numel: the loss is a mean, so its gradient carries 1/numel"),
                  (1 / numel, "you divided by numel once too often")]
    elif batch:  # Linear and SoftmaxCELoss (a loss over numel has its B-factors above)
        names += [(batch, f"off by a factor of the batch size ({batch}): divide by B"
                   if cls == "SoftmaxCELoss" else f"off by a factor of the batch size ({batch})"),
                  (1 / batch, f"divided by the batch size ({batch}) once too often" if is_loss else
                   f"divided by the batch size ({batch}): a layer must not average; the loss already did")]
    names += [(0.5, "half the right value: a factor 2 is missing (d/de e² = 2e)"),
              (2.0, "twice the right value: a factor 2 too many"),
              (-1.0, "the sign is flipped: the gradient of y_pred − y_true, not y_true − y_pred")]
    for value, text in names:
        if math.isclose(c, value, rel_tol=1e-3):
            return text
    return f"your result is the right one times a constant ≈ {c:.4g}: look for a missing or extra factor"


def _linear_alternatives(part, label, x, dout, W, b):
    alts = []
    if part == "forward":
        alts.append((x @ W, "the bias is missing: add b (broadcast over the batch)"))
    elif "dL/dx" in label and W.shape[0] == W.shape[1]:
        alts.append((dout @ W, "dL/dx = dout · Wᵀ: transpose W"))
    elif "dW" in label and W.shape[0] == W.shape[1]:
        alts.append(((x.T @ dout).T, "your dW is transposed: dW = xᵀ · dout, shape (M, N)"))
    return alts


def _stale(cls, kwargs, params, earlier, dout, label):
    """What backward gives when it uses an earlier forward's input."""
    obj = getattr(ref, cls)(**kwargs)
    for name, value in params.items():
        setattr(obj, name, value.clone())
    obj.forward(*[a.clone() for a in earlier])
    value = obj.backward(dout.clone()) if dout is not None else obj.backward()
    return obj.dW if "dW" in label else value


def _alternatives(cls, part, ctx):
    """(what a known mistake gives, hint) pairs for this class and part."""
    inputs, kwargs, dout = list(ctx.get("inputs", [])), ctx.get("kwargs", {}), ctx.get("dout")
    alts = []
    x = inputs[0] if inputs else None
    if ctx.get("earlier"):
        alts.append((_stale(cls, kwargs, ctx.get("params", {}), ctx["earlier"], dout, ctx.get("label", "")),
                     "backward used the input of an earlier forward: store what backward needs in every forward"))
    if cls == "Linear":
        params = ctx.get("params", {})
        return alts + _linear_alternatives(part, ctx.get("label", ""), x, dout, params["W"], params["b"])
    if cls == "GELU" and x is not None:
        x64 = x.to(torch.float64)
        cdf = 0.5 * (1 + torch.erf(x64 / math.sqrt(2)))
        pdf = torch.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
        value = x64 * cdf if part == "forward" else dout.to(torch.float64) * (cdf + x64 * pdf)
        alts.append((value, "this is the exact (erf) GELU; the assignment asks for the tanh approximation"))
    if cls in ("LeakyReLU", "ELU", "HuberLoss") and kwargs:
        default = getattr(ref, cls)()
        args = inputs if cls == "HuberLoss" else [x]
        value = default.forward(*[a.clone() for a in args])
        if part == "backward":
            value = default.backward() if cls == "HuberLoss" else default.backward(dout.clone())
        name = next(iter(kwargs))
        alts.append((value, f"{name} is ignored: use self.{name} (it was {kwargs[name]} here, not the default)"))
    if part == "backward" and cls in ("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"):
        obj = getattr(ref, cls)(**kwargs)
        obj.forward(x.clone())
        alts.append((obj.backward(torch.ones_like(dout)), "you returned f'(x): multiply it by dout (the chain rule)"))
        if cls == "Sigmoid":
            alts.append((dout * x * (1 - x), "σ'(x) = σ(x)(1 − σ(x)) uses σ(x), not x"))
        if cls == "Tanh":
            alts.append((dout * (1 - x * x), "tanh'(x) = 1 − tanh(x)², not 1 − x²"))
    return alts


def explain(cls, part, got, expected, ctx) -> str | None:
    """A hint for a wrong result, or None when no known mistake fits."""
    label = ctx.get("label", "")
    if not isinstance(got, torch.Tensor):
        return None
    if got.dtype != expected.dtype:
        if expected.dtype == torch.float32 and got.dtype == torch.float64:
            return ("a float64 tensor crept in: avoid .double(), and give new tensors dtype=x.dtype "
                    "(or use Python floats for constants)")
        return (f"keep the dtype of the inputs ({expected.dtype}): avoid .float() and .double(), and give new "
                "tensors dtype=x.dtype")
    if "must not be modified" in label:
        return ("you changed an input in place (x += ..., x[...] = ..., x.clamp_(...), torch.exp(x, out=x)): "
                "compute new tensors instead")
    if got.shape != expected.shape:
        if cls == "Linear" and "db" in label and got.dim() == 1:
            return "db must have shape (N,): sum dout over the batch axis (dim 0)"
        if got.dim() == 2 and expected.dim() == 2 and tuple(got.shape) == tuple(expected.shape)[::-1]:
            return "your result is transposed: " + ("dW = xᵀ · dout has shape (M, N)" if "dW" in label else
                                                    "check the order of the matrix product")
        if expected.dim() == 0:
            return "a loss returns a 0-dim tensor: the mean over all elements (.mean(), no keepdim)"
        if got.numel() == expected.numel():
            return "right number of elements, wrong shape: keep the shape of the input (no reshape or squeeze)"
        return None
    if torch.isfinite(expected).all() and not torch.isfinite(got).all():
        if cls == "SoftmaxCELoss":
            return "exp overflows for large logits: subtract each row's max first (log-sum-exp, log-softmax)"
        if cls == "BCELoss":
            return "log(0) appears: clamp p to [1e-7, 1 − 1e-7] before taking logs"
        return ("exp overflows for large |x| (e^1e4 is inf, and inf·0 or inf/inf is NaN): take exp only of "
                "non-positive numbers, e.g. e^(−|x|), or clamp before exp")
    if cls == "SoftmaxCELoss" and part == "forward" and bool((got < expected - 1).all()):
        return ("the loss is capped for very wrong predictions: log of a clamped probability cannot exceed about "
                "20.7; compute log-softmax (z − max − log Σ exp(z − max)) instead")
    for value, hint in _alternatives(cls, part, ctx):
        if isinstance(value, torch.Tensor) and _close(got, value.to(got.dtype)):
            return hint
    c = constant_factor(got, expected)
    if c is not None:
        return factor_hint(cls, c, list(ctx.get("inputs", [])))
    return None
