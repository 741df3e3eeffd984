"""The committed sine-fit calibration agrees with the grading rules, and one reference run still passes.

`make calibrate` rewrites autograder/hw1/calibration.json; these tests only read it (plus two short trainings).
"""

import json
import math

import pytest
import torch

import scratchnn_ref.train as ref_train
from autograder.hw1 import calibrate, config

CAL = json.loads(calibrate.OUT.read_text(encoding="utf-8"))
GRADED = sorted(config.SINE_FIT)


def settings_of(entry: dict) -> dict:
    return {key: entry[key] for key in ("lr", "epochs", "batch_size")}


def calibrated_candidate(activation: str) -> dict:
    """The calibration's candidate with the settings train.SETTINGS uses for this activation."""
    want = ref_train.SETTINGS[activation]
    found = [c for c in CAL["candidates"] if c["activation"] == activation and settings_of(c) == want]
    assert len(found) == 1, f"train.SETTINGS[{activation!r}] = {want} is not a calibrated candidate"
    return found[0]


@pytest.fixture
def one_thread():
    """Train as the grader does, on one thread (also several times faster for these small matrices)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_relu_is_graded():
    assert "relu" in config.SINE_FIT


@pytest.mark.parametrize("activation", GRADED)
def test_config_and_settings_are_the_chosen_ones(activation):
    chosen = CAL["chosen"][activation]
    assert ref_train.SETTINGS[activation] == settings_of(chosen)
    assert config.SINE_FIT[activation] == {"seed": chosen["seed"], "threshold": chosen["threshold"]}


@pytest.mark.parametrize("activation", GRADED)
def test_threshold_has_margin_over_every_seed(activation):
    cand = calibrated_candidate(activation)
    per_seed = cand["per_seed"]
    assert len(per_seed) == len(set(CAL["seeds"])) >= calibrate.MIN_SEEDS
    assert None not in per_seed, "the reference diverged at some seed"
    threshold = config.SINE_FIT[activation]["threshold"]
    assert calibrate.MARGIN * max(per_seed) <= threshold <= calibrate.MAX_THRESHOLD
    assert config.SINE_FIT[activation]["seed"] in CAL["seeds"]


def test_recorded_variants_behave_as_expected():
    """At the grader's seed every clear bug failed; every correct rewrite passed at every seed."""
    by_expectation = {v["name"]: v for v in CAL["variants"]}
    assert {"reference", "relu_pass_all", "db_zero", "dW_negated"} <= set(by_expectation)
    for v in CAL["variants"]:
        if v["expect"] == "fail":
            assert not v["passes_at_grader_seed"], v["name"]
        if v["expect"] == "pass":
            assert v["passes"] == len(v["seeds"]), v["name"]


def test_grid_mse_of_the_zero_network():
    """Zero weights predict 0 everywhere: the mean of sin²(2πx) over the 1001-point grid, 500/1001."""
    dims = ref_train.DIMS
    zeros = [(torch.zeros(m, n), torch.zeros(n)) for m, n in zip(dims[:-1], dims[1:], strict=True)]
    assert math.isclose(calibrate.grid_mse(zeros, "relu"), 500 / 1001, rel_tol=1e-12)


@pytest.mark.parametrize("activation", GRADED)
def test_reference_passes_at_the_graders_seed(activation, one_thread):
    rule = config.SINE_FIT[activation]
    mse = calibrate.grid_mse(calibrate.model_weights(calibrate.fit(activation, rule["seed"])), activation)
    assert mse <= rule["threshold"], f"reference grid MSE {mse:.3g} vs threshold {rule['threshold']}"


def test_relu_passing_every_gradient_fails_at_the_graders_seed(one_thread):
    rule = config.SINE_FIT["relu"]
    mse = calibrate.grid_mse(calibrate.model_weights(calibrate.fit("relu", rule["seed"], "relu_pass_all")), "relu")
    assert not mse <= rule["threshold"], f"a linear network scored {mse:.3g}"
