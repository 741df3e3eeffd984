"""Judge a check from what the sandbox returned: a fraction of its points and a message.

Everything here runs in the grader's process on plain arrays. Messages go shape,
then dtype, then values, and add a diagnosis where a common mistake fits.

The sandbox's status and meta are JSON that student code may have written itself, so
every field read from them is type-checked here: whatever they hold gives a Verdict.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch

import scratchnn_ref as ref
import scratchnn_ref.train  # noqa: F401  (ref.train)

from . import config
from .checks import compare
from .diagnose import constant_factor, explain, factor_hint
from .sandbox import NUMERIC, meta_problem
from .suite import Check, numeric_gradient, time_limit

MAX_FIELD_CHARS = 500  # of one field of the child's JSON quoted in a message (the child cuts messages to 300)


@dataclass
class Verdict:
    fraction: float  # of the check's points
    output: str


def _text(value, limit: int = MAX_FIELD_CHARS) -> str:
    """A field of the child's JSON as text for a message, whatever its type, cut to `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + " [...]"


def _int(d: dict, key: str):
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def failure_of_job(check: Check, outcome: dict):
    """A Verdict of 0 when the job as a whole did not produce results, else None."""
    status = outcome.get("status") if isinstance(outcome.get("status"), dict) else {}
    meta = outcome.get("meta")
    if status.get("sandbox_error"):
        return Verdict(0.0, "Not graded: " + sandbox_down(_text(status["sandbox_error"])))
    if status.get("timeout") is True:
        return Verdict(0.0, f"Did not finish within {time_limit(check):g} s: an endless loop, or far more work than "
                            "the O(·) cost in the docstring.")
    problem = meta_problem(meta) if meta is not None else None
    sig = _int(status, "signal")
    if meta is None or (problem and sig):  # killed while writing its results counts as killed
        hint = f" (out of memory? the limit is {config.MEMORY_LIMIT_MB} MB)" if sig in (9, 24) else ""
        how = f"was killed by signal {sig}{hint}" if sig else f"exited early (status {_int(status, 'exit')})"
        return Verdict(0.0, f"The process running your code {how} before reporting any result. "
                            "Calls like exit() or os._exit() end it too.")
    if problem:
        return Verdict(0.0, f"Your code's results could not be read ({_text(problem, 200)}). Does your code write "
                            "to the grader's result files, or replace them?")
    if meta.get("error"):
        return Verdict(0.0, error_text("Your code could not be run", meta["error"]))
    return None


def sandbox_down(error: str) -> str:
    return f"the grader's sandbox could not be started again ({error}). This is not about your code: ask for a regrade."


def error_text(prefix: str, error) -> str:
    """The child's description of an exception ({"type", "message", "where"}), or whatever else it sent, as text."""
    if not isinstance(error, dict):
        return f"{prefix}: {_text(error)}"
    kind, message = _text(error.get("type"), 100), _text(error.get("message"))
    text = f"{prefix}: {kind}: {message}"
    where = error.get("where")
    if isinstance(where, dict):
        file, line, function, code = (_text(where.get(k), 200) for k in ("file", "line", "function", "code"))
        text += f"\n  at {file} line {line}, in {function}: {code}"
    if kind == "NotImplementedError":
        text += "\n  (this method is still the stub: write it)"
    if kind == "MemoryError" or "can't allocate memory" in message:
        text += f"\n  (the memory limit is {config.MEMORY_LIMIT_MB} MB)"
    return text


def _call_context(check: Check, r: int, c: int, label: str) -> dict:
    """The inputs of call c of run r, for the diagnosis."""
    run = check.job["runs"][r]
    tensors = lambda names: [check.inputs[n] for n in names]  # noqa: E731
    forwards = [i for i, (m, _) in enumerate(run["calls"][: c + 1]) if m == "forward"]
    method, args = run["calls"][c]
    ctx = {"kwargs": run["kwargs"], "label": label,
           "params": {k: check.inputs[v] for k, v in run["params"].items()}}
    if forwards:
        ctx["inputs"] = tensors(run["calls"][forwards[-1]][1])
    if method == "backward" and args:
        ctx["dout"] = check.inputs[args[0]]
    if method == "backward" and len(forwards) > 1:
        ctx["earlier"] = tensors(run["calls"][forwards[0]][1])
    return ctx


def _value(meta_run: dict, arrays: dict, key: str, expected: torch.Tensor, label: str):
    """(tensor, None) or (None, message) for the child's value at `key`."""
    info = meta_run.get(key)
    if not isinstance(info, dict):
        return None, f"{label}: no result was recorded"
    if info.get("type") != "Tensor":
        return None, f"{label}: expected a torch.Tensor, got {_text(info.get('type'), 100)}"
    if info.get("autograd"):
        return None, f"{label}: the result is tracked by autograd (requires_grad or grad_fn): autograd is not allowed"
    if info.get("too_big"):
        shape = info.get("shape")
        shown = tuple(shape) if isinstance(shape, list) and all(isinstance(n, int) for n in shape) else "?"
        return None, f"{label}: expected shape {tuple(expected.shape)}, got {_text(shown, 100)}"
    array = arrays.get(key)
    if not isinstance(array, np.ndarray) or array.dtype not in NUMERIC:
        return None, f"{label}: no result was recorded"
    got = torch.from_numpy(np.array(array))
    dtype = _text(info.get("dtype"), 100)
    if dtype not in ("float32", "float64", "int64"):
        return None, (f"{label}: expected dtype {expected.dtype} (the dtype of the inputs), got torch.{dtype}")
    return got, None


def _runs_and_arrays(outcome: dict) -> tuple[list, dict]:
    """The meta's runs (each a dict, or {} in its place) and the arrays, whatever the outcome holds."""
    runs = outcome["meta"].get("runs")
    runs = [r if isinstance(r, dict) else {} for r in runs] if isinstance(runs, list) else []
    arrays = outcome.get("arrays")
    return runs, arrays if isinstance(arrays, dict) else {}


def judge_expects(check: Check, outcome: dict) -> Verdict:
    """Each Expect is one point of the check; the message shows the first failure."""
    runs, arrays = _runs_and_arrays(outcome)
    passed, failures = 0, []
    for e in check.expects:
        r, rest = e.key[1:].split("c", 1)
        r = int(r)
        c = int("".join(ch for ch in rest.split("in")[0] if ch.isdigit()))
        meta_run = runs[r] if r < len(runs) else {}
        if meta_run.get("error"):
            failures.append(error_text(f"{e.label}: your code raised", meta_run["error"]))
            continue
        got, message = _value(meta_run, arrays, e.key, e.expected, e.label)
        if message is None:
            expected = e.expected
            if e.accepted and got.shape == expected.shape:
                expected = nearest(got, [expected, *e.accepted])
            if e.kink is not None and got.shape == expected.shape:
                mask, low, high = e.kink
                g = got.to(torch.float64)
                ok = mask & (g >= low - 1e-6) & (g <= high + 1e-6)
                expected = torch.where(ok, got.to(expected.dtype), expected)
            message = compare(got, expected, e.label, scale=e.scale, **e.tol)
            if message:
                part = check.part if check.part not in ("robust", "large") else _part_of(check, r, c)
                hint = explain(check.cls, part, got, expected, _call_context(check, r, c, e.label))
                if hint:
                    message += f"\n  Likely cause: {hint}"
                message += _when_changed(check, meta_run, e.key)
        if message:
            failures.append(message)
        else:
            passed += 1
    total = len(check.expects)
    if not failures:
        return Verdict(1.0, f"Passed all {total} comparisons.")
    shown = [failures[0]]
    if "Likely cause:" not in failures[0]:  # a later failure may say what is wrong where the first cannot
        shown += [f for f in failures[1:] if "Likely cause:" in f][:1]
    text = "\n".join([f"{passed} of {total} comparisons passed. First failure:", shown[0]]
                     + [f"A later failure, with its likely cause:\n{f}" for f in shown[1:]])
    if len(failures) > len(shown):
        text += f"\n({len(failures) - len(shown)} more failed comparison(s) not shown.)"
    return Verdict(passed / total, text)


def nearest(got: torch.Tensor, answers: list) -> torch.Tensor:
    """Element by element, the right answer closest to `got` (where the contract admits several)."""
    stacked = torch.stack([a.to(torch.float64) for a in answers])
    distance = torch.nan_to_num((stacked - got.to(torch.float64)).abs(), nan=math.inf)
    pick = distance.argmin(dim=0, keepdim=True)
    return stacked.gather(0, pick).squeeze(0).to(answers[0].dtype)


def _when_changed(check: Check, meta_run: dict, key: str) -> str:
    """For an input found modified (key r{r}c{c}in{i}): during which call it changed, from the child's record."""
    if "in" not in key:
        return ""
    r, rest = key[1:].split("c", 1)
    c, i = rest.split("in")
    calls = check.job["runs"][int(r)]["calls"]
    changed = meta_run.get("changed")
    for entry in changed if isinstance(changed, list) else []:
        if isinstance(entry, list) and len(entry) == 3 and entry[1:] == [int(c), int(i)] \
                and isinstance(entry[0], int) and 0 <= entry[0] < len(calls):
            return f"\n  It was changed during {check.cls}.{calls[entry[0]][0]}."
    return ""


def _part_of(check: Check, r: int, c: int) -> str:
    return check.job["runs"][r]["calls"][c][0]


def judge_gradients(check: Check, outcome: dict) -> Verdict:
    """Analytic gradients (the student's backward) against central differences of the student's forward."""
    runs, arrays = _runs_and_arrays(outcome)
    tol = config.GRAD_TOLERANCE
    passed, failures = 0, []
    for grad in check.gradients:
        label, key, (start, stop), dout, shape = grad
        r = int(key[1:].split("c", 1)[0])
        broken = [i for i in [r, *range(start, stop)] if i >= len(runs) or runs[i].get("error")]
        if broken:
            i = broken[0]
            err = runs[i].get("error") if i < len(runs) else None
            what = "backward" if i == r else "forward (at a perturbed input)"
            failures.append(error_text(f"{label}: your {what} raised", err) if err else f"{label}: no result")
            continue
        analytic, message = _value(runs[r], arrays, key, torch.zeros(shape, dtype=torch.float64), label)
        if message is None:
            try:
                numeric = numeric_gradient(grad, arrays)
            except (KeyError, RuntimeError, TypeError, ValueError):
                numeric = None
            if numeric is None:
                message = f"{label}: your forward did not return tensors of one shape at the perturbed inputs"
            else:
                message = compare(analytic, numeric, f"{label} (yours) against central differences of "
                                  "your forward (expected)", **tol)
                c = constant_factor(analytic, numeric) if message else None
                if c is not None:
                    inputs = [check.inputs[n] for n in check.job["runs"][r]["calls"][0][1]]
                    message += f"\n  Likely cause: {factor_hint(check.cls, c, inputs)}"
                elif message and not numeric.any():
                    message += ("\n  Likely cause: your forward does not change at all when this input changes: "
                                "does forward use it (the bias b, say)?")
        if message:
            failures.append(message)
        else:
            passed += 1
    total = len(check.gradients)
    if not failures:
        return Verdict(1.0, f"Your backward agrees with the numerical derivative of your forward ({total} checked).")
    return Verdict(passed / total, f"{passed} of {total} gradients agree. First failure:\n{failures[0]}\n"
                   "Your backward does not compute the derivative of your own forward.")


def grid_mse(weights, activation: str) -> float:
    """MSE against sin(2πx) on the reference's sine_grid() (1001 points, float64) of the MLP with these weights.

    weights: [(W (M, N), b (N,)), ...] of any float dtype, cast to float64; the activation
    between layers is the reference's. NaN or inf weights give NaN or inf. Cost: one forward.
    """
    x, y = ref.train.sine_grid()
    act = ref.mlp.ACTIVATIONS[activation]()
    h = x
    for i, (W, b) in enumerate(weights):
        h = h @ W.double() + b.double()
        if i < len(weights) - 1:
            h = act.forward(h)
    return float(((h - y) ** 2).mean())


def judge_sine_fit(check: Check, outcome: dict) -> Verdict:
    """Rebuild the trained MLP from its weights, with the reference activation, and measure it here."""
    _, arrays = _runs_and_arrays(outcome)
    dims = ref.train.DIMS
    layers = []
    for i, (m, n) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
        W, b = arrays.get(f"W{i}"), arrays.get(f"b{i}")
        if not all(isinstance(a, np.ndarray) and a.dtype in NUMERIC for a in (W, b)) or W.shape != (m, n) \
                or b.shape != (n,):
            return Verdict(0.0, f"After training, layer {i} should have W of shape {(m, n)} and b of shape {(n,)}; "
                                "it did not (did Linear.step or backward change their shapes?).")
        layers.append((torch.from_numpy(W).double(), torch.from_numpy(b).double()))
    mse = grid_mse(layers, check.context["activation"])
    n = ref.train.GRID_POINTS
    threshold = check.context["threshold"]
    seed = check.job["seed"]
    summary = (f"Mean squared error of your trained network on {n} evenly spaced points of [-1, 1]: "
               f"{mse:.6g} (must be at most {threshold:g}; training seed {seed}).")
    if mse <= threshold:  # False for NaN
        return Verdict(1.0, "Passed. " + summary)
    hint = ("The training diverged (NaN or inf): check the gradients' signs and factors."
            if not math.isfinite(mse) else
            "A correct implementation gets far below the threshold at every seed; a wrong gradient in Linear "
            "or the activation is the usual cause (the other checks of those classes tell which).")
    return Verdict(0.0, "Failed. " + summary + "\n" + hint)


def judge(check: Check, outcome: dict) -> Verdict:
    failure = failure_of_job(check, outcome)
    if failure:
        return failure
    if check.part == "sine_fit":
        return judge_sine_fit(check, outcome)
    if check.part == "gradcheck":
        return judge_gradients(check, outcome)
    return judge_expects(check, outcome)
