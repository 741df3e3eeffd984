"""Any bytes, any tree, any neighbour: the grader's bounded, exception-free handling of what it reads.

What comes back from the sandbox (result .npz and JSON that student code may have written
itself), what a student uploads (any folder tree), and one submission of a class that
breaks: each gives a verdict or a note, in bounded time, and never a grader exception.
Grading costs about 10 s, so only two tests here grade for real.
"""

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from autograder import results, submission

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "scratchnn"
FILES = ("linear.py", "activations.py", "losses.py")
ODD_NAME = b"caf\xff\xfe"  # not UTF-8
CHAIN_DEPTH = 2000
OTHER_FILES = 10_000


# ---------------------------------------------------------------- trees
def solution(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(SOLUTION / name, folder / name)
    return folder


def make_chain(root: Path, depth: int) -> None:
    """root/d/d/.../d, `depth` folders deep (made through folder descriptors: the path is too long for one call)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def remove_chain(root: Path) -> None:
    """Remove what make_chain made, without recursion (shutil.rmtree recurses once per level)."""
    fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY)]
    while True:
        try:
            fds.append(os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
        except FileNotFoundError:
            break
    os.close(fds.pop())
    while fds:
        os.rmdir("d", dir_fd=fds[-1])
        os.close(fds.pop())


def hostile(folder: Path) -> Path:
    """The solution, with a non-UTF-8 folder holding a second linear.py, a 2,000-deep folder chain,
    10,000 empty files, a symlink to /etc/shadow named linear.py and a fifo named losses.py."""
    solution(folder)
    odd = os.path.join(os.fsencode(folder), ODD_NAME)
    os.mkdir(odd)
    shutil.copy(SOLUTION / "linear.py", os.path.join(odd, b"linear.py"))
    make_chain(folder, CHAIN_DEPTH)
    (folder / "data").mkdir()
    for i in range(OTHER_FILES):
        (folder / "data" / f"f{i:05d}").touch()
    (folder / "sub").mkdir()
    os.symlink("/etc/shadow", folder / "sub" / "linear.py")
    os.mkfifo(folder / "sub" / "losses.py")
    return folder


@pytest.fixture
def tree(tmp_path):
    folder = hostile(tmp_path / "hostile")
    yield folder
    remove_chain(folder)


def find_within(folder, seconds: float = 10.0) -> dict:
    """submission.find in a thread, so that a regression that opens a fifo fails instead of hanging."""
    found = {}
    worker = threading.Thread(target=lambda: found.update(submission.find(folder)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "submission.find blocked (did it open a fifo?)"
    return found


def test_a_hostile_tree_is_walked_quickly_and_every_oddity_is_noted(tree):
    started = time.monotonic()
    found = find_within(tree)
    assert time.monotonic() - started < 5
    assert all(found[name].problem is None and found[name].path == name for name in FILES)
    assert found["linear.py"].text == (SOLUTION / "linear.py").read_text()
    notes = "\n".join(found["linear.py"].notes)
    assert "skipped a symlink named sub/linear.py" in notes
    assert "ignored caf\\xff\\xfe/linear.py" in notes
    assert f"a folder deeper than {submission.MAX_DEPTH} levels was not searched" in notes
    assert f"ignored {OTHER_FILES:,} other files" in notes
    assert "skipped a special file named sub/losses.py" in found["losses.py"].notes[0]
    json.dumps([sf.notes for sf in found.values()]).encode("utf-8")  # every name is printable text


def test_a_symlink_or_fifo_is_never_read_even_as_the_only_candidate(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("class Linear: 'the secret'\n")
    sub = tmp_path / "sub"
    (sub / "deep").mkdir(parents=True)
    os.symlink(secret, sub / "linear.py")
    os.mkfifo(sub / "activations.py")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sub / "deep" / "losses.py"))
        found = find_within(sub)
    for name in FILES:
        assert found[name].text is None and "was not found" in found[name].problem
    assert "skipped a symlink named linear.py" in found["linear.py"].notes[0]
    assert "skipped a special file named activations.py" in found["activations.py"].notes[0]
    assert "skipped a special file named deep/losses.py" in found["losses.py"].notes[0]


def test_read_regular_refuses_what_is_not_a_plain_file(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    os.symlink("/etc/hostname", tmp_path / "link")
    (tmp_path / "big").write_bytes(b"x" * 2000)
    assert submission.read_regular(tmp_path / "fifo", 100) == (None, "is not a regular file")
    assert submission.read_regular(tmp_path / "link", 100)[0] is None  # O_NOFOLLOW
    assert submission.read_regular(tmp_path / "big", 1000)[1].startswith("is larger than")
    assert submission.read_regular(tmp_path / "big", 2000) == (b"x" * 2000, None)


def test_the_walk_stops_at_its_entry_limit_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_ENTRIES", 50)
    solution(tmp_path)
    (tmp_path / "zz").mkdir()
    for i in range(100):
        (tmp_path / "zz" / f"{i}.txt").touch()
    found = submission.find(tmp_path)
    assert all(found[name].problem is None for name in FILES)  # the top folder comes first
    assert any("more than 50 files and folders" in n for n in found["linear.py"].notes)


def test_names_are_shown_as_printable_text():
    assert submission.shown(os.fsdecode(b"a\xff/b\nc.py")) == "a\\xff/b\\nc.py"
    assert submission.shown("é/ü.py") == "é/ü.py"
    long = submission.shown("x" * 1000)
    assert len(long) < submission.MAX_NAME_CHARS + 5 and " … " in long


def test_results_write_survives_any_string_and_leaves_no_temporary(tmp_path, monkeypatch):
    odd = os.fsdecode(ODD_NAME) + "\ud800"  # surrogate escapes and a lone surrogate
    doc = results.results([results.test(odd, 1, 1, "visible", odd)], odd)
    results.write(doc, tmp_path / "results.json")
    back = json.loads((tmp_path / "results.json").read_bytes().decode("utf-8"))
    assert back["tests"][0]["name"] == "caf\\udcff\\udcfe\\ud800"

    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        results.write(doc, tmp_path / "again.json")
    with pytest.raises(TypeError):
        results.write({"not json": object()}, tmp_path / "again.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]
