"""Batch grading speed and memory: submissions per minute on 2 cores, and the peak memory of the process tree.

    make bench                                   (40 submissions, 2 cores)
    .venv/bin/python bench/bench_batch.py [--n 40] [--cores 2] [--jobs J] [--keep DIR]

Copies examples/submissions/ round-robin until there are --n submissions, then runs
`python -m autograder.batch` on them as a child process pinned to --cores CPUs
(os.sched_setaffinity, inherited by the workers and their sandboxes), with --jobs
worker processes (default: one per core). Reported:

    submissions per minute   n / wall time of the whole batch command (spawning workers included)
    CPU seconds per submission   user + system time of every process of the tree, over n (this
                             process becomes their child subreaper, so killed sandboxes count too)
    CPU-bound ceiling        cores · 60 / CPU seconds per submission: the rate on otherwise idle cores
    peak memory              the largest sum, over all processes of the tree (batch, workers, sandbox
                             children and their job processes), of RSS and of PSS, sampled every 0.1 s;
                             PSS splits shared pages (torch's libraries) between the processes that
                             map them, so it is the honest total; RSS counts them once per process
    resume                   the wall time of a second run, which must grade nothing

Target: at least 20 submissions per minute on 2 cores.
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "submissions"
TARGET_PER_MINUTE = 20


def make_class(folder: Path, n: int) -> None:
    """n submission folders, copies of the examples in turn."""
    examples = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    for i in range(n):
        shutil.copytree(examples[i % len(examples)], folder / f"s{i:03d}_{examples[i % len(examples)].name}")


def _children() -> dict[int, list[int]]:
    tree = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_memory(root: int) -> tuple[int, int, int]:
    """(RSS kB, PSS kB, processes) summed over `root` and all its descendants."""
    tree, todo, rss, pss, count = _children(), [root], 0, 0, 0
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        rss += _kb(f"/proc/{pid}/status", "VmRSS:")
        pss += _kb(f"/proc/{pid}/smaps_rollup", "Pss:")
        count += 1
    return rss, pss, count


class Sampler(threading.Thread):
    """Samples tree_memory(pid) until stopped; keeps the peaks."""

    def __init__(self, pid: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every, self.stop = pid, every, threading.Event()
        self.rss = self.pss = self.procs = 0

    def run(self):
        while not self.stop.is_set():
            rss, pss, procs = tree_memory(self.pid)
            self.rss, self.pss, self.procs = max(self.rss, rss), max(self.pss, pss), max(self.procs, procs)
            self.stop.wait(self.every)


class Reaper(threading.Thread):
    """Makes this process the 'child subreaper' of its descendants and reaps the orphans among them.

    Sandbox processes are killed together with their parent (`unshare`), so nobody waits for them
    and their CPU time would be missing from RUSAGE_CHILDREN; reaped here, it is counted.
    """

    PR_SET_CHILD_SUBREAPER = 36

    def __init__(self, keep: int):
        super().__init__(daemon=True)
        self.keep, self.stop = keep, threading.Event()  # `keep`: the child whose status Popen waits for

    @classmethod
    def enable(cls) -> bool:
        try:
            return ctypes.CDLL(None, use_errno=True).prctl(cls.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            return False

    def run(self):
        while not self.stop.wait(0.05):
            while True:
                try:
                    info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
                except ChildProcessError:
                    break
                if info is None or info.si_pid == self.keep:
                    break
                os.waitpid(info.si_pid, 0)


def run_batch(subs: Path, out: Path, cpus: set, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", str(jobs), "--no-progress"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    sampler, reaper = Sampler(proc.pid), Reaper(proc.pid)
    sampler.start()
    reaper.start()
    output = proc.communicate()[0]
    wall = time.monotonic() - start
    for thread in (sampler, reaper):
        thread.stop.set()
        thread.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{output}")
    return {"wall": wall, "cpu": cpu, "rss_kb": sampler.rss, "pss_kb": sampler.pss, "procs": sampler.procs,
            "output": output}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions in the batch")
    parser.add_argument("--cores", type=int, default=2, help="CPUs the batch may use")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: --cores)")
    parser.add_argument("--keep", default=None, help="grade into this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    counted = Reaper.enable()
    cpus = set(sorted(os.sched_getaffinity(0))[: args.cores])
    jobs = args.jobs or len(cpus)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-batch-"))
    shutil.rmtree(work / "submissions", ignore_errors=True)
    shutil.rmtree(work / "out", ignore_errors=True)
    make_class(work / "submissions", args.n)
    try:
        print(f"Batch grading: {args.n} submissions (copies of {EXAMPLES.relative_to(ROOT)}), "
              f"{len(cpus)} cores {sorted(cpus)}, {jobs} workers; load average before: {os.getloadavg()[0]:.1f}")
        first = run_batch(work / "submissions", work / "out", cpus, jobs)
        second = run_batch(work / "submissions", work / "out", cpus, jobs)
        docs = [json.loads(p.read_text()) for p in (work / "out").glob("*/results.json")]
        per_sub = sorted(d["extra_data"].get("grading_seconds", 0) for d in docs)
        rate = args.n / first["wall"] * 60
        print(f"   submissions per minute   {rate:6.1f}   (target >= {TARGET_PER_MINUTE}: "
              f"{'met' if rate >= TARGET_PER_MINUTE else 'NOT met'}); wall {first['wall']:.1f} s")
        print(f"   CPU per submission       {first['cpu'] / args.n:6.2f} s   (all processes; "
              f"{first['cpu'] / (first['wall'] * len(cpus)):.0%} of the cores' time"
              f"{')' if counted else '; sandboxes NOT counted: no child subreaper here)'}")
        print(f"   grading time, in worker  {per_sub[len(per_sub) // 2]:6.1f} s   median (max {per_sub[-1]:.1f} s)")
        print(f"   CPU-bound ceiling        {len(cpus) * 60 * args.n / first['cpu']:6.1f}   per minute, if the "
              f"{len(cpus)} cores were ours alone and always busy")
        print(f"   peak memory, PSS sum     {first['pss_kb'] / 1024:6.0f} MB  "
              f"(RSS sum {first['rss_kb'] / 1024:.0f} MB, up to {first['procs']} processes)")
        print(f"   second run (resume)      {second['wall']:6.1f} s   "
              f"{'graded nothing' if 'nothing to do' in second['output'] else 'GRADED AGAIN: ' + second['output']}")
        print(f"   load average after: {os.getloadavg()[0]:.1f} (other work on the machine slows the batch)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
