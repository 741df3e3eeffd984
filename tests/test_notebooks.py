"""The handout notebook (notebooks/handout.py) and its nbgrader and Otter flavours.

Each module fixture builds or runs one thing once: the notebook executed by nbclient on the
solutions and on the stubs, the nbgrader course with two graded submissions, the Otter
assignment with two graded submissions. Select these tests with `pytest -m notebooks`.
"""

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.hw1.config import GRAD_TOLERANCE

nbformat = pytest.importorskip("nbformat")  # the notebook extras: make test-notebooks installs them
NotebookClient = pytest.importorskip("nbclient").NotebookClient

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "handout.py"
_spec = importlib.util.spec_from_file_location("notebooks_build", ROOT / "notebooks" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

QUESTIONS = {"q1_linear_flops": 2, "q2_backward_ratio": 1, "q3_mlp_flops": 2, "q4_epoch_flops": 1}
# A student who gets Q3 right and the rest wrong (Q1 even passes its public test): 2 of 6 points.
WRONG_ANSWERS = {
    "q1_linear_flops": "def linear_flops(B, M, N):\n    return B * M * N",
    "q2_backward_ratio": "BACKWARD_OVER_FORWARD = 3",
    "q3_mlp_flops": "def mlp_flops_per_sample(dims):\n    return 2 * sum(a * b for a, b in zip(dims, dims[1:]))",
    "q4_epoch_flops": "SINE_EPOCH_FLOPS = 1000 * 8448",
}
WRONG_SCORES = {"q1_linear_flops": 0, "q2_backward_ratio": 0, "q3_mlp_flops": 2, "q4_epoch_flops": 0}


def student_folder(dest: Path, package: Path) -> Path:
    """A student's folder: the given scratchnn package next to tests/checks.py."""
    shutil.copytree(package, dest / "scratchnn", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "tests").mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "checks.py", dest / "tests" / "checks.py")
    return dest


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def text_of(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def count_outputs(nb, kind: str) -> int:
    return sum(kind in o.get("data", {}) or o.output_type == kind
               for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def all_strings(node) -> str:
    """Every string inside a notebook's JSON (sources, outputs and metadata such as Otter's tests)."""
    if isinstance(node, str):
        return node + "\n"
    if isinstance(node, dict):
        return "".join(all_strings(v) for v in node.values())
    if isinstance(node, list):
        return "".join(all_strings(v) for v in node)
    return ""


def secret_lines(source: Path = SOURCE) -> list[str]:
    """The lines of the source's solutions and hidden tests, as written and as Otter rewrites them."""
    lines = []
    for cell in build.read_source(source).cells:
        if "question" in cell.metadata and cell.cell_type == "code":
            block = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S).group(1)
        elif "test" in cell.metadata:
            block = build.split_hidden(cell.source)[1]
        else:
            continue
        for line in filter(None, (raw.strip() for raw in block.splitlines())):
            lines += [line, ast.unparse(ast.parse(line))]
    return sorted(set(lines))


# ---------------------------------------------------------------- the notebook itself

@pytest.fixture(scope="module")
def on_solutions(tmp_path_factory):
    folder = student_folder(tmp_path_factory.mktemp("solutions"), ROOT / "solutions" / "scratchnn")
    return execute(build.read_source(), folder)


@pytest.fixture(scope="module")
def on_stubs(tmp_path_factory):
    folder = student_folder(tmp_path_factory.mktemp("stubs"), ROOT / "assignments" / "scratchnn")
    return execute(build.read_source(), folder)


def test_runs_top_to_bottom_on_the_solutions(on_solutions):
    assert count_outputs(on_solutions, "error") == 0
    text = text_of(on_solutions)
    assert len(re.findall(r"\bok$", text, re.M)) == 3 + 7 + 5, text  # every gradient of every class
    assert not re.search(r"WRONG|NOT FINITE|not implemented|error:", text), text
    assert "your loss: 2000.0" in text
    assert re.search(r"relu, lr=[\d.]+ +final training MSE [\d.]+ +grid MSE 0\.00", text), text


def test_draws_its_three_figures(on_solutions):
    # activations and derivatives, losses and gradients, loss curves and fits
    assert count_outputs(on_solutions, "image/png") == 3


def test_runs_on_the_stubs_and_says_what_is_missing(on_stubs):
    assert count_outputs(on_stubs, "error") == 0
    text = text_of(on_stubs)
    # gradient tables (Linear, activations, losses), the large-input table, the log-softmax example
    assert len(re.findall(r"not implemented yet$", text, re.M)) == 3 + 7 + 5 + 7 + 1, text
    assert "SoftmaxCELoss is not implemented yet" in text
    assert text.count("not trained") == 3
    assert count_outputs(on_stubs, "image/png") == 2  # the references are drawn; no training, no curves


def test_gradient_tolerance_is_the_graders():
    match = re.search(r"^GRAD_RTOL, GRAD_ATOL = (\S+), (\S+)", SOURCE.read_text(encoding="utf-8"), re.M)
    assert (float(match.group(1)), float(match.group(2))) == (GRAD_TOLERANCE["rtol"], GRAD_TOLERANCE["atol"])


def test_questions_are_self_contained():
    """Otter grades by running only the question cells, so they must run on their own."""
    cells = [c for c in build.read_source().cells if c.cell_type == "code" and ("question" in c.metadata
                                                                                 or "test" in c.metadata)]
    env = {}
    for cell in cells:
        exec(cell.source, env)
    assert {c.metadata.get("test") for c in cells} - {None} == set(QUESTIONS)
    assert {c.metadata["test"]: c.metadata["points"] for c in cells if "test" in c.metadata} == QUESTIONS


# ---------------------------------------------------------------- nbgrader

@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    course = build.build_nbgrader(tmp_path_factory.mktemp("nbgrader") / "course")  # runs generate_assignment
    release = nbformat.read(course / "release" / build.NAME / f"{build.NAME}.ipynb", as_version=4)
    for student, package in (("right", "solutions"), ("wrong", "assignments")):
        folder = student_folder(course / "submitted" / student / build.NAME, ROOT / package / "scratchnn")
        if student == "right":  # the solution notebook itself
            shutil.copy(course / "source" / build.NAME / f"{build.NAME}.ipynb", folder)
        else:  # the release notebook, answered badly
            nb = nbformat.from_dict(json.loads(json.dumps(release)))
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                if grade_id.endswith("_answer"):
                    cell.source = WRONG_ANSWERS[grade_id.removesuffix("_answer")]
            nbformat.write(nb, folder / f"{build.NAME}.ipynb")
    build.run(["nbgrader", "autograde", build.NAME, "--force"], cwd=course)
    return course


def nbgrader_scores(course: Path, student: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {q: gradebook.find_grade(q, build.NAME, build.NAME, student).score for q in QUESTIONS}


def test_nbgrader_release_has_no_solutions_or_hidden_tests(nbgrader_course):
    release = nbgrader_course / "release" / build.NAME / f"{build.NAME}.ipynb"
    student_text = all_strings(json.loads(release.read_text(encoding="utf-8")))
    source_text = (nbgrader_course / "source" / build.NAME / f"{build.NAME}.ipynb").read_text(encoding="utf-8")
    for line in secret_lines():
        assert line not in student_text, line
    assert "raise NotImplementedError()" in student_text
    assert "assert linear_flops(1, 1, 1) == 2" in source_text  # the check above can fail
    assert not re.search(r"BEGIN SOLUTION|END SOLUTION|HIDDEN TESTS", student_text)


def test_nbgrader_release_ships_the_student_files(nbgrader_course):
    release = nbgrader_course / "release" / build.NAME
    for name in ("linear.py", "activations.py", "losses.py", "mlp.py", "train.py"):
        assert (release / "scratchnn" / name).read_text() == (ROOT / "assignments" / "scratchnn" / name).read_text()
    assert (release / "tests" / "checks.py").is_file()


def test_nbgrader_grades_the_solution_full_marks(nbgrader_course):
    assert nbgrader_scores(nbgrader_course, "right") == QUESTIONS


def test_nbgrader_grades_wrong_answers_with_hidden_tests(nbgrader_course):
    assert nbgrader_scores(nbgrader_course, "wrong") == WRONG_SCORES


def test_nbgrader_autograded_notebooks_fail_only_in_test_cells(nbgrader_course):
    for student, failing in (("right", set()), ("wrong", {"q1_linear_flops", "q2_backward_ratio", "q4_epoch_flops"})):
        path = nbgrader_course / "autograded" / student / build.NAME / f"{build.NAME}.ipynb"
        nb = nbformat.read(path, as_version=4)
        errors = {c.metadata.get("nbgrader", {}).get("grade_id", f"cell {i}")
                  for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  for o in c.outputs if o.output_type == "error"}
        assert errors == failing, student


def test_nbgrader_keeps_the_students_own_scratchnn(nbgrader_course):
    """The right student's solutions were used (their plots are drawn), not the release's stubs."""
    path = nbgrader_course / "autograded" / "right" / build.NAME / f"{build.NAME}.ipynb"
    assert count_outputs(nbformat.read(path, as_version=4), "image/png") == 3


# ---------------------------------------------------------------- Otter

@pytest.fixture(scope="module")
def otter_assignment(tmp_path_factory):
    return build.build_otter(tmp_path_factory.mktemp("otter") / "handout")  # runs otter assign


def otter_grade(assignment: Path, notebook: nbformat.NotebookNode, workdir: Path) -> dict:
    """Scores per question from `otter run` (local grading, no Docker) of one notebook."""
    workdir.mkdir()
    nbformat.write(notebook, workdir / f"{build.NAME}.ipynb")
    (zip_path,) = (assignment / "dist" / "autograder").glob("*.zip")
    build.run(["otter", "run", "-a", str(zip_path), "-o", str(workdir), f"{build.NAME}.ipynb"], cwd=workdir)
    results = json.loads((workdir / "results.json").read_text(encoding="utf-8"))
    return {t["name"]: t["score"] for t in results["tests"] if t["name"] in QUESTIONS}


def test_otter_student_notebook_has_no_solutions_or_hidden_tests(otter_assignment):
    dist = otter_assignment / "dist"
    student_text = all_strings(json.loads((dist / "student" / f"{build.NAME}.ipynb").read_text(encoding="utf-8")))
    for line in secret_lines():
        assert line not in student_text, line
    assert "grader.check(\"q1_linear_flops\")" in student_text  # public tests stay checkable
    assert not re.search(r"BEGIN SOLUTION|END SOLUTION|HIDDEN TESTS|# HIDDEN", student_text)
    (zip_path,) = (dist / "autograder").glob("*.zip")
    listing = subprocess.run(["unzip", "-p", str(zip_path), "tests/q1_linear_flops.py"],
                             capture_output=True, text=True, check=True).stdout
    assert "linear_flops(1, 1, 1) == 2" in listing  # the hidden tests are in the grader


def test_otter_student_folder_ships_the_stubs(otter_assignment):
    student = otter_assignment / "dist" / "student"
    for name in ("linear.py", "activations.py", "losses.py"):
        assert (student / "scratchnn" / name).read_text() == (ROOT / "assignments" / "scratchnn" / name).read_text()
    assert (student / "tests" / "checks.py").is_file()


def test_otter_grades_the_solution_full_marks(otter_assignment, tmp_path):
    solution = nbformat.read(otter_assignment / "dist" / "autograder" / f"{build.NAME}.ipynb", as_version=4)
    assert otter_grade(otter_assignment, solution, tmp_path / "right") == QUESTIONS


def test_otter_grades_wrong_answers_with_hidden_tests(otter_assignment, tmp_path):
    nb = nbformat.read(otter_assignment / "dist" / "student" / f"{build.NAME}.ipynb", as_version=4)
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(QUESTIONS)
    for cell, question in zip(answers, QUESTIONS, strict=True):  # in the source's order
        cell.source = WRONG_ANSWERS[question]
    assert otter_grade(otter_assignment, nb, tmp_path / "wrong") == WRONG_SCORES


def test_one_source_for_both_flavours():
    """Both masters carry the same text and code: only the grading scaffolding differs."""
    source = build.read_source()
    nbg, otter = build.nbgrader_notebook(source), build.otter_notebook(source)
    assert [c.source for c in nbg.cells] == [c.source for c in source.cells]
    otter_code = [c.source for c in otter.cells if c.cell_type != "raw"]
    for cell in source.cells:
        if "test" not in cell.metadata:
            assert cell.source.replace("### BEGIN SOLUTION", "# BEGIN SOLUTION") in otter_code


# ---------------------------------------------------------------- the student notebook in student.zip

@pytest.fixture(scope="module")
def zipped_notebook(tmp_path_factory):
    from autograder import release

    out = tmp_path_factory.mktemp("student-zip")
    release.build_student_zip(out / "student.zip")
    with zipfile.ZipFile(out / "student.zip") as zf:
        zf.extractall(out)
    return out / "scratchnn-assignment"


def test_committed_student_notebook_is_fresh(tmp_path):
    fresh = build.build_student(tmp_path / "handout.ipynb")
    assert fresh.read_bytes() == build.STUDENT_NOTEBOOK.read_bytes(), "run: python notebooks/build.py student"


def test_zipped_notebook_has_no_solutions_or_hidden_tests(zipped_notebook):
    text = all_strings(json.loads((zipped_notebook / "handout.ipynb").read_text(encoding="utf-8")))
    for line in secret_lines():
        assert line not in text, line
    assert text.count("raise NotImplementedError()") == len(QUESTIONS)


def test_zipped_notebook_runs_on_the_stubs(zipped_notebook):
    """Unpacked as a student gets it: only the unanswered questions raise, each in its answer or test cell."""
    nb = nbformat.read(zipped_notebook / "handout.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(zipped_notebook)}}).execute()
    errors = [(c.source, o.ename) for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors and all(name in ("NotImplementedError", "NameError") for _, name in errors), errors
    assert all("raise NotImplementedError()" in source or source.startswith("assert") for source, _ in errors)
    assert sum(name == "NotImplementedError" for _, name in errors) >= 2  # the two constants' cells at least
    assert "not implemented yet" in text_of(nb)


# ---------------------------------------------------------------- assignment 2's handout (notebooks/handout_hw2.py)

SOURCE_HW2 = ROOT / "notebooks" / "handout_hw2.py"
QUESTIONS_HW2 = {"q1_state_numbers": 1, "q2_parameter_count": 2}


def calls(source: str, *names: str) -> bool:
    """Whether a code cell calls one of the functions `names` (a definition or a method does not count)."""
    return any(re.search(rf"^(?!def ).*(?<![.\w]){name}\(", source, re.M) for name in names)


@pytest.fixture(scope="module")
def hw2_on_the_solution(tmp_path_factory):
    """The instructor's notebook (solutions in) run on the solution package, with its data."""
    folder = tmp_path_factory.mktemp("hw2-solution") / "kit"
    shutil.copytree(ROOT / "solutions" / "hw2", folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return execute(build.read_source(SOURCE_HW2), folder)


@pytest.fixture(scope="module")
def hw2_zipped_kit(tmp_path_factory):
    from autograder import assignment, release

    out = tmp_path_factory.mktemp("hw2-student-zip")
    release.build_student_zip(out / "student.zip", assignment.load("hw2"))
    with zipfile.ZipFile(out / "student.zip") as zf:
        zf.extractall(out)
    return out / "scratchnn-hw2"


def test_hw2_committed_student_notebook_is_fresh(tmp_path):
    fresh = build.build_student(tmp_path / "handout_hw2.ipynb", SOURCE_HW2)
    committed = build.STUDENT_NOTEBOOKS[SOURCE_HW2]
    assert fresh.read_bytes() == committed.read_bytes(), "run: python notebooks/build.py student"


def test_hw2_build_writes_both_student_notebooks(tmp_path):
    assert build.main(["student", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.ipynb", "handout_hw2.ipynb"]
    assert (tmp_path / "handout_hw2.ipynb").read_bytes() == build.STUDENT_NOTEBOOKS[SOURCE_HW2].read_bytes()


def test_hw2_zipped_notebook_is_the_committed_one_without_solutions(hw2_zipped_kit):
    zipped = hw2_zipped_kit / "handout.ipynb"
    assert zipped.read_bytes() == build.STUDENT_NOTEBOOKS[SOURCE_HW2].read_bytes()
    text = all_strings(json.loads(zipped.read_text(encoding="utf-8")))
    secrets = secret_lines(SOURCE_HW2)
    assert "assert mlp_parameter_count([64, 64, 64, 10], batchnorm=True) == 9226" in secrets  # the check can fail
    for line in secrets:
        assert line not in text, line
    assert text.count("raise NotImplementedError()") == len(QUESTIONS_HW2)
    assert not re.search(r"BEGIN SOLUTION|END SOLUTION|HIDDEN TESTS", text)
    nb = nbformat.read(zipped, as_version=4)
    assert [c.id for c in nb.cells] == [f"cell-{i:03d}" for i in range(len(nb.cells))]
    assert all(c.metadata == {} for c in nb.cells)  # no grading metadata


def test_hw2_questions_have_points_and_public_tests():
    cells = build.read_source(SOURCE_HW2).cells
    assert {c.metadata["test"]: c.metadata["points"] for c in cells if "test" in c.metadata} == QUESTIONS_HW2
    env = {}
    for cell in cells:  # the questions run on their own, hidden tests included
        if cell.cell_type == "code" and ("question" in cell.metadata or "test" in cell.metadata):
            exec(cell.source, env)


def test_hw2_runs_on_the_solution(hw2_on_the_solution):
    nb = hw2_on_the_solution
    assert count_outputs(nb, "error") == 0
    assert count_outputs(nb, "image/png") == 2  # optimizers, BatchNorm on and off
    text = text_of(nb)
    differences = [float(d) for d in re.findall(r"max \|yours - torch\.optim\| (\S+)$", text, re.M)]
    assert len(differences) == 5 and max(differences) < 1e-6, text
    accuracies = dict(re.findall(r"^(.+?) +training loss [\d.]+ +test accuracy ([\d.]+)$", text, re.M))
    assert len(accuracies) == 3 + 4, text
    assert all(float(a) > 0.85 for a in accuracies.values()), text
    losses = dict(re.findall(r"^(.+?) +training loss ([\d.]+)", text, re.M))
    assert float(losses["SGD, lr=0.05, momentum 0.9"]) < float(losses["SGD, lr=0.05"])
    assert float(losses["SGD, lr=0.05, batchnorm on"]) < float(losses["SGD, lr=0.05, batchnorm off"])


def test_hw2_zipped_notebook_on_the_stubs_stops_only_where_unwritten_code_runs(hw2_zipped_kit):
    """Unpacked as a student gets it: the cells that run an unwritten method (an optimizer's step, a
    layer's forward, a question's function) raise its NotImplementedError, and no other cell fails."""
    nb = nbformat.read(hw2_zipped_kit / "handout.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(hw2_zipped_kit)}}).execute()
    errors = {i: (o.ename, o.evalue) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"}
    assert all(name == "NotImplementedError" for name, _ in errors.values()), errors
    code = {i: c.source for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    runs_the_package = {i for i, s in code.items() if calls(s, "against_torch", "train")}
    asks_a_question = {i for i, s in code.items() if calls(s, "state_numbers", "mlp_parameter_count")}
    assert len(runs_the_package) == 3 and len(asks_a_question) == len(QUESTIONS_HW2)
    assert set(errors) == runs_the_package | asks_a_question, errors
    for i in runs_the_package:
        assert "is not written yet" in errors[i][1], errors[i]  # the stub's own message
    assert "1438 training and 359 test images" in text_of(nb)  # the cells before ran
