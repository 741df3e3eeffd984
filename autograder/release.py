"""Build what an instructor uploads, for every assignment: dist/<name>/autograder.zip (Gradescope) and
dist/<name>/student.zip; the first assignment's also as dist/autograder.zip and dist/student.zip.

    python -m autograder.release [--out dist] [--no-selfcheck] [--assignment NAME]

autograder.zip holds setup.sh and run_autograder at its root, the grader and the
reference. Gradescope unpacks it into /autograder/source, runs setup.sh once as
root (CPU-only torch for the image's python3 3.10, the unprivileged `student`
user, the source folder made root-only), then runs run_autograder per submission.

Both zips are reproducible: sorted entries, fixed timestamps and permissions, LF
line endings, so two builds of the same tree are byte-identical. After building,
the self-check unpacks each autograder.zip into a temporary tree laid out like
Gradescope's and grades the instructor's solution with run_autograder (full marks expected).

The zip holds the engine, the assignment packages and the reference, not the instructor's tools
(TOOLS), and names the assignment it grades (autograder/ASSIGNMENT).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .assignment import Assignment, load, names
from .generate import ROOT, stale

# The instructor's tools: they never ship to Gradescope, and a change to them changes no grade.
TOOLS = ("batch.py", "calibrate.py", "export.py", "generate.py", "late.py", "regrade.py", "release.py",
         "report.py", "shards.py", "stubs.py")
TEXT = {".py", ".json", ".md", ".ini", ".txt", ".cfg", ".toml"}

# The student notebook of an assignment, built by `python notebooks/build.py student` and committed,
# so that a release needs no notebook tools; it lands at the kit's top as handout.ipynb.
NOTEBOOKS = {"hw1": "notebooks/handout.ipynb", "hw2": "notebooks/handout_hw2.ipynb"}

EPOCH = (1980, 1, 1, 0, 0, 0)
TORCH = "torch==2.13.0"
NUMPY = "numpy==2.2.6"  # the last numpy series for python 3.10

SETUP_SH = f"""#!/usr/bin/env bash
# Runs once, as root, when Gradescope builds the image (Ubuntu 22.04, python3 3.10).
set -euo pipefail
SOURCE=${{SCRATCHNN_AUTOGRADER_ROOT:-/autograder}}/source
VENV=${{SCRATCHNN_VENV:-/opt/scratchnn-venv}}
INDEX=${{SCRATCHNN_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}}

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
apt-get install -y --no-install-recommends python3 python3-venv python3-pip util-linux
# bubblewrap builds the sandbox's view from an allow-list; where the container refuses it, the grader
# falls back to private namespaces (unshare), then to permissions alone, and says which in results.json.
apt-get install -y --no-install-recommends bubblewrap || echo "bubblewrap not installed: the grader falls back"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --no-cache-dir --index-url "$INDEX" {TORCH}
"$VENV/bin/pip" install --no-cache-dir {NUMPY}
chmod -R a+rX "$VENV"

# Student code runs as this user; it can read neither the source nor the results.
id -u student >/dev/null 2>&1 || adduser student --no-create-home --disabled-password --gecos ""
chown -R root:root "$SOURCE"
chmod -R go-rwx "$SOURCE"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this as root for each submission; it writes results/results.json.
set -u
ROOT=${SCRATCHNN_AUTOGRADER_ROOT:-/autograder}
PYTHON=${SCRATCHNN_PYTHON:-${SCRATCHNN_VENV:-/opt/scratchnn-venv}/bin/python}
mkdir -p "$ROOT/results"
chmod 700 "$ROOT/results" "$ROOT/source" 2>/dev/null
chmod 600 "$ROOT/submission_metadata.json" 2>/dev/null
cd "$ROOT/source"
exec "$PYTHON" -m autograder "$ROOT/submission" --results "$ROOT/results/results.json"
"""


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the permission bits are honoured
    zf.writestr(info, data, compresslevel=9)


def _text(path: Path) -> bytes:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").encode("utf-8")


def _tree(folder: Path, suffixes=None) -> list[Path]:
    skip = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
    return sorted(p for p in folder.rglob("*") if p.is_file() and not skip & set(p.parts)
                  and (suffixes is None or p.suffix in suffixes))


def _data(file: Path) -> bytes:
    return _text(file) if file.suffix in TEXT else file.read_bytes()


def build_autograder_zip(path: Path, a: Assignment = None) -> None:
    """The Gradescope zip of assignment `a` (default: the first)."""
    a = a or load(names()[0])
    with zipfile.ZipFile(path, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(zf, "autograder/ASSIGNMENT", (a.name + "\n").encode())
        for file in _tree(ROOT / "autograder", {".py", ".json", ".md"}):
            if file.name not in TOOLS and file.suffix != ".md":
                _add(zf, file.relative_to(ROOT).as_posix(), _text(file))
        for file in _tree(ROOT / "scratchnn_ref"):
            _add(zf, file.relative_to(ROOT).as_posix(), _data(file))


def build_student_zip(path: Path, a: Assignment = None) -> None:
    """The student kit of assignment `a` (default: the first), without the kits of other assignments in it,
    and its handout notebook (NOTEBOOKS) at the kit's top."""
    a = a or load(names()[0])
    kit = ROOT / a.layout.student
    others = [ROOT / load(n).layout.student for n in names() if n != a.name]
    folder = "scratchnn-assignment" if a.name == names()[0] else f"scratchnn-{a.name}"
    with zipfile.ZipFile(path, "w") as zf:
        for file in _tree(kit):
            if not any(file.is_relative_to(o) for o in others if o.is_relative_to(kit) and o != kit):
                _add(zf, (Path(folder) / file.relative_to(kit)).as_posix(), _data(file))
        if a.name in NOTEBOOKS:
            _add(zf, f"{folder}/handout.ipynb", (ROOT / NOTEBOOKS[a.name]).read_bytes())


def selfcheck(autograder_zip: Path, submission: Path) -> dict:
    """Unpack the zip like Gradescope does, grade `submission` with run_autograder, return results.json."""
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        root = Path(tmp) / "autograder"
        (root / "source").mkdir(parents=True)
        with zipfile.ZipFile(autograder_zip) as zf:
            zf.extractall(root / "source")
        for name in ("setup.sh", "run_autograder"):
            os.chmod(root / "source" / name, 0o755)
        shutil.copytree(submission, root / "submission")
        env = {**os.environ, "SCRATCHNN_AUTOGRADER_ROOT": str(root), "SCRATCHNN_PYTHON": sys.executable}
        subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        return json.loads((root / "results" / "results.json").read_text())


def check_release(a: Assignment, autograder_zip: Path) -> bool:
    """Grade the solution (full marks expected) and the stubs (0, no traceback) through run_autograder."""
    ok = True
    for what, folder in (("solution", a.layout.solutions), ("stub", a.layout.student)):
        with tempfile.TemporaryDirectory() as tmp:
            for name in a.student_files:
                shutil.copy(ROOT / folder / "scratchnn" / name, Path(tmp) / name)
            doc = selfcheck(autograder_zip, Path(tmp))
        total = sum(t["max_score"] for t in doc["tests"])
        print(f"self-check {a.name}: the {what} files score {doc['score']:g} / {total:g} through run_autograder")
        want = total if what == "solution" else 0
        if doc["score"] != want or "Traceback" in json.dumps(doc):
            print(f"self-check FAILED: the {what} files must score {want:g}, with no traceback", file=sys.stderr)
            ok = False
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dist"))
    parser.add_argument("--no-selfcheck", action="store_true")
    parser.add_argument("--assignment", choices=names(), help="only this one (default: every assignment)")
    args = parser.parse_args(argv)
    if stale():
        print("assignments/ or scratchnn_ref/ is stale: run `make generate` first", file=sys.stderr)
        return 1
    out = Path(args.out)
    ok = True
    for name in [args.assignment] if args.assignment else names():
        a = load(name)
        (out / name).mkdir(parents=True, exist_ok=True)
        build_autograder_zip(out / name / "autograder.zip", a)
        build_student_zip(out / name / "student.zip", a)
        if name == names()[0]:  # the first assignment's stay where they always were
            shutil.copy(out / name / "autograder.zip", out / "autograder.zip")
            shutil.copy(out / name / "student.zip", out / "student.zip")
        print(f"wrote {out / name / 'autograder.zip'} and {out / name / 'student.zip'}")
        if not args.no_selfcheck:
            ok = check_release(a, out / name / "autograder.zip") and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
