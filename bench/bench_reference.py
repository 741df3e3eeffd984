"""Speed of the reference network (scratchnn_ref) against PyTorch's own modules, and two cost claims.

    make bench                                   (all three parts, 1 thread)
    .venv/bin/python bench/bench_reference.py [--threads N] [--quick] [--out DIR]

1. One training step (forward + MSE loss + backward + SGD update) of scratchnn_ref.MLP (ReLU)
   against torch.nn.Linear/ReLU + autograd + torch.optim.SGD with the same shapes, data and
   initial weights. ratio = torch time / our time, so > 1 means ours is faster. Both are also
   given in GFLOP/s of matrix products, next to a plain float32 matmul measured in the same run.
2. Claim: Linear forward + backward costs about 3× its forward (backward = two matmuls, forward one).
3. Claim: Linear costs O(B·M·N): the slope of log(time) against log(B·M·N) is about 1.
   The sweep is plotted to OUT/linear_scaling.png.

Timing: each function is called once to warm up, then timed over enough calls to last
--min-time seconds; the functions being compared are timed in turns, --repeats rounds,
and the median round is reported (ratios are the median of the per-round ratios), so a
busy spell of the machine slows both sides alike.
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from scratchnn_ref.activations import ReLU
from scratchnn_ref.linear import Linear
from scratchnn_ref.losses import MSELoss
from scratchnn_ref.mlp import MLP

OUT = Path(__file__).resolve().parent / "out"

# (dims, batch size) of the training-step comparison; the first is the sine-fit network.
NETWORKS = [([1, 64, 64, 1], 64), ([512, 512, 512, 512], 256), ([1024, 1024, 1024], 512)]
# (B, M, N) of the forward+backward / forward ratio.
RATIO_SIZES = [(64, 256, 256), (256, 512, 512), (512, 1024, 1024), (1024, 2048, 2048)]
# (B, M, N) of the scaling sweep: B·M·N from 2^19 to 2^30, shapes of several aspect ratios.
SWEEP_SIZES = [
    (32, 128, 128), (64, 128, 128), (16, 256, 512), (64, 256, 256),
    (512, 128, 128), (128, 512, 256), (128, 512, 512), (1024, 256, 256),
    (256, 1024, 512), (64, 2048, 2048), (512, 1024, 1024), (1024, 1024, 1024),
]


# ------------------------------------------------------------------------------------ timing
def seconds_per_call(fn, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def calls_for(fn, min_time: float) -> int:
    """Warms fn up, then returns the smallest power of two of calls that lasts min_time."""
    fn()
    calls = 1
    while seconds_per_call(fn, calls) * calls < min_time:
        calls *= 2
    return calls


def time_in_turns(fns: list, repeats: int, min_time: float) -> list[list[float]]:
    """rounds[r][i]: seconds per call of fns[i] in round r; the fns take turns within each round."""
    calls = [calls_for(fn, min_time) for fn in fns]
    return [[seconds_per_call(fn, n) for fn, n in zip(fns, calls, strict=True)] for _ in range(repeats)]


def median_column(rounds: list[list[float]], i: int) -> float:
    return statistics.median(r[i] for r in rounds)


def median_ratio(rounds: list[list[float]], top: int, bottom: int) -> float:
    return statistics.median(r[top] / r[bottom] for r in rounds)


def square_matmul(n: int):
    """The machine's own rate, as a yardstick: an (n, n) @ (n, n) float32 product (2·n³ FLOPs)."""
    a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
    return lambda: torch.mm(a, b, out=c)  # into a preallocated result: the product alone


# ------------------------------------------------------------------ 1. training step vs torch
def step_flops(dims: list[int], batch: int) -> int:
    """Matrix-product FLOPs of one training step: forward, dW of every layer, dx of all but the first."""
    products = [m * n for m, n in zip(dims[:-1], dims[1:], strict=True)]
    return 2 * batch * (3 * sum(products) - products[0])


def training_pair(dims: list[int], batch: int, lr: float = 0.01):
    """(ours, theirs): two functions that each run one SGD step of the same network on the same data."""
    torch.manual_seed(0)
    x, y = torch.randn(batch, dims[0]), torch.randn(batch, dims[-1])
    model, loss_fn = MLP(dims, "relu"), MSELoss()

    def ours():
        loss_fn.forward(model.forward(x), y)
        model.backward(loss_fn.backward())
        model.step(lr)

    modules = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            linear = torch.nn.Linear(*layer.W.shape)
            with torch.no_grad():  # torch keeps the weight as (N, M)
                linear.weight.copy_(layer.W.T)
                linear.bias.copy_(layer.b)
            modules.append(linear)
        else:
            modules.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*modules)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    torch_loss = torch.nn.MSELoss()

    def theirs():
        optimizer.zero_grad()
        torch_loss(net(x), y).backward()
        optimizer.step()

    return ours, theirs, model, net


def check_same_step(dims: list[int], batch: int) -> None:
    """Both sides compute the same thing: after one step their weights agree."""
    ours, theirs, model, net = training_pair(dims, batch)
    ours()
    theirs()
    torch_linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.linears(), torch_linears, strict=True):
        torch.testing.assert_close(layer.W, linear.weight.detach().T, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(layer.b, linear.bias.detach(), rtol=1e-4, atol=1e-5)


def elementwise_pair(dims: list[int], batch: int):
    """(ours, theirs): the ReLUs and the MSE of one training step, forward and backward, on its shapes.

    theirs runs the kernels autograd runs for nn.ReLU and nn.MSELoss. Together with the matrix
    products (the same FLOPs on both sides), the bias sums and the update, this is the whole step.
    """
    hidden = [torch.randn(batch, width) for width in dims[1:-1]]
    y_pred, y = torch.randn(batch, dims[-1]), torch.randn(batch, dims[-1])
    relus, loss_fn = [ReLU() for _ in hidden], MSELoss()

    def ours():
        for relu, h in zip(relus, hidden, strict=True):
            relu.backward(relu.forward(h))
        loss_fn.forward(y_pred, y)
        loss_fn.backward()

    def theirs():
        for h in hidden:
            out = torch.relu(h)
            torch.ops.aten.threshold_backward(out, out, 0.0)
        torch.nn.functional.mse_loss(y_pred, y)
        torch.ops.aten.mse_loss_backward(torch.ones(()), y_pred, y, 1)  # 1: reduction="mean"

    return ours, theirs


def training_step(dims: list[int], batch: int, repeats: int, min_time: float, matmul_n: int = 1024) -> dict:
    """Both steps, the ReLU+MSE parts of both, and a square matmul, timed in turns in the same rounds."""
    check_same_step(dims, batch)
    ours, theirs, _, _ = training_pair(dims, batch)
    fns = [ours, theirs, *elementwise_pair(dims, batch), square_matmul(matmul_n)]
    rounds = time_in_turns(fns, repeats, min_time)
    flops = step_flops(dims, batch)
    ours_s, torch_s = median_column(rounds, 0), median_column(rounds, 1)
    return {"dims": dims, "batch": batch, "ours_s": ours_s, "torch_s": torch_s,
            "ratio": median_ratio(rounds, 1, 0), "ours_gflops": flops / ours_s / 1e9,
            "torch_gflops": flops / torch_s / 1e9,
            "ours_elementwise_s": median_column(rounds, 2), "torch_elementwise_s": median_column(rounds, 3),
            "matmul_gflops": 2 * matmul_n**3 / median_column(rounds, 4) / 1e9}


# ------------------------------------------------------------- 2. and 3. the cost of Linear
def linear_pair(b: int, m: int, n: int):
    """(forward, forward_backward) of a fresh Linear(m, n) on a batch of b."""
    layer, x, dout = Linear(m, n), torch.randn(b, m), torch.randn(b, n)

    def forward():
        layer.forward(x)

    def forward_backward():
        layer.forward(x)
        layer.backward(dout)

    return forward, forward_backward


def fwd_bwd_over_fwd(size: tuple[int, int, int], repeats: int, min_time: float) -> dict:
    rounds = time_in_turns(list(linear_pair(*size)), repeats, min_time)
    return {"size": size, "fwd_s": median_column(rounds, 0), "fwd_bwd_s": median_column(rounds, 1),
            "ratio": median_ratio(rounds, 1, 0)}


def scaling_sweep(sizes: list, repeats: int, min_time: float) -> list[dict]:
    """Forward + backward time of Linear for each (B, M, N): 6·B·M·N FLOPs."""
    rows = []
    for b, m, n in sizes:
        _, forward_backward = linear_pair(b, m, n)
        seconds = median_column(time_in_turns([forward_backward], repeats, min_time), 0)
        rows.append({"size": (b, m, n), "bmn": b * m * n, "seconds": seconds,
                     "gflops": 6 * b * m * n / seconds / 1e9})
    return rows


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x): the exponent k of y ∝ x^k."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def plot_sweep(rows: list[dict], slope: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bmn = [r["bmn"] for r in rows]
    ms = [r["seconds"] * 1e3 for r in rows]
    # the fitted line passes through the mean point of the logs; the slope-1 line through the largest size
    mean_x, mean_y = statistics.fmean(map(math.log, bmn)), statistics.fmean(map(math.log, ms))
    fit = [math.exp(mean_y + slope * (math.log(v) - mean_x)) for v in bmn]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.loglog(bmn, ms, "o", label="Linear forward + backward")
    ax.loglog(bmn, fit, "-", label=f"least-squares fit: slope {slope:.2f}")
    ax.loglog(bmn, [ms[-1] / bmn[-1] * v for v in bmn], "--", color="gray", label="time ∝ B·M·N (slope 1)")
    ax.set_xlabel("B·M·N")
    ax.set_ylabel("time per call (ms)")
    ax.set_title(f"scratchnn_ref Linear, float32, {torch.get_num_threads()} thread(s)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------------------------ report
def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds per measurement (median reported)")
    parser.add_argument("--min-time", type=float, default=0.1, help="seconds per timed round")
    parser.add_argument("--quick", action="store_true", help="smallest sizes, one short round: checks it runs")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for linear_scaling.png")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    repeats, min_time = (1, 0.0) if args.quick else (args.repeats, args.min_time)
    networks = NETWORKS[:1] if args.quick else NETWORKS
    ratio_sizes = RATIO_SIZES[:1] if args.quick else RATIO_SIZES
    sweep_sizes = SWEEP_SIZES[:3] if args.quick else SWEEP_SIZES

    print(f"torch {torch.__version__}, python {platform.python_version()}, {cpu_name()}, "
          f"{os.cpu_count()} CPUs, torch threads: {torch.get_num_threads()}, float32\n")
    matmul_n = 128 if args.quick else 1024

    print("1. One training step (forward + MSE + backward + SGD), ReLU MLP; ratio = torch / ours (> 1: ours faster)")
    print(f"   {'dims':<22}{'B':>5}{'ours ms':>10}{'torch ms':>10}{'ratio':>7}"
          f"{'ours GFLOP/s':>14}{'torch GFLOP/s':>15}{'matmul':>8}{'ReLU+MSE ms ours/torch':>25}")
    for row in (training_step(dims, b, repeats, min_time, matmul_n) for dims, b in networks):
        peak = row["matmul_gflops"]
        print(f"   {str(row['dims']):<22}{row['batch']:>5}{row['ours_s'] * 1e3:>10.3f}{row['torch_s'] * 1e3:>10.3f}"
              f"{row['ratio']:>7.2f}{row['ours_gflops']:>8.1f} ({row['ours_gflops'] / peak:>3.0%})"
              f"{row['torch_gflops']:>9.1f} ({row['torch_gflops'] / peak:>3.0%}){peak:>8.1f}"
              f"{row['ours_elementwise_s'] * 1e3:>15.3f} / {row['torch_elementwise_s'] * 1e3:.3f}")
    print(f"   GFLOP/s count the matrix products only (the same on both sides); matmul: GFLOP/s of a {matmul_n}×"
          f"{matmul_n} float32 product timed in the same rounds, the machine's own rate; % is of it.")
    print("   ReLU+MSE: those layers alone, forward and backward, on the step's shapes (ours vs autograd's kernels).\n")

    print("2. Linear: time of forward + backward over time of forward; claim ≈ 3 (backward = 2 matmuls)")
    for row in (fwd_bwd_over_fwd(size, repeats, min_time) for size in ratio_sizes):
        b, m, n = row["size"]
        print(f"   B={b:<5} M={m:<5} N={n:<5} forward {row['fwd_s'] * 1e3:8.3f} ms   "
              f"forward+backward {row['fwd_bwd_s'] * 1e3:8.3f} ms   ratio {row['ratio']:.2f} (claim 3)")
    print()

    print(f"3. Linear forward + backward against B·M·N ({len(sweep_sizes)} sizes); claim O(B·M·N): slope 1")
    rows = scaling_sweep(sweep_sizes, repeats, min_time)
    for row in rows:
        b, m, n = row["size"]
        print(f"   B={b:<5} M={m:<5} N={n:<5} B·M·N={row['bmn']:>11,}  {row['seconds'] * 1e3:9.3f} ms"
              f"  {row['gflops']:6.1f} GFLOP/s")
    slope = loglog_slope([r["bmn"] for r in rows], [r["seconds"] for r in rows])
    upper = rows[len(rows) // 2:]
    upper_slope = loglog_slope([r["bmn"] for r in upper], [r["seconds"] for r in upper])
    print(f"   log-log slope: {slope:.2f} over all sizes, {upper_slope:.2f} over the larger half (claim 1)")
    path = args.out / "linear_scaling.png"
    plot_sweep(rows, slope, path)
    print(f"   plot: {path}")


if __name__ == "__main__":
    sys.exit(main())
