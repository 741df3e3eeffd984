"""Find the student's three files anywhere below the submission folder, and read them safely.

Handles what students upload: flat files or nested folders (a zip of the whole
project), Windows line endings, a UTF-8 byte-order mark, macOS `__MACOSX` debris,
and duplicates (the shallowest copy wins, and the student is told).

And whatever else a tree can hold: the walk has no recursion and bounded work (at most
MAX_DEPTH levels, MAX_ENTRIES entries), never follows a symlink, never opens anything
but a regular file (a fifo would block), and every name it reports is printable text,
even one that is not UTF-8.
"""

import itertools
import os
import stat
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from .policy import in_fresh_thread

MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 32  # folder levels below the submission that are searched
MAX_ENTRIES = 50_000  # files and folders looked at in all (about 0.1 s of listing)
MANY_FILES = 1_000  # more other files than this gets a note: a whole home folder uploaded?
SHOWN = 5  # names listed per kind of skipped entry
MAX_NAME_CHARS = 160  # a longer path is shown shortened
SKIP_DIRS = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints", "node_modules", ".venv", "venv"}


@dataclass
class StudentFile:
    name: str
    text: str = None  # the source, LF line endings, no BOM; None when missing or unreadable
    path: str = None  # where it was found, relative to the submission folder (printable)
    problem: str = None  # why it cannot be graded (missing, unreadable, syntax error)
    notes: list = field(default_factory=list)  # things the student should know but that cost nothing


@dataclass
class Entry:
    rel: str  # path below the root, "/"-separated, as the OS gave it (may hold surrogate escapes)
    size: int  # bytes, from lstat
    mtime_ns: int
    depth: int  # folders between the root and the file


@dataclass
class Tree:
    """What a bounded walk of a folder found: its regular files, and what it left out and why."""

    files: list = field(default_factory=list)  # Entry per regular file, shallowest first
    symlinks: list = field(default_factory=list)  # rel paths; never followed
    special: list = field(default_factory=list)  # fifos, sockets, devices; never opened
    unreadable: list = field(default_factory=list)  # folders that could not be listed
    too_deep: list = field(default_factory=list)  # folders below MAX_DEPTH, not entered
    stopped: bool = False  # True when MAX_ENTRIES ended the walk


def shown(rel: str) -> str:
    """A path as text that can go anywhere (results.json, a terminal): undecodable bytes as \\xff,
    control characters escaped, long paths shortened in the middle."""
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    if len(text) > MAX_NAME_CHARS:
        half = MAX_NAME_CHARS // 2 - 2
        text = f"{text[:half]} … {text[-half:]}"
    return text


def walk(root) -> Tree:
    """Every regular file below `root`, breadth first (so shallow files come first), names sorted.

    A queue instead of recursion, so any depth is fine; folders deeper than MAX_DEPTH are not
    entered, and after MAX_ENTRIES entries the walk stops. Folders in SKIP_DIRS and hidden ones
    are skipped. Cost: one os.scandir per folder and one lstat per regular file.
    """
    tree = Tree()
    seen = 0
    queue = deque([("", 0)])  # (rel path of a folder, its depth)
    while queue:
        folder, depth = queue.popleft()
        try:
            with os.scandir(os.path.join(root, folder) if folder else root) as it:
                entries = sorted(itertools.islice(it, MAX_ENTRIES - seen + 1), key=lambda e: e.name)
        except OSError:
            tree.unreadable.append(folder or ".")
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                tree.stopped = True
                return tree
            rel = f"{folder}/{entry.name}" if folder else entry.name
            _place(entry, rel, depth, tree, queue)
    return tree


def _place(entry: os.DirEntry, rel: str, depth: int, tree: Tree, queue: deque) -> None:
    """Put one directory entry where it belongs: the queue, the files, or one of the skipped lists."""
    try:
        if entry.is_symlink():
            tree.symlinks.append(rel)
        elif entry.is_dir(follow_symlinks=False):
            if entry.name in SKIP_DIRS or entry.name.startswith("."):
                return
            if depth + 1 > MAX_DEPTH:
                tree.too_deep.append(rel)
            else:
                queue.append((rel, depth + 1))
        elif entry.is_file(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            tree.files.append(Entry(rel, st.st_size, st.st_mtime_ns, depth))
        else:
            tree.special.append(rel)
    except OSError:  # vanished or unreadable while we looked
        tree.unreadable.append(rel)


def _listed(names: list) -> str:
    text = ", ".join(shown(n) for n in names[:SHOWN])
    return text + (f" and {len(names) - SHOWN:,} more" if len(names) > SHOWN else "")


def tree_notes(tree: Tree, others: int, student_files: tuple) -> list[str]:
    """What the walk left out, for the student; `others` counts the regular files that are not graded."""
    notes = []
    if tree.stopped:
        notes.append(f"your submission holds more than {MAX_ENTRIES:,} files and folders: only the first "
                     f"{MAX_ENTRIES:,} were searched")
    if tree.too_deep:
        notes.append(f"a folder deeper than {MAX_DEPTH} levels was not searched: {_listed(tree.too_deep)}")
    if tree.unreadable:
        notes.append(f"could not read {_listed(tree.unreadable)}")
    notes += skipped_notes(tree.symlinks, tree.special)
    if others > MANY_FILES:
        notes.append(f"ignored {others:,} other files (only {', '.join(student_files)} are graded)")
    return notes


def skipped_notes(symlinks: list, special: list) -> list[str]:
    """Notes on the symlinks and the special files (fifos, sockets, devices) the walk passed by."""
    notes = []
    if symlinks:
        notes.append(f"skipped {_named(symlinks, 'symlink')} (links are never followed: upload the file itself)")
    if special:
        notes.append(f"skipped {_named(special, 'special file')} (a fifo, socket or device: never opened)")
    return notes


def _named(names: list, what: str) -> str:
    return f"a {what} named {shown(names[0])}" if len(names) == 1 else f"{len(names):,} {what}s named {_listed(names)}"


def read_regular(path, limit: int) -> tuple[bytes, str]:
    """(data, None), or (None, why not): at most `limit` bytes of a regular file.

    Opened without following a symlink and without blocking (a fifo would), and checked with
    fstat on the open file, so what is read is what was checked.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        return None, f"could not be opened ({exc.strerror})"
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None, "is not a regular file"
            if st.st_size > limit:
                return None, f"is larger than {limit // 1024} KB"
            data = f.read(limit + 1)
        except OSError as exc:
            return None, f"could not be read ({exc.strerror})"
    if len(data) > limit:
        return None, f"is larger than {limit // 1024} KB"
    return data, None


def _read(path) -> tuple[str, str]:
    """(text, problem): the file decoded as UTF-8, with a BOM removed and line endings made LF."""
    data, problem = read_regular(path, MAX_FILE_BYTES)
    if problem:
        return None, problem
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text (byte {exc.start}): save it as UTF-8"
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _basename(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def find(submission: Path, student_files: tuple) -> dict[str, StudentFile]:
    """Each of student_files ("linear.py", ...), found and read, or with the reason it cannot be graded.

    Notes about what the walk skipped go to the file they concern (a symlink named linear.py
    to linear.py), the rest to the first file.
    """
    submission = Path(submission)
    tree = walk(submission) if submission.is_dir() else Tree()
    names = set(student_files)
    candidates = {name: [] for name in student_files}
    for entry in tree.files:
        if _basename(entry.rel) in names:
            candidates[_basename(entry.rel)].append(entry)
    others = len(tree.files) - sum(len(c) for c in candidates.values())
    result = {}
    for name in student_files:
        sf = StudentFile(name)
        result[name] = sf
        sf.notes += skipped_notes([r for r in tree.symlinks if _basename(r) == name],
                                  [r for r in tree.special if _basename(r) == name])
        found = sorted(candidates[name], key=lambda e: (e.depth, e.rel))
        if not found:
            sf.problem = (f"{name} was not found in your submission (searched every folder). "
                          f"Upload {', '.join(student_files)} (plain .py files, or a zip of them).")
            continue
        sf.path = shown(found[0].rel)
        if len(found) > 1:
            ignored = _listed([e.rel for e in found[1:]])
            sf.notes.append(f"several files named {name}: graded {sf.path}, ignored {ignored}")
        sf.text, problem = _read(os.path.join(submission, found[0].rel))
        if problem:
            sf.problem = f"{sf.path} {problem}."
        else:
            sf.problem = _syntax_problem(sf)
    rest = Tree(symlinks=[r for r in tree.symlinks if _basename(r) not in names],
                special=[r for r in tree.special if _basename(r) not in names],
                unreadable=tree.unreadable, too_deep=tree.too_deep, stopped=tree.stopped)
    result[student_files[0]].notes += tree_notes(rest, others, student_files)
    return result


MAX_SHOWN_LINE = 200  # characters of the offending line shown with a syntax error


def _syntax_problem(sf: StudentFile):
    """Why Python cannot compile the file, or None. Whatever the text, an exception of the compiler (a syntax
    error, nesting deeper than its limits, a NUL byte...) becomes a message: the file is not graded."""
    try:  # in a thread of its own: the same depth, so the same verdict, whoever calls (policy.in_fresh_thread)
        in_fresh_thread(compile, sf.text, sf.name, "exec", 0, True)
    except SyntaxError as exc:
        line = (exc.text or "").rstrip("\n")
        if len(line) > MAX_SHOWN_LINE:
            line = line[:MAX_SHOWN_LINE] + " …"
        where = f" on line {exc.lineno}" if exc.lineno else ""
        return (f"{sf.path} has a syntax error{where}: {exc.msg}\n    {line}\n"
                "Python cannot load the file, so none of its classes can be graded. "
                "Run `pytest` locally to see it.")
    except (RecursionError, MemoryError) as exc:
        detail = f": {exc}" if str(exc) else ""
        return (f"{sf.path} could not be compiled: it is nested too deeply for Python ({type(exc).__name__}"
                f"{detail}), e.g. an expression with thousands of nested operators or brackets. Python cannot "
                "load the file, so none of its classes can be graded. Split it into smaller expressions.")
    except Exception as exc:  # noqa: BLE001  e.g. a NUL byte in the source (ValueError)
        return (f"{sf.path} could not be compiled ({type(exc).__name__}: {str(exc)[:MAX_SHOWN_LINE]}). "
                "Python cannot load the file, so none of its classes can be graded.")
    return None
