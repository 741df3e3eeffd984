"""Any bytes, any tree, any neighbour: the grader's bounded, exception-free handling of what it reads.

What comes back from the sandbox (result .npz and JSON that student code may have written
itself), what a student uploads (any folder tree), and one submission of a class that
breaks: each gives a verdict or a note, in bounded time, and never a grader exception.
Grading costs about 10 s, so only two tests here grade for real.
"""

import bz2
import csv
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder import batch, results, sandbox, submission
from autograder.hw1 import ASSIGNMENT as HW1

# judge and suite (they import torch) are imported where they are used: the pool processes of
# test_a_dying_grading_process_costs_only_its_own_submission import this module, and start faster without.

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
    worker = threading.Thread(target=lambda: found.update(submission.find(folder, HW1.student_files)), daemon=True)
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
    found = submission.find(tmp_path, HW1.student_files)
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


# ---------------------------------------------------------------- result files
def npy(shape, dtype="<f8") -> bytes:
    """A .npy header for an array of `shape` (the data is up to the caller)."""
    f = io.BytesIO()
    np.lib.format.write_array_header_1_0(f, {"descr": dtype, "fortran_order": False, "shape": shape})
    return f.getvalue()


def raw_zip(members) -> bytes:
    """A zip built by hand from (name, method, stored bytes, crc, declared size): headers can say anything."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, method, data, crc, size in members:
        name = name.encode()
        offset = body.tell()
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 46, 0, method, 0, 0, crc, len(data), size, len(name), 0)
                   + name + data)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 46, 46, 0, method, 0, 0, crc, len(data), size,
                                    len(name), 0, 0, 0, 0, 0, offset) + name)
    start, directory = body.tell(), directory.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0)
    return body.getvalue() + directory + end


def zeros(elements: int) -> bytes:
    return npy((elements,)) + bytes(8 * elements)


def zip_bomb(members: int = 65_535) -> bytes:
    """The measured bomb: `members` bzip2 members of 2^20 float64 zeros each, 15 MB on disk, 0.5 TB decoded."""
    data = zeros(1 << 20)
    packed, crc = bz2.compress(data, 9), zlib.crc32(data)
    return raw_zip([(f"a{i}.npy", 12, packed, crc, len(data)) for i in range(members)])


def deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@pytest.fixture
def box():
    """A sandbox's working folder (the child is never started: only its result readers are used)."""
    b = sandbox.Sandbox({}, log=io.StringIO())
    yield b
    b.cleanup()


def test_a_zip_bomb_npz_is_read_in_bounded_time_as_no_results(box):
    bomb = zip_bomb()
    assert 14e6 < len(bomb) < 17e6
    (box.dir / "out" / "job.npz").write_bytes(bomb)
    started = time.monotonic()
    assert box._read_npz("job") == {}  # numpy's own reader spent over 700 s on this file
    assert time.monotonic() - started < 0.5
    assert "job.npz ignored: 65535 members" in box.log.getvalue()


@pytest.mark.parametrize("case", ["bzip2", "many members", "too much in all", "declared too small", "too big to say"])
def test_an_npz_past_a_limit_is_refused_whatever_its_headers_say(case):
    data = zeros(1 << 20)  # 8 MB
    packed, crc = deflated(data), zlib.crc32(data)
    members = {
        "bzip2": lambda: [("a.npy", 12, bz2.compress(data), crc, len(data))],
        "many members": lambda: [(f"a{i}.npy", 0, b"", 0, 0) for i in range(sandbox.MAX_NPZ_MEMBERS + 1)],
        # 1,000 members that each decode to 8 MB, honestly declared: refused before any is decoded
        "too much in all": lambda: [(f"a{i}.npy", 8, packed, crc, len(data)) for i in range(1000)],
        # declared as 200 bytes, decodes to 8 MB: decoding stops at the declared size, and the CRC fails
        "declared too small": lambda: [("a.npy", 8, packed, crc, 200)],
        "too big to say": lambda: [("a.npy", 8, deflated(data + data), 0, 2 * len(data))],
    }[case]()
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        sandbox._arrays_of(raw_zip(members))
    assert time.monotonic() - started < 0.5
    assert not isinstance(raised.value, (MemoryError, RecursionError))


def test_an_npz_that_understates_its_size_or_reads_too_long_is_refused(monkeypatch):
    big = zeros(1 << 18)  # 2 MB decoded
    members = [(f"a{i}.npy", 8, deflated(big), zlib.crc32(big), 100) for i in range(4)]  # declared 100 bytes each
    with pytest.raises(Exception, match="CRC"):  # decoding stops at the declared size, which then fails its CRC
        sandbox._arrays_of(raw_zip(members))
    monkeypatch.setattr(sandbox, "MAX_READ_SECONDS", 0.0)
    with pytest.raises(sandbox.ResultLimit, match="took more than"):
        sandbox._arrays_of(raw_zip([("a.npy", 8, deflated(big), zlib.crc32(big), len(big))]))


def test_an_npz_from_numpy_keeps_its_numeric_arrays_and_drops_the_rest():
    f = io.BytesIO()
    kept = {"a": np.arange(6.0).reshape(2, 3), "i": np.ones((2, 2), dtype=np.int64), "s": np.zeros(3, np.float32),
            "f": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "e": np.zeros((0, 3))}
    dropped = {"o": np.array(["text"]), "b": np.zeros(2, ">f8"), "d9": np.zeros((1,) * 9), "h": np.zeros(2, np.float16)}
    np.savez(f, **kept, **dropped)
    arrays = sandbox._arrays_of(f.getvalue())
    assert sorted(arrays) == sorted(kept)
    for key, value in kept.items():
        assert arrays[key].dtype == value.dtype and np.array_equal(arrays[key], value)
        assert arrays[key].flags.writeable
    assert sandbox._npy(npy((3,)) + bytes(16)) is None  # shorter than its header says


@pytest.mark.parametrize("data, why", [
    (b"[" * 100_000, "not valid JSON"),  # json.loads raises RecursionError
    (b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}", "nests deeper"),
    (b"\xff\xfe", "not valid JSON"),
    (b'"a string"', "not a JSON object"),
    (b'{"error": "boom"}', "error is not a JSON object"),
    (b'{"error": null, "runs": 5}', "runs is not a JSON array"),
    (b'{"error": null, "violations": "torch.sigmoid"}', "violations"),
])
def test_meta_that_is_not_a_jobs_meta_is_marked_unreadable(data, why):
    meta = sandbox.meta_of(data)
    assert why in meta["unreadable"]


def test_a_status_line_of_the_wrong_shape_is_not_trusted():
    assert sandbox.status_problem({"id": "j", "timeout": False, "cpu": 0.1, "exit": 0, "signal": None}, "j") is None
    for status in ("j", ["j"], {"id": "k"}, {"id": "j", "cpu": "fast"}, {"id": "j", "timeout": "no"},
                   {"id": "j", "signal": [9]}):
        assert sandbox.status_problem(status, "j")


@pytest.fixture(scope="module")
def checks():
    """One real check per part (forward, backward, gradcheck, robust, large, sine_fit)."""
    from autograder.hw1 import suite

    one = {}
    for check in suite.all_checks():
        one.setdefault(check.part, check)
    return list(one.values())


MALFORMED = [
    {"error": "boom"}, {"error": ["boom"]}, {"error": None, "runs": 5}, {"error": None, "runs": [1, "x", None]},
    {"error": None, "runs": [{"error": "boom"}] * 50}, {"error": None, "runs": [{"error": {"type": 5, "where": 3}}]},
    {"error": None, "runs": [{"r0c0": {"type": "Tensor", "too_big": True, "shape": "huge"}}]},
    {"error": None, "runs": [{"r0c0": {"type": ["Tensor"]}, "r0c1": 5}]}, {"error": None, "violations": 7},
    {"error": None, "values": [1]}, {"unreadable": "it nests deeper than 16 levels"}, [], "meta", 5,
]
STATUSES = [{"id": "j"}, {"id": "j", "timeout": "yes", "signal": "9", "exit": [1], "sandbox_error": None}, "j", None]


@pytest.mark.parametrize("meta", MALFORMED, ids=[json.dumps(m)[:40] for m in MALFORMED])
def test_malformed_results_give_a_verdict_of_zero_never_an_exception(checks, meta):
    from autograder.hw1 import judge

    for check in checks:
        for status in STATUSES:
            for arrays in ({}, {"r0c0": "not an array", "r0c1": np.array(["x"]), "W0": 5}, None):
                verdict = judge.judge(check, {"status": status, "meta": meta, "arrays": arrays})
                assert verdict.fraction == 0 and isinstance(verdict.output, str) and verdict.output


def test_the_messages_say_what_could_not_be_read(checks):
    from autograder.hw1 import judge

    forward = checks[0]
    said = judge.judge(forward, {"status": {"id": "j", "exit": 0}, "meta": {"error": "boom"}, "arrays": {}}).output
    assert said.startswith("Your code's results could not be read (its error is not a JSON object)")
    said = judge.judge(forward, {"status": {"id": "j", "signal": 9}, "meta": {"unreadable": "it is not valid JSON"},
                                 "arrays": {}}).output
    assert "was killed by signal 9" in said  # killed while writing its results: the kill is what counts
    said = judge.judge(forward, {"status": {"id": "j", "exit": 0}, "meta": {"error": None, "runs": [{"error": "boom"}]},
                                 "arrays": {}}).output
    assert "your code raised: boom" in said
    assert judge.error_text("Importing linear.py failed", "boom") == "Importing linear.py failed: boom"
    assert judge.error_text("x", {"type": "E", "message": "m" * 10_000}).endswith("m [...]")


# ---------------------------------------------------------------- student text Python or the scan cannot read
DEEP_TEXTS = {  # what compile() raises for each: the file gets a message, never the grading a traceback
    "5,000 nested minus signs (RecursionError)": ("_deep = " + "-" * 5000 + "1\n", "nested too deeply"),
    "50,000 nested minus signs (MemoryError)": ("_deep = " + "-" * 50_000 + "1\n", "nested too deeply"),
    "a sum of 100,000 terms (RecursionError)": ("_E = " + " + ".join(["1.0"] * 100_000) + "\n", "nested too deeply"),
    "a NUL byte": ("x = 1\0\n", "null bytes"),
    "a syntax error on a very long line": ("x = (" + "1 + " * 10_000 + "\n", "syntax error"),
}


@pytest.mark.parametrize("case", DEEP_TEXTS, ids=str)
def test_a_file_python_cannot_compile_is_that_files_message(case, tmp_path):
    """The red team's nested_expr: compile() raised RecursionError, and the whole grading failed."""
    text, said = DEEP_TEXTS[case]
    folder = solution(tmp_path / "sub")
    (folder / "losses.py").write_text((SOLUTION / "losses.py").read_text() + text)
    files = submission.find(folder, FILES)
    assert files["linear.py"].problem is None and files["activations.py"].problem is None
    problem = files["losses.py"].problem
    assert problem.startswith("losses.py ") and said in problem and "none of its classes can be graded" in problem
    assert len(problem) < 1000, problem


def test_a_file_the_scan_cannot_read_is_that_files_problem_only(tmp_path, monkeypatch):
    """Whatever the scan raises for one file, that file is not graded, with the scan's words, and the others are."""
    from autograder import grade, policy

    files = submission.find(solution(tmp_path / "sub"), FILES)
    real = policy.scan

    def scan(source, classes, rules):
        if "class MSELoss" in source:
            raise policy.ScanError("it is nested too deeply for Python (RecursionError)")
        if "class Linear" in source:
            raise RuntimeError("a bug of the scan")
        return real(source, classes, rules)

    monkeypatch.setattr(policy, "scan", scan)
    violations = grade.policy_violations(HW1, files)
    assert files["activations.py"].problem is None and violations["Sigmoid"] == []
    assert "could not be checked for the course policy: it is nested too deeply" in files["losses.py"].problem
    assert "RuntimeError: a bug of the scan" in files["linear.py"].problem
    assert "MSELoss" not in violations and "Linear" not in violations


def test_correct_code_with_long_expressions_is_scanned(tmp_path):
    """The red team's long_sum_scan: a 600-term sum at module level, which Python compiles and imports."""
    from autograder import grade

    folder = solution(tmp_path / "sub")
    text = (SOLUTION / "activations.py").read_text()
    (folder / "activations.py").write_text(text + "\n_E = " + " + ".join(["1.0"] * 600) + "\n"
                                           + "_F = " + " + ".join(["0.0"] * 2900) + "\n")
    files = submission.find(folder, FILES)
    assert not any(sf.problem for sf in files.values())
    assert not any(grade.policy_violations(HW1, files).values())


# ---------------------------------------------------------------- grading for real (two gradings)
def files_output(doc: dict) -> str:
    return next(t["output"] for t in doc["tests"] if t["name"].startswith("Files"))


def test_the_solution_in_a_hostile_tree_scores_100_with_notes(tree, tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "autograder", str(tree), "--results", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(out.read_bytes().decode("utf-8"))  # strict UTF-8: every name was made printable
    assert not results.validate(doc) and doc["score"] == 100
    said = files_output(doc)
    for note in ("skipped a symlink named sub/linear.py", "ignored caf\\xff\\xfe/linear.py",
                 f"deeper than {submission.MAX_DEPTH} levels", f"ignored {OTHER_FILES:,} other files",
                 "skipped a special file named sub/losses.py"):
        assert note in said
    assert not list(tmp_path.glob(".results-*"))


BATCH_METADATA = """\
good:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1'
weird:
  :submitters: 5
"""


def test_a_class_with_a_hostile_tree_and_broken_submissions_is_graded_in_full(tmp_path):
    export = tmp_path / "export"
    hostile(export / "good")
    (export / os.fsdecode(b"broken\xff")).mkdir()
    (export / os.fsdecode(b"broken\xff") / "linear.py").write_text("def (:\n")
    (export / "weird").mkdir()  # its metadata names no one, and it holds nothing
    (export / batch.METADATA).write_text(BATCH_METADATA)
    try:
        counts = batch.run(export, tmp_path / "out", jobs=2, progress=False)
    finally:
        remove_chain(export / "good")
    assert counts["graded"] == 3 and counts["failed"] == 0
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    assert sorted(rows) == ["broken_", "good", "weird"]
    assert float(rows["good"]["total"]) == 100 and rows["good"]["sid"] == "1" and not rows["good"]["problem"]
    assert float(rows["broken_"]["total"]) < 100 and rows["broken_"]["sid"] == "broken\\xff"
    assert rows["weird"]["sid"] == "weird" and "no submitters" in rows["weird"]["problem"]
    doc = json.loads((tmp_path / "out" / "good" / "results.json").read_bytes().decode("utf-8"))
    assert "skipped a symlink named sub/linear.py" in files_output(doc)
    for sub in rows:
        assert not results.validate(json.loads((tmp_path / "out" / sub / "results.json").read_text()))


# ---------------------------------------------------------------- a class: one submission's trouble is its own
def test_tree_hash_walks_as_the_grader_does(tree, tmp_path):
    started = time.monotonic()
    first = batch.tree_hash(tree)
    assert time.monotonic() - started < 5
    target = tmp_path / "target.txt"
    target.write_text("one")
    os.symlink(target, tree / "link.txt")
    linked = batch.tree_hash(tree)
    target.write_text("two")  # what a symlink points to is never read
    assert batch.tree_hash(tree) == linked != first
    with open(tree / "linear.py", "a") as f:
        f.write("# resubmitted\n")
    assert batch.tree_hash(tree) != linked


def test_grade_one_records_a_failure_at_any_step(tmp_path, monkeypatch):
    from autograder import grade

    def broken_grade(path, log, assignment=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(grade, "grade", broken_grade)
    score, problem = batch.grade_one(str(tmp_path), str(tmp_path / "out" / "a"), {"files": "x", "grader": "y"})
    assert score == 0 and "RuntimeError('boom')" in problem
    doc = json.loads((tmp_path / "out" / "a" / "results.json").read_text())
    assert doc["tests"][0]["name"] == "Autograder: could not run" and not results.validate(doc)
    assert not (tmp_path / "out" / "a" / "key.json").exists()  # graded again on the next run
    (tmp_path / "out" / "b").write_text("a file where the submission's folder should be")
    score, problem = batch.grade_one(str(tmp_path), str(tmp_path / "out" / "b"), None)
    assert score == 0 and "grader failed" in problem


def test_discover_survives_broken_metadata_and_odd_folder_names(tmp_path):
    for name in (b"a?", b"a!", b"caf\xc3\xa9", b"x\xff"):
        os.mkdir(os.path.join(os.fsencode(tmp_path), name))
    (tmp_path / batch.METADATA).write_text("a?: [unclosed\n")
    subs = batch.discover(tmp_path)
    assert [s.id for s in subs] == ["a_", "a_-2", "caf_", "x_"]
    assert [s.students[0]["sid"] for s in subs] == ["a!", "a?", "café", "x\\xff"]
    assert all(s.problem.startswith(f"{batch.METADATA} could not be read") for s in subs)


def fake_grading(path: str, folder: str, key) -> tuple:
    """Stands in for batch.grade_one in a pool's process: dies outright for a submission named 'dies'."""
    if path.endswith("dies"):
        os._exit(3)
    results.write(results.results([results.test("t", 1, 1, "visible", "ok")], "ok"), Path(folder) / "results.json")
    return 1.0, ""


def test_a_dying_grading_process_costs_only_its_own_submission(tmp_path):
    subs = [batch.Submission(name, tmp_path / name) for name in ("first", "dies", "last")]
    counts = batch._grade_all(subs, tmp_path / "out", 1, False, {}, work=fake_grading)
    assert counts == {"graded": 3, "failed": 1}
    assert "its grading process died" in subs[1].problem and not subs[0].problem and not subs[2].problem
    doc = json.loads((tmp_path / "out" / "dies" / "results.json").read_text())
    assert doc["tests"][0]["name"] == "Autograder: could not run"
    assert json.loads((tmp_path / "out" / "last" / "results.json").read_text())["score"] == 1
