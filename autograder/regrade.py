"""What a regrade changed: earlier results kept, and compared test by test with the new ones.

Before `python -m autograder.batch` grades a submission again (it was resubmitted, the grader changed,
or --force), it moves OUT/<submission>/results.json to OUT/<submission>/history/<n>-results.json,
n = 1, 2, 3, ... (the highest is the latest). Comparing each submission's results.json with its latest
kept one says what that submission's latest regrade changed: OUT/changes.csv (one row per student and
changed test), the batch's printed summary, and a section of report.html. Totals are raw scores, before
any late penalty.
"""

import csv
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HISTORY = "history"
CHANGES = "changes.csv"
EPS = 1e-9


@dataclass(frozen=True)
class TestChange:
    """One test whose score is not what it was; None where the test was not in that grading."""

    test: str
    old: float | None
    new: float | None


@dataclass
class Change:
    """A submission's latest regrade: its totals before and after, and the tests that moved."""

    submission: str
    old_total: float | None  # None when the earlier results cannot be read (problem says so)
    new_total: float
    regraded: str  # when the new results were written, e.g. "2026-03-02 10:15:04+01:00"
    tests: list[TestChange] = field(default_factory=list)
    problem: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.tests or self.problem) or abs(self.new_total - self.old_total) > EPS


# ---------------------------------------------------------------- keeping the earlier results
def history(folder: Path) -> list[Path]:
    """The kept results of OUT/<submission> `folder`, oldest first."""
    found = []
    for path in (Path(folder) / HISTORY).glob("*-results.json"):
        number = path.name.split("-", 1)[0]
        if number.isdigit():
            found.append((int(number), path))
    return [path for _, path in sorted(found)]


def keep_previous(folder: Path) -> bool:
    """Move `folder`/results.json to the next history/<n>-results.json; False when there is none to keep."""
    current = Path(folder) / "results.json"
    if not current.is_file():
        return False
    kept = history(folder)
    number = int(kept[-1].name.split("-", 1)[0]) + 1 if kept else 1
    target = Path(folder) / HISTORY / f"{number:03d}-results.json"
    target.parent.mkdir(exist_ok=True)
    os.replace(current, target)
    return True


# ---------------------------------------------------------------- comparing
def _scores(path: Path) -> tuple[float, dict[str, float]]:
    """(total, {test: score}) of a results document; ValueError when it is not one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path.name} cannot be read ({str(exc)[:120]})") from exc
    tests = doc.get("tests") if isinstance(doc, dict) else None
    if not isinstance(tests, list) or not isinstance(doc.get("score"), (int, float)):
        raise ValueError(f"{path.name} is not a results document")
    scores = {}
    for t in tests:
        if isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("score"), (int, float)):
            scores.setdefault(t["name"], float(t["score"]))
    return float(doc["score"]), scores


def compare(old: tuple[float, dict], new: tuple[float, dict], submission: str, regraded: str) -> Change:
    """The Change from `old` to `new`, each (total, {test: score}); tests in results.json order, new ones last."""
    (old_total, old_tests), (new_total, new_tests) = old, new
    tests = []
    for name in [*new_tests, *(n for n in old_tests if n not in new_tests)]:
        before, after = old_tests.get(name), new_tests.get(name)
        if before is None or after is None or abs(before - after) > EPS:
            tests.append(TestChange(name, before, after))
    return Change(submission, old_total, new_total, regraded, tests)


def change_of(folder: Path) -> Change | None:
    """What the latest regrade of OUT/<submission> `folder` changed; None when it was graded only once
    (or its current results cannot be read: then there is nothing to compare yet)."""
    kept = history(folder)
    current = Path(folder) / "results.json"
    if not kept:
        return None
    try:
        new = _scores(current)
    except ValueError:
        return None
    regraded = datetime.fromtimestamp(current.stat().st_mtime).astimezone().isoformat(sep=" ", timespec="seconds")
    try:
        old = _scores(kept[-1])
    except ValueError as exc:
        return Change(Path(folder).name, None, new[0], regraded, problem=f"the earlier results: {exc}")
    return compare(old, new, Path(folder).name, regraded)


def class_changes(out: Path, ids=None) -> list[Change]:
    """The latest regrade of every submission in OUT graded more than once (only those in `ids`, if given)."""
    folders = sorted(p.parent for p in Path(out).glob(f"*/{HISTORY}"))
    changes = [change_of(f) for f in folders if ids is None or f.name in ids]
    return [c for c in changes if c is not None]


# ---------------------------------------------------------------- changes.csv
def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def write_changes(out: Path, changes: list[Change], students: dict[str, list[dict]]) -> Path:
    """OUT/changes.csv: a row per student and changed test of every submission whose latest regrade changed
    something (a changed submission without a changed test has one row, test empty). `students` maps a
    submission to its students ({"sid", "name", "email"}); a submission not in it has one row without them."""
    path = Path(out) / CHANGES
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["sid", "name", "email", "submission", "regraded", "old_total", "new_total",
                         "test", "old_score", "new_score", "problem"])
        for c in (c for c in changes if c.changed):
            for s in students.get(c.submission) or [{"sid": "", "name": "", "email": ""}]:
                for t in c.tests or [TestChange("", None, None)]:
                    writer.writerow([s["sid"], s["name"], s["email"], c.submission, c.regraded, _num(c.old_total),
                                     _num(c.new_total), t.test, _num(t.old), _num(t.new), c.problem])
    os.replace(tmp, path)
    return path


def summary(changes: list[Change]) -> str:
    """What a run's regrades changed, in a few lines: the ones with earlier results, changed or not."""
    if not changes:
        return ""
    moved = [c for c in changes if c.changed]
    if not moved:
        return f"regraded {len(changes)} submission(s) that had earlier results: no score changed."
    lines = [f"regraded {len(changes)} submission(s) that had earlier results: {len(moved)} changed "
             f"(see {CHANGES}):"]
    for c in moved[:10]:
        lines.append(f"  {c.submission}: {_num(c.old_total) or '?'} -> {_num(c.new_total)}"
                     f" ({len(c.tests)} test(s) changed){'; ' + c.problem if c.problem else ''}")
    if len(moved) > 10:
        lines.append(f"  ... and {len(moved) - 10} more")
    return "\n".join(lines)
