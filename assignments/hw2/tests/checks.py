"""Comparisons and numerical gradients with messages a student can act on.

Shared by the public tests (a copy ships as tests/checks.py) and the grader.
Only torch is needed. Every check returns None when it passes and a message
otherwise; messages go shape first, then dtype, then values.
"""

import torch


def describe(x) -> str:
    """A short description of a value, without its contents."""
    if isinstance(x, torch.Tensor):
        return f"tensor of shape {tuple(x.shape)} and dtype {x.dtype}"
    return f"{type(x).__name__}"


def _index(flat: int, shape) -> tuple:
    idx = []
    for size in reversed(tuple(shape)):
        idx.append(flat % size)
        flat //= size
    return tuple(reversed(idx))


def compare(got, expected: torch.Tensor, what: str, rtol: float, atol: float, show_values: bool = True,
            scale=None):
    """None if ``got`` is a tensor of ``expected``'s shape and dtype whose values match.

    Values match where |got - expected| <= atol + rtol·scale, with scale = |expected|
    unless given (e.g. |x|·|W| for a matrix product, whose rounding error grows with
    its terms, not with its result). NaN and ±inf must
    sit where ``expected`` has them. Otherwise the message names the worst index,
    the expected and received values (unless ``show_values`` is False) and the
    largest absolute and relative errors.
    """
    if not isinstance(got, torch.Tensor):
        return f"{what}: expected a torch.Tensor, got {describe(got)}"
    if tuple(got.shape) != tuple(expected.shape):
        return f"{what}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}"
    if got.dtype != expected.dtype:
        return f"{what}: expected dtype {expected.dtype} (the dtype of the inputs), got {got.dtype}"
    g = got.detach().to("cpu", torch.float64).reshape(-1)
    e = expected.detach().to("cpu", torch.float64).reshape(-1)
    if g.numel() == 0:
        return None
    both_nan = torch.isnan(g) & torch.isnan(e)
    same_inf = torch.isinf(e) & (g == e)
    err = (g - e).abs()
    err = torch.where(both_nan | same_inf, torch.zeros_like(err), err)
    err = torch.where(torch.isnan(err), torch.full_like(err, float("inf")), err)
    size = e.abs() if scale is None else scale.detach().to("cpu", torch.float64).reshape(-1)
    excess = err - (atol + rtol * size.nan_to_num(posinf=0.0))
    worst = int(torch.argmax(excess))
    if excess[worst] <= 0:
        return None
    where = _index(worst, expected.shape)
    rel = err / e.abs().clamp(min=atol if atol > 0 else 1e-300)
    lines = [f"{what}: values differ at {int((excess > 0).sum())} of {g.numel()} positions."]
    if show_values:
        lines.append(f"  worst at index {where}: expected {e[worst].item():.6g}, got {g[worst].item():.6g}")
    else:
        lines.append(f"  worst at index {where}")
    if not torch.isfinite(g[worst]):
        lines.append("  your value there is not finite (inf or NaN)")
    lines.append(f"  max abs error {err.max().item():.3g}, max rel error {rel.max().item():.3g} "
                 f"(allowed: abs {atol:g} + rel {rtol:g})")
    return "\n".join(lines)


def perturbations(x: torch.Tensor, h: float):
    """For each element i of x (row-major): (i, x with x[i] + h, x with x[i] - h)."""
    flat = x.detach().reshape(-1)
    for i in range(flat.numel()):
        plus, minus = flat.clone(), flat.clone()
        plus[i] += h
        minus[i] -= h
        yield i, plus.reshape(x.shape), minus.reshape(x.shape)


def central_difference(f_plus: list, f_minus: list, dout, h: float, shape) -> torch.Tensor:
    """dL/dx from forward values at x ± h·e_i, where L = sum(f(x) · dout) (dout None: L = f(x)).

    ``f_plus[i]`` and ``f_minus[i]`` are f at the i-th perturbation of ``perturbations``.
    """
    grads = []
    for fp, fm in zip(f_plus, f_minus, strict=True):
        diff = fp.to(torch.float64) - fm.to(torch.float64)
        grads.append((diff * dout).sum() if dout is not None else diff.sum())
    return (torch.stack(grads) / (2 * h)).reshape(shape)


def numeric_grad(f, x: torch.Tensor, dout=None, h: float = 1e-6) -> torch.Tensor:
    """Central-difference gradient of sum(f(x)·dout) (or of the scalar f(x)) with respect to x.

    Cost: 2·numel(x) calls of f, so keep x small. Use float64: in float32 the
    rounding error of f is larger than the difference being measured.
    """
    plus, minus = [], []
    for _, xp, xm in perturbations(x, h):
        plus.append(f(xp))
        minus.append(f(xm))
    return central_difference(plus, minus, dout, h, x.shape)
