"""make release: the zips are reproducible, laid out for Gradescope, and grade through run_autograder."""

import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder import release, results

ROOT = Path(__file__).resolve().parent.parent
STUDENT_FILES = ("linear.py", "activations.py", "losses.py")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    release.build_autograder_zip(out / "autograder.zip")
    release.build_student_zip(out / "student.zip")
    return out


def test_two_builds_are_byte_identical(built, tmp_path):
    release.build_autograder_zip(tmp_path / "autograder.zip")
    release.build_student_zip(tmp_path / "student.zip")
    for name in ("autograder.zip", "student.zip"):
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_autograder_zip_layout(built):
    with zipfile.ZipFile(built / "autograder.zip") as zf:
        names = zf.namelist()
        assert "setup.sh" in names and "run_autograder" in names  # at the root, not in a folder
        for name in ("setup.sh", "run_autograder"):
            info = zf.getinfo(name)
            assert (info.external_attr >> 16) & stat.S_IXUSR, f"{name} is not executable"
        for name in names:
            if name.endswith((".py", ".sh")) or name == "run_autograder":
                assert b"\r\n" not in zf.read(name), f"{name} has CRLF line endings"
        assert "scratchnn_ref/linear.py" in names and "autograder/child.py" in names
        assert not any(n.startswith(("solutions/", "tests/", "assignments/")) for n in names)
        setup = zf.read("setup.sh").decode()
    assert "torch==2.13.0" in setup and "download.pytorch.org/whl/cpu" in setup
    assert "adduser student" in setup and "go-rwx" in setup
    check = subprocess.run(["bash", "-n"], input=setup, text=True, capture_output=True)
    assert check.returncode == 0, check.stderr


def test_student_zip_has_stubs_and_no_solutions(built):
    with zipfile.ZipFile(built / "student.zip") as zf:
        names = zf.namelist()
        assert "scratchnn-assignment/scratchnn/linear.py" in names
        assert "scratchnn-assignment/README.md" in names
        text = zf.read("scratchnn-assignment/scratchnn/linear.py").decode()
    assert "NotImplementedError" in text and "BEGIN SOLUTION" not in text
    assert "self.dW = self._x.T @ dout" not in text


def _submission(tmp_path, source_dir: Path) -> Path:
    sub = tmp_path / "submission"
    sub.mkdir()
    for name in STUDENT_FILES:
        shutil.copy(source_dir / name, sub / name)
    return sub


def test_run_autograder_grades_the_solution_fully(built, tmp_path):
    doc = release.selfcheck(built / "autograder.zip", _submission(tmp_path, ROOT / "solutions" / "scratchnn"))
    assert results.validate(doc) == []
    assert doc["score"] == sum(t["max_score"] for t in doc["tests"]) == 100


def test_run_autograder_on_a_broken_submission_still_writes_results(built, tmp_path):
    sub = _submission(tmp_path, ROOT / "solutions" / "scratchnn")
    (sub / "losses.py").write_text("def oops(:\n")
    doc = release.selfcheck(built / "autograder.zip", sub)
    assert results.validate(doc) == []
    by_name = {t["name"]: t for t in doc["tests"]}
    assert by_name["MSELoss.forward: matches the reference (float32 and float64, several shapes)"]["score"] == 0
    assert "syntax error on line 1" in by_name["Files: linear.py, activations.py, losses.py"]["output"]
    linear = sum(t["score"] for t in doc["tests"] if t["name"].startswith("Linear"))
    assert linear == 15  # the other files are still graded


def test_student_zip_has_the_handout_notebook_without_solutions(built):
    with zipfile.ZipFile(built / "student.zip") as zf:
        text = zf.read("scratchnn-assignment/handout.ipynb").decode()
    assert text == (ROOT / "notebooks" / "handout.ipynb").read_text(encoding="utf-8")
    assert "raise NotImplementedError()" in text
    assert not any(marker in text for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"))
