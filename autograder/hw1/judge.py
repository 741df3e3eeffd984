"""Judge a check from what the sandbox returned: a fraction of its points and a message.

Everything here runs in the grader's process on plain arrays. Messages go shape,
then dtype, then values, and add a "Likely cause" only where exactly one known mistake
reproduces every comparison of the check (autograder/hw1/diagnose.py).

The sandbox's status and meta are JSON that student code may have written itself, so
every field read from them is type-checked here: whatever they hold gives a Verdict.
"""

import itertools
import math
from dataclasses import replace

import numpy as np
import torch

import scratchnn_ref as ref
import scratchnn_ref.train  # noqa: F401  (ref.train)

from ..checks import compare
from ..outcome import Verdict, error_text, failure_of_job, text_of
from ..sandbox import NUMERIC
from . import config
from .diagnose import FORWARD_IGNORES_INPUT, common_factor, likely_cause
from .mistakes import Call, Comparison
from .suite import Check, numeric_gradient, reference_run


def _parse_key(key: str) -> tuple[int, int, str]:
    """(run, call, output) of an array key: r{r}c{c} (a return value), r{r}c{c}dW, r{r}c{c}in{i} (an input)."""
    r, rest = key[1:].split("c", 1)
    digits = "".join(itertools.takewhile(str.isdigit, rest))
    tail = rest[len(digits):]
    return int(r), int(digits), "input" if tail.startswith("in") else tail


def _call(check: Check, r: int, c: int, output: str) -> Call:
    """Call c of run r, for the diagnosis: the latest forward's inputs, dout, W and b, the constructor's arguments."""
    run = check.job["runs"][r]
    calls = run["calls"]
    tensors = lambda names: [check.inputs[n] for n in names]  # noqa: E731
    forwards = [i for i, (m, _) in enumerate(calls[: c + 1]) if m == "forward"]
    method = calls[c][0]
    backward = next((args for m, args in calls if m == "backward" and args), None)
    return Call(cls=check.cls, part=method, output=output,
                inputs=tensors(calls[forwards[-1]][1]) if forwards else [],
                dout=check.inputs[backward[0]] if backward else None,
                params={k: check.inputs[v] for k, v in run["params"].items()}, kwargs=run["kwargs"],
                earlier=tensors(calls[forwards[0]][1]) if method == "backward" and len(forwards) > 1 else None,
                methods=tuple(m for m, _ in calls))


def _raised(error) -> tuple:
    """(forward or backward where the child's description of an exception says it was raised in one, else None;
    the exception's type name, or None)."""
    error = error if isinstance(error, dict) else {}
    where = error.get("where") if isinstance(error.get("where"), dict) else {}
    function = where.get("function")
    kind = error.get("type")
    return function if function in ("forward", "backward") else None, kind if isinstance(kind, str) else None


def _diagnosis(cls: str, comparisons: list, formulas: bool = True, extra: tuple = (), times: str = "") -> tuple:
    """(the "Likely cause" line when one cause alone fits every comparison, else a constant factor seen in all
    failing ones (a fact), else nothing; the cause or None)."""
    cause = likely_cause(cls, comparisons, formulas=formulas, extra=extra)
    if cause:
        return f"\n  Likely cause: {cause}", cause
    factor = common_factor(comparisons)
    if factor is None:
        return "", None
    what = times or "in every failing comparison your values are the expected ones"
    return f"\n  Observed: {what} times {factor:.4g}.", None


def _value(meta_run: dict, arrays: dict, key: str, expected: torch.Tensor, label: str):
    """(tensor, None) or (None, message) for the child's value at `key`."""
    info = meta_run.get(key)
    if not isinstance(info, dict):
        return None, f"{label}: no result was recorded"
    if info.get("type") != "Tensor":
        return None, f"{label}: expected a torch.Tensor, got {text_of(info.get('type'), 100)}"
    if info.get("autograd"):
        return None, f"{label}: the result is tracked by autograd (requires_grad or grad_fn): autograd is not allowed"
    if info.get("too_big"):
        shape = info.get("shape")
        shown = tuple(shape) if isinstance(shape, list) and all(isinstance(n, int) for n in shape) else "?"
        return None, f"{label}: expected shape {tuple(expected.shape)}, got {text_of(shown, 100)}"
    array = arrays.get(key)
    if not isinstance(array, np.ndarray) or array.dtype not in NUMERIC:
        return None, f"{label}: no result was recorded"
    got = torch.from_numpy(np.array(array))
    dtype = text_of(info.get("dtype"), 100)
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
    """Each Expect is one point of the check; the message shows the first failure and, where one cause alone
    explains every comparison, names it."""
    runs, arrays = _runs_and_arrays(outcome)
    passed, failures, comparisons = 0, [], []
    for e in check.expects:
        r, c, output = _parse_key(e.key)
        meta_run = runs[r] if r < len(runs) else {}
        compared = Comparison(_call(check, r, c, output), e.expected, e.tol, accepted=e.accepted, scale=e.scale,
                              kink=e.kink[0] if e.kink is not None else None)
        comparisons.append(compared)
        if meta_run.get("error"):
            compared.raised, compared.raised_in, compared.error = True, *_raised(meta_run["error"])
            failures.append(error_text(f"{e.label}: your code raised", meta_run["error"]))
            continue
        got, message = _value(meta_run, arrays, e.key, e.expected, e.label)
        if message is None:
            compared.got = got
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
                message += _when_changed(check, meta_run, e.key)
        if message:
            failures.append(message)
        else:
            passed += 1
            compared.passed = True
    total = len(check.expects)
    if not failures:
        return Verdict(1.0, f"Passed all {total} comparisons.")
    diagnosis, cause = _diagnosis(check.cls, comparisons)
    text = f"{passed} of {total} comparisons passed. First failure:\n{failures[0]}" + diagnosis
    if len(failures) > 1:
        text += f"\n({len(failures) - 1} more failed comparison(s) not shown.)"
    return Verdict(passed / total, text, likely_cause=cause)


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


def differentiated(student: list, readings: list, scales: list, names: list, tol: dict) -> tuple:
    """(the name of the reading or None for the student's own, the values whose central differences the gradient
    check takes, None) or (None, None, why no derivative can be taken). Each list is per point: x, then every
    perturbed point.

    The student's forward is a reading's function there (the reference's, or one config.ACCEPTED admits) when
    it matches that reading at x and at every perturbed point: its derivative is then the reading's, and the
    reading's values are differentiated (a forward that is right to within its tolerance, yet moves by less
    than that between the points, could otherwise make any backward look right). A forward that matches at
    some points and not at others is not one function near x (it knows it is being probed: outputs kept from
    earlier calls, stale values near the last backward's input): it fails. A forward that matches nowhere is
    its own function: its own values are differentiated, and they must be finite (NaN is not a derivative)."""
    partial = None
    for name, values in readings:
        matches = [compare(t, v, "", scale=sc, **tol) is None
                   for t, v, sc in zip(student, values, scales, strict=True)]
        if all(matches):
            return name, values, None
        if any(matches) and partial is None:
            partial = (name, names[matches.index(True)], names[matches.index(False)])
    if partial:
        name, right, wrong = partial
        return None, None, (f"your forward is not one function near {names[0]}: it computes {name}'s function at "
                            f"{right} but not at {wrong} (within the float64 tolerance, {FORWARD_TOLERANCE}), so "
                            "no derivative of it can be taken. A forward must depend on its input alone: no results "
                            "or inputs kept from earlier calls may change what it returns")
    if not all(bool(torch.isfinite(t).all()) for t in student):
        return None, None, (f"your forward returned NaN or inf at {names[0]} or near it, so no derivative of it can "
                            "be taken")
    return None, student, None


FORWARD_TOLERANCE = (f"abs {config.TOLERANCE['float64']['atol']:g} + rel {config.TOLERANCE['float64']['rtol']:g}")


def _forward_values(check: Check, runs: list, arrays: dict) -> tuple:
    """(the student's forward values at each point of the check (x, then the perturbed runs), None) or (None,
    why they cannot be read)."""
    out = []
    for r, name in zip(check.context["points"], check.context["names"], strict=True):
        meta_run = runs[r] if r < len(runs) else {}
        t, why = _value(meta_run, arrays, f"r{r}c0", torch.zeros(0, dtype=torch.float64), f"your forward at {name}")
        if why:
            return None, why
        out.append(t)
    if len({tuple(t.shape) for t in out}) > 1:
        return None, "your forward did not return tensors of one shape at x and the perturbed inputs"
    return out, None


def _numeric(check: Check, grad: tuple, at: dict, reading, reference: dict) -> tuple:
    """(the central differences of one gradcheck entry from the values differentiated, `at`, None), (them, why
    they check nothing: the student's own values (reading None) must move where the reference's do) or (None,
    why there are none)."""
    label, _, (start, _), _, _ = grad
    try:
        numeric = numeric_gradient(grad, at).to(torch.float64)
    except (KeyError, RuntimeError, TypeError, ValueError):
        return None, f"{label}: your forward did not return tensors of the output's shape at the perturbed inputs"
    tol = config.GRAD_TOLERANCE
    if reading is None and compare(numeric, torch.zeros_like(numeric), "", **tol) is None:
        truth = numeric_gradient(grad, reference).to(torch.float64)
        if compare(truth, torch.zeros_like(truth), "", **tol) is not None:
            names = check.context["names"]
            wrt = names[check.context["points"].index(start)].split("[")[0]  # what the entry's runs perturb
            return numeric, (f"{label}: gradient check: your forward does not change when {wrt} moves by h = "
                          f"{config.GRAD_STEP:g} near {names[0]}, where the reference's does, so no gradient check of "
                          "it means anything.")
    return numeric, None


def judge_gradients(check: Check, outcome: dict) -> Verdict:
    """Analytic gradients (the student's backward) against central differences of the student's forward.

    The forward's values at x and at every perturbed point are first judged as one function
    (differentiated): a reading's where they are that reading's everywhere, the student's own where they are
    none, a failure where they are a reading's at some points only or not finite. The student's own values
    must move: a forward flat near x where the reference's is not makes no gradient check.

    Where the student's forward has the reference's derivative here, the catalogue of mistakes is asked
    about the backward (against the reference's gradient); otherwise only the symptoms are.
    """
    runs, arrays = _runs_and_arrays(outcome)
    tol = config.GRAD_TOLERANCE
    passed, failures, comparisons, numerics = 0, [], [], {}
    right = {}
    points, names = check.context["points"], check.context["names"]
    broken = [i for i in points if i >= len(runs) or runs[i].get("error")]
    forwards, why = (None, None) if broken else _forward_values(check, runs, arrays)
    reading, values = None, None
    if forwards is not None:
        reading, values, why = differentiated(forwards, check.context["forwards"], check.context["scales"], names,
                                              config.TOLERANCE["float64"])
    at = dict(zip(points, values, strict=True)) if values is not None else None
    reference = dict(zip(points, check.context["forwards"][0][1], strict=True))
    for grad in check.gradients:
        label, key, (start, stop), dout, shape = grad
        r, c, output = _parse_key(key)
        right = right or reference_run(check.cls, check.job["runs"][r], check.inputs)
        compared = Comparison(_call(check, r, c, output), right[f"c{c}{output}"], tol)
        comparisons.append(compared)
        if broken:
            i = broken[0]
            err = runs[i].get("error") if i < len(runs) else None
            what = "backward" if i == r else "forward (at a perturbed input)"
            compared.raised = i == r and bool(err)
            compared.raised_in, compared.error = _raised(err)
            failures.append(error_text(f"{label}: your {what} raised", err) if err else f"{label}: no result")
            continue
        if at is None:
            failures.append(f"{label}: gradient check: {why}.")
            continue
        analytic, message = _value(runs[r], arrays, key, torch.zeros(shape, dtype=torch.float64), label)
        numeric = None
        if message is None:
            numeric, message = _numeric(check, grad, at, reading, reference)
        if numeric is not None:  # a flat forward's central differences too: the diagnosis reads them
            compared.got, numerics[id(compared)] = analytic, numeric
            message = message or compare(analytic, numeric.to(analytic.dtype), f"{label} (yours) against central "
                                         "differences of your forward (expected)", **tol)
        if message:
            failures.append(message)
        else:
            passed += 1
            compared.passed = True
    total = len(check.gradients)
    if not failures:
        return Verdict(1.0, f"Your backward agrees with the numerical derivative of your forward ({total} checked).")
    if at is None and not broken:
        return Verdict(0.0, f"{failures[0]}\nThe gradient check took no derivative of your forward, so it "
                       "earns nothing.")
    forward_right = len(numerics) == total and all(
        compare(numerics[id(c)], c.expected.to(torch.float64), "", **tol) is None for c in comparisons)
    if forward_right:
        diagnosis, cause = _diagnosis(check.cls, comparisons)
    else:  # the student's forward is not the reference's here: only what the results show of themselves
        own = [replace(c, expected=numerics[id(c)]) if id(c) in numerics else c for c in comparisons]
        diagnosis, cause = _diagnosis(check.cls, own, formulas=False, extra=(FORWARD_IGNORES_INPUT,),
                                      times="your backward is the derivative of your forward")
    return Verdict(passed / total, f"{passed} of {total} gradients agree. First failure:\n{failures[0]}{diagnosis}\n"
                   "Your backward does not compute the derivative of your own forward.", likely_cause=cause)


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
