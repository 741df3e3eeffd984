"""Calibrate assignment 2's training check: the reference over many seeds, a threshold, and wrong variants.

    python -m autograder.hw2.calibrate            (about 35 minutes on 2 busy cores; see CALIBRATION.md)
    python -m autograder.hw2.calibrate --seeds 100 --workers 4

For every candidate (a setting of evaluate.SETTINGS with some number of epochs) the reference
(the solution's optim.py and layers.py, as if it were a student's) is trained by training.run,
exactly as the sandbox trains a submission, at every seed, and measured by evaluate.evaluate,
exactly as the grader measures it: the training loss of the network in eval mode. Then

- each candidate gets a threshold: MARGIN × its worst seed's loss, rounded up to two significant
  digits; the graded one is the setting of evaluate.SETTINGS (scratchnn.train's epochs), and the
  grader's seed is the seed with the median loss;
- every variant (a deliberately wrong optimizer or layer, and a few correct rewrites) is trained
  with each graded setting at every seed, and the script counts the seeds at which it fails
  the threshold. A variant marked "fail" must fail at every seed, one marked "pass" must pass
  at every seed; "either" marks mistakes that still train (the trajectory and layer checks
  catch them, not this one): only reported.

It writes autograder/hw2/calibration.json and prints what to copy into evaluate.GRADED; it
edits nothing else. The variants are subclasses of a private copy of the reference (loaded
as the student's package would be), so the reference itself is never changed.
"""

import argparse
import contextlib
import importlib
import importlib.util
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType

import torch

from . import evaluate, training

OUT = Path(__file__).resolve().parent / "calibration.json"
MIN_SEEDS = 50
MARGIN = 2.5         # threshold >= MARGIN × the worst seed's training loss (CALIBRATION.md: why 2.5)
GRADED = ("adam", "sgd")  # the settings the grader trains (evaluate.GRADED)
EPOCHS = (10, 20, 30)     # candidates: each graded setting with these epochs (20 is scratchnn.train's)



def load_package(folder: Path, name: str) -> ModuleType:
    """The package in `folder` (with its __init__.py) as sys.modules[name]: a copy of its own, whose
    submodules import as name.optim, ... and whose classes can be swapped without touching the original."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


# The student's package in these runs: a private copy of the reference, its classes swapped per variant.
STUDENT_NAME = "_scratchnn_hw2_calibration"
STUDENT_MODULES = ("parameter", "layers", "optim", "model")
student = load_package(evaluate.reference_dir(), STUDENT_NAME)
optim = importlib.import_module(f"{STUDENT_NAME}.optim")
layers = importlib.import_module(f"{STUDENT_NAME}.layers")
model = importlib.import_module(f"{STUDENT_NAME}.model")


# ---------------------------------------------------------------- wrong (and rewritten) optimizers
class SGDLike(optim.SGD):
    """SGD's step with switches; every switch at its default gives the reference's update.

    momentum_rule  "torch": buf = g, then μ·buf + (1 - τ)·g;  "frozen": buf = g once, never updated;
                   "none": buf = g at every step (nothing accumulates)
    """

    momentum_rule = "torch"
    use_nesterov = True   # False: the nesterov flag is ignored (p -= lr·buf)
    use_decay = True      # False: weight_decay is ignored
    lr_scale = 1.0        # -1: the step goes uphill; 0: nothing moves
    fixed_lr = None       # a number: used instead of self.lr (lr ignored)

    def step(self) -> None:
        lr = (self.lr if self.fixed_lr is None else self.fixed_lr) * self.lr_scale
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p.data if self.use_decay else p.grad
            if self.momentum:
                if self.buffers[i] is None or self.momentum_rule == "none":
                    self.buffers[i] = g.clone()
                elif self.momentum_rule == "torch":
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[i] if self.nesterov and self.use_nesterov else self.buffers[i]
            p.data -= lr * g


class AdamLike(optim.Adam):
    """Adam's (and AdamW's) step with switches; every switch at its default gives the reference's update.

    decay  "l2": wd·p added to g (Adam);  "decoupled": p·(1 - lr·wd) first (AdamW);
           "decoupled_no_lr": p·(1 - wd) first;  "after": p·(1 - lr·wd) after the update
    """

    decay = "l2"
    use_sqrt = True          # False: m̂ / (v̂ + eps)
    eps_in_sqrt = False      # True: m̂ / √(v̂ + eps)
    bias_correction = True   # False: m and v used as they are
    counts = True            # False: t stays 0, so 1 - β^t = 0
    shared_count = False     # True: one counter, advanced once per parameter (t grows 10× too fast here)
    lr_scale = 1.0
    fixed_lr = None

    def step(self) -> None:
        beta1, beta2 = self.betas
        lr = (self.lr if self.fixed_lr is None else self.fixed_lr) * self.lr_scale
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.m[i] is None:
                self.m[i], self.v[i] = torch.zeros_like(p.data), torch.zeros_like(p.data)
            if self.shared_count:
                self.t[0] += 1
                t = self.t[0]
            else:
                self.t[i] += self.counts
                t = self.t[i]
            if self.decay == "l2" and self.weight_decay:
                g = g + self.weight_decay * p.data
            elif self.decay == "decoupled":
                p.data *= 1 - lr * self.weight_decay
            elif self.decay == "decoupled_no_lr":
                p.data *= 1 - self.weight_decay
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            m_hat, v_hat = self.m[i], self.v[i]
            if self.bias_correction:
                m_hat, v_hat = m_hat / (1 - beta1 ** t), v_hat / (1 - beta2 ** t)
            if self.eps_in_sqrt:
                denominator = torch.sqrt(v_hat + self.eps)
            else:
                denominator = (torch.sqrt(v_hat) if self.use_sqrt else v_hat) + self.eps
            p.data -= lr * m_hat / denominator
            if self.decay == "after":
                p.data *= 1 - lr * self.weight_decay


def switched(base: type, **switches) -> type:
    """A subclass of `base` with these class attributes changed."""
    return type(base.__name__, (base,), switches)


# ---------------------------------------------------------------- wrong (and rewritten) layers
class BatchNormLike(layers.BatchNorm1d):
    """BatchNorm1d with switches; every switch at its default gives the reference's layer.

    normalise  "batch": with the batch's statistics in training mode;  "running": with the running
               statistics (updated first), as in eval mode, and a backward to match
    update     "unbiased": running_var gets σ²·B/(B-1);  "biased": σ²;  "inverted": momentum and
               1 - momentum swapped;  "never": the running statistics stay as they started
    grad       "full";  "identity": backward returns dout;  "no_mean": without -mean(dx̂);
               "no_xhat": without -x̂·mean(dx̂·x̂);  "no_gamma": dx̂ = dout (γ left out)
    """

    normalise = "batch"
    update = "unbiased"
    grad = "full"
    eval_batch_stats = False  # True: eval mode normalises with the batch's statistics too

    def forward(self, x):
        batch_stats = self.training or self.eval_batch_stats
        if batch_stats:
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
        if self.training:
            m, B = self.momentum, x.shape[0]
            unbiased = var * B / (B - 1)
            new_mean, new_var = {
                "unbiased": ((1 - m) * self.running_mean + m * mean, (1 - m) * self.running_var + m * unbiased),
                "biased": ((1 - m) * self.running_mean + m * mean, (1 - m) * self.running_var + m * var),
                "inverted": (m * self.running_mean + (1 - m) * mean, m * self.running_var + (1 - m) * unbiased),
                "never": (self.running_mean, self.running_var),
            }[self.update]
            self.running_mean, self.running_var = new_mean, new_var
        if not batch_stats or (self.training and self.normalise == "running"):
            mean, var = self.running_mean, self.running_var
            batch_stats = False
        self._inv_std = 1.0 / torch.sqrt(var + self.eps)
        self._x_hat = (x - mean) * self._inv_std
        self._batch_stats = batch_stats
        return self._x_hat * self.weight.data + self.bias.data

    def backward(self, dout):
        x_hat = self._x_hat
        self.weight.grad = (dout * x_hat).sum(dim=0)
        self.bias.grad = dout.sum(dim=0)
        if self.grad == "identity":
            return dout
        dx_hat = dout if self.grad == "no_gamma" else dout * self.weight.data
        dx = dx_hat
        if self._batch_stats:
            if self.grad != "no_mean":
                dx = dx - dx_hat.mean(dim=0)
            if self.grad != "no_xhat":
                dx = dx - x_hat * (dx_hat * x_hat).mean(dim=0)
        return dx * self._inv_std


class DropoutLike(layers.Dropout):
    """Dropout with switches; every switch at its default gives the reference's layer.

    mask  "torch": zero with probability p, scale the rest by 1/(1 - p);  "no_scale": no 1/(1 - p);
          "keep_p": p taken as the probability of keeping (1 - p of the elements dropped)
    grad  "mask": dout·mask;  "fresh": dout times a new mask;  "identity": dout (the mask ignored)
    """

    mask = "torch"
    grad = "mask"
    drop_in_eval = False

    def _new_mask(self, x):
        drop = self.p if self.mask != "keep_p" else 1.0 - self.p
        keep = torch.rand(x.shape, dtype=x.dtype) >= drop
        scale = 1.0 if self.mask == "no_scale" else 1.0 / (1.0 - drop)
        return keep.to(x.dtype) * scale

    def forward(self, x):
        self._mask = self._new_mask(x) if (self.training or self.drop_in_eval) and self.p > 0 else None
        return x if self._mask is None else x * self._mask

    def backward(self, dout):
        if self._mask is None or self.grad == "identity":
            return dout
        return dout * (self._new_mask(dout) if self.grad == "fresh" else self._mask)


class ReLUPassAll(model.ReLU):
    """The given ReLU with a backward that passes every gradient (the research note's example)."""

    def backward(self, dout):
        return dout


# ---------------------------------------------------------------- the variants
@dataclass(frozen=True)
class Variant:
    """One change to the student's package: {name in optim.py / layers.py / model.py: class}."""

    what: str
    expect: str  # "pass", "fail" or "either" (see the module docstring)
    swaps: dict = field(hash=False)
    settings: tuple = GRADED  # the graded settings it is trained with


def sgd(**switches) -> dict:
    return {"SGD": switched(SGDLike, **switches)}


def adam(**switches) -> dict:
    return {"Adam": switched(AdamLike, **switches)}


def bn(**switches) -> dict:
    return {"BatchNorm1d": switched(BatchNormLike, **switches)}


def dropout(**switches) -> dict:
    return {"Dropout": switched(DropoutLike, **switches)}


SGD_ONLY, ADAM_ONLY = ("sgd",), ("adam",)
VARIANTS = {
    "reference": Variant("the reference itself", "pass", {}),
    # correct rewrites: the switches' defaults, so that the variants below differ in one thing only
    "sgd_rewritten": Variant("SGD rewritten with the variants' switches (correct)", "pass", sgd(), SGD_ONLY),
    "adam_rewritten": Variant("Adam rewritten with the variants' switches (correct)", "pass", adam(), ADAM_ONLY),
    "layers_rewritten": Variant("BatchNorm1d and Dropout rewritten with the variants' switches (correct)", "pass",
                                {**bn(), **dropout()}),
    # optimizers
    "sgd_uphill": Variant("SGD: the update's sign flipped (p += lr·g)", "fail", sgd(lr_scale=-1.0), SGD_ONLY),
    "sgd_no_update": Variant("SGD: the update never applied", "fail", sgd(lr_scale=0.0), SGD_ONLY),
    "sgd_lr_ignored": Variant("SGD: lr ignored (a step of 1·g)", "fail", sgd(fixed_lr=1.0), SGD_ONLY),
    "sgd_momentum_frozen": Variant("SGD: the momentum buffer set once and never updated", "fail",
                                   sgd(momentum_rule="frozen"), SGD_ONLY),
    "sgd_momentum_none": Variant("SGD: the momentum buffer is g at every step (no momentum)", "fail",
                                 sgd(momentum_rule="none"), SGD_ONLY),
    "sgd_nesterov_ignored": Variant("SGD: nesterov ignored (plain momentum)", "either",
                                    sgd(use_nesterov=False), SGD_ONLY),
    "sgd_decay_ignored": Variant("SGD: weight_decay ignored", "either", sgd(use_decay=False), SGD_ONLY),
    "adam_uphill": Variant("Adam: the update's sign flipped", "fail", adam(lr_scale=-1.0), ADAM_ONLY),
    "adam_no_update": Variant("Adam: the update never applied", "fail", adam(lr_scale=0.0), ADAM_ONLY),
    "adam_lr_ignored": Variant("Adam: lr ignored (a step of 1·m̂/(√v̂ + eps))", "fail", adam(fixed_lr=1.0),
                               ADAM_ONLY),
    # usually far off, but a few seeds train well, and which ones moves with rounding (CALIBRATION.md)
    "adam_no_sqrt": Variant("Adam: m̂ / (v̂ + eps), without the square root", "either", adam(use_sqrt=False),
                            ADAM_ONLY),
    "adam_eps_in_sqrt": Variant("Adam: eps inside the square root, √(v̂ + eps)", "either",
                                adam(eps_in_sqrt=True), ADAM_ONLY),
    "adam_no_bias_correction": Variant("Adam: no bias correction", "either", adam(bias_correction=False),
                                       ADAM_ONLY),
    "adam_t_zero": Variant("Adam: the step count never advanced (1 - β^0 = 0)", "fail", adam(counts=False),
                           ADAM_ONLY),
    "adam_shared_count": Variant("Adam: one step counter advanced once per parameter", "either",
                                 adam(shared_count=True), ADAM_ONLY),
    # layers
    "bn_backward_identity": Variant("BatchNorm1d.backward returns dout unchanged", "fail", bn(grad="identity")),
    "bn_no_mean_term": Variant("BatchNorm1d.backward without -mean(dx̂)", "fail", bn(grad="no_mean")),
    "bn_no_xhat_term": Variant("BatchNorm1d.backward without -x̂·mean(dx̂·x̂)", "either", bn(grad="no_xhat")),
    "bn_no_gamma": Variant("BatchNorm1d.backward without γ (dx̂ = dout)", "either", bn(grad="no_gamma")),
    "bn_running_in_training": Variant("BatchNorm1d normalises with the running statistics in training", "fail",
                                     bn(normalise="running")),
    "bn_running_never_updated": Variant("BatchNorm1d never updates its running statistics", "fail",
                                       bn(update="never")),
    "bn_running_var_biased": Variant("BatchNorm1d's running_var gets the biased variance", "either",
                                     bn(update="biased")),
    "bn_momentum_inverted": Variant("BatchNorm1d's momentum inverted (running ≈ the latest batch)", "either",
                                    bn(update="inverted")),
    "bn_eval_batch_stats": Variant("BatchNorm1d uses batch statistics in eval mode (the grader's eval is its own)",
                                   "either", bn(eval_batch_stats=True)),
    "dropout_no_scale": Variant("Dropout does not scale by 1/(1 - p) in training", "either", dropout(mask="no_scale")),
    "dropout_keep_p": Variant("Dropout takes p as the probability of keeping", "fail", dropout(mask="keep_p")),
    "dropout_fresh_mask": Variant("Dropout.backward draws a new mask", "either", dropout(grad="fresh")),
    "dropout_backward_identity": Variant("Dropout.backward ignores the mask", "either", dropout(grad="identity")),
    "dropout_in_eval": Variant("Dropout drops in eval mode too (the grader's eval is its own)", "either",
                               dropout(drop_in_eval=True)),
    # the given code (not the student's): how sharp the threshold is
    "relu_pass_all": Variant("the given ReLU.backward passes every gradient", "fail", {"ReLU": ReLUPassAll}),
}


@contextlib.contextmanager
def as_scratchnn(swaps: dict = None):
    """Within the block, `import scratchnn.optim` (and layers, model, parameter) gives the private copy,
    with the variant's classes swapped in; sys.modules and the copy are put back afterwards."""
    swaps = swaps or {}
    names = ["scratchnn"] + [f"scratchnn.{m}" for m in STUDENT_MODULES]
    saved_modules = {name: sys.modules.get(name) for name in names}
    homes = [m for m in (optim, layers, model) if any(hasattr(m, name) for name in swaps)]
    saved_attrs = [(m, name, getattr(m, name)) for m in homes for name in swaps if hasattr(m, name)]
    sys.modules["scratchnn"] = student
    for m in STUDENT_MODULES:
        sys.modules[f"scratchnn.{m}"] = importlib.import_module(f"{STUDENT_NAME}.{m}")
    for m, name, _ in saved_attrs:
        setattr(m, name, swaps[name])
    try:
        yield
    finally:
        for m, name, value in saved_attrs:
            setattr(m, name, value)
        for name, value in saved_modules.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value


@dataclass(frozen=True)
class Run:
    """One training run as the grader sees it."""

    loss: float | None  # evaluate.evaluate's training loss; None if not finite or the run was refused
    test_accuracy: float | None
    error: str | None  # the TrainingError's message, if training.run refused what the code did
    cpu_s: float  # CPU seconds of training.run (one thread, no recorder)

    def passes(self, threshold: float) -> bool:
        return self.loss is not None and self.loss <= threshold


def train(setting: evaluate.Setting, seed: int, variant: str = "reference") -> Run:
    """One run as the grader makes it (training.run, then evaluate.evaluate), with the variant's classes."""
    inputs = evaluate.make_inputs(seed)
    start = time.process_time()
    try:
        with as_scratchnn(VARIANTS[variant].swaps):
            outputs = training.run(setting.job(seed), inputs, contextlib.nullcontext)
    except training.TrainingError as exc:
        return Run(None, None, str(exc), time.process_time() - start)
    cpu = time.process_time() - start
    result = evaluate.evaluate(outputs, seed)
    loss = result.train_loss if math.isfinite(result.train_loss) else None
    return Run(loss, result.test_accuracy, None, cpu)


# ---------------------------------------------------------------- the calibration
def _one(job: tuple) -> tuple:
    """job = (setting name, epochs, seed, variant) -> (job, Run), in a worker process."""
    name, epochs, seed, variant = job
    torch.set_num_threads(1)
    return job, train(replace(evaluate.SETTINGS[name], epochs=epochs), seed, variant)


def run_all(pool, jobs: list, known: dict) -> dict:
    """job -> Run for every job: those in `known` as they are, the others trained on the pool (and added to it)."""
    todo = [job for job in jobs if job not in known]
    print(f"training {len(todo)} runs ({len(jobs) - len(todo)} known) ...", flush=True)
    known.update(pool.imap_unordered(_one, todo, chunksize=4))
    return {job: known[job] for job in jobs}


def runs_record(runs: list) -> dict:
    """The runs of one entry (one per seed) as JSON: losses, accuracies, CPU seconds, refusals by seed."""
    return {"loss": [r.loss for r in runs], "test_accuracy": [r.test_accuracy for r in runs],
            "cpu_s": [round(r.cpu_s, 3) for r in runs],
            "refused": {str(seed): r.error for seed, r in enumerate(runs) if r.error}}


def runs_of(record: dict) -> list:
    """runs_record's inverse (for --reuse)."""
    return [Run(loss, acc, record["refused"].get(str(seed)), cpu) for seed, (loss, acc, cpu)
            in enumerate(zip(record["loss"], record["test_accuracy"], record["cpu_s"], strict=True))]


def summary(values: list) -> dict:
    """min / median / p90 / max of the values that are not None, and how many were None (NaN, inf, refused)."""
    finite = sorted(v for v in values if v is not None)
    out = {"non_finite": len(values) - len(finite)}
    if len(finite) >= 2:
        out.update(min=finite[0], median=statistics.median(finite),
                   p90=statistics.quantiles(finite, n=10, method="inclusive")[-1], max=finite[-1])
    return out


def round_up(x: float, digits: int = 2) -> float:
    """x rounded up to `digits` significant digits: 0.01234 -> 0.013."""
    scale = 10.0 ** (math.floor(math.log10(x)) - digits + 1)
    return float(f"{math.ceil(x / scale * (1 - 1e-12)) * scale:.{digits}g}")


def fmt(stats: dict) -> str:
    text = " ".join(f"{k} {stats[k]:.2e}" for k in ("min", "median", "p90", "max") if k in stats)
    return text + (f" non-finite {stats['non_finite']}" if stats["non_finite"] else "")


def calibrate_candidates(pool, seeds: list, known: dict) -> list:
    """The reference at every seed, for every graded setting with every number of EPOCHS."""
    jobs = [(name, ep, s, "reference") for name in GRADED for ep in EPOCHS for s in seeds]
    results = run_all(pool, jobs, known)
    out = []
    for name in GRADED:
        for ep in EPOCHS:
            runs = [results[(name, ep, s, "reference")] for s in seeds]
            stats = summary([r.loss for r in runs])
            cpu = statistics.median(r.cpu_s for r in runs)
            setting = replace(evaluate.SETTINGS[name], epochs=ep)
            threshold = round_up(MARGIN * stats["max"]) if stats["non_finite"] == 0 else None
            out.append({
                "setting": name, "optimizer": setting.optimizer, "kwargs": setting.kwargs, "epochs": ep,
                "batch_size": setting.batch_size, "steps": setting.steps(len(evaluate.split(0).y_train)),
                "train_loss": stats, "threshold": threshold, "test_accuracy": summary([r.test_accuracy for r in runs]),
                "cpu_s_per_run": {"median": round(cpu, 3), "max": round(max(r.cpu_s for r in runs), 3)},
                "runs": runs_record(runs),
            })
            print(f"{name:5s} epochs {ep:3d}  loss {fmt(stats)}  cpu/run {cpu:.2f} s  threshold {threshold}",
                  flush=True)
    return out


def calibrate_variants(pool, chosen: dict, seeds: list, known: dict) -> list:
    """Every variant with every graded setting it applies to, at every seed, against the chosen threshold."""
    jobs = [(name, chosen[name]["epochs"], s, v) for v, variant in VARIANTS.items()
            for name in variant.settings for s in seeds]
    results = run_all(pool, jobs, known)
    out = []
    for v, variant in VARIANTS.items():
        for name in variant.settings:
            rule = chosen[name]
            runs = [results[(name, rule["epochs"], s, v)] for s in seeds]
            passes = sum(r.passes(rule["threshold"]) for r in runs)
            held = {"pass": passes == len(runs), "fail": passes == 0, "either": True}[variant.expect]
            lowest = min((r.loss for r in runs if r.loss is not None), default=None)
            out.append({
                "variant": v, "what": variant.what, "expect": variant.expect, "setting": name,
                "epochs": rule["epochs"], "passes": passes, "fails": len(runs) - passes, "as_expected": held,
                "train_loss": summary([r.loss for r in runs]),
                "lowest_over_threshold": None if lowest is None else lowest / rule["threshold"],
                "test_accuracy": summary([r.test_accuracy for r in runs]),
                "refused": sum(r.error is not None for r in runs),
                "runs": runs_record(runs),
            })
            print(f"{v:26s} {name:5s} expect {variant.expect:6s} passes {passes:3d}/{len(runs)}  "
                  + fmt(summary([r.loss for r in runs])) + ("" if held else "  UNEXPECTED"), flush=True)
    return out


def choose(candidates: list, name: str, seeds: list) -> dict:
    """The graded setting's candidate with the epochs of evaluate.SETTINGS (scratchnn.train's), its threshold,
    and the grader's seed: the seed with the median loss (the lower middle one for an even count)."""
    want = evaluate.SETTINGS[name].epochs
    cand = next(c for c in candidates if c["setting"] == name and c["epochs"] == want)
    ranked = sorted(zip(cand["runs"]["loss"], seeds, strict=True))
    return {"epochs": want, "threshold": cand["threshold"], "seed": ranked[(len(ranked) - 1) // 2][1],
            "worst_loss": cand["train_loss"]["max"], "median_loss": cand["train_loss"]["median"],
            "threshold_over_worst": cand["threshold"] / cand["train_loss"]["max"],
            "cpu_s_per_run": round(cand["cpu_s_per_run"]["median"], 3)}


def known_runs(old: dict, seeds: list) -> dict:
    """job -> Run from an earlier calibration.json (--reuse): its candidates' and variants' runs."""
    if old.get("seeds") != seeds:
        return {}
    known = {}
    for entry in old["candidates"]:
        for s, run in zip(seeds, runs_of(entry["runs"]), strict=True):
            known[(entry["setting"], entry["epochs"], s, "reference")] = run
    for entry in old["variants"]:
        for s, run in zip(seeds, runs_of(entry["runs"]), strict=True):
            known[(entry["setting"], entry["epochs"], s, entry["variant"])] = run
    return known


def dumps(value, indent: str = "") -> str:
    """JSON with one line per list of scalars (the per-seed figures), indented by one space per level."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=MIN_SEEDS, help=f"seeds per run (>= {MIN_SEEDS})")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--reuse", action="store_true",
                        help="take the runs already in --out (same seeds) instead of training them again: "
                             "after a change of labels or rules, only new variants are trained")
    parser.add_argument("--retrain", nargs="*", default=[], metavar="VARIANT",
                        help="with --reuse: train these variants again (after a change to them or to training.py)")
    args = parser.parse_args(argv)
    if args.seeds < MIN_SEEDS:
        parser.error(f"--seeds must be at least {MIN_SEEDS}")
    seeds = list(range(args.seeds))
    old = json.loads(args.out.read_text(encoding="utf-8")) if args.reuse and args.out.is_file() else {}
    known = {job: run for job, run in known_runs(old, seeds).items() if job[3] not in args.retrain}
    reused = len(known)
    started = time.time()
    with Pool(args.workers) as pool:
        candidates = calibrate_candidates(pool, seeds, known)
        chosen = {name: choose(candidates, name, seeds) for name in GRADED}
        variants = calibrate_variants(pool, chosen, seeds, known)
    trained_s = round(time.time() - started, 1)
    if reused:  # the reused runs' time was spent before
        trained_s = round(trained_s + old.get("training_wall_s", 0.0), 1)
    report = {
        "about": "Assignment 2's training-check calibration, written by `python -m autograder.hw2.calibrate`; "
                 "see CALIBRATION.md.",
        "measure": {"what": "mean cross-entropy of the trained MLP in eval mode over the whole training split, "
                            "float64, with the reference layers (evaluate.evaluate)",
                    "dims": evaluate.DIMS, "dropout": evaluate.DROPOUT,
                    "n_train": len(evaluate.split(0).y_train), "n_test": len(evaluate.split(0).y_test)},
        "rules": {"margin": MARGIN, "epochs_tried": list(EPOCHS),
                  "threshold": "MARGIN x the worst seed's loss, rounded up to two significant digits",
                  "grader_seed": "the seed with the median loss of the chosen candidate",
                  "variants": "'fail' must fail at every seed, 'pass' pass at every seed, 'either' is reported"},
        "environment": {"torch": torch.__version__, "python": platform.python_version(),
                        "machine": platform.machine(), "threads_per_run": 1, "workers": args.workers},
        "seeds": seeds,
        "chosen": chosen,
        "candidates": candidates,
        "variants": variants,
        "training_wall_s": trained_s,  # every run's training, including the invocations whose runs --reuse took
        "reused_runs": reused,
    }
    args.out.write_text(dumps(report) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out.name} ({trained_s} s)")
    for name, rule in chosen.items():
        print(f"GRADED[{name!r}] = Graded({name!r}, seed={rule['seed']}, threshold={rule['threshold']})")
    unexpected = [f"{v['variant']} ({v['setting']})" for v in variants if not v["as_expected"]]
    if unexpected:
        print("NOT AS EXPECTED: " + ", ".join(unexpected))
    return 1 if unexpected else 0


if __name__ == "__main__":
    raise SystemExit(main())
