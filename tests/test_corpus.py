"""Fairness: correct code in many real-world styles scores full marks (tests/corpus/<assignment>/).

Each variant is a folder with some of an assignment's student files, ported from public code
(tests/corpus/README.md says from where); the missing ones are the solution's. Every
variant must score 100, and its policy tests must say why it passes. Graded a few at a
time, with the real sandbox and limits.
"""

import shutil
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


CASES = [pytest.param(a, v, id=f"{a}-{v}") for a in ASSIGNMENTS for v in variants(a)]


def build(name: str, variant: str, dest: Path) -> Path:
    """The variant's files, and the solution's for the student files it does not hold."""
    a = load(name)
    dest.mkdir(parents=True)
    for file in a.student_files:
        own = CORPUS / name / variant / file
        shutil.copy(own if own.is_file() else ROOT / a.layout.solutions / "scratchnn" / file, dest / file)
    return dest


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")

    def one(name, variant):
        sub = build(name, variant, folder / name / variant)
        with open(folder / f"{name}-{variant}.log", "w") as log:
            return grading.grade(sub, log=log, assignment=load(name))

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {(a, v): pool.submit(one, a, v) for a in ASSIGNMENTS for v in variants(a)}
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
