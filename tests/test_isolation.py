"""A job cannot outlive its check or stall the sandbox: what it starts dies with it.

Student code here runs with no policy at all (straight through the sandbox), as the
sandbox's own promises must hold without the scan.
"""

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from autograder import child, grade, limits, submission
from autograder.hw1 import ASSIGNMENT as HW1
from autograder.sandbox import Sandbox

ESCAPE = '''
import os
import time
from pathlib import Path


def _leave_the_group():
    os.setpgid(0, os.getpgid(os.getppid()))  # into the sandbox's own group: a kill of its group misses it
    time.sleep(600)


def _background_writer(workdir):
    if os.fork() == 0:
        os.setsid()
        time.sleep(1.5)
        with open(os.path.join(workdir, "out", "after.json"), "w") as f:
            f.write('{"written": "after the job ended"}')
        os._exit(0)
'''


@pytest.fixture
def box(tmp_path):
    for name in ("linear.py", "activations.py", "losses.py"):
        (tmp_path / name).write_text("import torch\n")
    (tmp_path / "linear.py").write_text(ESCAPE)
    with Sandbox(grade.package_files(HW1, submission.find(tmp_path, HW1.student_files)), log=sys.stderr) as b:
        yield b


def run_code(box, code: str, timeout: float):
    """Import scratchnn.linear in a job, then run `code` at module level (`linear`, `workdir`, `job_id` bound)."""
    job_id = f"probe{time.monotonic_ns()}"
    (box.dir / "pkg" / "scratchnn" / "probe.py").write_text(
        f"import os\nfrom scratchnn import linear\nworkdir = {str(box.dir)!r}\njob_id = {job_id!r}\n{code}\n")
    os.chmod(box.dir / "pkg" / "scratchnn" / "probe.py", 0o644)
    job = {"kind": "import", "module": "probe", "id": job_id, "timeout": timeout,
           "policy": grade.operator_rules(HW1)}
    start = time.monotonic()
    out = box.run(job, {})
    return out, time.monotonic() - start


def test_a_job_that_leaves_its_process_group_ends_at_its_time_limit(box):
    out, wall = run_code(box, "linear._leave_the_group()", timeout=2.0)
    assert out["status"].get("timeout") is True and not out["status"].get("lost")
    assert wall < 6.0
    out, wall = run_code(box, "pass", timeout=5.0)  # the sandbox still answers
    assert out["meta"] == {"error": None, "violations": []}


def test_nothing_a_job_started_runs_into_the_next_job(box):
    if not box.user:
        pytest.skip("only a sandbox user of its own can be swept (the grader runs as root)")
    run_code(box, "linear._background_writer(workdir)", timeout=5.0)
    time.sleep(2.5)
    assert not (box.dir / "out" / "after.json").exists()


# ------------------------------------------------------------------ what a sandbox can see
SNOOP = '''
import os

SECRET_NAMES = {"grades.csv", "submission_metadata.yml", "results.json", "linear.py", "report.html"}


def _snoop():
    found = []
    for top in ("/", "/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/work", "/autograder"):
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr", "dev")]
            for name in files:
                if name in SECRET_NAMES or name.endswith(".yml"):
                    path = os.path.join(folder, name)
                    try:
                        with open(path, errors="replace") as f:
                            found.append(path + ": " + f.read(200))
                    except OSError as e:
                        found.append(path + ": " + type(e).__name__)
    return found


raise RuntimeError("FOUND " + repr(_snoop()))
'''


@pytest.mark.parametrize("mode", ["the best here", "permissions alone"])
def test_a_batch_submission_sees_no_other_submission_nor_the_batch(tmp_path, monkeypatch, mode):
    """One submission walks the file system at import (policy off) and raises what it found into its
    own results; nothing of the batch's input or output, or of the other submission, may be there.
    The class lies in a folder anyone may read, as an instructor's download would."""
    import tempfile

    from autograder import batch, sandbox
    from autograder import grade as grading

    if mode == "permissions alone":
        monkeypatch.setattr(sandbox, "_bwrap_works", lambda python, user: False)
        monkeypatch.setattr(sandbox, "_namespaces_work", lambda: False)
    monkeypatch.setattr(grading, "policy_violations", lambda a, files: {})
    solution = Path(__file__).resolve().parent.parent / "solutions" / "scratchnn"
    tmp_path = Path(tempfile.mkdtemp(prefix="scratchnn-class-"))
    os.chmod(tmp_path, 0o755)
    export = tmp_path / "export"
    for sub, linear in (("submission_1", SNOOP), ("submission_2", None)):
        folder = export / sub
        folder.mkdir(parents=True)
        for name in ("linear.py", "activations.py", "losses.py"):
            (folder / name).write_text((solution / name).read_text())
        if linear:
            (folder / "linear.py").write_text(linear)
        else:
            (folder / "linear.py").write_text((solution / "linear.py").read_text() + "\n# OTHER-STUDENT-MARKER\n")
    (export / "submission_metadata.yml").write_text(
        ":submission_1:\n  :submitters:\n  - :name: Snoop\n    :email: snoop@example.edu\n    :sid: '1'\n"
        ":submission_2:\n  :submitters:\n  - :name: Victim Person\n    :email: victim@example.edu\n    :sid: '2'\n")
    out = tmp_path / "out"
    batch.run(export, out, jobs=1, progress=False)
    batch.run(export, out, jobs=1, progress=False)  # again: the first run's grades.csv exists now
    snooped = next(out.rglob("submission_1*/results.json")).read_text()
    assert "FOUND" in snooped
    try:
        for secret in ("OTHER-STUDENT-MARKER", "victim@example.edu", "Victim Person", str(export), str(out)):
            assert secret not in snooped, secret
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_private_temporary_folders_are_small_and_die_with_the_sandbox(box):
    if "bubblewrap" not in box.isolation:
        pytest.skip(f"needs bubblewrap (here: {box.isolation})")
    code = ('import errno\nfor d in ("/tmp", "/var/tmp", "/dev/shm"):\n'
            '    with open(d + "/scratchnn-left-behind", "wb") as f:\n        f.write(b"x")\n'
            'try:\n    with open("/dev/shm/big", "wb") as f:\n        f.write(bytes(256 << 20))\n'
            'except OSError as e:\n    raise RuntimeError("no room: " + errno.errorcode[e.errno])\n')
    out, _ = run_code(box, code, timeout=10.0)
    assert "no room: ENOSPC" in str(out["meta"]["error"])
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        assert not os.path.exists(d + "/scratchnn-left-behind")


def test_a_submission_slow_to_every_limit_still_ends_within_the_total(tmp_path, monkeypatch):
    """Every call of every class sleeps, so each check takes up to its limit: grading ends within
    TIME_TOTAL (plus what writing takes), and the checks it could not reach say so."""
    from autograder import grade as grading

    monkeypatch.setattr(grading, "policy_violations", lambda a, files: {})
    monkeypatch.setattr(limits, "TIME_PER_TEST", 3.0)
    monkeypatch.setattr(limits, "TIME_TOTAL", 20.0)
    solution = Path(__file__).resolve().parent.parent / "solutions" / "scratchnn"
    for name in ("linear.py", "activations.py", "losses.py"):
        text = (solution / name).read_text()
        text = text.replace("import torch\n", "import time\n\nimport torch\n", 1)
        assert "        ### BEGIN SOLUTION\n" in text
        (tmp_path / name).write_text(text.replace("        ### BEGIN SOLUTION\n", "        time.sleep(2.8)\n"))
    start = time.monotonic()
    with open(tmp_path / "log", "w") as log:
        doc = grading.grade(tmp_path, log=log)
    wall = time.monotonic() - start
    assert wall < limits.TIME_TOTAL + 8.0, wall
    late = [t for t in doc["tests"] if "total time limit" in t["output"]]
    assert late and all(t["score"] == 0 for t in late)


def test_a_job_killed_at_its_time_limit_keeps_what_the_recorder_saw(tmp_path):
    """The recorder writes each sighting as it happens: a forbidden operator followed by an endless
    sleep is still reported, though the job never wrote its meta."""
    for name in ("activations.py", "losses.py"):
        (tmp_path / name).write_text("import torch\n")
    (tmp_path / "linear.py").write_text("import time\nimport torch\n\ntorch.sigmoid(torch.ones(2))\ntime.sleep(600)\n")
    with Sandbox(grade.package_files(HW1, submission.find(tmp_path, HW1.student_files)), log=sys.stderr) as box:
        job = {"kind": "import", "module": "linear", "id": "slow", "timeout": 3.0, "policy": grade.operator_rules(HW1)}
        out = box.run(job, {})
    assert out["status"]["timeout"] and out["meta"] is None
    assert [(s["what"], s["line"]) for s in out["sightings"]] == [("aten.sigmoid", 4)]


def test_sightings_are_read_as_data_only():
    from autograder.sandbox import MAX_SIGHTINGS_READ, sightings_of

    one = {"what": "aten.sigmoid", "why": "w", "instead": "i", "file": "linear.py", "line": 4, "code": ""}
    seen = b"\n".join([b"not json", b"[1, 2]", b'{"what": "aten.sigmoid"', json_line(one)] + [json_line({"n": i})
                                                                                           for i in range(100)])
    found = sightings_of({"violations": [one]}, seen)
    assert found[0] == one and one not in found[1:] and len(found) == MAX_SIGHTINGS_READ
    assert sightings_of(None, None) == [] and sightings_of({"unreadable": "x"}, b"") == []


def json_line(record) -> bytes:
    import json

    return json.dumps(record).encode()


def test_printing_in_a_loop_is_kept_short_and_never_ends_the_job(box):
    """Debug prints left in correct code: past TENSORS_SHOWN tensors a tensor prints as a one-line summary
    (formatting costs PyTorch about a millisecond each), and past OUTPUT_CHARS the rest of the output is
    dropped, so that neither time nor the file-size limit runs out. The values computed are untouched."""
    code = ("import sys\nimport torch\n"
            "x = torch.arange(64.0).reshape(8, 8)\n"
            f"for i in range({child.TENSORS_SHOWN + 50}):\n    print(x)\n"
            "print(f'{x!r}', x.sum())\n"
            "for i in range(40000):\n    print('ab' * 50)\n    print('cd' * 50, file=sys.stderr)\n"
            "assert float(x.sum()) == 2016.0\n")
    out, _ = run_code(box, code, timeout=20.0)
    assert out["meta"] == {"error": None, "violations": []}, out
    log = (box.dir / "out" / (out["status"]["id"] + ".log")).read_text()
    shown = child.TENSORS_SHOWN
    assert log.count("tensor([[ 0.,  1.,") == shown
    assert log.count(f"tensor(<shape [8, 8], float32: not printed, a check prints its first {shown} tensors>)") == 51
    assert "tensor(<shape [], float32: not printed" in log  # x.sum(), the 252nd
    assert len(log) <= 2 * child.OUTPUT_CHARS + 200
    assert log.count("[the rest of this job's output was not kept]") == 2


# ------------------------------------------------------------------ a job's report is the job's own
FORGE = """
import json
import sys
import numpy
out = os.path.join(sys.argv[1], "out", job_id)  # the sandbox's own view of its folder
numpy.savez(out + ".npz", forged=numpy.ones(3))
with open(out + ".json", "w") as f:
    json.dump({"error": None, "violations": [], "forged": True}, f)
"""
CHECK = type("Check", (), {"time_limit": 20.0})()


def test_results_a_job_wrote_itself_before_ending_it_are_not_believed(box):
    """Student code runs in the job's process and can write the job's result files: only the job's own
    end vouches for them. An exit is turned into a sighting and the job reports as usual."""
    out, _ = run_code(box, FORGE + "os._exit(0)\n", timeout=10.0)
    assert out["meta"]["error"]["type"] == "SystemExit" and "forged" not in out["meta"]
    assert "forged" not in out["arrays"]
    assert ["os._exit was called"] == [s["what"] for s in out["sightings"]]
    out, _ = run_code(box, FORGE + "os.execv('/bin/true', ['true'])\n", timeout=10.0)
    assert "forged" not in out["meta"] and [s["what"] for s in out["sightings"]] == ["os.execv was called"]


def test_a_change_to_torch_that_breaks_the_check_of_libraries_is_still_reported(box):
    """A value whose attributes raise, put into torch, neither crashes the report nor hides itself."""
    code = FORGE + "import torch\nclass Boom:\n    @property\n    def __code__(self):\n        raise ValueError\n" \
                   "    __class__ = property(lambda self: 1 / 0)\nsetattr(torch, 'zz_boom', Boom())\n"
    out, _ = run_code(box, code, timeout=10.0)
    assert out["status"]["exit"] == 0 and "forged" not in out["meta"] and out["meta"]["error"] is None
    assert [s["what"] for s in out["sightings"]] == ["torch.zz_boom was changed"]


def test_a_job_whose_code_changes_the_grader_reports_nothing_but_that(box):
    """The recorder, the kit's runners and this job's writers are snapshotted before student code runs
    and out of sys.modules' reach; a change found after it ends the job with TAMPERED_EXIT, unwritten."""
    from autograder.outcome import failure_of_job
    from autograder.sandbox import TAMPERING

    out, _ = run_code(box, "import sys\nassert 'recorder' not in sys.modules, sorted(sys.modules)\n", timeout=10.0)
    assert out["meta"]["error"] is None, out["meta"]
    silence = ("import torch\nfor mode in torch.utils._python_dispatch.TorchDispatchMode.__subclasses__():\n"
               "    mode._add = lambda self, sighting: None\ntorch.sigmoid(torch.ones(2))\n")
    out, _ = run_code(box, FORGE + silence, timeout=10.0)
    assert out["status"]["exit"] == limits.TAMPERED_EXIT == child.TAMPERED
    assert out["sightings"][0] == TAMPERING and out["meta"] is None
    assert "changed the grader's own code" in failure_of_job(CHECK, out).output
    out, _ = run_code(box, FORGE + "import json\njson.dumps = lambda *a, **k: '{}'\n", timeout=10.0)
    assert out["status"]["exit"] == limits.TAMPERED_EXIT


def test_a_job_whose_code_changes_a_given_class_ends_tampered(box):
    """The given files' classes (here the probe's own, as the probe is not a student file) must keep their
    file's code: a method from a student file ends the job as tampered. Their own methods, properties and
    the made-up methods of a dataclass are theirs."""
    given = ("import dataclasses\n@dataclasses.dataclass\nclass Given:\n    n: int = 0\n"
             "    def f(self):\n        return 1\n    @property\n    def p(self):\n        return 2\n"
             "Given.g = Given.f\n")
    out, _ = run_code(box, given, timeout=10.0)
    assert out["status"]["exit"] == 0 and out["meta"]["error"] is None, out
    out, _ = run_code(box, given + "Given.f = linear._leave_the_group\n", timeout=10.0)
    assert out["status"]["exit"] == limits.TAMPERED_EXIT
