"""Assignment 2's training check: the sandbox side refuses garbage, the reference passes, wrong updates fail.

The student's package in these tests is the calibration's private copy of the reference
(calibrate.as_scratchnn), so assignment 1's `scratchnn` is never replaced for long.
Each training run takes about half a second.
"""

import ast
import contextlib
import importlib
import json
import math
import sys
from dataclasses import replace

import pytest
import torch

from autograder.hw2 import calibrate, evaluate, replay, training

CAL = json.loads(calibrate.OUT.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def one_thread():
    """Train as the grader does, on one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def short(name: str, epochs: int = 1) -> evaluate.Setting:
    return replace(evaluate.SETTINGS[name], epochs=epochs)


def run_with(swaps: dict, setting: evaluate.Setting, seed: int = 0, calls=contextlib.nullcontext) -> dict:
    with calibrate.as_scratchnn(swaps):
        return training.run(setting.job(seed), evaluate.make_inputs(seed), calls)


# ---------------------------------------------------------------- what the sandbox side may use
def test_training_imports_only_torch_the_standard_library_and_scratchnn():
    tree = ast.parse(open(training.__file__, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            tops = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports: the file runs alone in the sandbox"
            tops = [node.module.split(".")[0]]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module":
            arg = node.args[0]
            assert isinstance(arg, ast.Constant) and arg.value.startswith("scratchnn."), ast.unparse(node)
            continue
        else:
            continue
        for top in tops:
            assert top in ("torch", "scratchnn") or top in sys.stdlib_module_names, top
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert classes == {"TrainingError"}, "no layer or optimizer of its own: student code could call it"


def test_every_student_call_runs_inside_calls():
    """Every method of the student's classes (and their constructors) is called inside `with calls():`."""
    inside = []

    @contextlib.contextmanager
    def calls():
        inside.append(True)
        try:
            yield
        finally:
            inside.pop()

    def guarded(base: type) -> type:
        def wrap(method):
            def checked(self, *args, **kwargs):
                assert inside, f"{base.__name__}.{method.__name__} called outside calls()"
                return method(self, *args, **kwargs)
            return checked
        names = ("__init__", "forward", "backward", "train", "eval", "step", "zero_grad")
        return type(base.__name__, (base,), {n: wrap(getattr(base, n)) for n in names if hasattr(base, n)})

    swaps = {"Adam": guarded(calibrate.optim.Adam), "BatchNorm1d": guarded(calibrate.layers.BatchNorm1d),
             "Dropout": guarded(calibrate.layers.Dropout)}
    out = run_with(swaps, short("adam"), calls=calls)
    assert set(out) == set(evaluate.weight_names()) | {"epoch_loss"}
    assert out["epoch_loss"].shape == (1,) and bool(torch.isfinite(out["epoch_loss"]).all())


# ---------------------------------------------------------------- garbage is refused with a message
class ListStep(calibrate.optim.Adam):
    def step(self):
        for p in self.params:
            p.data = p.data.tolist()


class NaNStep(calibrate.optim.Adam):
    def step(self):
        super().step()
        self.params[3].data = self.params[3].data * float("nan")


class DoubleStep(calibrate.optim.Adam):
    def step(self):
        super().step()
        self.params[0].data = self.params[0].data.double()


class WideBatchNorm(calibrate.layers.BatchNorm1d):
    def forward(self, x):
        return torch.cat([super().forward(x), x], dim=1)


class NaNDropoutBackward(calibrate.layers.Dropout):
    def backward(self, dout):
        return super().backward(dout) / 0.0 * 0.0


class DoubleRunningMean(calibrate.layers.BatchNorm1d):
    def forward(self, x):
        out = super().forward(x)
        self.running_mean = self.running_mean.double()
        return out


@pytest.mark.parametrize("swaps, message", [
    ({"Adam": ListStep}, "Linear layer 0's W after optimizer.step() should be a float32 tensor of shape (64, 64), "
                         "not a list"),
    ({"Adam": NaNStep}, "BatchNorm1d layer 0's bias after optimizer.step() holds NaN or inf: the weights diverged"),
    ({"Adam": DoubleStep}, "dtype torch.float64"),
    ({"BatchNorm1d": WideBatchNorm}, "WideBatchNorm.forward's output should be a float32 tensor of shape (64, 64)"),
    ({"Dropout": NaNDropoutBackward}, "NaNDropoutBackward.backward's output holds NaN or inf"),
    ({"BatchNorm1d": DoubleRunningMean}, "after training, BatchNorm1d layer 0's running_mean should be a float32 "
                                         "tensor of shape (64,), not a Tensor of shape (64,), dtype torch.float64"),
])
def test_garbage_is_refused_with_training_error(swaps, message):
    with pytest.raises(training.TrainingError, match="^.*" + message.replace("(", r"\(").replace(")", r"\)")):
        run_with(swaps, short("adam"))


def test_missing_optimizer_class_is_named():
    setting = replace(short("adam"), optimizer="Adagrad")
    with pytest.raises(training.TrainingError, match="optim.py has no class Adagrad"):
        run_with({}, setting)


def test_student_exceptions_propagate_unchanged():
    class Stub(calibrate.layers.Dropout):
        def forward(self, x):
            raise NotImplementedError("Dropout.forward")

    with pytest.raises(NotImplementedError, match="Dropout.forward"):
        run_with({"Dropout": Stub}, short("adam"))


# ---------------------------------------------------------------- the grader's measure
def test_run_is_fit_digits(monkeypatch):
    """The sandbox trains exactly as scratchnn.train.fit_digits does: a student's own run shows the grader's figure."""
    data = importlib.import_module(f"{calibrate.STUDENT_NAME}.data")
    # the reference's folder keeps the data in data/ beside the modules, not one folder up as a release does
    monkeypatch.setattr(data, "DATA_FILE", evaluate.reference_dir() / "data" / "digits.csv.gz")
    fit_digits = importlib.import_module(f"{calibrate.STUDENT_NAME}.train").fit_digits
    out = run_with({}, short("sgd", 2), seed=3)
    net, _ = fit_digits("sgd", seed=3, epochs=2)
    assert torch.equal(out["W2"], net.layers[-1].W.data)
    assert torch.equal(out["running_var1"], [la for la in net.layers if hasattr(la, "running_var")][1].running_var)


def test_evaluate_refuses_missing_tensors_and_fails_non_finite_ones():
    out = run_with({}, short("adam"))
    with pytest.raises(ValueError, match="gamma1"):
        evaluate.evaluate({k: v for k, v in out.items() if k != "gamma1"}, seed=0)
    assert not evaluate.evaluate({**out, "W1": out["W1"] * math.inf}, seed=0).passes(1e9)


@pytest.mark.parametrize("name", sorted(evaluate.GRADED))
def test_reference_passes_at_the_grader_seed(name):
    graded = evaluate.GRADED[name]
    run = calibrate.train(evaluate.SETTINGS[graded.setting], graded.seed)
    assert run.error is None and run.passes(graded.threshold), run
    assert run.loss <= 1.5 * CAL["chosen"][name]["worst_loss"]  # inside the calibrated distribution, not just under


@pytest.mark.parametrize("name, variant", [
    ("adam", "bn_backward_identity"),
    ("sgd", "sgd_momentum_frozen"),
    ("sgd", "bn_no_mean_term"),
])
def test_wrong_variants_fail(name, variant):
    graded = evaluate.GRADED[name]
    run = calibrate.train(evaluate.SETTINGS[graded.setting], graded.seed, variant)
    assert not run.passes(graded.threshold), run


def test_calibration_records_round_trip():
    runs = [calibrate.Run(0.5, 0.9, None, 1.25), calibrate.Run(None, None, "at training step 1, ...", 0.0)]
    record = json.loads(calibrate.dumps(calibrate.runs_record(runs)))
    assert calibrate.runs_of(record) == runs
    assert calibrate.round_up(0.012301) == 0.013 and calibrate.round_up(0.013) == 0.013


# ---------------------------------------------------------------- the committed calibration
@pytest.mark.parametrize("name", sorted(evaluate.GRADED))
def test_graded_settings_are_the_calibrated_ones(name):
    chosen, graded = CAL["chosen"][name], evaluate.GRADED[name]
    assert (graded.seed, graded.threshold) == (chosen["seed"], chosen["threshold"])
    assert evaluate.SETTINGS[name].epochs == chosen["epochs"]
    cand = next(c for c in CAL["candidates"] if c["setting"] == name and c["epochs"] == chosen["epochs"])
    assert cand["kwargs"] == evaluate.SETTINGS[name].kwargs
    losses = cand["runs"]["loss"]
    assert len(losses) >= calibrate.MIN_SEEDS and None not in losses, "the reference diverged at some seed"
    assert calibrate.MARGIN * max(losses) <= graded.threshold


def test_calibrated_variants_behaved_as_expected():
    assert {v["variant"] for v in CAL["variants"]} == set(calibrate.VARIANTS)
    for v in CAL["variants"]:
        assert v["as_expected"], v["variant"]
        if v["expect"] == "fail":
            assert v["passes"] == 0, v["variant"]


# ---------------------------------------------------------------- the updates are the optimizer's rule
@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_the_reference_trains_by_its_rule_and_a_changed_update_is_found(name):
    """The probes' record of a right optimizer replays exactly; one step that moves a weight by other than the
    rule (weights written by step(), as a replay of weights fitted offline does) is named at that step."""
    setting, seed = short(name, epochs=2), 3
    inputs = {**evaluate.make_inputs(seed), **replay.probes(seed)}
    with calibrate.as_scratchnn({}):
        out = training.run(setting.job(seed), inputs, contextlib.nullcontext)
    assert out["probe_grad_W0"].shape == (setting.steps(len(inputs["x_train"])), replay.PROBES)
    assert replay.problem(setting, inputs, out) is None
    put = {**out, "probe_after_W1": out["probe_after_W1"].clone()}
    put["probe_after_W1"][5:] += 1e-3  # from step 6 on, W1 is 0.001 off what the rule made of it
    assert replay.problem(setting, inputs, put).startswith("at step 6, W1[")
    other = "SGD" if name != "sgd" else "Adam"
    assert replay.problem(replace(setting, optimizer=other, kwargs={"lr": setting.kwargs["lr"]}), inputs, out)
    assert "no record" in replay.problem(setting, inputs, {k: v for k, v in out.items() if "gamma0" not in k})
