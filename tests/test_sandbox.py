"""The sandbox without namespaces: what Gradescope's containers (no CAP_SYS_ADMIN) will most likely use.

Only meaningful as root, where student code runs as an unprivileged user; needs the packages
to be reachable by that user without bind mounts (as /opt/scratchnn-venv is on Gradescope).
"""

import os
import shutil
import sysconfig
from pathlib import Path

import pytest

from autograder import grade, sandbox

ROOT = Path(__file__).resolve().parent.parent


def _reachable_by_others(path: str) -> bool:
    p = Path(path).resolve()
    return all(os.stat(a).st_mode & 0o001 for a in [*reversed(p.parents), p])


@pytest.mark.skipif(os.geteuid() != 0, reason="the grader drops privileges only as root")
def test_grading_without_namespaces_as_an_unprivileged_user(tmp_path, monkeypatch):
    site = sysconfig.get_paths()["purelib"]
    if not _reachable_by_others(site):
        pytest.skip("this venv lies under a private folder; without namespaces the sandbox user cannot reach it")
    for name in ("linear.py", "activations.py", "losses.py"):
        shutil.copy(ROOT / "solutions" / "scratchnn" / name, tmp_path / name)
    monkeypatch.setattr(sandbox, "_namespaces_work", lambda: False)
    monkeypatch.setattr(sandbox, "_bwrap_works", lambda python, user: False)
    log = tmp_path / "log.txt"
    with open(log, "w") as f:
        doc = grade.grade(tmp_path, log=f)
    assert "no namespaces here" in log.read_text()
    assert doc["score"] == 100
    assert "no namespaces here" in doc["extra_data"]["sandbox"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the grader drops privileges only as root")
def test_grading_with_namespaces_but_no_bubblewrap(tmp_path, monkeypatch):
    """Where bubblewrap is missing or refused, private namespaces (unshare) hide the kit's folders."""
    if not sandbox._namespaces_work():
        pytest.skip("unshare is refused here")
    for name in ("linear.py", "activations.py", "losses.py"):
        shutil.copy(ROOT / "solutions" / "scratchnn" / name, tmp_path / name)
    monkeypatch.setattr(sandbox, "_bwrap_works", lambda python, user: False)
    with open(tmp_path / "log.txt", "w") as f:
        doc = grade.grade(tmp_path, log=f)
    assert doc["score"] == 100 and "private mount" in doc["extra_data"]["sandbox"]
