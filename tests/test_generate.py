"""The generator: assignments/ and scratchnn_ref/ are exactly what solutions/ produces.

Also checks what students receive: every method they write raises NotImplementedError,
no solution line or marker leaks, and the public tests pass on the solutions and fail,
once per class, on the stubs.
"""

import ast
import importlib.util
import keyword
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from autograder import generate
from autograder.assignment import load, names
from autograder.hw1 import config
from autograder.stubs import TASKS, MarkerError, reference_text, regions, solution_lines, stub_text

ROOT = generate.ROOT
STUDENT_CLASSES = {
    "Linear": "linear.py",
    **dict.fromkeys(["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"], "activations.py"),
    **dict.fromkeys(["MSELoss", "MAELoss", "HuberLoss", "BCELoss", "SoftmaxCELoss"], "losses.py"),
}
MARKER_TEXTS = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS")


def text_files(tree: str):
    for path in sorted((ROOT / tree).rglob("*")):
        if path.suffix == ".gz":  # data, copied as it is
            continue
        if path.is_file() and "__pycache__" not in path.parts and ".pytest_cache" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def test_the_student_classes_are_the_graded_classes():
    assert set(STUDENT_CLASSES) == set(config.CLASSES)
    assert set(STUDENT_CLASSES.values()) == set(config.STUDENT_FILES) == set(TASKS)


def test_committed_trees_equal_the_generated_ones():
    stale = generate.stale()
    assert not stale, f"stale generated files (run `make generate` and commit): {[str(p) for p in stale]}"


# ---------------------------------------------------------------- the stubs


@pytest.fixture
def stubs():
    """The student package from assignments/, imported under a name of its own."""
    name = "scratchnn_stubs_under_test"
    init = ROOT / "assignments" / "scratchnn" / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(init.parent)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    try:
        spec.loader.exec_module(package)
        yield package
    finally:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def calls(cls_name: str):
    """A fresh instance of the class and the arguments of its forward and backward."""
    if cls_name == "Linear":
        return (3, 2), (torch.randn(4, 3),), (torch.randn(4, 2),)
    if STUDENT_CLASSES[cls_name] == "activations.py":
        return (), (torch.randn(5),), (torch.randn(5),)
    if cls_name == "SoftmaxCELoss":
        return (), (torch.randn(4, 3), torch.tensor([0, 1, 2, 0])), ()
    return (), (torch.rand(4, 3), torch.rand(4, 3)), ()


@pytest.mark.parametrize("cls_name", STUDENT_CLASSES)
def test_every_stub_method_raises_not_implemented(stubs, cls_name):
    init_args, forward_args, backward_args = calls(cls_name)
    for method, args in (("forward", forward_args), ("backward", backward_args)):
        obj = getattr(stubs, cls_name)(*init_args)
        with pytest.raises(NotImplementedError) as info:
            getattr(obj, method)(*args)
        message = str(info.value)
        assert f"{cls_name}.{method}" in message
        assert f"Task {TASKS[STUDENT_CLASSES[cls_name]]} in README.md" in message


def test_exactly_the_26_methods_raise():
    """13 classes × (forward, backward), and no raise NotImplementedError anywhere else."""
    found = []
    for path in sorted((ROOT / "assignments" / "scratchnn").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        raises = [node for node in ast.walk(tree) if isinstance(node, ast.Raise) and node.exc is not None
                  and "NotImplementedError" in ast.unparse(node.exc)]
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            for fn in (node for node in cls.body if isinstance(node, ast.FunctionDef)):
                body = [node for node in fn.body if not isinstance(node, ast.Expr)]  # without the docstring
                if any(node in raises for node in ast.walk(fn)):
                    assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{cls.name}.{fn.name} keeps code"
                    found.append((path.name, cls.name, fn.name))
        assert len(raises) == sum(1 for f in found if f[0] == path.name), f"a raise outside a method in {path.name}"
    expected = [(file, cls, method) for cls, file in STUDENT_CLASSES.items() for method in ("forward", "backward")]
    assert sorted(found) == sorted(expected)
    assert len(found) == 26


def _own(root: Path, path: Path, roots: list) -> bool:
    """Whether `path` belongs to the tree at `root`, not to another assignment's tree nested in it."""
    return path.is_relative_to(root) and not any(
        path.is_relative_to(r) for r in roots if r != root and r.is_relative_to(root))


@pytest.mark.parametrize("name", names())
def test_no_marker_or_solution_line_reaches_the_students(name):
    """An assignment's kit holds none of its own solution lines. (Assignment 2's given model.py is
    assignment 1's reference on purpose, handed out after assignment 1.)"""
    a = load(name)
    solutions = [ROOT / load(n).layout.solutions for n in names()]
    kits = [ROOT / load(n).layout.student for n in names()]
    secret = set()
    for path in sorted((ROOT / a.layout.solutions).rglob("*.py")):
        if _own(ROOT / a.layout.solutions, path, solutions):
            secret |= solution_lines(path.read_text(encoding="utf-8"))
    assert secret, "no solution lines found: are the markers still there?"
    kit = ROOT / a.layout.student
    for path, text in text_files(a.layout.student):
        if not _own(kit, path, kits):
            continue
        rel = path.relative_to(ROOT)
        if path.parent == kit / "tests" and path.name in generate.SHARED:
            continue  # copies of the grader's own modules, not made from solutions/
        for marker in MARKER_TEXTS:
            assert marker not in text, f"{rel} contains the marker text {marker!r}"
        leaked = [line.strip() for line in text.splitlines() if line.strip() in secret
                  and not keyword.iskeyword(line.strip().rstrip(":"))]  # `else:` gives nothing away
        assert not leaked, f"{rel} contains solution lines: {leaked}"


def test_the_reference_has_code_but_no_markers():
    for path, text in text_files("scratchnn_ref"):
        assert not any(marker in text for marker in MARKER_TEXTS), path.name
        assert "NotImplementedError" not in text, path.name


# ---------------------------------------------------------------- markers

BODY = "class A:\n    def f(self):\n{lines}"


@pytest.mark.parametrize("lines", [
    "        ### BEGIN SOLUTION\n        return 1\n",                                   # no END
    "        return 1\n        ### END SOLUTION\n",                                     # no BEGIN
    "        ### BEGIN SOLUTION\n        ### BEGIN SOLUTION\n        return 1\n"
    "        ### END SOLUTION\n        ### END SOLUTION\n",                             # nested
    "        ### BEGIN SOLUTION\n        return 1\n        ### END HIDDEN TESTS\n",     # mismatched END
    "        ### BEGIN SOLUTION NO PROMPT\n        return 1\n        ### END SOLUTION\n",
], ids=["begin-without-end", "end-without-begin", "nested", "mismatched-end", "mismatched-no-prompt"])
def test_unbalanced_markers_raise_marker_error(lines):
    source = BODY.format(lines=lines)
    with pytest.raises(MarkerError):
        regions(source.splitlines())
    with pytest.raises(MarkerError):
        stub_text(source, "linear.py")
    with pytest.raises(MarkerError):
        reference_text(source)


def test_balanced_markers_give_stub_and_reference():
    source = BODY.format(lines="        ### BEGIN SOLUTION\n        return 42\n        ### END SOLUTION\n")
    stub = stub_text(source, "losses.py")
    assert 'raise NotImplementedError("A.f is not written yet: see Task 3 in README.md")' in stub
    assert "return 42" not in stub and "###" not in stub
    assert reference_text(source) == "class A:\n    def f(self):\n        return 42\n"
    assert "return 42" in solution_lines(source) and "def f(self):" not in solution_lines(source)


# ---------------------------------------------------------------- the public tests


@pytest.fixture(scope="module")
def public_runs() -> dict:
    """`pytest` in solutions/ and in assignments/, run side by side: folder -> (exit status, output)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    procs = {folder: subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                                      cwd=ROOT / folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
             for folder in ("solutions", "assignments")}
    outputs = {folder: proc.communicate(timeout=300)[0] for folder, proc in procs.items()}
    return {folder: (proc.returncode, outputs[folder]) for folder, proc in procs.items()}


def test_public_tests_pass_on_the_solutions(public_runs):
    status, output = public_runs["solutions"]
    assert status == 0, output[-4000:]
    assert " passed" in output and "skipped" not in output and "failed" not in output


def test_public_tests_fail_on_the_stubs_once_per_class(public_runs):
    status, output = public_runs["assignments"]
    assert status == 1, output[-4000:]
    for cls, file in STUDENT_CLASSES.items():
        message = f"{cls}.forward is not written yet: see Task {TASKS[file]} in README.md"
        assert message in output, f"no failure names {cls}"
    assert f"{len(STUDENT_CLASSES)} failed" in output


@pytest.mark.parametrize("name", names())
def test_make_submission_zips_exactly_the_graded_files(name, tmp_path):
    """Each kit's make_submission.py zips the assignment's student files, written or not (warning for the
    stubs), and refuses a file that does not parse, leaving no zip."""
    import shutil
    import zipfile

    a = load(name)
    kit = tmp_path / "kit"
    shutil.copytree(ROOT / a.layout.student, kit, ignore=shutil.ignore_patterns("hw2", "__pycache__"))
    run = lambda: subprocess.run([sys.executable, "make_submission.py"], cwd=kit, capture_output=True, text=True)  # noqa: E731
    done = run()
    assert done.returncode == 0, done.stderr
    assert "NotImplementedError" in done.stdout
    with zipfile.ZipFile(kit / "submission.zip") as z:
        assert sorted(z.namelist()) == sorted(a.student_files)
    (kit / "submission.zip").unlink()
    first = sorted(a.student_files)[0]
    (kit / "scratchnn" / first).write_text("def broken(:\n", encoding="utf-8")
    done = run()
    assert done.returncode == 1 and f"scratchnn/{first} line 1" in done.stderr
    assert not (kit / "submission.zip").exists()
