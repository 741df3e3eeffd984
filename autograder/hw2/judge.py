"""Judge assignment 2's checks from what the sandbox returned: a fraction of the points and a message.

Value checks (trajectories, BatchNorm1d) compare each Expect with the reference, one point of
the check each; the message shows the first failures and, where exactly one slip of the
catalogue (autograder/hw2/mistakes.py) reproduces every comparison, names it. Dropout is
judged by its properties, the gradient check against the student's own forward.
"""

import math
import re

import numpy as np
import torch

from ..checks import central_difference, compare
from ..outcome import Verdict, failure_of_job, text_of
from ..sandbox import NUMERIC
from . import config
from .mistakes import BATCHNORM_SLIPS, OPTIMIZER_SLIPS, batchnorm_calls, binomial_bound, fits, optimizer_steps
from .suite import Check

DIAGNOSIS_SLACK = 10.0  # times a comparison's tolerance, as in assignment 1 (its config.DIAGNOSIS_SLACK)
SHOWN_FAILURES = 3


def value(outcome: dict, key: str):
    """(tensor, None) or (None, why) for the child's value `key`."""
    meta = outcome.get("meta") or {}
    info = meta.get("values", {}).get(key) if isinstance(meta.get("values"), dict) else None
    if not isinstance(info, dict):
        return None, "no result was recorded"
    if info.get("type") != "Tensor":
        return None, f"expected a torch.Tensor, got {text_of(info.get('type'), 100)}"
    if info.get("autograd"):
        return None, "the result is tracked by autograd (requires_grad or grad_fn): autograd is not allowed"
    array = (outcome.get("arrays") or {}).get(key)
    if not isinstance(array, np.ndarray) or array.dtype not in NUMERIC:
        return None, "no result was recorded" if not info.get("too_big") else "it is far too large"
    got = torch.from_numpy(np.array(array))
    dtype = info.get("dtype")
    if dtype not in ("float32", "float64", "int64"):
        return None, f"its dtype is torch.{text_of(dtype, 50)}"
    return got, None


def _compare(got: torch.Tensor, e, expected=None, what=None):
    """compare() of one Expect, with its tolerance and scale (against `expected`, else e.expected)."""
    return compare(got, e.expected if expected is None else expected, e.label if what is None else what,
                   scale=e.scale, **e.tol)


def judge_expects(check: Check, outcome: dict) -> Verdict:
    """A share of the points per comparison, by the Expects' weights; a comparison of weight 0 (Adam's first
    step, which any sign descent matches) is shown but pays only along with the others."""
    passed, earned, failures, kinds, got = 0, 0.0, [], [], {}
    for e in check.expects:
        t, why = value(outcome, e.key)
        if why:
            failures.append(f"{e.label}: {why}")
            kinds.append(None)
            continue
        got[e.key] = t
        message = _compare(t, e)
        if message and e.accepted and t.shape == e.expected.shape:
            message = None if _compare(t, e, e.accepted[0]) is None else message
        if message:
            kind, worded = _worded_change(check, e, t)
            failures.append(worded or message)
            kinds.append(kind)
        else:
            passed += 1
            earned += e.weight
    if not failures:
        return Verdict(1.0, f"Passed: all {len(check.expects)} comparisons match.")
    shown = "\n".join(failures[:SHOWN_FAILURES]) + (f"\n... and {len(failures) - SHOWN_FAILURES} more"
                                                     if len(failures) > SHOWN_FAILURES else "")
    cause = likely_cause(check, got)
    if cause is None and kinds[0] is not None and len(set(kinds)) == 1:  # every failure is one kind of change
        cause = CHANGE_CAUSES[kinds[0]]
    total = sum(e.weight for e in check.expects)
    fraction = min(earned / total, passed / len(check.expects)) if total > 0 else passed / len(check.expects)
    unpaid = "" if earned or not passed else (
        "\n  Only comparisons that pay nothing on their own match: those after a parameter's first update, which "
        "sign descent p −= lr·sign(g) matches too. The points are for the updates after it.")
    return Verdict(fraction, f"{passed} of {len(check.expects)} comparisons match.\n{shown}{unpaid}" +
                   (f"\n  Likely cause: {cause}" if cause else ""), likely_cause=cause)


CHANGE_CAUSES = {
    "input": "an input is changed in place: do not modify the inputs in place: work on a copy or use out-of-place "
             "operations (x - mean, not x -= mean; x * mask, not x.mul_(mask))",
    "grad": "step() must not change p.grad; read it only: compute the update into a new tensor (d_p = p.grad + "
            "weight_decay·p), not in place (p.grad += ..., or d_p += ... where d_p is p.grad)",
}
CHANGE_KEY = re.compile(r"r(\d+)(grad_changed|changed)")


def _worded_change(check: Check, e, t: torch.Tensor) -> tuple:
    """(kind, message) for a failed record of changed inputs or .grad (CHANGE_CAUSES' kinds), else (None, None)."""
    match = CHANGE_KEY.fullmatch(e.key)
    if not match or t.dtype != torch.int64 or t.dim() != 2:
        return None, None
    run = check.job["runs"][int(match[1])]
    if match[2] == "grad_changed":
        return ("grad", _grads_changed(check.cls, run, t)) if t.shape == e.expected.shape else (None, None)
    message = _inputs_changed(check, run, t) if t.shape[1] == 2 and len(t) else None
    return ("input", message) if message else (None, None)


def _grads_changed(cls: str, run: dict, t: torch.Tensor) -> str:
    """The message for a step() that changed or replaced a .grad: where (step, parameter) and what to do."""
    where = (t != 0).nonzero().tolist()
    k, i = where[0]
    settings = ", ".join(f"{k}={v}" for k, v in run["kwargs"].items())
    return (f"{cls}({settings}): step() changed or replaced p.grad at {len(where)} of "
            f"{t.numel()} (step, parameter) pairs, first at step {k + 1}, parameter {i}. step() must not change "
            "p.grad; read it only.")


def _inputs_changed(check: Check, run: dict, t: torch.Tensor):
    """The message for a layer that changed its inputs: which call changed the input of which call (None for
    calls the run does not have)."""
    calls = run["calls"]
    said = []
    for c, c0 in t.tolist():
        if not (0 <= c0 <= c < len(calls)) or len(calls[c0]) < 2:
            return None
        given = f"{calls[c0][0]} (call {c0 + 1})"
        arg = "its input x" if calls[c0][0] == "forward" else "its dout"
        said.append(f"{given} changed {arg}" if c == c0 else
                    f"{calls[c][0]} (call {c + 1}) changed the input of {given}, a tensor it kept")
    dtype = str(check.inputs[calls[0][1]].dtype).replace("torch.", "")
    return (f"{check.cls}, {dtype} run: an input was changed in place: " + "; ".join(said) +
            ". Do not modify the inputs in place: work on a copy or use out-of-place operations.")


def likely_cause(check: Check, got: dict):
    """The one slip that reproduces every value of the check, or None (none fits, or several do)."""
    if len(got) < len(check.expects):
        return None
    if check.part == "trajectory":
        slips = OPTIMIZER_SLIPS[check.cls]
        predict = lambda s: _optimizer_values(check, s.flags)  # noqa: E731
    elif check.cls == "BatchNorm1d" and check.part in ("forward", "backward", "running", "robust"):
        slips = BATCHNORM_SLIPS
        predict = lambda s: _batchnorm_values(check, s.flags)  # noqa: E731
    else:
        return None
    passed = {e.key for e in check.expects if _compare(got[e.key], e, what="") is None}
    fitting = []
    for s in slips:
        values = predict(s)
        if all(_fits(got[e.key], values[e.key], e) if e.key in values else e.key in passed
               for e in check.expects):  # a value no slip predicts (inputs changed) must be right
            fitting.append(s.cause)
    return fitting[0] if len(set(fitting)) == 1 else None


def _fits(got: torch.Tensor, want: torch.Tensor, e) -> bool:
    """Whether got reproduces a slip's `want` within DIAGNOSIS_SLACK times the Expect's tolerance (its scale
    where it has one, taken relative to `want`)."""
    if e.scale is None or got is None or want is None or tuple(got.shape) != tuple(want.shape):
        return fits(got, want, e.tol, DIAGNOSIS_SLACK)
    extra = (e.scale.double() - e.expected.double().abs()).clamp(min=0)  # what the condition adds
    g, w = got.double(), want.double()
    if not (torch.isfinite(g).all() and torch.isfinite(w).all()):
        return fits(got, want, e.tol, DIAGNOSIS_SLACK)
    return bool(((g - w).abs() <= DIAGNOSIS_SLACK * (e.tol["atol"] + e.tol["rtol"] * (w.abs() + extra))).all())


def _optimizer_values(check: Check, flags) -> dict:
    out = {}
    for r, run in enumerate(check.job["runs"]):
        initial = [check.inputs[n] for n in run["params"]]
        grads = [[None if g is None else check.inputs[g] for g in step] for step in run["steps"]]
        for k, params in enumerate(optimizer_steps(check.cls, run["kwargs"], initial, grads, flags)):
            out |= {f"r{r}s{k}p{i}": p for i, p in enumerate(params)}
    return out


def _batchnorm_values(check: Check, flags) -> dict:
    out = {}
    for r, run in enumerate(check.job["runs"]):
        state = {k: check.inputs[n] for k, n in run["set"].items()}
        for c, entry in enumerate(batchnorm_calls(run["calls"], check.inputs, state, run["kwargs"], flags)):
            out[f"r{r}c{c}"] = entry["out"]
            out |= {f"r{r}c{c}:{k}": v for k, v in entry.items() if k != "out"}
    return out


def differentiated(student: list, reference: list, scales: list, tol: dict) -> tuple:
    """(the forward values at x and the perturbed points whose central differences the gradient check takes,
    None) or (None, why none can be taken).

    The student's forward is the reference's function there when it matches the reference at x and at every
    perturbed point: its derivative is then the reference's, and the reference's values are differentiated
    (a forward that is right to within its tolerance, yet moves by less than that between the points, could
    otherwise make any backward look right). A forward that matches at some points and not at others is not
    one function near x (it knows it is being probed: statistics kept from the last batch, zeros near the
    last backward's input): it fails. A forward that matches nowhere is its own function: its own values are
    differentiated, and they must be finite (NaN is not a derivative)."""
    matches = [tuple(t.shape) == tuple(r.shape) and compare(t.to(r.dtype), r, "", scale=sc, **tol) is None
               for t, r, sc in zip(student, reference, scales, strict=True)]
    if all(matches):
        return reference, None
    if any(matches):
        right, wrong = matches.index(True), matches.index(False)
        where = lambda i: "x" if i == 0 else f"perturbed point {i}"  # noqa: E731
        return None, (f"your forward is not one function near x: it computes the reference's function at "
                      f"{where(right)} but not at {where(wrong)} (within {GRAD_POINTS_APART}), so no derivative "
                      "of it can be taken. A forward must depend on its input alone: no statistics, results or "
                      "inputs kept from earlier calls may change what it returns")
    if not all(bool(torch.isfinite(t).all()) for t in student):
        return None, "your forward returned NaN or inf at x or near it, so no derivative of it can be taken"
    return student, None


GRAD_POINTS_APART = f"{config.GRAD_STEP:g} of each other"


def judge_gradcheck(check: Check, outcome: dict) -> Verdict:
    """The student's dL/dx against central differences of the student's own forward (differentiated)."""
    runs = check.job["runs"]
    base = len(runs) - 1  # forward at x, backward; the runs before it are the perturbed forwards
    analytic, why = value(outcome, f"r{base}c1")
    if why:
        return Verdict(0.0, f"BatchNorm1d.backward: {why}")
    forwards = []
    for key in [f"r{base}c0"] + [f"r{r}c0" for r in range(base)]:
        t, why = value(outcome, key)
        if why:
            return Verdict(0.0, f"BatchNorm1d.forward (for the numerical gradient): {why}")
        forwards.append(t)
    values, why = differentiated(forwards, check.context["reference"], check.context["scales"],
                                 config.TOLERANCE["float64"])
    if why:
        return Verdict(0.0, f"BatchNorm1d.backward: gradient check: {why}.")
    values = [t.double() for t in values[1:]]
    numeric = central_difference(values[0::2], values[1::2], check.context["dout"], config.GRAD_STEP,
                                 check.context["shape"])
    message = compare(analytic, numeric.to(analytic.dtype), "BatchNorm1d.backward: dL/dx against central "
                      "differences of your forward", **config.GRAD_TOLERANCE)
    if message is None:
        return Verdict(1.0, "Passed: backward agrees with the numerical gradient of your forward.")
    return Verdict(0.0, message + "\n  Your backward is not the derivative of your forward (training mode: μ and σ² "
                                  "depend on x too).")


def _run_values(outcome: dict, r: int, calls: list) -> tuple:
    """The outputs of run r's forward and backward calls, or a message."""
    out = {}
    for c, (method, *_) in enumerate(calls):
        if method in ("forward", "backward"):
            t, why = value(outcome, f"r{r}c{c}")
            if why:
                return None, f"Dropout.{method} (call {c + 1}): {why}"
            out[c] = t
    return out, None


def judge_masks(check: Check, outcome: dict) -> Verdict:
    """Per run, every forward's values (zeros or x/(1 − p), the drop rate), then that the masks are drawn
    independently (randomness_problems). The runs with 0 < p < 1 are the work: p = 1 (all zeros) pays only
    along with one of them, so that it cannot open the gated checks by itself."""
    problems = []  # per run: its problems
    runs = check.job["runs"]
    for r, run in enumerate(runs):
        p = run["kwargs"]["p"]
        x = check.inputs[run["calls"][0][1]]
        outs, why = _run_values(outcome, r, run["calls"])
        if why:
            problems.append([why])
            continue
        what = f"Dropout(p={p}), {str(x.dtype)[6:]}"
        mine = []
        for c in sorted(outs):
            mine = _mask_problems(x, outs[c], p, what + (f", forward {c + 1}" if c else ""))
            if mine:
                break
        if not mine and 0.0 < p < 1.0:
            mine = randomness_problems([outs[c] == 0 for c in sorted(outs)], p, what)
        problems.append(mine)
    verdict = _properties(problems)
    real = [i for i, run in enumerate(runs) if 0.0 < run["kwargs"]["p"] < 1.0]
    if verdict.fraction > 0 and all(problems[i] for i in real):
        verdict.fraction = 0.0
        verdict.output += ("\nThe runs with p = 1 pay only along with a run with 0 < p < 1 (all zeros is no "
                           "dropout by itself).")
    return verdict


def _chi2_bounds(df: int, sigmas: float) -> tuple:
    """(lowest, highest) of a χ² variable with df degrees of freedom at ±sigmas in Wilson and Hilferty's normal
    approximation of its cube root (at 6: a probability of about 1e-9 each side)."""
    a = 2.0 / (9.0 * df)
    return (df * max(1 - a - sigmas * math.sqrt(a), 0.0) ** 3, df * (1 - a + sigmas * math.sqrt(a)) ** 3)


def _pairs_moments(lines: int, length: int, p: float) -> tuple:
    """(mean, standard deviation) of the number of adjacent pairs both dropped along `lines` independent lines
    of `length` elements, each dropped independently with probability p (neighbouring pairs share an
    element: covariance p³ − p⁴)."""
    pairs = length - 1
    var = pairs * (p ** 2 - p ** 4) + 2 * max(pairs - 1, 0) * (p ** 3 - p ** 4)
    return lines * pairs * p ** 2, math.sqrt(lines * var)


def randomness_problems(masks: list, p: float, what: str) -> list:
    """The ways the masks (boolean, True where dropped; several forwards of one input) are not those of
    elements dropped independently with probability p at every forward: per mask, the spread of the drops per
    row and per column (χ², Wilson-Hilferty bounds) and the adjacent pairs both dropped, along rows and
    columns; per pair of masks, the positions dropped in both (binomial, n·p²). Every bound is at
    config.RANDOMNESS_SIGMAS (6: a correct Dropout fails each with probability about 1e-9, the checks' 78 tests
    together about 1e-7, at the grader's fixed seed the same every time)."""
    z = config.RANDOMNESS_SIGMAS
    fix = ("\n  The mask must be drawn independently for every element at every forward: "
           "keep = torch.rand(x.shape) >= p (or torch.bernoulli), not a pattern")
    for i, m in enumerate(masks):
        m = m.reshape(m.shape[0], -1).double() if m.dim() > 1 else m.reshape(1, -1).double()
        rows, cols = m.shape
        for dim, count, length, name in ((1, rows, cols, "row"), (0, cols, rows, "column")):
            if count < 2 or length < 2:
                continue
            k = m.sum(dim)
            spread = float(((k - length * p) ** 2).sum() / (length * p * (1 - p)))
            low, high = _chi2_bounds(count, z)
            if not low <= spread <= high:
                return [f"{what}, forward {i + 1}: the drops per {name} are not spread as independent drops are "
                        f"(Σ (drops − {length}·p)² / ({length}·p·(1 − p)) over the {count} {name}s is {spread:.1f}; "
                        f"independent drops give between {low:.1f} and {high:.1f}){fix}"]
        for dim, name in ((1, "along rows"), (0, "down columns")):
            if m.shape[dim] < 2:
                continue
            both = float((m.narrow(dim, 0, m.shape[dim] - 1) * m.narrow(dim, 1, m.shape[dim] - 1)).sum())
            mean, sd = _pairs_moments(m.shape[1 - dim], m.shape[dim], p)
            if abs(both - mean) > z * sd:
                return [f"{what}, forward {i + 1}: {both:.0f} adjacent pairs {name} are both dropped; independent "
                        f"drops give about {mean:.0f} (p² of the pairs, ±{z * sd:.0f}){fix}"]
    n = masks[0].numel()
    mean, sd = n * p * p, math.sqrt(n * p * p * (1 - p * p))
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            if torch.equal(masks[i], masks[j]):
                return [f"Dropout(p={p}): forwards {i + 1} and {j + 1} of the same input dropped exactly the same "
                        "elements.\n  Likely cause: the mask is drawn once and reused: draw a new mask at every "
                        "forward"]
            both = float((masks[i] & masks[j]).sum())
            if abs(both - mean) > z * sd:
                return [f"{what}: forwards {i + 1} and {j + 1} of the same input both dropped {both:.0f} elements; "
                        f"two independent masks share about {mean:.0f} (n·p², ±{z * sd:.0f}): the mask of a forward "
                        f"must not depend on the earlier ones{fix}"]
    return []


def _mask_problems(x: torch.Tensor, y: torch.Tensor, p: float, what: str) -> list:
    if tuple(y.shape) != tuple(x.shape) or y.dtype != x.dtype:
        cause = (f"\n  Likely cause: the output must have the input's dtype, not {str(y.dtype)[6:]}: make the mask in "
                 "x's dtype (keep.to(x.dtype))" if tuple(y.shape) == tuple(x.shape) else "")
        return [f"{what}: expected a {str(x.dtype)[6:]} tensor of shape {tuple(x.shape)}, got {str(y.dtype)[6:]} "
                f"{tuple(y.shape)}{cause}"]
    t = config.TOLERANCE[str(x.dtype)[6:]]
    dropped = y == 0
    if p >= 1.0:
        nan = ("\n  Likely cause: with p = 1 every element is dropped, but x/(1 − p) divides by 0 (NaN): return "
               "zeros when p = 1" if bool(y.isnan().any()) else "")
        return [] if bool(dropped.all()) else [f"{what}: with p = 1 every element is dropped (all zeros, and no "
                                               f"division by 1 − p = 0){nan}"]
    kept = torch.isclose(y, x / (1.0 - p), rtol=t["rtol"], atol=t["atol"])
    if not bool((dropped | kept).all()):
        bad = (~(dropped | kept)).nonzero()[0].tolist()
        ratio = float(y[tuple(bad)] / x[tuple(bad)])
        share = float(dropped.double().mean())
        inverted = abs(share - (1 - p)) < 0.05 and abs(p - 0.5) > 0.05  # p taken as the keep probability
        cause = ("nothing is dropped in training mode: zero each element with probability p" if share == 0 else
                 "p is used as the probability of KEEPING an element: drop with probability p (keep where "
                 "rand >= p) and scale the kept ones by 1/(1 − p)" if inverted else
                 "the kept elements are not scaled: scale the kept elements by 1/(1 − p)" if abs(ratio - 1) < 1e-6 else
                 "the kept elements are scaled by 1/p: the scale is 1/(1 − p)" if 0 < p and abs(ratio - 1 / p) < 1e-4
                 else None)
        return [f"{what}: each element must be 0 or x/(1 − p) = x·{1 / (1 - p):.4g}; at index {tuple(bad)} it is "
                f"x·{ratio:.4g}" + (f"\n  Likely cause: {cause}" if cause else "")]
    n, drops = x.numel(), int(dropped.sum())
    low, high = binomial_bound(n, p, config.DROP_RATE_SIGMAS)
    if not low <= drops <= high:
        hint = ("\n  Likely cause: p is the probability of DROPPING an element (keep where rand >= p), not of "
                "keeping it" if abs(drops / n - (1 - p)) < 0.05 else "")
        return [f"{what}: {drops} of {n} elements dropped ({drops / n:.3f}); expected about {p:g} of them "
                f"(between {max(low, 0):.0f} and {high:.0f}){hint}"]
    return []


def judge_mask_backward(check: Check, outcome: dict) -> Verdict:
    """Backward against dout times the latest forward's own mask (y / x), where that forward dropped as Dropout
    does (zeros and x/(1 − p), at about the rate p): an identity's mask of ones is no mask to check against."""
    problems, causes = [], []
    for r, run in enumerate(check.job["runs"]):
        outs, why = _run_values(outcome, r, run["calls"])
        if why:
            problems.append([why])
            continue
        x2, d = check.inputs[run["calls"][1][1]], check.inputs[run["calls"][2][1]]
        p = run["kwargs"]["p"]
        latest = outs[1].to(x2.dtype) if tuple(outs[1].shape) == tuple(x2.shape) else outs[1]  # dtype: masks'
        if _mask_problems(x2, latest, p, ""):
            problems.append([f"Dropout(p={p}).backward after two forwards: the latest forward did not drop as "
                             "Dropout does (zeros and x/(1 − p), at about the rate p), so there is no mask to "
                             "check backward against (the forward check says what is wrong)"])
            continue
        mask = outs[1] / x2  # the student's own latest mask (x has no zeros)
        t = config.TOLERANCE[str(d.dtype)[6:]]
        message = compare(outs[2], d * mask, f"Dropout(p={run['kwargs']['p']}).backward after two forwards: "
                          "dout times the latest forward's mask (y / x)", **t)
        if message:
            first = outs[0] / check.inputs[run["calls"][0][1]]
            cause = None
            if tuple(outs[2].shape) == tuple(d.shape) and compare(outs[2], d * first, "", **t) is None:
                cause = "backward used the mask of the first forward: keep the latest one"
            elif tuple(outs[2].shape) == tuple(d.shape) and compare(outs[2], d, "", **t) is None:
                cause = "backward returns dout unchanged: multiply it by the mask"
            elif tuple(outs[2].shape) == tuple(d.shape) and _a_mask(outs[2] / d, run["kwargs"]["p"], t):
                cause = ("backward draws a new mask: multiply dout by the mask the latest forward drew (keep it "
                         "from forward)")
            causes.append(cause)
            problems.append([message + (f"\n  Likely cause: {cause}" if cause else "")])
        else:
            problems.append([])
    verdict = _properties(problems)
    if len(set(causes)) == 1:  # one cause named by every failing run
        verdict.likely_cause = causes[0]
    return verdict


def _a_mask(ratio: torch.Tensor, p: float, tol: dict) -> bool:
    """Whether `ratio` (backward's dx / dout) is a mask of its own: every element 0 or 1/(1 − p), dropped at
    about the rate p."""
    dropped = ratio == 0
    kept = torch.isclose(ratio, torch.full_like(ratio, 1.0 / (1.0 - p)), rtol=tol["rtol"], atol=tol["atol"])
    low, high = binomial_bound(ratio.numel(), p, config.DROP_RATE_SIGMAS)
    return bool((dropped | kept).all()) and low <= int(dropped.sum()) <= high


def judge_eval(check: Check, outcome: dict) -> Verdict:
    problems = []  # per run: its problems
    for r, run in enumerate(check.job["runs"]):
        outs, why = _run_values(outcome, r, run["calls"])
        if why:
            problems.append([why])
            continue
        x, d = check.inputs[run["calls"][2][1]], check.inputs[run["calls"][3][1]]
        identity = [(0, x, "forward in training mode with p = 0")] if run["kwargs"]["p"] == 0.0 else []
        problems.append([])
        for c, want, what in identity + [(2, x, "forward"), (3, d, "backward")]:
            where = what if c == 0 else f"{what} in eval mode"
            message = compare(outs[c], want, f"Dropout(p={run['kwargs']['p']}).{where}: the identity",
                              rtol=0.0, atol=0.0)
            if message:
                problems[-1].append(message + "\n  Likely cause: eval mode must return its input unchanged (no "
                                              "mask, no scaling): check self.training in forward and backward")
    return _properties(problems)


def _eval_crash_cause(check: Check, outcome: dict):
    """The cause of an AttributeError in Dropout's backward in the eval check (where backward follows a forward
    in eval mode, and in one run only forwards that are the identity), or None."""
    error = (outcome.get("meta") or {}).get("error")
    if check.part != "eval" or not isinstance(error, dict) or error.get("type") != "AttributeError":
        return None
    where = error.get("where") if isinstance(error.get("where"), dict) else {}
    missing = re.fullmatch(r"'(\w+)' object has no attribute '(\w+)'", str(error.get("message")))
    if where.get("function") != "backward" or not missing or missing[1] != check.cls:  # not the layer's own
        return None
    attr = missing[2]
    return (f"backward in eval mode reads self.{attr}, which forward did not set: eval mode must return its input "
            f"unchanged, in backward too: set self.{attr} in every forward (None where forward is the identity: "
            "eval mode, p = 0), or check self.training in backward")


def _properties(problems: list) -> Verdict:
    """A property check's verdict from each run's problems (a list per run): a run's share of the points per
    run without a problem; the Likely cause when every problem that names one names the same."""
    every = [text for run in problems for text in run]
    if not every:
        return Verdict(1.0, "Passed.")
    failed = sum(1 for run in problems if run)
    causes = {p.split("Likely cause: ", 1)[1] for p in every if "Likely cause: " in p}
    return Verdict((len(problems) - failed) / len(problems), "\n".join(every[:SHOWN_FAILURES]),
                   likely_cause=causes.pop() if len(causes) == 1 else None)


def judge_training(check: Check, outcome: dict) -> Verdict:
    """Measure the trained weights here, with the reference layers in eval mode: the training loss
    (research notes §4: test accuracy cannot tell a broken backward from a right one) and, for the
    student's information, the accuracies."""
    from . import replay
    from .evaluate import SETTINGS, evaluate, split, weight_names

    graded = check.context["graded"]
    weights = {}
    for name in weight_names():
        t, why = value(outcome, name)
        if why:
            return Verdict(0.0, f"After training, {name}: {why}")
        weights[name] = t
    try:
        measured = evaluate(weights, graded.seed)
    except ValueError as exc:
        return Verdict(0.0, f"After training: {exc}")
    loss = f"{measured.train_loss:.4g}" if measured.train_loss < float("inf") else "inf (NaN or inf weights)"
    images = len(split(graded.seed).y_train)
    summary = (f"Training loss of your trained network, measured by the grader in eval mode over the {images} "
               f"training images: {loss} (must be at most {graded.threshold:g}; seed {graded.seed}). "
               f"Training accuracy {measured.train_accuracy:.3f}, test accuracy {measured.test_accuracy:.3f}.")
    if measured.passes(graded.threshold):
        arrays = {key: t for key in outcome.get("arrays") or {} if key.startswith("probe_")
                  for t, why in [value(outcome, key)] if not why}
        untrained = replay.problem(SETTINGS[graded.setting], check.inputs, arrays)
        if untrained:
            return Verdict(0.0, "Failed: the weights were not trained by the optimizer's rule: " + untrained +
                           ". " + summary)
        return Verdict(1.0, "Passed. " + summary)
    return Verdict(0.0, "Failed. " + summary + "\nA correct implementation gets well below the threshold at every "
                   "seed (autograder/hw2/CALIBRATION.md); the other checks of the optimizer, BatchNorm1d and Dropout "
                   "tell which is wrong.")


def judge(check: Check, outcome: dict) -> Verdict:
    failure = failure_of_job(check, outcome)
    if failure:
        cause = _eval_crash_cause(check, outcome)
        if cause:
            failure.output += f"\n  Likely cause: {cause}"
            failure.likely_cause = cause
        return failure
    if check.part == "training":
        return judge_training(check, outcome)
    if check.part == "gradcheck":
        return judge_gradcheck(check, outcome)
    if check.part == "masks":
        return judge_masks(check, outcome)
    if check.part == "mask_backward":
        return judge_mask_backward(check, outcome)
    if check.part == "eval":
        return judge_eval(check, outcome)
    return judge_expects(check, outcome)
