"""A class graded as shards and merged, against one process pool: submissions per minute on the same cores.

    make bench                                   (200 submissions, 4 shards, 2 cores: about 15 minutes)
    .venv/bin/python bench/bench_shards.py [--n 20] [--shards 4] [--cores 2]

Copies examples/submissions/ round-robin until there are --n submissions, then grades them twice
with the real grader, every process pinned to --cores CPUs (os.sched_setaffinity, inherited):

    pool     one `python -m autograder.batch` with --jobs CORES
    shards   --shards `python -m autograder.batch --shard K/N --jobs 1` commands, CORES at a time (as a
             job array on CORES one-CPU slots runs them), into one OUT, then `--merge`

Each line gives submissions per minute (n over the wall time, merge included for the shards);
the two grades.csv files must be equal. The shards pay one interpreter start and grader set-up
per shard, so on few cores they are a little slower; they gain where there are more machines.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "submissions"


def make_class(root: Path, n: int) -> Path:
    examples = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    for i in range(n):
        shutil.copytree(examples[i % len(examples)], root / f"student_{i:03d}")
    return root


def batch(kit: Path, *args: str) -> None:
    """python -m autograder.batch ARGS in `kit`, quietly; its output is shown only when it fails."""
    done = subprocess.run([sys.executable, "-m", "autograder.batch", *args, "--no-progress"], cwd=kit,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"autograder.batch {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="submissions in the class")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--cores", type=int, default=2, help="CPUs every process is pinned to")
    args = parser.parse_args(argv)
    if min(args.n, args.shards, args.cores) < 1:
        parser.error("--n, --shards and --cores must be at least 1")
    available = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, available[:args.cores])
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = make_class(tmp / "class", args.n)
        kit = tmp / "kit"  # one snapshot of the grader for both runs: an edit meanwhile would make results stale
        for part in ("autograder", "scratchnn_ref"):
            shutil.copytree(ROOT / part, kit / part, ignore=shutil.ignore_patterns("__pycache__"))
        started = time.monotonic()
        batch(kit, str(root), "--out", str(tmp / "pool"), "--jobs", str(cores))
        pool = time.monotonic() - started
        started = time.monotonic()
        with ThreadPoolExecutor(cores) as slots:
            list(slots.map(lambda k: batch(kit, str(root), "--out", str(tmp / "sharded"), "--shard",
                                           f"{k}/{args.shards}", "--jobs", "1"), range(1, args.shards + 1)))
        batch(kit, str(root), "--merge", str(tmp / "sharded"))
        sharded = time.monotonic() - started
        same = (tmp / "pool" / "grades.csv").read_bytes() == (tmp / "sharded" / "grades.csv").read_bytes()
    print(f"bench_shards: {args.n} submissions on {cores} cores: one pool {args.n / pool * 60:.1f}/min ({pool:.0f} s); "
          f"{args.shards} shards + merge {args.n / sharded * 60:.1f}/min ({sharded:.0f} s); "
          f"grades.csv {'equal' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
