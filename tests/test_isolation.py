"""A job cannot outlive its check or stall the sandbox: what it starts dies with it.

Student code here runs with no policy at all (straight through the sandbox), as the
sandbox's own promises must hold without the scan.
"""

import os
import sys
import time

import pytest

from autograder import grade, submission
from autograder.sandbox import Sandbox

ESCAPE = '''
import os
import time


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
    with Sandbox(grade.package_files(submission.find(tmp_path)), log=sys.stderr) as b:
        yield b


def run_code(box, code: str, timeout: float):
    """Import scratchnn.linear in a job, then run `code` (with `linear` and `workdir` bound) at module level."""
    (box.dir / "pkg" / "scratchnn" / "probe.py").write_text(
        f"import os\nfrom scratchnn import linear\nworkdir = {str(box.dir)!r}\n{code}\n")
    os.chmod(box.dir / "pkg" / "scratchnn" / "probe.py", 0o644)
    job = {"kind": "import", "module": "probe", "id": f"probe{time.monotonic_ns()}", "timeout": timeout,
           "policy": grade.operator_rules()}
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
