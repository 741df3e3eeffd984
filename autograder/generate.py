"""Generate each assignment's student kit and reference from its solutions (autograder.assignment.Layout):
assignment 1: solutions/ -> assignments/ and scratchnn_ref/; assignment 2: solutions/hw2/ -> assignments/hw2/
and scratchnn_ref/hw2/.

    python -m autograder.generate          write both trees
    python -m autograder.generate --check  exit 1 (and list the files) if a committed file is stale

Both trees are outputs: edit solutions/ (and autograder/checks.py), never them.
"""

import argparse
import json
import sys
from pathlib import Path

from .stubs import reference_text, stub_text

ROOT = Path(__file__).resolve().parent.parent
REF_HEADER = "# Generated from {source} by `make generate`: edit that file, not this one.\n"
SHARED = ("checks.py", "policy.py", "recorder.py")  # the grader's own code, used by the public tests
# Scripts every student kit gets at its top, from their one copy in the first assignment's solutions.
KIT_SCRIPTS = ("make_submission.py",)


def generated() -> dict[Path, str | bytes]:
    """Every generated file (path relative to ROOT) and its content, for every assignment."""
    from .assignment import load, names

    assignments = [load(name) for name in names()]
    roots = {ROOT / a.layout.solutions for a in assignments}
    files = {}
    for a in assignments:
        mine = ROOT / a.layout.solutions
        files |= assignment_files(a, [r for r in roots if r != mine and r.is_relative_to(mine)])
    return files


def assignment_files(a, others: list[Path]) -> dict[Path, str | bytes]:
    """One assignment's reference and student kit, from its solutions folder (without the folders of
    other assignments inside it, `others`)."""
    src_root, student, reference = ROOT / a.layout.solutions, Path(a.layout.student), Path(a.layout.reference)
    files = {}
    for src in sorted((src_root / "scratchnn").glob("*.py")):
        text = src.read_text(encoding="utf-8")
        source = src.relative_to(ROOT).as_posix()
        files[reference / src.name] = REF_HEADER.format(source=source) + reference_text(text)
        files[student / "scratchnn" / src.name] = stub_text(text, src.name, a.layout.tasks)
    for src in sorted(src_root.rglob("*")):
        rel = src.relative_to(src_root)
        if src.is_dir() or rel.parts[0] == "scratchnn" or "__pycache__" in rel.parts or \
                any(src.is_relative_to(other) for other in others):
            continue
        if src.suffix in (".py", ".md", ".ini", ".txt", ".json", ".cfg", ".toml"):
            text = src.read_text(encoding="utf-8")
            files[student / rel] = stub_text(text, src.name, a.layout.tasks) if src.suffix == ".py" else text
            if rel.parts[0] == "data":  # the data's licence goes with it
                files[reference / rel] = text
        else:  # data, as it is
            files[student / rel] = src.read_bytes()
            if rel.parts[0] == "data":  # the grader reads the data from the reference's copy
                files[reference / rel] = src.read_bytes()
    for script in KIT_SCRIPTS:
        files[student / script] = (ROOT / "solutions" / script).read_text(encoding="utf-8")
    for shared in SHARED:
        files[student / "tests" / shared] = (ROOT / "autograder" / shared).read_text(encoding="utf-8")
    files[student / "tests" / "course_policy.json"] = json.dumps(course_policy(a), indent=1, sort_keys=True) + "\n"
    return files


def course_policy(a) -> dict:
    """An assignment's policy rules as data, for its public tests: the static scan's and the recorder's."""
    from .grade import operator_rules
    from .policy import Rules

    classes = {name: [c for c, f in a.classes.items() if f == name] for name in a.student_files}
    return {"static": Rules.of(a.config).as_dict(), "operators": operator_rules(a), "classes": classes}


def stale(want: dict | None = None) -> list[Path]:
    """Generated files whose committed copy is missing or differs, plus files that should not be there."""
    want = generated() if want is None else want
    bad = [p for p, content in want.items() if not (ROOT / p).is_file() or _read(ROOT / p, content) != content]
    for tree in ("scratchnn_ref", "assignments"):
        for path in (ROOT / tree).rglob("*"):
            rel = path.relative_to(ROOT)
            cache = {"__pycache__", ".pytest_cache"} & set(rel.parts)
            if path.is_file() and not cache and rel not in want:
                bad.append(rel)
    return sorted(bad)


def _read(path: Path, like):
    return path.read_bytes() if isinstance(like, bytes) else path.read_text(encoding="utf-8")


def write() -> None:
    want = generated()
    for rel, content in want.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    for rel in stale(want):  # left over from an earlier generation
        (ROOT / rel).unlink()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        for rel in bad:
            print(f"stale: {rel}")
        if bad:
            print("run `make generate` and commit the result", file=sys.stderr)
        return 1 if bad else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
