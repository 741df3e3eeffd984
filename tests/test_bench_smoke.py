"""bench/bench_reference.py still runs: its smallest configuration, one short round each (and
bench_hw2.py compares the same optimizer step).

No timing is asserted; what is checked is that the benchmark compares like with like
(the reference and torch take the same SGD step) and that its arithmetic is right.
"""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_reference.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_reference", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_step_smallest_network(bench):
    dims, batch = bench.NETWORKS[0]
    bench.check_same_step(dims, batch)  # raises if the two sides' weights differ after one step
    row = bench.training_step(dims, batch, repeats=1, min_time=0.0)
    assert row["ours_s"] > 0 and row["torch_s"] > 0 and row["ratio"] > 0


def test_step_flops_counts_every_product_but_the_first_dx(bench):
    # [1, 64, 64, 1], B = 64: forward and dW of 3 layers, dx of the last 2 only
    assert bench.step_flops([1, 64, 64, 1], 64) == 2 * 64 * (3 * (64 + 4096 + 64) - 64)


def test_linear_cost_parts_and_plot(bench, tmp_path):
    row = bench.fwd_bwd_over_fwd(bench.RATIO_SIZES[0], repeats=1, min_time=0.0)
    assert row["fwd_s"] > 0 and row["fwd_bwd_s"] > 0
    rows = bench.scaling_sweep(bench.SWEEP_SIZES[:2], repeats=1, min_time=0.0)
    assert [r["bmn"] for r in rows] == [b * m * n for b, m, n in bench.SWEEP_SIZES[:2]]
    bench.plot_sweep(rows, 1.0, tmp_path / "linear_scaling.png")
    assert (tmp_path / "linear_scaling.png").stat().st_size > 0


def test_loglog_slope_recovers_the_exponent(bench):
    xs = [1.0, 10.0, 100.0, 1000.0]
    assert bench.loglog_slope(xs, [3.0 * x**1.5 for x in xs]) == pytest.approx(1.5)


def test_sweep_has_eight_sizes_or_more(bench):
    assert len(bench.SWEEP_SIZES) >= 8
    assert len({b * m * n for b, m, n in bench.SWEEP_SIZES}) >= 8


@pytest.mark.parametrize("cls", ["SGD", "Adam", "AdamW"])
def test_the_hw2_bench_times_the_same_optimizer_step(cls):
    spec = importlib.util.spec_from_file_location("bench_hw2", BENCH.parent / "bench_hw2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.same_step(cls) < 1e-6
