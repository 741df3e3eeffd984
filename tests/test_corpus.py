"""Fairness: correct code in many real-world styles scores full marks (tests/corpus/<assignment>/).

Each variant is a folder with some of an assignment's student files, ported from public code
(tests/corpus/README.md says from where); the missing ones are the solution's. Every
variant must score 100, and its policy tests must say why it passes. Graded a few at a
time, with the real sandbox and limits: every check that runs a class of the variant's own files
(the rest are the solution's code, and take the solution's verdicts, graded once first).
"""

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import grade as grading
from autograder.assignment import load

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
ASSIGNMENTS = ("hw1", "hw2")
BROAD = {"hw1": 20, "hw2": 10}  # the fewest variants a corpus may have
WORKERS = 3


def variants(name: str) -> list[str]:
    folder = CORPUS / name
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


IN_CI = 6  # `make test` grades every sixth variant of each corpus (in name order); `make test-full` all


def in_ci(name: str, variant: str) -> bool:
    return variants(name).index(variant) % IN_CI == 0


CASES = [pytest.param(a, v, id=f"{a}-{v}", marks=() if in_ci(a, v) else pytest.mark.full)
         for a in ASSIGNMENTS for v in variants(a)]


def build(name: str, variant: str, dest: Path) -> Path:
    """The variant's files, and the solution's for the student files it does not hold."""
    a = load(name)
    dest.mkdir(parents=True)
    for file in a.student_files:
        own = CORPUS / name / variant / file
        shutil.copy(own if own.is_file() else ROOT / a.layout.solutions / "scratchnn" / file, dest / file)
    return dest


_local = threading.local()  # per grading thread: the classes whose checks run, the verdicts of the others
_run_checks = grading.run_checks


def _own_checks_only(a, checks, files, violations, log, start):
    """grading.run_checks for the checks that run the variant's own classes; the solution's verdicts for the
    others (by check name). Without a variant (the solution itself), every check, its verdicts kept."""
    only = getattr(_local, "only", None)
    if only is None:
        verdicts, isolation = _run_checks(a, checks, files, violations, log, start)
        _local.solution = {c.name: verdicts[i] for i, c in enumerate(checks)}
        return verdicts, isolation
    mine = [i for i, c in enumerate(checks) if set(c.needs) & only]
    ran, isolation = _run_checks(a, [checks[i] for i in mine], files, violations, log, start)
    verdicts = {i: _local.reuse[c.name] for i, c in enumerate(checks)}
    verdicts.update({i: ran[j] for j, i in enumerate(mine)})
    return verdicts, isolation


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    full = "not full" not in (request.config.option.markexpr or "")  # CI (make test) leaves the full rows out
    folder = tmp_path_factory.mktemp("corpus")
    solutions = {}

    def solution(name):
        _local.only = None
        sub = build(name, "", folder / name / "solution")
        with open(folder / f"{name}-solution.log", "w") as log:
            doc = grading.grade(sub, log=log, assignment=load(name))
        assert doc["score"] == pytest.approx(100), doc["output"]
        solutions[name] = _local.solution

    def one(name, variant):
        a = load(name)
        held = {f for f in a.student_files if (CORPUS / name / variant / f).is_file()}
        _local.only = {cls for cls, file in a.classes.items() if file in held}
        _local.reuse = solutions[name]
        sub = build(name, variant, folder / name / variant)
        with open(folder / f"{name}-{variant}.log", "w") as log:
            return grading.grade(sub, log=log, assignment=a)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(grading, "run_checks", _own_checks_only)
        with ThreadPoolExecutor(WORKERS) as pool:
            for f in [pool.submit(solution, a) for a in ASSIGNMENTS]:
                f.result()
            futures = {(a, v): pool.submit(one, a, v) for a in ASSIGNMENTS for v in variants(a)
                       if full or in_ci(a, v)}
            yield {key: f.result() for key, f in futures.items()}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_corpus_is_broad(name):
    assert len(variants(name)) >= BROAD[name]


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_correct_code_in_any_style_scores_full_marks(graded, name, variant):
    doc = graded[name, variant]
    lost = {t["name"]: t["output"] for t in doc["tests"] if t["score"] < t["max_score"]}
    assert doc["score"] == pytest.approx(100), lost
    for t in doc["tests"]:
        if ": policy" in t["name"]:
            assert "No forbidden operator ran" in t["output"], t["output"]
