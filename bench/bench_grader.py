"""What one grading costs: wall time, CPU time and peak memory summed over all its processes.

    python bench/bench_grader.py [--quick]

Grades four submissions with the real command (`python -m autograder`): the
instructor's solution, a chatty one (the solution printing Linear's input in every forward,
as debug prints left in do), a buggy one (Linear's dW transposed) and a hostile one (an
endless loop in ReLU.forward). Each runs on all cores, pinned to one core, and on
half a core (pinned beside a busy loop, as Gradescope's default 0.5 vCPU). Memory is
the largest sum, over the grader and every process it started, of PSS (shared pages
counted once) and of RSS (shared pages counted in every process), sampled every 20 ms.
Budget: under 60 s of CPU and 700 MB for a whole grading.
"""

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("linear.py", "activations.py", "losses.py")


def make_submissions(tmp: Path) -> dict[str, Path]:
    subs = {}
    for name, (file, old, new) in {
        "correct": (None, None, None),
        "chatty (prints x)": ("linear.py", "        self._x = x\n", "        print(x)\n        self._x = x\n"),
        "buggy (dW transposed)": ("linear.py", "self.dW = self._x.T @ dout", "self.dW = (dout.T @ self._x).T.T"),
        "hostile (endless loop)": ("activations.py", "        self._y = x.clamp(min=0)\n",
                                   "        while True:\n            pass\n"),
    }.items():
        folder = tmp / name.split()[0]
        folder.mkdir()
        for f in FILES:
            shutil.copy(ROOT / "solutions" / "scratchnn" / f, folder / f)
        if file:
            text = (folder / file).read_text()
            assert old in text, f"{name}: the solution changed; update this bench"
            (folder / file).write_text(text.replace(old, new, 1))
        subs[name] = folder
    return subs


def _tree(root_pid: int) -> list[int]:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line and not line.startswith("0"))
        return int(fields["Pss"].split()[0]), int(fields["Rss"].split()[0])
    except (OSError, KeyError, ValueError):
        return 0, 0


def become_subreaper() -> None:
    """Orphans of the grader (its killed sandbox) become our children, so their CPU time is counted."""
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def reap_orphans() -> None:
    time.sleep(0.1)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# The same command with the operator recorder switched off, to measure what recording costs.
NO_RECORDER = ("import sys; import autograder.grade as g; g.operator_rules = lambda: None; "
               "from autograder.__main__ import main; sys.exit(main(sys.argv[1:]))")


def grade(submission: Path, cpus: str | None, busy: bool, recorder: bool = True) -> dict:
    out = Path(tempfile.mkdtemp()) / "results.json"
    entry = ["-m", "autograder"] if recorder else ["-c", NO_RECORDER]
    cmd = [sys.executable, *entry, str(submission), "--results", str(out)]
    spinner = None
    if cpus is not None:
        cmd = ["taskset", "-c", cpus, *cmd]
        if busy:  # a competitor on the same core leaves the grader about half of it
            spinner = subprocess.Popen(["taskset", "-c", cpus, sys.executable, "-c", "while True: pass"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        mems = [_memory(p) for p in _tree(proc.pid)]
        peak_pss = max(peak_pss, sum(m[0] for m in mems))
        peak_rss = max(peak_rss, sum(m[1] for m in mems))
        time.sleep(0.02)
    wall = time.monotonic() - start
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # before the spinner is reaped: its time is not ours
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if spinner:
        spinner.kill()
        spinner.wait()
    doc = json.loads(out.read_text())
    shutil.rmtree(out.parent, ignore_errors=True)
    return {"wall": wall, "cpu": cpu, "pss_mb": peak_pss / 1024, "rss_mb": peak_rss / 1024,
            "score": doc["score"], "exit": proc.returncode}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the correct submission, all cores")
    args = parser.parse_args(argv)
    modes = [("all cores", None, False)] if args.quick else [
        ("all cores", None, False), ("1 core", "0", False), ("half a core", "0", True)]
    become_subreaper()
    print(f"\nGrading one submission (python -m autograder), {os.cpu_count()} CPUs on this machine")
    print(f"{'submission':24s} {'where':12s} {'wall s':>7s} {'CPU s':>7s} {'peak PSS MB':>12s} "
          f"{'peak RSS MB':>12s} {'score':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        subs = make_submissions(Path(tmp))
        if args.quick:
            subs = {"correct": subs["correct"]}
        for name, folder in subs.items():
            for where, cpus, busy in modes:
                if name.startswith("hostile") and busy:
                    continue  # the time limits are wall-clock: half a core only makes it slower to the same end
                r = grade(folder, cpus, busy)
                print(f"{name:24s} {where:12s} {r['wall']:7.1f} {r['cpu']:7.1f} {r['pss_mb']:12.0f} "
                      f"{r['rss_mb']:12.0f} {r['score']:6g}" + ("" if r["exit"] == 0 else f"  exit {r['exit']}"))
        if not args.quick:  # what the operator recorder costs, side by side on one core
            on, off = (grade(subs["correct"], "0", False, recorder=flag) for flag in (True, False))
            print(f"\nOperator recorder, correct submission on 1 core: with {on['wall']:.1f} s wall / "
                  f"{on['cpu']:.1f} s CPU, without {off['wall']:.1f} s / {off['cpu']:.1f} s: "
                  f"costs {on['cpu'] - off['cpu']:+.1f} s CPU "
                  f"({on['pss_mb']:.0f} MB against {off['pss_mb']:.0f} MB peak PSS)")
    print("Budget per grading: under 60 s CPU and 700 MB (Gradescope: half a CPU, 768 MB, 10 min).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
