"""Find the student's three files anywhere below the submission folder, and read them safely.

Handles what students upload: flat files or nested folders (a zip of the whole
project), Windows line endings, a UTF-8 byte-order mark, macOS `__MACOSX` debris,
and duplicates (the shallowest copy wins, and the student is told).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import config

MAX_FILE_BYTES = 1 << 20
SKIP_DIRS = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints", "node_modules", ".venv", "venv"}


@dataclass
class StudentFile:
    name: str
    text: str = None  # the source, LF line endings, no BOM; None when missing or unreadable
    path: str = None  # where it was found, relative to the submission folder
    problem: str = None  # why it cannot be graded (missing, unreadable, syntax error)
    notes: list = field(default_factory=list)  # things the student should know but that cost nothing


def _candidates(root: Path) -> dict[str, list[Path]]:
    found = {name: [] for name in config.STUDENT_FILES}
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in files:
            if name in found and not name.startswith("._"):
                found[name].append(Path(folder) / name)
    return found


def _read(path: Path) -> tuple[str, str]:
    """(text, problem): the file decoded as UTF-8, with a BOM removed and line endings made LF."""
    if path.is_symlink() or not path.is_file():
        return None, "is not a regular file"
    if path.stat().st_size > MAX_FILE_BYTES:
        return None, f"is larger than {MAX_FILE_BYTES // 1024} KB"
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text (byte {exc.start}): save it as UTF-8"
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def find(submission: Path) -> dict[str, StudentFile]:
    """Each of config.STUDENT_FILES, found and read, or with the reason it cannot be graded."""
    submission = Path(submission)
    result = {}
    candidates = _candidates(submission) if submission.is_dir() else {n: [] for n in config.STUDENT_FILES}
    for name in config.STUDENT_FILES:
        sf = StudentFile(name)
        paths = sorted(candidates[name], key=lambda p: (len(p.relative_to(submission).parts), str(p)))
        if not paths:
            sf.problem = (f"{name} was not found in your submission (searched every folder). "
                          f"Upload {', '.join(config.STUDENT_FILES)} (plain .py files, or a zip of them).")
            result[name] = sf
            continue
        chosen = paths[0]
        sf.path = str(chosen.relative_to(submission))
        if len(paths) > 1:
            others = ", ".join(str(p.relative_to(submission)) for p in paths[1:])
            sf.notes.append(f"several files named {name}: graded {sf.path}, ignored {others}")
        sf.text, problem = _read(chosen)
        if problem:
            sf.problem = f"{sf.path} {problem}."
        else:
            try:
                compile(sf.text, name, "exec", dont_inherit=True)
            except SyntaxError as exc:
                line = (exc.text or "").rstrip("\n")
                sf.problem = (f"{sf.path} has a syntax error on line {exc.lineno}: {exc.msg}\n    {line}\n"
                              "Python cannot load the file, so none of its classes can be graded. "
                              "Run `pytest` locally to see it.")
        result[name] = sf
    return result
