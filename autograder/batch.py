"""Grade a whole class:  python -m autograder.batch SUBMISSIONS_DIR --out OUT_DIR [--jobs N]

Every folder directly below SUBMISSIONS_DIR is one submission. Gradescope's
"Export Submissions" layout works as it is: its top-level submission_metadata.yml
names the students of each folder (without that file, the folder name is the
student id). Submissions are graded in parallel, one process per core, each with
its own sandbox exactly as `python -m autograder` grades a single one. Writes

    OUT_DIR/<submission>/results.json   Gradescope's document (autograder.results)
    OUT_DIR/<submission>/grading.log    the grader's log for that submission
    OUT_DIR/<submission>/key.json       the hashes the results were made from
    OUT_DIR/<submission>/history/       its earlier results.json files, n-results.json (see below)
    OUT_DIR/grades.csv                  one row per student: submission time, due date, hours late,
                                        raw score, late penalty, total (raw - penalty), one column
                                        per test, and what went wrong (problem)
    OUT_DIR/changes.csv                 what each submission's latest regrade changed

Regrades: before a submission is graded again, its results.json is moved to
OUT_DIR/<submission>/history/<n>-results.json (n = 1, 2, ...; the highest is the latest), and
changes.csv lists, per student, the old and new total and every test whose score changed
(autograder.regrade). A regrade that changed no score says so in the summary.

Late work: a due date, an optional late due date and a penalty rule (autograder.late) come from
LATE_WORK in the assignment's config (autograder/hw1/config.py), if it has one, or from --due, --late-due, --penalty and
--timezone; --extensions FILE gives students their own due dates. The penalty only changes
grades.csv (results.json keeps the raw score), so changing the rule and running again regrades nothing.

Interrupt it at any time and run it again: a submission whose key.json matches its
files (and this grader) is not graded again, so only new, changed or unfinished ones are.

One submission's trouble stays its own: metadata that cannot be read, files that cannot
be hashed, a grader failure or a grading process that dies are recorded against that
submission (its results.json says so, its row in grades.csv has a problem) and the rest
of the class is graded. A failed grading has no key.json, so the next run grades it again.

On several machines (autograder.shards; cluster/README.md): `--shard K/N` grades only the K-th of N
shards of the class into the shared OUT_DIR (per-submission files only: no grades.csv, no changes.csv),
and once every shard is done, `python -m autograder.batch SUBMISSIONS_DIR --merge OUT_DIR` writes
grades.csv, changes.csv and report.html from all of them. The merge reads the class from
SUBMISSIONS_DIR, so it lists (and marks in grades.csv) every submission without up-to-date results.
"""

import argparse
import csv
import dataclasses
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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from tqdm import tqdm

from . import assignment, late, limits, regrade, results, shards, submission
from .release import TOOLS

METADATA = "submission_metadata.yml"
GRADER_DIRS = ("autograder", "scratchnn_ref")  # a change here (but in INSTRUCTOR_TOOLS) changes every grade
INSTRUCTOR_TOOLS = set(TOOLS)  # release.TOOLS: a change to them changes no grade
KIT_ROOT = Path(__file__).resolve().parent.parent
MAX_HASH_BYTES = 256 << 20  # of other files' contents hashed per submission; past it, size and time stand in


@dataclass
class Submission:
    id: str  # the folder's name; also the name of its folder in OUT_DIR
    path: Path
    students: list = field(default_factory=list)  # [{"sid", "name", "email"}]
    problem: str = ""  # what went wrong with it in this run, for grades.csv ("" when nothing did)
    created_at: str = ""  # when it was handed in, as the metadata gives it ("" when it does not)


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


def _field(record: dict, name: str) -> str:
    value = _key(record, name)
    return str(value) if isinstance(value, (str, int, float)) else ""


def _records(path: Path) -> dict:
    """submission_metadata.yml as {folder: its record}."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    return {str(folder): record for folder, record in data.items()} if isinstance(data, dict) else {}


def read_metadata(path: Path) -> dict[str, list[dict]]:
    """submission_metadata.yml -> {folder: [{"sid", "name", "email"}, ...]} (several for a group;
    none for a folder whose entry has no list of submitters)."""
    out = {}
    for folder, record in _records(path).items():
        people = _key(record, "submitters") if isinstance(record, dict) else None
        people = people if isinstance(people, list) else []
        out[folder] = [{"sid": _field(p, "sid"), "name": _field(p, "name"), "email": _field(p, "email")}
                       for p in people if isinstance(p, dict)]
    return out


def read_times(path: Path) -> dict[str, str]:
    """submission_metadata.yml -> {folder: its :created_at: as text} ("" where there is none). YAML reads
    Gradescope's times as datetimes, written back here in ISO form; a Ruby TimeWithZone gives its utc."""
    out = {}
    for folder, record in _records(path).items():
        value = _key(record, "created_at") if isinstance(record, dict) else None
        if isinstance(value, dict):
            value = value.get("utc", value.get("time"))
        out[folder] = value.isoformat() if isinstance(value, datetime) else str(value) if value is not None else ""
    return out


def discover(root) -> list[Submission]:
    """The submissions below `root`, sorted by id; `root` may also be the folder that holds an unzipped export.

    Metadata that cannot be read leaves the folder names as student ids, and says so in each one's problem.
    """
    root = Path(root)
    if not (root / METADATA).is_file():
        inner = [d for d in root.iterdir() if d.is_dir() and (d / METADATA).is_file()]
        root = inner[0] if len(inner) == 1 else root
    metadata, times, unread = {}, {}, ""
    if (root / METADATA).is_file():
        try:
            metadata, times = read_metadata(root / METADATA), read_times(root / METADATA)
        except Exception as exc:  # a broken export file must not stop the class from being graded
            unread = f"{METADATA} could not be read ({str(exc)[:200]}): the folder name stands for the student"
            print(unread)
    subs, ids = [], set()
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "__")):
            continue
        students = metadata.get(folder.name)
        problem = unread or ("" if students or not metadata else
                             f"no submitters for this folder in {METADATA}: the folder name stands for the student")
        sid = submission.shown(folder.name)
        students = students or [{"sid": sid, "name": "", "email": ""}]
        subs.append(Submission(_unique(_safe_id(folder.name), ids), folder, students, problem,
                               created_at=times.get(folder.name, "")))
    return subs


def _safe_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", name)


def _unique(sub_id: str, taken: set) -> str:
    """`sub_id`, or with a number appended when another folder's name made the same id (a_ from a? and a!)."""
    unique, n = sub_id, 1
    while unique in taken:
        n += 1
        unique = f"{sub_id}-{n}"
    taken.add(unique)
    return unique


# ---------------------------------------------------------------- what a grade depends on
def tree_hash(folder: Path, suffix: str = "", skip=()) -> str:
    """sha256 of the files below `folder` (ending in `suffix`, not named in `skip`): sorted relative paths
    and contents.

    The tree is walked as the grader walks a submission (submission.walk: bounded, no link followed,
    only regular files opened). Files that could be graded are always hashed by content; the others
    until MAX_HASH_BYTES of content, and then by size and modification time. What the walk skipped
    (symlinks, special files, folders too deep or unreadable) counts by name.
    """
    tree = submission.walk(folder)
    h = hashlib.sha256()
    budget = MAX_HASH_BYTES
    for entry in sorted(tree.files, key=lambda e: e.rel):
        name = entry.rel.rsplit("/", 1)[-1]
        if not name.endswith(suffix) or name in skip:
            continue
        graded = name in assignment.load().student_files and entry.size <= submission.MAX_FILE_BYTES
        data = None
        if graded or entry.size <= budget:
            data, _ = submission.read_regular(os.path.join(folder, entry.rel), entry.size)
        if data is None:
            data = f"size {entry.size}, modified {entry.mtime_ns}".encode()
        elif not graded:
            budget -= len(data)
        h.update(os.fsencode(entry.rel) + b"\0" + data + b"\0")
    for kind, names in (("symlink", tree.symlinks), ("special", tree.special), ("too deep", tree.too_deep),
                        ("unreadable", tree.unreadable)):
        for rel in names:
            h.update(kind.encode() + b"\0" + os.fsencode(rel) + b"\0")
    return h.hexdigest()


@functools.cache
def grader_hash() -> str:
    """The grader's code and reference: after a change there, every submission is graded again."""
    hashes = [tree_hash(KIT_ROOT / d, ".py", INSTRUCTOR_TOOLS) for d in GRADER_DIRS]
    return hashlib.sha256("".join(hashes).encode()).hexdigest()


def key_of(sub: Submission) -> dict:
    return {"files": tree_hash(sub.path), "grader": grader_hash()}


def safe_key(sub: Submission):
    """key_of(sub), or None (and the submission's problem says why) when its files cannot be hashed."""
    try:
        return key_of(sub)
    except Exception as exc:  # whatever the tree holds, the class is still graded
        sub.problem = _joined(sub.problem, f"its files could not be hashed ({exc!r}), so it is graded on every run")
        return None


def _joined(*problems) -> str:
    return "; ".join(p for p in problems if p)


def why_grade(sub: Submission, out: Path, key: dict = None) -> str:
    """Why OUT/<id>/results.json must be (re)made, or "" when it was made from these very files by this grader.

    `key` is key_of(sub) when already known; None there means it is computed here.
    """
    folder = out / sub.id
    try:
        stored = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unfinished" if (folder / "results.json").exists() else "new"
    key = key or key_of(sub)
    if not (folder / "results.json").is_file() or not isinstance(stored, dict):
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
    global _ASSIGNMENT
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    a = assignment.load()
    _ASSIGNMENT = dataclasses.replace(a, checks=functools.cache(a.checks))
    _ASSIGNMENT.checks()


_ASSIGNMENT = None  # the worker's assignment, its checks built once (None: load it for each grading)


def grade_one(path: str, folder: str, key) -> tuple[float, str]:
    """Grade one submission into `folder`: results.json, then key.json (so an interrupted one is redone;
    with `key` None, for files that could not be hashed, there is none and it is graded on every run).

    Returns (score, problem): problem is "" unless the grader itself failed, at any step.
    """
    from .grade import grade

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "key.json").unlink(missing_ok=True)
        regrade.keep_previous(folder)  # the earlier results.json, if any, goes to history/
        with open(folder / "grading.log", "w", encoding="utf-8", errors="backslashreplace") as log:
            try:
                doc = grade(path, log=log, assignment=_ASSIGNMENT or assignment.load())
            except Exception as exc:
                log.write(f"grader failed: {exc!r}\n")
                raise
        results.write(doc, folder / "results.json")
        if key:
            (folder / "key.json").write_text(json.dumps(key) + "\n", encoding="utf-8")
        return doc["score"], ""
    except Exception as exc:  # the grader broke, not the student: keep going, retry on the next run
        return 0.0, record_failure(folder, f"grader failed ({exc!r}); see {folder / 'grading.log'}")


def record_failure(folder: Path, problem: str) -> str:
    """A results.json in `folder` that says the grader failed (when it can be written at all); returns `problem`."""
    from .__main__ import failure_document

    try:
        (Path(folder) / "key.json").unlink(missing_ok=True)
        results.write(failure_document(problem), Path(folder) / "results.json")
    except Exception:  # e.g. OUT/<id> is not a folder: grades.csv still has the problem
        pass
    return problem


# ---------------------------------------------------------------- grades.csv
def load_results(out: Path, subs: list[Submission]) -> dict[str, dict]:
    """Each submission's results.json that exists and has the shape grades.csv needs."""
    docs = {}
    for sub in subs:
        path = out / sub.id / "results.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if _usable(doc):
            docs[sub.id] = doc
        else:
            sub.problem = _joined(sub.problem, f"{path} is not a results document")
    return docs


def _usable(doc) -> bool:
    tests = doc.get("tests") if isinstance(doc, dict) else None
    return (isinstance(doc.get("score") if isinstance(doc, dict) else None, (int, float)) and isinstance(tests, list)
            and all(isinstance(t, dict) and isinstance(t.get("name"), str)
                    and isinstance(t.get("score"), (int, float)) for t in tests))


# The columns of grades.csv before the tests' (the last one, after the tests, is "problem").
COLUMNS = ["sid", "name", "email", "submission", "submitted_at", "due", "hours_late", "raw", "penalty", "total"]
ON_TIME = late.Late(None, None, 0.0)


def write_csv(out: Path, subs: list[Submission], docs: dict[str, dict], lateness: dict = None) -> Path:
    """grades.csv: one row per student (a group's members share their row's scores), ungraded ones left blank,
    and in the last column what went wrong with the submission, if anything.

    `lateness` maps a submission to its late.Late: its due date, hours late and penalty; total is the raw
    score less the penalty (a submission without an entry has none)."""
    tests = []
    for doc in docs.values():
        tests += [t["name"] for t in doc["tests"] if t["name"] not in tests]
    path = out / "grades.csv"
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*COLUMNS, *tests, "problem"])
        for sub in subs:
            doc = docs.get(sub.id)
            lt = (lateness or {}).get(sub.id, ON_TIME)
            scores = {t["name"]: t["score"] for t in doc["tests"]} if doc else {}
            raw, penalty, total = (doc["score"], lt.penalty, round(doc["score"] - lt.penalty, 4)) if doc else ("",) * 3
            due = late.shown(lt.due) if lt.due else ""
            hours = "" if lt.hours is None else f"{lt.hours:g}"
            for s in sub.students:
                writer.writerow([s["sid"], s["name"], s["email"], sub.id, sub.created_at, due, hours, raw, penalty,
                                 total, *(scores.get(t, "") for t in tests), _joined(sub.problem, lt.problem)])
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- late work and regrades, after grading
def late_penalties(subs: list[Submission], docs: dict[str, dict], policy: late.LatePolicy,
                   extensions: dict) -> dict[str, late.Late]:
    """Each graded submission's late.Late under `policy`; a group gets its members' most generous extension."""
    out = {}
    for sub in subs:
        doc = docs.get(sub.id)
        if doc:
            possible = sum(t["max_score"] for t in doc["tests"] if isinstance(t.get("max_score"), (int, float)))
            out[sub.id] = late.assess(policy, sub.created_at, doc["score"], possible,
                                      late.extension_for(sub.students, extensions))
    return out


def unused_extensions(subs: list[Submission], extensions: dict) -> list[str]:
    """The students of `extensions` that no submission has (a typo, or a student who did not hand in)."""
    known = {key.strip().lower() for sub in subs for s in sub.students for key in (s["sid"], s["email"]) if key}
    return sorted(e.student for key, e in extensions.items() if key not in known)


def print_lateness(policy: late.LatePolicy, lateness: dict[str, late.Late]) -> None:
    if policy.due is None and not any(lt.due for lt in lateness.values()):
        return
    overdue = [lt for lt in lateness.values() if lt.hours]
    zeroed = sum(1 for lt in overdue if lt.after_late_due)
    unknown = sum(1 for lt in lateness.values() if lt.problem)
    print(f"late work: {policy.describe()}.\n  {len(overdue)} of {len(lateness)} graded submissions late, "
          f"{sum(1 for lt in overdue if lt.penalty)} with a penalty"
          + (f", {zeroed} after the late due date" if zeroed else "")
          + (f"; {unknown} without a readable submission time (no penalty; see grades.csv)" if unknown else "") + ".")


def print_changes(out: Path, subs: list[Submission], regraded: set) -> None:
    """Write changes.csv (every submission's latest regrade) and print what this run's regrades changed."""
    changes = regrade.class_changes(out, {s.id for s in subs})
    path = regrade.write_changes(out, changes, {s.id: s.students for s in subs})
    said = regrade.summary([c for c in changes if c.submission in regraded])
    if said:
        print(said.replace(regrade.CHANGES, str(path), 1))


# ---------------------------------------------------------------- the command
def parallel_is_safe() -> bool:
    """False when the sandboxes would run as limits.SANDBOX_USER without PID namespaces: then each
    sandbox kills every process of that user at its end, the other gradings' sandboxes included."""
    from .sandbox import SandboxError, _namespaces_work, sandbox_user

    try:
        user = sandbox_user()
    except SandboxError:
        return True  # grading will fail with the reason, in parallel or not
    return not (user and user[2] == limits.SANDBOX_USER) or _namespaces_work()


def _keep_from_the_sandbox(root: Path, out: Path) -> None:
    """As root, make the class's submissions and the grades unreadable to the sandbox user: where the
    sandbox has no view of its own (no bubblewrap, no namespaces), permissions are all that keep them
    apart. Only the two top folders change (others may no longer enter them)."""
    if os.geteuid() != 0:
        return
    for folder in (root, out):
        try:
            mode = folder.stat().st_mode
            if mode & 0o007:
                os.chmod(folder, mode & ~0o007)
        except OSError:
            pass


def run(root, out, jobs: int = None, force: bool = False, progress: bool = True,
        policy: late.LatePolicy = None, extensions: dict = None, shard: shards.Shard = None) -> dict:
    """Grade what is not graded yet; returns counts {"total", "skipped", "graded", "failed", "interrupted"}.

    `policy` is the late-work rule (default: LATE_WORK of the assignment's config, else none) and
    `extensions` {SID or email: late.Extension} the students' own due dates. With a `shard`, only
    that shard's submissions are graded, and grades.csv and changes.csv are left to merge()."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _keep_from_the_sandbox(Path(root), out)
    subs = discover(root)
    if shard:
        mine = set(shards.of([s.id for s in subs], shard))
        subs = [s for s in subs if s.id in mine]
        root = f"{root} (shard {shard})"
    keys = {s.id: safe_key(s) for s in subs}
    reasons = {s.id: "forced" if force else "unhashable" if keys[s.id] is None else why_grade(s, out, keys[s.id])
               for s in subs}
    todo = [s for s in subs if reasons[s.id]]
    counts = {"total": len(subs), "skipped": len(subs) - len(todo), "graded": 0, "failed": 0, "interrupted": False}
    regraded = set()  # graded again in this run, their earlier results kept in history/
    if not todo:
        print(f"All {len(subs)} submissions in {root} are graded already (results up to date): nothing to do.")
    else:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        if jobs > 1 and not parallel_is_safe():
            print(f"Grading one at a time: the sandbox runs as user {limits.SANDBOX_USER} without namespaces and, "
                  "when it stops, kills every process of that user, the other gradings' sandboxes included.")
            jobs = 1
        why = ", ".join(f"{n} {reason}" for reason, n in Counter(reasons[s.id] for s in todo).most_common())
        print(f"{len(subs)} submissions: {counts['skipped']} up to date, {why}: grading {len(todo)} "
              f"on {jobs} processes.")
        kept = {s.id: len(regrade.history(out / s.id)) for s in todo}
        counts.update(_grade_all(todo, out, jobs, progress, keys))
        regraded = {i for i, n in kept.items() if len(regrade.history(out / i)) > n}
    if shard:
        print(f"shard {shard} done; once every shard is, merge them with --merge {out}")
    else:
        write_grades(out, subs, policy, extensions, regraded)
    return counts


def write_grades(out: Path, subs: list[Submission], policy: late.LatePolicy = None, extensions: dict = None,
                 regraded: set = ()) -> None:
    """grades.csv (under the late-work `policy` and `extensions`) and changes.csv for `subs`; prints what
    the regrades of `regraded` changed."""
    policy = policy or late.policy_from(late.configured())
    extensions = extensions or {}
    for student in unused_extensions(subs, extensions):
        print(f"extension for {student}: no submission has that student")
    docs = load_results(out, subs)
    lateness = late_penalties(subs, docs, policy, extensions)
    path = write_csv(out, subs, docs, lateness)
    print(f"wrote {path}")
    print_lateness(policy, lateness)
    print_changes(out, subs, regraded)


def merge(root, out, policy: late.LatePolicy = None, extensions: dict = None, report: bool = True) -> dict:
    """After the shards: grades.csv, changes.csv and (with `report`) report.html for the whole class in `out`.

    The class is read from `root` again, so a submission without up-to-date results (no shard graded it
    yet, its grading failed, or it changed since) is listed here and in its grades.csv row, never dropped.
    Returns {"total", "merged", "missing": [ids without results], "stale": [ids with out-of-date ones]}."""
    out = Path(out)
    if not out.is_dir():
        raise SystemExit(f"--merge {out}: no such folder; grade the shards into it first")
    subs = discover(root)
    missing, stale = [], []
    for sub in subs:
        key = safe_key(sub)
        if not (out / sub.id / "results.json").is_file():
            missing.append(sub.id)
            sub.problem = _joined(sub.problem, "no results yet: no shard has graded it")
        elif key and (reason := why_grade(sub, out, key)):
            stale.append(sub.id)
            sub.problem = _joined(sub.problem, f"results not up to date ({reason}): grade its shard again")
    write_grades(out, subs, policy, extensions, {s.id for s in subs})
    merged = len(subs) - len(missing) - len(stale)
    print(f"merged {merged} of {len(subs)} submissions from {out}")
    for ids, what in ((missing, "without results yet"), (stale, "with results not up to date")):
        if ids:
            print(f"{len(ids)} {what} (grade their shards again, then merge): {', '.join(ids)}")
    if report and merged + len(stale):
        from .report import write_report

        print(f"wrote {write_report(out)}")
    return {"total": len(subs), "merged": merged, "missing": missing, "stale": stale}


def _grade_all(todo: list[Submission], out: Path, jobs: int, progress: bool, keys: dict, work=None) -> dict:
    """Grade `todo` in `jobs` spawned processes (`work` stands in for grade_one in tests).

    A process that dies takes every grading then running or waiting in its pool with it: those are
    graded again, each in a fresh pool of its own, so that only one that kills its process again
    is recorded as failed.
    """
    counts = {"graded": 0, "failed": 0}
    started = time.monotonic()
    bar = tqdm(total=len(todo), unit="sub", disable=not progress, file=sys.stdout)
    try:
        lost = _pool_round(todo, out, jobs, keys, work, bar, counts, last=False)
        for sub in lost:
            _pool_round([sub], out, 1, keys, work, bar, counts, last=True)
    except KeyboardInterrupt:
        bar.close()
        print(f"{counts['graded']} of {len(todo)} graded. Run the same command again to grade the rest.")
        return {**counts, "interrupted": True}
    bar.close()
    minutes = (time.monotonic() - started) / 60
    print(f"graded {counts['graded']} in {minutes * 60:.0f} s ({counts['graded'] / minutes:.1f} per minute), "
          f"{counts['failed']} grader failures")
    return counts


def _pool_round(subs: list, out: Path, jobs: int, keys: dict, work, bar, counts: dict, last: bool) -> list:
    """Grade `subs` in one pool; returns those lost with a process that died (recorded as failed when `last`).

    On Ctrl-C the running gradings finish (they are counted) and KeyboardInterrupt goes on up.
    """
    work = work or grade_one
    # spawn: fresh workers, never a fork of a process whose torch threads are already running
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker if work is grade_one else None)
    futures, seen, lost = {}, set(), []
    try:
        futures = {pool.submit(work, str(s.path), str(out / s.id), keys.get(s.id)): s for s in subs}
        for future in as_completed(futures):
            sub = futures[future]
            seen.add(future)
            try:
                score, problem = future.result()
            except BrokenProcessPool as exc:
                if not last:
                    lost.append(sub)
                    continue
                score, problem = 0.0, record_failure(out / sub.id, f"its grading process died ({exc!r})")
            except Exception as exc:  # e.g. a result that could not be sent back
                score, problem = 0.0, record_failure(out / sub.id, f"grading failed in its process ({exc!r})")
            if problem:
                counts["failed"] += 1
                sub.problem = _joined(sub.problem, problem)
                tqdm.write(f"{sub.id}: {problem}", file=sys.stdout)
            counts["graded"] += 1
            bar.set_postfix_str(f"{sub.id} {score:g}", refresh=False)
            bar.update()
    except KeyboardInterrupt:
        bar.close()
        print("\nInterrupted; letting the running gradings finish ...")
        pool.shutdown(wait=True, cancel_futures=True)
        counts["graded"] += sum(1 for f in futures if f not in seen and f.done() and not f.cancelled())
        raise
    pool.shutdown(wait=True)
    return lost


def late_work(args) -> tuple[late.LatePolicy, dict]:
    """The late-work rule and extensions for this run: LATE_WORK, overridden by the command's options."""
    given = {"due": args.due, "late_due": args.late_due, "penalty": args.penalty, "timezone": args.timezone}
    policy = late.policy_from({**late.configured(), **{k: v for k, v in given.items() if v is not None}})
    extensions = {}
    if args.extensions:
        extensions, skipped = late.read_extensions(args.extensions, policy)
        for message in skipped:
            print(message)
    return policy, extensions


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.batch", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", help="folder with one folder per submission (or Gradescope's export)")
    parser.add_argument("--out", help="where results, grades.csv and logs go")
    parser.add_argument("--shard", metavar="K/N", help="grade only the K-th of N shards (K from 1) into --out, "
                        "without grades.csv: see autograder/shards.py")
    parser.add_argument("--merge", metavar="OUT", help="grade nothing: write grades.csv, changes.csv and "
                        "report.html in OUT from every shard's results, and list the submissions without any")
    parser.add_argument("--jobs", type=int, default=None, help="processes in parallel (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade everything again, even if up to date")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--assignment", choices=assignment.names(),
                        help="which assignment (default: the first); the worker processes inherit it")
    group = parser.add_argument_group("late work (each overrides LATE_WORK of the assignment's config, if it has one)")
    group.add_argument("--due", help='the due date, e.g. "2026-03-01 23:59" or 2026-03-01T23:59-08:00')
    group.add_argument("--late-due", help="the late due date: handed in after it, a submission scores 0")
    group.add_argument("--penalty", help='per started hour or day late, in %% of the points: "10%%/day", '
                       '"2%%/hour", "10%%/day, at most 50%%"')
    group.add_argument("--timezone", help="IANA name (e.g. Europe/Paris) for dates without a UTC offset "
                       "(default: this machine's)")
    group.add_argument("--extensions", metavar="FILE", help="CSV of student (SID or email) and due (the new due "
                       "date), optionally late_due")
    args = parser.parse_args(argv)
    if args.assignment:
        os.environ[assignment.ENV] = args.assignment
    if not Path(args.submissions).is_dir():
        parser.error(f"{args.submissions}: no such folder of submissions")
    if bool(args.out) == bool(args.merge):
        parser.error("give either --out OUT (to grade) or --merge OUT (to merge the shards graded into OUT)")
    try:
        shard = shards.parse(args.shard) if args.shard else None
        if shard and args.merge:
            parser.error("--shard grades, --merge does not: run the shards first, then --merge alone")
        policy, extensions = late_work(args)
    except (late.LateWorkError, shards.ShardError) as exc:
        parser.error(str(exc))
    if args.merge:
        merged = merge(args.submissions, args.merge, policy, extensions)
        return 1 if merged["missing"] or merged["stale"] else 0
    counts = run(args.submissions, args.out, args.jobs, args.force, not args.no_progress, policy, extensions, shard)
    if counts["interrupted"]:
        return 130
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
