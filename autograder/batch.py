"""Grade a whole class:  python -m autograder.batch SUBMISSIONS_DIR --out OUT_DIR [--jobs N]

Every folder directly below SUBMISSIONS_DIR is one submission. Gradescope's
"Export Submissions" layout works as it is: its top-level submission_metadata.yml
names the students of each folder (without that file, the folder name is the
student id). Submissions are graded in parallel, one process per core, each with
its own sandbox exactly as `python -m autograder` grades a single one. Writes

    OUT_DIR/<submission>/results.json   Gradescope's document (autograder.results)
    OUT_DIR/<submission>/grading.log    the grader's log for that submission
    OUT_DIR/<submission>/key.json       the hashes the results were made from
    OUT_DIR/grades.csv                  one row per student, one column per test, the total

Interrupt it at any time and run it again: a submission whose key.json matches its
files (and this grader) is not graded again, so only new, changed or unfinished ones are.
"""

import argparse
import csv
import functools
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from tqdm import tqdm

from . import config, results

METADATA = "submission_metadata.yml"
GRADER_DIRS = ("autograder", "scratchnn_ref")  # a change here (but in INSTRUCTOR_TOOLS) changes every grade
INSTRUCTOR_TOOLS = {"batch.py", "report.py"}
KIT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Submission:
    id: str  # the folder's name; also the name of its folder in OUT_DIR
    path: Path
    students: list = field(default_factory=list)  # [{"sid", "name", "email"}]


# ---------------------------------------------------------------- finding the submissions
class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that reads unknown tags (Ruby objects in some exports) as plain data."""


def _plain(loader, suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _plain)


def _key(record: dict, name: str):
    """A field of Gradescope's metadata, whose keys are Ruby symbols (':name') or plain names."""
    return record.get(f":{name}", record.get(name))


def read_metadata(path: Path) -> dict[str, list[dict]]:
    """submission_metadata.yml -> {folder: [{"sid", "name", "email"}, ...]} (several for a group)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    out = {}
    for folder, record in data.items():
        people = _key(record, "submitters") if isinstance(record, dict) else None
        out[str(folder)] = [{"sid": str(_key(p, "sid") or ""), "name": str(_key(p, "name") or ""),
                             "email": str(_key(p, "email") or "")} for p in people or [] if isinstance(p, dict)]
    return out


def discover(root) -> list[Submission]:
    """The submissions below `root`, sorted by id; `root` may also be the folder that holds an unzipped export."""
    root = Path(root)
    if not (root / METADATA).is_file():
        inner = [d for d in root.iterdir() if d.is_dir() and (d / METADATA).is_file()]
        root = inner[0] if len(inner) == 1 else root
    metadata = read_metadata(root / METADATA) if (root / METADATA).is_file() else {}
    subs = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "__")):
            continue
        students = metadata.get(folder.name) or [{"sid": folder.name, "name": "", "email": ""}]
        subs.append(Submission(_safe_id(folder.name), folder, students))
    return subs


def _safe_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", name)


# ---------------------------------------------------------------- what a grade depends on
def tree_hash(folder: Path, suffix: str = "", skip=()) -> str:
    """sha256 of the regular files below `folder` (ending in `suffix`): relative paths and contents, sorted."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*" + suffix) if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(folder).as_posix()
        if "__pycache__" in rel or path.name in skip:
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def grader_hash() -> str:
    """The grader's code and reference: after a change there, every submission is graded again."""
    hashes = [tree_hash(KIT_ROOT / d, ".py", INSTRUCTOR_TOOLS) for d in GRADER_DIRS]
    return hashlib.sha256("".join(hashes).encode()).hexdigest()


def key_of(sub: Submission) -> dict:
    return {"files": tree_hash(sub.path), "grader": grader_hash()}


def why_grade(sub: Submission, out: Path) -> str:
    """Why OUT/<id>/results.json must be (re)made, or "" when it was made from these very files by this grader."""
    folder = out / sub.id
    try:
        stored = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unfinished" if (folder / "results.json").exists() else "new"
    key = key_of(sub)
    if not (folder / "results.json").is_file():
        return "unfinished"
    if stored.get("files") != key["files"]:
        return "resubmitted"
    if stored.get("grader") != key["grader"]:
        return "graded by another version of the grader (autograder/ or scratchnn_ref/ changed)"
    return ""


# ---------------------------------------------------------------- grading, in the worker processes
def _init_worker() -> None:
    """Import the grader once per worker, and build the checks once: they are the same for every
    submission. (The sandbox caches its probes of the Python and of namespaces itself.)

    Ctrl-C is left to the parent, which lets running gradings finish so that none is lost half-way.
    """
    from . import suite

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    suite.all_checks = functools.cache(suite.all_checks)
    suite.all_checks()


def grade_one(path: str, folder: str, key: dict) -> tuple[float, str]:
    """Grade one submission into `folder`: results.json, then key.json (so an interrupted one is redone).

    Returns (score, problem): problem is "" unless the grader itself failed.
    """
    from .__main__ import failure_document
    from .grade import grade

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "key.json").unlink(missing_ok=True)
    with open(folder / "grading.log", "w", encoding="utf-8") as log:
        try:
            doc = grade(path, log=log)
        except Exception as exc:  # the grader broke, not the student: keep going, retry on the next run
            log.write(f"grader failed: {exc!r}\n")
            results.write(failure_document(repr(exc)), folder / "results.json")
            return 0.0, f"grader failed ({exc!r}); see {folder / 'grading.log'}"
    results.write(doc, folder / "results.json")
    (folder / "key.json").write_text(json.dumps(key) + "\n", encoding="utf-8")
    return doc["score"], ""


# ---------------------------------------------------------------- grades.csv
def load_results(out: Path, subs: list[Submission]) -> dict[str, dict]:
    docs = {}
    for sub in subs:
        try:
            docs[sub.id] = json.loads((out / sub.id / "results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return docs


def write_csv(out: Path, subs: list[Submission], docs: dict[str, dict]) -> Path:
    """grades.csv: one row per student (a group's members share their row's scores), ungraded ones left blank."""
    tests = []
    for doc in docs.values():
        tests += [t["name"] for t in doc["tests"] if t["name"] not in tests]
    path = out / "grades.csv"
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["sid", "name", "email", "submission", "total", *tests])
        for sub in subs:
            doc = docs.get(sub.id)
            scores = {t["name"]: t["score"] for t in doc["tests"]} if doc else {}
            total = doc["score"] if doc else ""
            for s in sub.students:
                writer.writerow([s["sid"], s["name"], s["email"], sub.id, total, *(scores.get(t, "") for t in tests)])
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- the command
def parallel_is_safe() -> bool:
    """False when the sandboxes would run as config.SANDBOX_USER without PID namespaces: then each
    sandbox kills every process of that user at its end, the other gradings' sandboxes included."""
    from .sandbox import SandboxError, _namespaces_work, sandbox_user

    try:
        user = sandbox_user()
    except SandboxError:
        return True  # grading will fail with the reason, in parallel or not
    return not (user and user[2] == config.SANDBOX_USER) or _namespaces_work()


def run(root, out, jobs: int = None, force: bool = False, progress: bool = True) -> dict:
    """Grade what is not graded yet; returns counts {"total", "skipped", "graded", "failed", "interrupted"}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    subs = discover(root)
    reasons = {s.id: "forced" if force else why_grade(s, out) for s in subs}
    todo = [s for s in subs if reasons[s.id]]
    counts = {"total": len(subs), "skipped": len(subs) - len(todo), "graded": 0, "failed": 0, "interrupted": False}
    if not todo:
        print(f"All {len(subs)} submissions in {root} are graded already (results up to date): nothing to do.")
    else:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        if jobs > 1 and not parallel_is_safe():
            print(f"Grading one at a time: the sandbox runs as user {config.SANDBOX_USER} without namespaces and, "
                  "when it stops, kills every process of that user, the other gradings' sandboxes included.")
            jobs = 1
        why = ", ".join(f"{n} {reason}" for reason, n in Counter(reasons[s.id] for s in todo).most_common())
        print(f"{len(subs)} submissions: {counts['skipped']} up to date, {why}: grading {len(todo)} "
              f"on {jobs} processes.")
        counts.update(_grade_all(todo, out, jobs, progress))
    path = write_csv(out, subs, load_results(out, subs))
    print(f"wrote {path}")
    return counts


def _grade_all(todo: list[Submission], out: Path, jobs: int, progress: bool) -> dict:
    graded, failed, started = 0, 0, time.monotonic()
    bar = tqdm(total=len(todo), unit="sub", disable=not progress, file=sys.stdout)
    # spawn: fresh workers, never a fork of a process whose torch threads are already running
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)
    futures = {}
    try:
        futures = {pool.submit(grade_one, str(s.path), str(out / s.id), key_of(s)): s for s in todo}
        for future in as_completed(futures):
            sub = futures[future]
            try:
                score, problem = future.result()
            except Exception as exc:  # the worker process itself died
                score, problem = 0.0, f"worker died: {exc!r}"
            if problem:
                failed += 1
                tqdm.write(f"{sub.id}: {problem}", file=sys.stdout)
            graded += 1
            bar.set_postfix_str(f"{sub.id} {score:g}", refresh=False)
            bar.update()
    except KeyboardInterrupt:
        bar.close()
        print(f"\nInterrupted after {graded} of {len(todo)}; letting the running gradings finish ...")
        pool.shutdown(wait=True, cancel_futures=True)
        graded = sum(1 for f in futures if f.done() and not f.cancelled())
        print(f"{graded} of {len(todo)} graded. Run the same command again to grade the rest.")
        return {"graded": graded, "failed": failed, "interrupted": True}
    pool.shutdown(wait=True)
    bar.close()
    minutes = (time.monotonic() - started) / 60
    print(f"graded {graded} in {minutes * 60:.0f} s ({graded / minutes:.1f} per minute), {failed} grader failures")
    return {"graded": graded, "failed": failed}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.batch", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", help="folder with one folder per submission (or Gradescope's export)")
    parser.add_argument("--out", required=True, help="where results, grades.csv and logs go")
    parser.add_argument("--jobs", type=int, default=None, help="processes in parallel (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade everything again, even if up to date")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    counts = run(args.submissions, args.out, args.jobs, args.force, not args.no_progress)
    if counts["interrupted"]:
        return 130
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
