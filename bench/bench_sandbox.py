"""What starting the sandbox costs, and how long a hostile grading can take.

    python bench/bench_sandbox.py             start-up cost of each isolation mode (a few seconds)
    python bench/bench_sandbox.py --hostile   also: the worst-case grading on half a core (about 8 minutes)

Start-up: the time from `Sandbox.start()` to the child's "ready" (it imports torch), then
`stop()`, for bubblewrap, unshare and permissions alone, as root (each mode where it works).
Hostile: every method of every class sleeps just under the per-check limit (the static scan
switched off so that `time.sleep` may run), graded pinned to one core beside a busy loop, as
Gradescope's half a CPU. Printed next to Gradescope's 600 s.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import grade, limits, sandbox, submission  # noqa: E402
from autograder.hw1 import ASSIGNMENT as HW1  # noqa: E402
from autograder.hw1 import config  # noqa: E402

MODES = {
    "bubblewrap": {"_bwrap_works": None, "_namespaces_work": None},
    "unshare": {"_bwrap_works": lambda python, user: False, "_namespaces_work": None},
    "permissions alone": {"_bwrap_works": lambda python, user: False, "_namespaces_work": lambda: False},
}


def start_up(mode: str, tries: int = 5):
    """Median seconds to start and stop a sandbox in `mode`, and what it reported, or None if it does not work."""
    saved = {name: getattr(sandbox, name) for name in MODES[mode]}
    for name, stand_in in MODES[mode].items():
        if stand_in is not None:
            setattr(sandbox, name, stand_in)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in config.STUDENT_FILES:
                shutil.copy(ROOT / "solutions" / "scratchnn" / name, Path(tmp) / name)
            files = submission.find(Path(tmp), HW1.student_files)
            times, isolation = [], ""
            for _ in range(tries):
                box = sandbox.Sandbox(grade.package_files(HW1, files), log=open(os.devnull, "w"))  # noqa: SIM115
                start = time.monotonic()
                try:
                    box.start()
                except sandbox.SandboxError:
                    box.cleanup()
                    return None, "did not start"
                times.append(time.monotonic() - start)
                isolation = box.isolation
                box.cleanup()
            return statistics.median(times), isolation
    finally:
        for name, value in saved.items():
            setattr(sandbox, name, value)


HOSTILE = ("import sys, time; import autograder.grade as g; g.policy_violations = lambda a, files: {}; "
           "from autograder.__main__ import main; sys.exit(main(sys.argv[1:]))")


def hostile_grading() -> dict:
    """Wall time of grading a submission whose every method sleeps just under TIME_PER_TEST, on half a core."""
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "sub"
        sub.mkdir()
        for name in config.STUDENT_FILES:
            text = (ROOT / "solutions" / "scratchnn" / name).read_text()
            text = text.replace("import torch\n", "import time\n\nimport torch\n", 1)
            nap = f"        time.sleep({limits.TIME_PER_TEST - 0.5})\n"
            (sub / name).write_text(text.replace("        ### BEGIN SOLUTION\n", nap))
        out = Path(tmp) / "results.json"
        spinner = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c", "while True: pass"])
        start = time.monotonic()
        try:
            subprocess.run(["taskset", "-c", "0", sys.executable, "-c", HOSTILE, str(sub), "--results", str(out)],
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        finally:
            spinner.kill()
            spinner.wait()
        wall = time.monotonic() - start
        doc = json.loads(out.read_text())
        return {"wall": wall, "score": doc["score"],
                "not_run": sum("total time limit" in t["output"] for t in doc["tests"])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hostile", action="store_true", help="also grade the hostile submission (minutes)")
    args = parser.parse_args(argv)
    print("\nSandbox start-up (start to ready, then stop; median of 5)")
    for mode in MODES:
        seconds, isolation = start_up(mode)
        shown = f"{seconds:5.2f} s" if seconds is not None else "  n/a  "
        print(f"  {mode:18s} {shown}  {isolation[:90]}")
    if args.hostile:
        r = hostile_grading()
        print(f"\nHostile grading (every method sleeps {limits.TIME_PER_TEST - 0.5:g} s), half a core: "
              f"{r['wall']:.0f} s wall against Gradescope's 600 s (TIME_TOTAL {limits.TIME_TOTAL:g} s); "
              f"{r['not_run']} checks not run for time, score {r['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
