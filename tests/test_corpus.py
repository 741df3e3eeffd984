"""Fairness: correct code in many real-world styles scores full marks (tests/corpus/correct/).

Each variant is a folder with some of the three student files, ported from public code
(tests/corpus/README.md says from where); the missing ones are the solution's. Every
variant must score 100, and its policy tests must say why it passes. Graded a few at a
time, with the real sandbox and limits.
"""

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import grade as grading
from autograder.hw1 import config

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus" / "correct"
VARIANTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
WORKERS = 3


def build(variant: str, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in config.STUDENT_FILES:
        own = CORPUS / variant / name
        shutil.copy(own if own.is_file() else ROOT / "solutions" / "scratchnn" / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")

    def one(variant):
        sub = build(variant, folder / variant)
        with open(folder / f"{variant}.log", "w") as log:
            return grading.grade(sub, log=log)

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {v: pool.submit(one, v) for v in VARIANTS}
        yield {v: f.result() for v, f in futures.items()}


def test_the_corpus_is_broad():
    assert len(VARIANTS) >= 20


@pytest.mark.parametrize("variant", VARIANTS)
def test_correct_code_in_any_style_scores_full_marks(graded, variant):
    doc = graded[variant]
    lost = {t["name"]: t["output"] for t in doc["tests"] if t["score"] < t["max_score"]}
    assert doc["score"] == pytest.approx(100), lost
    for t in doc["tests"]:
        if ": policy" in t["name"]:
            assert "No forbidden operator ran" in t["output"], t["output"]
