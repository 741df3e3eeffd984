"""Grades for an LMS:  python -m autograder.export OUT_DIR --format canvas|moodle|csv [--roster ROSTER.csv]

Reads OUT_DIR/grades.csv, as python -m autograder.batch wrote it (one row per student, the students
named by Gradescope's submission_metadata.yml; total is the raw score less any late penalty), and
writes one of

    canvas  Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one column
            for the assignment, and a second row "Points Possible" with its points. Canvas matches a
            row by ID (its own user id), then SIS User ID, then SIS Login ID, then the name. Name the
            column as an existing assignment ("Homework 1", or "Homework 1 (12345)" with its Canvas id)
            to fill that one; another name makes a new assignment.
    moodle  Moodle's grade import (CSV file): Email address, ID number, then the grade column; on
            import, map "Email address" to the user's email (or "ID number" to the ID number) and the
            grade column to the grade item.
    csv     sid, name, email, section, submission, raw, penalty, total, one column per test, problem.

The assignment column is --column, by default the name of OUT_DIR. Without --roster, each student's
identifiers are Gradescope's: SIS User ID is the SID and SIS Login ID the email, ID and Section stay
empty. With --roster (Canvas's own gradebook export is the surest, or any CSV with a header naming an
email, SID or login column), the rows are the roster's, in its order and with its identifiers, each
matched to a grade by email or SID.

No student is dropped silently: those on the roster without a grade (they keep an empty cell, which
Canvas reads as "no change"), those graded but not on the roster (left out of an LMS file, kept in
csv), those graded twice (the higher total is kept) and those whose submission was not graded are
listed on stderr and in a file next to the output, <output>.unmatched.csv.
"""

import argparse
import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .batch import COLUMNS

FORMATS = ("canvas", "moodle", "csv")
CANVAS_STUDENT = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_STUDENT = ["Email address", "ID number"]
# roster headers (lower case) -> what they hold
ROSTER_COLUMNS = {
    "email": ("email", "email address", "e-mail", "e-mail address"),
    "sid": ("sid", "sis user id", "student id", "id number", "idnumber", "student number"),
    "login": ("sis login id", "login", "login id", "username"),
    "name": ("student", "name", "full name", "student name"),
    "first": ("first name",),
    "last": ("last name", "surname"),
    "canvas_id": ("id",),
    "section": ("section", "sections"),
}


class ExportError(ValueError):
    """Input the export cannot use (no grades.csv, a roster without identifiers); the message says which."""


@dataclass
class Grade:
    """One row of grades.csv: a student and what their submission scored."""

    sid: str
    name: str
    email: str
    submission: str
    raw: float | None  # None: not graded
    penalty: float | None
    total: float | None  # raw less the penalty: what goes to the LMS
    tests: dict[str, float] = field(default_factory=dict)
    problem: str = ""


@dataclass(frozen=True)
class Student:
    """One row of a roster: how the LMS knows a student."""

    name: str = ""
    email: str = ""
    sid: str = ""
    login: str = ""
    canvas_id: str = ""
    section: str = ""


@dataclass(frozen=True)
class Issue:
    """A student who could not be matched one to one, and why."""

    kind: str  # "not on the roster", "on the roster, no grade", "graded twice", "not graded"
    name: str
    sid: str
    email: str
    submission: str = ""
    detail: str = ""


@dataclass
class Row:
    """One line of the export: a roster's student (None without a roster) and their grade (None: no grade)."""

    student: Student | None
    grade: Grade | None


# ---------------------------------------------------------------- reading
def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def read_grades(out: Path) -> tuple[list[Grade], list[str]]:
    """OUT/grades.csv as Grades, and the tests' names in its order."""
    path = Path(out) / "grades.csv"
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, [])
            lines = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(f"{path} cannot be read ({exc}): run python -m autograder.batch first") from exc
    if header[: len(COLUMNS)] != COLUMNS or header[-1:] != ["problem"]:
        raise ExportError(f"{path} is not a grades.csv of this version of autograder.batch "
                          "(run python -m autograder.batch again: it rewrites grades.csv without regrading)")
    tests = header[len(COLUMNS):-1]
    grades = []
    for line in lines:
        row = dict(zip(header, line, strict=False))  # a short line leaves its last cells out
        scores = {t: _number(row.get(t)) for t in tests}
        grades.append(Grade(row["sid"], row["name"], row["email"], row["submission"], _number(row["raw"]),
                            _number(row["penalty"]), _number(row["total"]),
                            {t: s for t, s in scores.items() if s is not None}, row.get("problem", "")))
    return grades, tests


def read_roster(path) -> list[Student]:
    """A roster CSV as Students: any header with an email, SID or login column (see ROSTER_COLUMNS).

    Canvas's "Points Possible" row and its test student are skipped."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip().lower() for h in next(reader, [])]
            lines = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(f"roster {path} cannot be read ({exc})") from exc
    where = {what: next((header.index(h) for h in names if h in header), None)
             for what, names in ROSTER_COLUMNS.items()}
    if all(where[k] is None for k in ("email", "sid", "login")):
        raise ExportError(f"roster {path} has no column of emails, SIDs or logins (its header: {header}); "
                          "name one email, sid or SIS Login ID")
    students = []
    for line in lines:
        cell = {what: line[i].strip() if i is not None and i < len(line) else "" for what, i in where.items()}
        name = cell["name"] or " ".join(p for p in (cell["first"], cell["last"]) if p)
        if "points possible" in name.lower() or name.lower() in ("student, test", "test student"):
            continue
        student = Student(name, cell["email"], cell["sid"], cell["login"], cell["canvas_id"], cell["section"])
        if student.email or student.sid or student.login:
            students.append(student)
    return students


def points_possible(out: Path, grades: list[Grade]) -> float | None:
    """The assignment's points: the most any graded submission's results.json offers."""
    best = None
    for sub in {g.submission for g in grades if g.raw is not None}:
        try:
            doc = json.loads((Path(out) / sub / "results.json").read_text(encoding="utf-8"))
            total = sum(float(t["max_score"]) for t in doc["tests"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        best = total if best is None else max(best, total)
    return best


# ---------------------------------------------------------------- matching
def _issue(kind: str, g: Grade, detail: str = "") -> Issue:
    return Issue(kind, g.name, g.sid, g.email, g.submission, detail)


def _better(a: Grade, b: Grade) -> Grade:
    return b if (b.total if b.total is not None else -1) > (a.total if a.total is not None else -1) else a


def match(grades: list[Grade], roster: list[Student] | None) -> tuple[list[Row], list[Grade], list[Issue]]:
    """The export's rows, the grades of students not on the roster, and the students who did not match
    one to one.

    Without a roster, one row per graded student (a student in two submissions keeps the higher total).
    With one, a row per roster student, its grade found by email (against the roster's email or login,
    ignoring case) or SID (against its SID or login)."""
    issues = [_issue("not graded", g, g.problem) for g in grades if g.total is None]
    if roster is None:
        rows, seen = [], {}
        for g in grades:
            key = g.email.lower() or g.sid
            if key in seen:
                other = seen[key].grade.submission
                issues.append(_issue("graded twice", g, f"also in {other}: the higher total is kept"))
                seen[key].grade = _better(seen[key].grade, g)
            else:
                seen[key] = Row(None, g)
                rows.append(seen[key])
        return rows, [], issues
    by_email, by_sid = {}, {}
    for i, s in enumerate(roster):
        for key in filter(None, (s.email.lower(), s.login.lower())):
            by_email.setdefault(key, i)
        for key in filter(None, (s.sid, s.login)):
            by_sid.setdefault(key, i)
    found: dict[int, Grade] = {}
    extra = []
    for g in grades:
        i = by_email.get(g.email.lower()) if g.email else None
        i = i if i is not None else (by_sid.get(g.sid) if g.sid else None)
        if i is None:
            issues.append(_issue("not on the roster", g, "left out of an LMS file"))
            extra.append(g)
        elif i in found:
            issues.append(_issue("graded twice", g, f"also in {found[i].submission}: the higher total is kept"))
            found[i] = _better(found[i], g)
        else:
            found[i] = g
    for i, s in enumerate(roster):
        if i not in found:
            issues.append(Issue("on the roster, no grade", s.name, s.sid, s.email or s.login))
    return [Row(s, found.get(i)) for i, s in enumerate(roster)], extra, issues


# ---------------------------------------------------------------- writing
def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def canvas_lines(rows: list[Row], column: str, points: float | None) -> list[list[str]]:
    lines = [[*CANVAS_STUDENT, column], ["Points Possible", "", "", "", "", _num(points)]]
    for r in rows:
        s, g = r.student, r.grade
        if s is None:
            lines.append([g.name, "", g.sid, g.email, "", _num(g.total)])
        else:
            lines.append([s.name, s.canvas_id, s.sid, s.login or s.email, s.section, _num(g and g.total)])
    return lines


def moodle_lines(rows: list[Row], column: str) -> list[list[str]]:
    lines = [[*MOODLE_STUDENT, column]]
    for r in rows:
        s, g = r.student, r.grade
        email, sid = ((s.email or s.login), s.sid) if s else (g.email, g.sid)
        lines.append([email, sid, _num(g and g.total)])
    return lines


def csv_lines(rows: list[Row], tests: list[str], extra: list[Grade]) -> list[list[str]]:
    """The generic table; `extra` (graded, not on the roster) are kept at the end with an empty section."""
    lines = [["sid", "name", "email", "section", "submission", "raw", "penalty", "total", *tests, "problem"]]
    for r in [*rows, *(Row(None, g) for g in extra)]:
        s, g = r.student, r.grade or Grade("", "", "", "", None, None, None)
        who = [s.sid, s.name, s.email or s.login, s.section] if s else [g.sid, g.name, g.email, ""]
        lines.append([*who, g.submission, _num(g.raw), _num(g.penalty), _num(g.total),
                      *(_num(g.tests.get(t)) for t in tests), g.problem])
    return lines


def _write(path: Path, lines: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(lines)


def export(out, fmt: str, roster=None, output=None, column: str = "") -> tuple[Path, list[Issue]]:
    """Write the export of OUT in `fmt` (and its .unmatched.csv); returns its path and the issues."""
    out = Path(out)
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    grades, tests = read_grades(out)
    students = read_roster(roster) if roster else None
    rows, extra, issues = match(grades, students)
    column = column or out.resolve().name
    if fmt == "canvas":
        lines = canvas_lines(rows, column, points_possible(out, grades))
    elif fmt == "moodle":
        lines = moodle_lines(rows, column)
    else:
        lines = csv_lines(rows, tests, extra)
    path = Path(output) if output else out / f"{fmt}.csv"
    _write(path, lines)
    _write(unmatched_path(path), [["issue", "name", "sid", "email", "submission", "detail"],
                                  *([i.kind, i.name, i.sid, i.email, i.submission, i.detail] for i in issues)])
    return path, issues


def unmatched_path(path: Path) -> Path:
    return path.with_name(path.stem + ".unmatched.csv")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.export", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the --out folder of python -m autograder.batch")
    parser.add_argument("--format", required=True, choices=FORMATS, help="the LMS's import format")
    parser.add_argument("--roster", help="the LMS's list of students (e.g. Canvas's gradebook export)")
    parser.add_argument("--output", help="the file to write (default: OUT/<format>.csv)")
    parser.add_argument("--column", default="", help="the assignment's column (default: the name of OUT)")
    args = parser.parse_args(argv)
    try:
        path, issues = export(args.out, args.format, args.roster, args.output, args.column)
    except ExportError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. an output folder that cannot be written
        print(f"export: cannot write {exc.filename or args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for i in issues:
        who = ", ".join(x for x in (i.name, i.sid, i.email) if x) or "(no name)"
        print(f"{i.kind}: {who}{' (' + i.submission + ')' if i.submission else ''}"
              f"{': ' + i.detail if i.detail else ''}", file=sys.stderr)
    print(f"wrote {path}" + (f"; {len(issues)} student(s) not matched one to one, listed in {unmatched_path(path)}"
                             if issues else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
