"""Generate the student release (assignments/) and the reference (scratchnn_ref/) from solutions/.

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
SOLUTIONS = ROOT / "solutions"
LATER = ("hw2",)  # later assignments' solutions, in folders of their own (assignment 1's is solutions/ itself)
REF_HEADER = "# Generated from solutions/scratchnn/{name} by `make generate`: edit that file, not this one.\n"


def generated() -> dict[Path, str]:
    """Every generated file (path relative to ROOT) and its content."""
    files = {}
    for src in sorted((SOLUTIONS / "scratchnn").glob("*.py")):
        text = src.read_text(encoding="utf-8")
        files[Path("scratchnn_ref") / src.name] = REF_HEADER.format(name=src.name) + reference_text(text)
        files[Path("assignments/scratchnn") / src.name] = stub_text(text, src.name)
    for src in sorted(SOLUTIONS.rglob("*")):
        rel = src.relative_to(SOLUTIONS)
        if src.is_dir() or rel.parts[0] in ("scratchnn", *LATER) or "__pycache__" in rel.parts:
            continue
        text = src.read_text(encoding="utf-8")
        files[Path("assignments") / rel] = stub_text(text, src.name) if src.suffix == ".py" else text
    for shared in ("checks.py", "policy.py", "recorder.py"):  # the grader's own code, used by the public tests
        files[Path("assignments/tests") / shared] = (ROOT / "autograder" / shared).read_text(encoding="utf-8")
    files[Path("assignments/tests/course_policy.json")] = json.dumps(course_policy(), indent=1, sort_keys=True) + "\n"
    return files


def course_policy() -> dict:
    """The policy rules of config.py as data, for the public tests: the static scan's and the recorder's."""
    from .assignment import load
    from .grade import operator_rules
    from .policy import Rules

    a = load("hw1")
    classes = {name: [c for c, f in a.classes.items() if f == name] for name in a.student_files}
    return {"static": Rules.of(a.config).as_dict(), "operators": operator_rules(a), "classes": classes}


def stale(want: dict | None = None) -> list[Path]:
    """Generated files whose committed copy is missing or differs, plus files that should not be there."""
    want = generated() if want is None else want
    bad = [p for p, text in want.items() if not (ROOT / p).is_file() or (ROOT / p).read_text(encoding="utf-8") != text]
    for tree in ("scratchnn_ref", "assignments"):
        for path in (ROOT / tree).rglob("*"):
            rel = path.relative_to(ROOT)
            cache = {"__pycache__", ".pytest_cache"} & set(rel.parts)
            if path.is_file() and not cache and rel not in want:
                bad.append(rel)
    return sorted(bad)


def write() -> None:
    want = generated()
    for rel, text in want.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
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
