"""Late work: a due date, an optional late due date and a penalty rule, applied to each submission's time.

The rule is data, a LatePolicy. Its values come from the assignment's configuration, an optional

    LATE_WORK = {
        "due": "2026-03-01 23:59",           # without it nothing is late (the default: no due date, no penalty)
        "late_due": "2026-03-04 23:59",      # optional: handed in after it, a submission scores 0
        "penalty": "10%/day, at most 50%",   # per started hour or day late, in % of the points possible
        "timezone": "America/Los_Angeles",   # for dates written without a UTC offset (default: this machine's)
    }

in the assignment's config (autograder/hw1/config.py); `python -m autograder.batch` overrides any of them
for a run (--due, --late-due, --penalty, --timezone). Dates are ISO 8601, "2026-03-01 23:59" or
"2026-03-01T23:59:00-08:00"; a submission's time is the `:created_at:` that Gradescope's
submission_metadata.yml gives each folder.

The penalty counts started periods: a submission 1 minute late loses one day's (or hour's) percent.
It is taken off the raw score and never below 0: `final = max(0, raw - penalty)`, where
`penalty = possible * min(periods * percent, cap) / 100` (possible: the assignment's points). After the
late due date the penalty is the whole raw score.

Extensions (--extensions FILE) are a CSV with a header: `student` (SID or email) and `due` (the new
due date), and optionally `late_due`; without that column the late due date moves by as much as the
due date. A group is judged once, with the latest due date any of its members has, and every member
gets the group's score and penalty.
"""

import csv
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import assignment

PERIODS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
# 2026-03-01 23:59[:59[.123456789]][ ][Z|-08:00|-0800]; Gradescope writes 2026-03-01 10:00:00.000000000 -08:00
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?\s*(Z|[+-]\d\d:?\d\d)?", re.I)
_PENALTY = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:/|per)\s*(hour|day)s?"
                      r"(?:\s*,?\s*(?:at most|max|cap)\s*=?\s*(\d+(?:\.\d+)?)\s*%)?", re.I)


class LateWorkError(ValueError):
    """A due date, penalty, time zone or extensions file that cannot be read; the message says which."""


@dataclass(frozen=True)
class LatePolicy:
    """When work is due and what lateness costs. The default has no due date: nothing is late."""

    due: datetime | None = None  # aware datetimes
    late_due: datetime | None = None  # after it, the score is 0
    percent: float = 0.0  # of the points possible, per started period late
    per: str = "day"  # "hour" or "day"
    cap: float | None = None  # at most this many percent in all (None: no cap)
    tz: tzinfo = timezone.utc  # where dates written without a UTC offset are read (submission times too)

    def describe(self) -> str:
        """One line for the batch's summary."""
        if self.due is None:
            return "no due date: no late penalty"
        parts = [f"due {shown(self.due)}"]
        if self.percent:
            parts.append(f"{self.percent:g}% of the points per started {self.per} late"
                         + (f", at most {self.cap:g}%" if self.cap is not None else ""))
        if self.late_due:
            parts.append(f"0 after the late due date {shown(self.late_due)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Extension:
    """A student's own due date (and late due date, when the file gives one)."""

    student: str  # SID or email, as the file gives it
    due: datetime
    late_due: datetime | None = None


@dataclass(frozen=True)
class Late:
    """What lateness cost one submission (every member of a group shares it)."""

    due: datetime | None  # the due date that applied (an extension's, if any)
    hours: float | None  # hours after `due` (0 when on time); None when there is no due date or no time
    penalty: float  # points taken off the raw score
    problem: str = ""  # e.g. a submission time that cannot be read (then there is no penalty)
    after_late_due: bool = False  # handed in after the late due date: the whole score is taken off


# ---------------------------------------------------------------- reading dates and rules
def zone(name: str = "") -> tzinfo:
    """The time zone called `name` (an IANA name such as "Europe/Paris"), or this machine's for ""."""
    if not name:
        return datetime.now().astimezone().tzinfo
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise LateWorkError(f"unknown time zone {name!r} (give an IANA name such as Europe/Paris)") from exc


def parse_date(text, tz: tzinfo) -> datetime:
    """An ISO 8601 date and time (a UTC offset optional; without one it is in `tz`) as an aware datetime."""
    m = _DATE.fullmatch(str(text).strip())
    if not m:
        raise LateWorkError(f"{str(text)[:80]!r} is not a date and time (write e.g. 2026-03-01 23:59 "
                            "or 2026-03-01T23:59:00-08:00)")
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    try:
        when = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                        int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError as exc:
        raise LateWorkError(f"{text!r} is not a date: {exc}") from exc
    if offset is None:
        return when.replace(tzinfo=tz)
    if offset.upper() == "Z":
        return when.replace(tzinfo=timezone.utc)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return when.replace(tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))))


def parse_penalty(text: str) -> tuple[float, str, float | None]:
    """"10%/day", "5% per hour", "10%/day, at most 50%" -> (percent, per, cap); "" or "none" -> no penalty."""
    text = str(text).strip()
    if text.lower() in ("", "0", "none", "0%"):
        return 0.0, "day", None
    m = _PENALTY.fullmatch(text)
    if not m:
        raise LateWorkError(f"penalty {text!r} is not understood (write e.g. 10%/day, 2%/hour "
                            "or 10%/day, at most 50%)")
    return float(m.group(1)), m.group(2).lower(), float(m.group(3)) if m.group(3) else None


def policy_from(settings: dict) -> LatePolicy:
    """A LatePolicy from a LATE_WORK-style dict of strings ("due", "late_due", "penalty", "timezone")."""
    if not isinstance(settings, dict):
        raise LateWorkError(f"LATE_WORK must be a dict, not {type(settings).__name__}")
    unknown = set(settings) - {"due", "late_due", "penalty", "timezone"}
    if unknown:
        raise LateWorkError(f"LATE_WORK has unknown keys {sorted(unknown)} (known: due, late_due, penalty, timezone)")
    tz = zone(settings.get("timezone") or "")
    due = parse_date(settings["due"], tz) if settings.get("due") else None
    late_due = parse_date(settings["late_due"], tz) if settings.get("late_due") else None
    percent, per, cap = parse_penalty(settings.get("penalty") or "")
    if due is None and (late_due or percent):
        raise LateWorkError("a late due date or a penalty needs a due date")
    if late_due and late_due < due:
        raise LateWorkError(f"the late due date {shown(late_due)} is before the due date {shown(due)}")
    return LatePolicy(due, late_due, percent, per, cap, tz)


def assignment_config():
    """The config module of the assignment being graded (e.g. autograder/hw1/config.py)."""
    return assignment.load().config


def configured() -> dict:
    """The assignment's LATE_WORK, or {} when its config has none (then nothing is late)."""
    return dict(getattr(assignment_config(), "LATE_WORK", None) or {})


def shown(when: datetime) -> str:
    return when.isoformat(sep=" ", timespec="minutes")


# ---------------------------------------------------------------- extensions
def read_extensions(path, policy: LatePolicy) -> tuple[dict[str, Extension], list[str]]:
    """{SID or lower-case email: Extension} from the CSV at `path`, and one message per row that was skipped.

    A file that cannot be read at all, or has no `student` and `due` columns, raises LateWorkError.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LateWorkError(f"extensions file {path} cannot be read ({exc})") from exc
    columns = {(name or "").strip().lower(): name for name in (rows[0].keys() if rows else [])}
    if rows and not {"student", "due"} <= set(columns):
        raise LateWorkError(f"extensions file {path} needs the columns student and due (it has {sorted(columns)})")
    out, skipped = {}, []
    for n, row in enumerate(rows, start=2):
        student = (row.get(columns.get("student")) or "").strip()
        try:
            if not student:
                raise LateWorkError("no student")
            due = parse_date(row.get(columns["due"]) or "", policy.tz)
            late_text = (row.get(columns.get("late_due")) or "").strip() if "late_due" in columns else ""
            late_due = parse_date(late_text, policy.tz) if late_text else None
        except LateWorkError as exc:
            skipped.append(f"{Path(path).name} line {n}: {exc}; that extension is not applied")
            continue
        if late_due is None and policy.late_due and policy.due:
            late_due = policy.late_due + (due - policy.due)
        out[student.lower()] = Extension(student, due, late_due)
    return out, skipped


def extension_for(students: list[dict], extensions: dict[str, Extension]) -> Extension | None:
    """The most generous (latest) extension that any of `students` (dicts with "sid" and "email") has."""
    found = [extensions[key] for s in students for key in (s["sid"].strip().lower(), s["email"].strip().lower())
             if key and key in extensions]
    return max(found, key=lambda e: e.due, default=None)


# ---------------------------------------------------------------- the penalty
def assess(policy: LatePolicy, created_at: str, raw: float, possible: float,
           extension: Extension | None = None) -> Late:
    """What lateness costs a submission made at `created_at` (Gradescope's text) with score `raw` of `possible`."""
    due, late_due = policy.due, policy.late_due
    if extension:
        due, late_due = extension.due, extension.late_due
    if due is None:
        return Late(None, None, 0.0)
    if not str(created_at).strip():
        return Late(due, None, 0.0, "no submission time (created_at) in the metadata: no late penalty applied")
    try:
        submitted = parse_date(created_at, policy.tz)
    except LateWorkError as exc:
        return Late(due, None, 0.0, f"submission time: {exc}; no late penalty applied")
    raw = max(float(raw), 0.0)
    late = submitted - due
    if late <= timedelta(0):
        return Late(due, 0.0, 0.0)
    hours = round(late / timedelta(hours=1), 2)
    if late_due and submitted > late_due:
        return Late(due, hours, round(raw, 4), after_late_due=True)
    percent = math.ceil(late / PERIODS[policy.per]) * policy.percent
    if policy.cap is not None:
        percent = min(percent, policy.cap)
    return Late(due, hours, round(min(raw, possible * percent / 100), 4))
