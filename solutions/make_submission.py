"""Pack the files you write into submission.zip for Gradescope.

    python make_submission.py

Zips your files in scratchnn/ (the ones this assignment grades, as listed in
tests/course_policy.json; nothing else) into submission.zip next to this script.
Stops with an error if a file is missing or does not parse; warns if a method
still raises NotImplementedError.
"""

import ast
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = tuple(json.loads((HERE / "tests" / "course_policy.json").read_text(encoding="utf-8"))
              ["operators"]["student_files"])
PACKAGE = HERE / "scratchnn"
ZIP = HERE / "submission.zip"


def problems() -> list[str]:
    """What stops the submission: missing files and syntax errors."""
    found = []
    for name in FILES:
        path = PACKAGE / name
        if not path.is_file():
            found.append(f"scratchnn/{name} is missing")
            continue
        try:
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as e:
            found.append(f"scratchnn/{name} line {e.lineno}: {e.msg}")
    return found


def unfinished(name: str) -> int:
    """How many `raise NotImplementedError` statements are left in scratchnn/name."""
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    return sum(isinstance(node, ast.Raise) and "NotImplementedError" in ast.unparse(node)
               for node in ast.walk(tree))


def main() -> int:
    errors = problems()
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print("submission.zip was NOT written (an older one, if any, is unchanged)", file=sys.stderr)
        return 1
    for name in FILES:
        left = unfinished(name)
        if left:
            print(f"warning: scratchnn/{name} still raises NotImplementedError in {left} place(s)")
    with zipfile.ZipFile(ZIP, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            archive.write(PACKAGE / name, arcname=name)
    print(f"wrote {ZIP.name} with {', '.join(FILES)}: upload it to Gradescope")
    return 0


if __name__ == "__main__":
    sys.exit(main())
