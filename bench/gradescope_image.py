"""Grade every bundled example inside the grading image, under Gradescope's limits, through run_autograder.

    make gradescope-image              (after `make test-image` built the image)
    .venv/bin/python bench/gradescope_image.py [--image scratchnn-grader:latest] [--cpus 0.5] [--memory 768m]

The image (cluster/Dockerfile) is Ubuntu 22.04 set up by the release's own setup.sh, as Gradescope
builds it, with the distribution's python3 (3.10). Each example is mounted at
/autograder/submission and graded by /autograder/source/run_autograder, as Gradescope runs it,
in a container with no network, --cpus and --memory as Gradescope's default machine (half a CPU,
768 MB). Each line gives the score, the score this checkout's grader gives the same folder here,
the wall time, the container's peak memory (its cgroup's own figure, page cache included) and
the processes the kernel killed for memory. Exit 1 if a score
differs or a results.json is missing.

    CONTAINER, RUN_FLAGS   as for cluster/k8s/run_locally.py
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "submissions"
# cgroup v2, then v1, read by the container itself after grading: its peak memory (page cache
# included, which the kernel reclaims before it kills anything) and how many processes it killed
AFTER = ("cat /sys/fs/cgroup/memory.peak 2>/dev/null || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes; "
         "grep -h '^oom_kill ' /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null")


def runtime() -> list:
    if os.environ.get("CONTAINER"):
        return shlex.split(os.environ["CONTAINER"])
    return ["docker"] if subprocess.run(["sh", "-c", "command -v docker"], capture_output=True).returncode == 0 \
        else ["podman"]


def in_image(args, example: Path, results: Path) -> tuple:
    """(score or None, wall seconds, peak MB, processes killed for memory) of run_autograder on `example`."""
    argv = [*runtime(), "run", "--rm", "--network", "none", "--cpus", args.cpus, "--memory", args.memory,
            *shlex.split(os.environ.get("RUN_FLAGS", "")),
            "-v", f"{example}:/autograder/submission:ro", "-v", f"{results}:/autograder/results",
            "--entrypoint", "/bin/sh", args.image, "-c", f"/autograder/source/run_autograder >/dev/null 2>&1; {AFTER}"]
    started = time.time()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.time() - started
    said = done.stdout.split()
    peak = int(said[0]) / 2**20 if said and said[0].isdigit() else float("nan")
    killed = said[-1] if len(said) == 3 else "?"
    file = results / "results.json"
    return (json.loads(file.read_text())["score"] if file.exists() else None), wall, peak, killed


def here(example: Path, results: Path) -> float:
    """The score this checkout's grader gives `example` on this machine."""
    file = results / "here.json"
    subprocess.run([sys.executable, "-m", "autograder", str(example), "--results", str(file)], cwd=ROOT,
                   capture_output=True)
    return json.loads(file.read_text())["score"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="scratchnn-grader:latest")
    parser.add_argument("--cpus", default="0.5")
    parser.add_argument("--memory", default="768m")
    args = parser.parse_args(argv)
    bad = 0
    print(f"{'example':<18}{'image':>8}{'here':>8}{'wall s':>8}{'peak MB':>9}{'OOM kills':>11}   ({args.image}, "
          f"--cpus {args.cpus} --memory {args.memory}, no network)")
    with tempfile.TemporaryDirectory() as tmp:
        for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
            results = Path(tmp) / example.name
            results.mkdir()
            score, wall, peak, killed = in_image(args, example, results)
            expected = here(example, results)
            same = score is not None and abs(score - expected) < 1e-9
            bad += not same
            print(f"{example.name:<18}{score if score is not None else 'none':>8}{expected:>8}{wall:>8.1f}"
                  f"{peak:>9.0f}{killed:>11}{'' if same else '   DIFFERS'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
