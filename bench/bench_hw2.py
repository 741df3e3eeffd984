"""Assignment 2's reference against PyTorch, side by side in one run, and one hw2 grading.

    make bench                                   (with the other benchmarks, 1 thread)
    .venv/bin/python bench/bench_hw2.py [--threads N] [--quick]

1. One optimizer step of scratchnn_ref.hw2.optim (SGD with momentum, Adam, AdamW) against
   torch.optim's, default (foreach) and fused, on the parameters of an MLP of about 1M and
   10M elements (weights and biases of three square layers), float32, with the same gradients.
2. BatchNorm1d forward + backward of the reference against torch.nn.BatchNorm1d + autograd at
   (512, 1024), float32, training mode.
3. Grading the hw2 solution through `python -m autograder --assignment hw2` on one core: wall
   time, and the peak memory of the grader and of its sandbox (their ru_maxrss).

ratio = torch time / reference time, so > 1 means the reference is faster. Timing as in
bench_reference.py: warm-up, calls timed in turns, the median of --repeats rounds. Every time is
also given in "passes": one pass is `torch.add(a, b, out=c)` over tensors of the same shapes (two
reads and a write of every element), timed in the same rounds. These steps are bound by memory
traffic, so the passes say where the time goes: a fused kernel reads and writes each tensor once,
a step of separate element-wise operators once per operator.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_reference import median_column, median_ratio, time_in_turns  # noqa: E402

import scratchnn_ref.hw2.layers as ref_layers  # noqa: E402
import scratchnn_ref.hw2.optim as ref_optim  # noqa: E402
from scratchnn_ref.hw2.parameter import Parameter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"1M": 577, "10M": 1825}  # three square layers of this width: 3·(w² + w) ≈ 1M, 10M elements
SETTINGS = {"SGD": {"lr": 0.01, "momentum": 0.9}, "Adam": {"lr": 1e-3}, "AdamW": {"lr": 1e-3}}


def optimizer_pair(cls: str, width: int, fused: bool, params: list = None):
    """(reference step, torch step) on the same parameter shapes and gradients; `params`, if given, gets
    the two parameter lists."""
    gen = torch.Generator().manual_seed(0)
    shapes = [(width, width), (width,)] * 3
    data = [torch.randn(s, generator=gen) for s in shapes]
    grads = [torch.randn(s, generator=gen) for s in shapes]
    mine = [Parameter(d.clone()) for d in data]
    for p, g in zip(mine, grads, strict=True):
        p.grad = g
    ref = getattr(ref_optim, cls)(mine, **SETTINGS[cls])
    theirs = [torch.nn.Parameter(d.clone()) for d in data]
    for p, g in zip(theirs, grads, strict=True):
        p.grad = g
    opt = getattr(torch.optim, cls)(theirs, **SETTINGS[cls], **({"fused": True} if fused else {}))
    if params is not None:
        params += [mine, theirs]
    return ref.step, opt.step


def same_step(cls: str, width: int = 8, steps: int = 3) -> float:
    """The largest difference between the reference's and torch's parameters after `steps` steps."""
    params = []
    ref_step, torch_step = optimizer_pair(cls, width, fused=False, params=params)
    with torch.no_grad():
        for _ in range(steps):
            ref_step()
            torch_step()
    mine, theirs = params
    return max(float((p.data - q.detach()).abs().max()) for p, q in zip(mine, theirs, strict=True))


def one_pass(shapes: list):
    """The yardstick: c = a + b over tensors of these shapes, into preallocated results."""
    triples = [(torch.randn(s), torch.randn(s), torch.empty(s)) for s in shapes]

    def run():
        for a, b, c in triples:
            torch.add(a, b, out=c)

    return run


def timed(rounds: list, i: int) -> str:
    """Column i's median in ms and in passes (the last column is the yardstick)."""
    return f"{median_column(rounds, i) * 1e3:8.2f} ms {median_ratio(rounds, i, -1):4.1f} passes"


def optimizer_rows(repeats: int, min_time: float) -> None:
    print("optimizer step, float32 (ratio = torch / reference; > 1: the reference is faster)")
    for size, width in WIDTHS.items():
        for cls in SETTINGS:
            ref_step, torch_step = optimizer_pair(cls, width, fused=False)
            _, fused_step = optimizer_pair(cls, width, fused=True)
            yardstick = one_pass([(width, width), (width,)] * 3)
            with torch.no_grad():
                rounds = time_in_turns([ref_step, torch_step, fused_step, yardstick], repeats, min_time)
            print(f"  {cls:5s} {size:>3s}: reference {timed(rounds, 0)}   "
                  f"torch foreach {timed(rounds, 1)} (ratio {median_ratio(rounds, 1, 0):.2f})   "
                  f"fused {timed(rounds, 2)} (ratio {median_ratio(rounds, 2, 0):.2f})")


def batchnorm_row(repeats: int, min_time: float) -> None:
    B, C = 512, 1024
    gen = torch.Generator().manual_seed(0)
    x, d = torch.randn(B, C, generator=gen), torch.randn(B, C, generator=gen)
    mine = ref_layers.BatchNorm1d(C)

    def ours():
        mine.forward(x)
        mine.backward(d)

    theirs = torch.nn.BatchNorm1d(C)
    xt = x.clone().requires_grad_(True)

    def torchs():
        theirs(xt).backward(d)

    rounds = time_in_turns([ours, torchs, one_pass([(B, C)])], repeats, min_time)
    print(f"BatchNorm1d forward + backward at {(B, C)}: reference {timed(rounds, 0)}, "
          f"torch.nn + autograd {timed(rounds, 1)} (ratio {median_ratio(rounds, 1, 0):.2f})")


def grading_row() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("optim.py", "layers.py"):
            (Path(tmp) / name).write_text((ROOT / "solutions/hw2/scratchnn" / name).read_text())
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        cmd = ["taskset", "-c", "0"] if _has_taskset() else []
        start = time.monotonic()
        subprocess.run([*cmd, sys.executable, "-m", "autograder", tmp, "--results", f"{tmp}/r.json",
                        "--assignment", "hw2"], cwd=ROOT, env=env, check=True, capture_output=True)
        wall = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"grading the hw2 solution on one core: {wall:.1f} s wall; peak memory of the largest process "
          f"(grader or sandbox) {peak:.0f} MB")


def _has_taskset() -> bool:
    return subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--quick", action="store_true", help="one repeat, short timings (a smoke run)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    repeats, min_time = (1, 0.02) if args.quick else (args.repeats, args.min_time)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    grading_row()  # first: a child forked later would count this process's tensors in its peak memory
    optimizer_rows(repeats, min_time)
    batchnorm_row(repeats, min_time)
    return 0


if __name__ == "__main__":
    sys.exit(main())
