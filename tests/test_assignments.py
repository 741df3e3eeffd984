"""The engine and its assignments: the engine never imports one, and each gives the engine what it reads.

The engine is every module of autograder/ but the instructor's tools; an assignment is a package
autograder/<name>/ with an ASSIGNMENT record (autograder/assignment.py).
"""

import ast
from pathlib import Path

import pytest

from autograder import assignment, release, results
from autograder.assignment import load, names

HERE = Path(__file__).resolve().parent
AUTOGRADER = HERE.parent / "autograder"
ENGINE = ("__main__", "assignment", "checks", "child", "grade", "inputs", "limits", "outcome", "parsing", "policy",
          "recorder", "results", "sandbox", "submission")
TOOLS = tuple(name[:-3] for name in release.TOOLS)


def imported(path: Path) -> set:
    """The modules a file imports, relative ones as written (".hw1", "..suite")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found |= {base} | {f"{base}.{a.name}" if node.module else base + a.name for a in node.names}
    return found


def test_every_module_is_engine_tool_or_assignment():
    top = {p.stem for p in AUTOGRADER.glob("*.py")} - {"__init__"}
    assert top == set(ENGINE) | (top & set(TOOLS)), sorted(top - set(ENGINE) - set(TOOLS))
    assert set(names()) == {p.parent.name for p in AUTOGRADER.glob("*/__init__.py")}


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_imports_no_assignment(module):
    for name in imported(AUTOGRADER / f"{module}.py"):
        parts = name.lstrip(".").split(".")
        assert not set(parts) & set(names()), f"{module}.py imports {name}"
        assert parts[0] not in ("scratchnn_ref", "scratchnn"), f"{module}.py imports {name}"
        assert not (name.startswith(".") and parts[0] in TOOLS), f"{module}.py imports the tool {name}"


@pytest.mark.parametrize("name", names())
def test_each_assignment_gives_the_engine_what_it_reads(name):
    a = load(name)
    assert a.name == name and set(a.classes.values()) == set(a.student_files)
    checks = a.checks()
    groups = {c.group for c in checks}
    assert set(a.classes) <= groups, "every class has checks"
    for c in checks:
        assert c.name.startswith(c.group if c.group in a.classes else c.group.split(" ")[0]), c.name
        assert c.cls in a.classes and c.cls in c.needs and set(c.needs) <= set(a.classes)
        assert c.visibility in results.VISIBILITIES and c.points > 0 and c.time_limit > 0
        assert c.gate is None or any(o.part == c.gate and o.group == c.group for o in checks), c.name
        assert c.job["kind"] in ("ops", "kit") and (c.job["kind"] != "kit" or c.job["runner"] in a.kit_files)
    total = sum(c.points for c in checks) + sum(a.policy_points(cls) for cls in a.classes)
    assert total == pytest.approx(100)
    assert all(path.is_file() for path in a.kit_files.values())
    assert set(a.layout.tasks) == set(a.student_files)


def test_the_first_assignment_is_graded_when_none_is_named(monkeypatch):
    monkeypatch.delenv(assignment.ENV, raising=False)
    assert assignment.default_name() == "hw1" or assignment.DEFAULT_FILE.is_file()
    monkeypatch.setenv(assignment.ENV, "hw2")
    assert load().name == "hw2"
    with pytest.raises(ValueError, match="no assignment"):
        load("hw9")
