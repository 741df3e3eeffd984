"""What the engine needs to know of an assignment, as one record, and how it finds one by name.

The engine (grade, sandbox, child, recorder, policy, results, submission) never imports an
assignment: `load(name)` imports the package `autograder.<name>`, whose `ASSIGNMENT` is an
`Assignment`. An assignment's checks are its own records; the engine reads only the fields of
`Check` below from them.
"""

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "ASSIGNMENT"  # written into a release zip: the assignment it was built for
FIRST = "hw1"  # graded when no assignment is named (CONTRACT §4)
ENV = "SCRATCHNN_ASSIGNMENT"  # names the assignment for a whole run (batch sets it for its worker processes)


class Check(Protocol):
    """One sandboxed job and one test of results.json."""

    name: str  # the test's name
    cls: str  # the class whose code it runs (its file must be readable, its policy kept)
    part: str  # forward, backward, trajectory, training, ... (the assignment's words)
    job: dict  # what the child runs (child.py: kind "ops", or "kit" with a runner of kit_files)
    inputs: dict  # name -> tensor, the job's inputs
    group: str  # the class it is listed under, or a part of its own ("Sine fit") listed after the classes
    needs: tuple  # every class whose code it runs: it is not run when one of them is blocked
    points: float
    visibility: str
    time_limit: float  # seconds of wall time
    gate: str | None  # a part of the same class that must earn points first (else this check scores 0)
    pays: bool  # points here make the class's policy points count


@dataclass(frozen=True)
class Layout:
    """Where an assignment's trees are, relative to the repository root (for the instructor's tools).

    solutions: the one source (student files with markers, given files, public tests, README, data);
    student: the generated student kit; reference: the generated reference package.
    """

    solutions: str
    student: str
    reference: str
    tasks: dict  # student file -> its task number in the student README


@dataclass(frozen=True)
class Assignment:
    """An assignment as the engine sees it. `config` is its one config module: STUDENT_FILES,
    CLASSES (class -> file) and the policy's lists (policy.Rules.of, FORBIDDEN_OPS, FORBIDDEN_OP_PARTS,
    FORBIDDEN_LIBRARIES, FORBIDDEN_FUNCTIONS)."""

    name: str  # "hw1": the package autograder.<name>
    title: str
    config: ModuleType
    given_files: dict  # file name -> text: handed out complete, the kit's copy is graded, never the student's
    kit_files: dict  # module name -> Path: job runners copied into the sandbox (torch and stdlib only)
    checks: Callable  # () -> list of Check
    judge: Callable  # (check, outcome) -> outcome.Verdict
    policy_points: Callable  # cls -> points of its policy test
    policy_instead: str  # what to write instead, said when a class breaks the policy
    policy_kept: str  # what keeping the policy means, said when it is kept
    summary: str  # results.json's top-level output
    layout: Layout

    @property
    def student_files(self) -> tuple:
        return tuple(self.config.STUDENT_FILES)

    @property
    def classes(self) -> dict:
        return dict(self.config.CLASSES)


def names() -> list[str]:
    """The assignments of this kit: the packages autograder/<name>/ that define ASSIGNMENT."""
    return sorted(p.parent.name for p in HERE.glob("*/__init__.py") if "ASSIGNMENT" in p.read_text("utf-8"))


def default_name() -> str:
    """The assignment named by $SCRATCHNN_ASSIGNMENT, else the one a release zip was built for, else the first."""
    if os.environ.get(ENV):
        return os.environ[ENV]
    if DEFAULT_FILE.is_file():
        return DEFAULT_FILE.read_text("utf-8").strip() or FIRST
    return FIRST


def load(name: str | None = None) -> Assignment:
    """The Assignment called `name` (default_name() when None); ValueError for an unknown name."""
    name = name or default_name()
    if name not in names():
        raise ValueError(f"no assignment {name!r}: this kit has {', '.join(names())}")
    return importlib.import_module(f"autograder.{name}").ASSIGNMENT
