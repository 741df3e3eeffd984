"""Build the nbgrader and Otter flavours of the handout from its one source, notebooks/handout.py.

    python notebooks/build.py nbgrader [OUT]   course directory + `nbgrader generate_assignment`
    python notebooks/build.py otter [OUT]      master notebook + `otter assign`
    python notebooks/build.py student [OUT]    the student notebooks alone, into the folder OUT (default notebooks/)

The student notebooks (solutions replaced by `raise NotImplementedError()`, hidden tests removed) are
committed: notebooks/handout.ipynb (from handout.py, assignment 1) and notebooks/handout_hw2.ipynb
(from handout_hw2.py, assignment 2), so that `make release` puts each into its assignment's
student.zip without jupytext; rebuild them after editing a source (a notebooks test fails while one
is stale). nbgrader and Otter build assignment 1's handout only.

OUT defaults to build/nbgrader and build/otter. The student notebook lands in
OUT/release/handout/ (nbgrader) or OUT/dist/student/ (Otter), next to a copy of assignments/
(the scratchnn stubs and tests/checks.py), as students receive it.

The source is a jupytext percent-format script. Besides text and code cells it has questions:
    # %% [markdown] question="q1_name"    the prompt
    # %% question="q1_name"               the answer: solution between ### BEGIN/END SOLUTION
    # %% test="q1_name" points=2          public asserts, hidden ones between ### BEGIN/END HIDDEN TESTS
A question's cells must not use other cells' variables: Otter's grader runs only the questions.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat

from autograder.hw1.config import STUDENT_FILES  # the files a student submits

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "handout.py"
NAME = "handout"

NBGRADER_CONFIG = f"""c = get_config()
c.CourseDirectory.course_id = "scratchnn"
# grade with the student's own scratchnn files, so that the autograded notebook shows their plots
c.Autograde.exclude_overwriting = {{"{NAME}": {[f"scratchnn/{f}" for f in STUDENT_FILES]}}}
c.Execute.timeout = 300  # seconds per cell: the sine fit trains three networks
"""

OTTER_CONFIG = f"""# ASSIGNMENT CONFIG
name: {NAME}
export_cell: false
tests:
  files: false
  ok_format: true
generate:
  show_stdout: false
  show_hidden: false
"""


def read_source(path: Path = SOURCE) -> nbformat.NotebookNode:
    """The source as a notebook whose cells keep only our metadata (question, test, points)."""
    nb = jupytext.read(path)
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("question", "test", "points")}
    nb.metadata = {"kernelspec": nb.metadata["kernelspec"], "language_info": {"name": "python"}}
    return nb


def split_hidden(source: str) -> tuple[str, str]:
    """A test cell's (public, hidden) code."""
    public, hidden, inside = [], [], False
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
            inside = "BEGIN" in line
        else:
            (hidden if inside else public).append(line)
    return "\n".join(public).strip(), "\n".join(hidden).strip()


def plain(cell: nbformat.NotebookNode, **metadata) -> nbformat.NotebookNode:
    make = nbformat.v4.new_code_cell if cell.cell_type == "code" else nbformat.v4.new_markdown_cell
    return make(cell.source, metadata=metadata)


def nbgrader_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Answer cells become nbgrader solution cells, test cells autograded test cells."""
    def meta(grade_id, solution, points=None):
        flags = {"grade_id": grade_id, "solution": solution, "grade": not solution, "locked": not solution,
                 "schema_version": 3, "task": False}
        return {"nbgrader": flags if solution else {**flags, "points": points}}

    cells = []
    for cell in nb.cells:
        m = cell.metadata
        if "question" in m and cell.cell_type == "code":
            cells.append(plain(cell, **meta(f"{m['question']}_answer", True)))
        elif "test" in m:
            cells.append(plain(cell, **meta(m["test"], False, m.get("points", 1))))
        else:
            cells.append(plain(cell))
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)


def otter_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The same cells between Otter Assign's raw delimiter cells; other code cells skipped when grading."""
    raw = nbformat.v4.new_raw_cell
    points = {c.metadata["test"]: c.metadata.get("points", 1) for c in nb.cells if "test" in c.metadata}
    cells, question = [raw(OTTER_CONFIG)], None
    for cell in nb.cells:
        m = cell.metadata
        if m.get("question", question) != question:
            question = m["question"]
            cells.append(raw(f"# BEGIN QUESTION\nname: {question}\npoints: {points[question]}\nall_or_nothing: true"))
        if "question" in m and cell.cell_type == "code":
            source = cell.source.replace("### BEGIN SOLUTION", "# BEGIN SOLUTION")
            cells += [raw("# BEGIN SOLUTION"), nbformat.v4.new_code_cell(source), raw("# END SOLUTION")]
        elif "test" in m:
            public, hidden = split_hidden(cell.source)
            tests = [public] * bool(public) + ["# HIDDEN\n" + hidden] * bool(hidden)
            cells += [raw("# BEGIN TESTS"), *map(nbformat.v4.new_code_cell, tests), raw("# END TESTS"),
                      raw("# END QUESTION")]
            question = None
        elif cell.cell_type == "code":
            cells.append(plain(cell, tags=["otter_ignore"]))
        else:
            cells.append(plain(cell))
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)


STUDENT_NOTEBOOK = ROOT / "notebooks" / f"{NAME}.ipynb"
# Every handout source and the student notebook built from it, by `student`.
STUDENT_NOTEBOOKS = {SOURCE: STUDENT_NOTEBOOK,
                     ROOT / "notebooks" / "handout_hw2.py": ROOT / "notebooks" / "handout_hw2.ipynb"}
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def without_solution(source: str) -> str:
    """An answer cell with each ### BEGIN/END SOLUTION block replaced by STUB, at the block's indentation."""
    def stub(match):
        return "\n".join(match.group(1) + line for line in STUB.splitlines()) + "\n"
    return re.sub(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?", stub, source, flags=re.S | re.M)


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What students get: answers stubbed, public tests only, no grading metadata; stable cell ids."""
    cells = []
    for cell in nb.cells:
        m = cell.metadata
        if "question" in m and cell.cell_type == "code":
            cell = nbformat.v4.new_code_cell(without_solution(cell.source))
        elif "test" in m:
            cell = nbformat.v4.new_code_cell(split_hidden(cell.source)[0])
        else:
            cell = plain(cell)
        cell.id = f"cell-{len(cells):03d}"
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)


def build_student(out: Path = STUDENT_NOTEBOOK, source: Path = SOURCE) -> Path:
    """Write the student notebook of source to out (a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(student_notebook(read_source(source)), out)
    return out


def build_students(folder: Path = STUDENT_NOTEBOOK.parent) -> list[Path]:
    """Write every student notebook (STUDENT_NOTEBOOKS) into folder, under its usual name."""
    return [build_student(folder / out.name, source) for source, out in STUDENT_NOTEBOOKS.items()]


def copy_student_release(dest: Path) -> None:
    """assignments/ (scratchnn stubs, tests/checks.py, ...) into dest, as students get it."""
    shutil.copytree(ROOT / "assignments", dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc"))


def run(args: list[str], cwd: Path) -> None:
    """Run a tool of this venv; nbgrader starts `alembic` by name, so the venv's bin goes first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run([os.path.join(bin_dir, args[0]), *args[1:]], cwd=cwd, env=env, check=True)


def build_nbgrader(out: Path, generate: bool = True) -> Path:
    """Write the course directory out/ and, if generate, the student version in out/release/."""
    shutil.rmtree(out, ignore_errors=True)
    source = out / "source" / NAME
    copy_student_release(source)
    nbformat.write(nbgrader_notebook(read_source()), source / f"{NAME}.ipynb")
    (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    if generate:
        run(["nbgrader", "generate_assignment", NAME, "--force"], cwd=out)
    return out


def build_otter(out: Path, assign: bool = True) -> Path:
    """Write the master notebook out/{NAME}.ipynb and, if assign, out/dist/{autograder,student}."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    nbformat.write(otter_notebook(read_source()), out / f"{NAME}.ipynb")
    if assign:
        run(["otter", "assign", f"{NAME}.ipynb", "dist"], cwd=out)
        copy_student_release(out / "dist" / "student")
    return out


def main(argv: list[str]) -> int:
    builders = {"nbgrader": build_nbgrader, "otter": build_otter, "student": build_students}
    if not argv or argv[0] not in builders or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    default = STUDENT_NOTEBOOK.parent if argv[0] == "student" else ROOT / "build" / argv[0]
    out = Path(argv[1]) if len(argv) > 1 else default
    builders[argv[0]](out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
