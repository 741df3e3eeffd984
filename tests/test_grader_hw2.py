"""Assignment 2's grader against its sample submissions (tests/samples_hw2.py): bugs, correct variants, exploits.

Each sample is graded once per session, a few at a time in the background, and the tests read
the shared results. Student code still runs in the sandbox's child process; `grade()` is called
in this process with the per-check time limit lowered, so that the sample that waits forever
costs seconds.

A bug or a correct variant changes the code of a few classes only (samples_hw2.changed_classes),
so it is graded on the fast path: the sandbox runs only the checks that run those classes' code
(check.needs: the training check needs an optimizer, BatchNorm1d and Dropout), and every other
check's verdict is the solution's, which an unchanged class gets anyway. The checks of a group the
sample may lose or keep (its `either`: the training check, for a mistake that still trains) are
not run on the fast path either: nothing is asserted of them.
test_fast_grading_gives_the_full_grade grades samples both ways and finds the same tests.
Exploits, broken uploads and the starting points are graded in full.
"""

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import samples_hw2 as samples
from samples import as_params, graded_in_ci

from autograder import grade as grading
from autograder import limits, results
from autograder.assignment import load

HW2 = load("hw2")
config = HW2.config
WORKERS = 3  # grades at a time: each mostly waits on its sandbox
TIME_PER_TEST = 8.0  # seconds; the samples' checks take a fraction of a second, an import of torch.optim seconds
TIMED_OUT = "Did not finish within"
GROUPS = samples.GROUPS
BUGS = [s for s in samples.SAMPLES if s.kind == "bug"]
# `make test` grades these rows (and the plain mistake an exploit's score names); `make test-full` every row
IN_CI = graded_in_ci(samples.SAMPLES) | {s.score for s in samples.SAMPLES if isinstance(s.score, str)}
# and every second exploit in table order (each graded in full), but those whose score names a row
_EXPLOITS = [s.name for s in samples.SAMPLES if s.kind == "exploit" and not isinstance(s.score, str)]
IN_CI -= set(_EXPLOITS[1::2])
FAIR = [s for s in samples.SAMPLES if s.kind == "fair"]
EXPLOITS = [s for s in samples.SAMPLES if s.kind == "exploit"]
UNPOLICED = [s for s in EXPLOITS if s.unpoliced is not None]
FULL_TOO = ["adam_decay_ignored", "bn_backward_ignores_mode"]  # bugs graded in full as well (one per file, no either)
CAUSE = re.compile(r"Likely cause: (.*)")
NAMED_AT_LEAST = 0.9  # of the bugs, named by a Likely cause

_local = threading.local()
_scan = grading.policy_violations
_run_checks = grading.run_checks


def _policy_violations(a, files):
    """The static policy, unless this thread grades with it switched off."""
    return {} if getattr(_local, "policy_off", False) else _scan(a, files)


def _fast_run_checks(a, checks, files, violations, log, start):
    """grading.run_checks; on this thread's fast path (_local.only: a set of classes) only the checks that run
    those classes' code run, except those of the groups in _local.skip, and every other check's verdict is the
    solution's (_local.reuse, by check name). A full run leaves its verdicts, by check name, in _local.verdicts."""
    only = getattr(_local, "only", None)
    if only is None:
        verdicts, isolation = _run_checks(a, checks, files, violations, log, start)
        _local.verdicts = {c.name: verdicts[i] for i, c in enumerate(checks)}
        return verdicts, isolation
    mine = [i for i, c in enumerate(checks) if set(c.needs) & only and samples.group_of(c.name) not in _local.skip]
    ran, isolation = _run_checks(a, [checks[i] for i in mine], files, violations, log, start)
    verdicts = {i: _local.reuse[c.name] for i, c in enumerate(checks)}
    verdicts.update({i: ran[j] for j, i in enumerate(mine)})
    return verdicts, isolation


class Grades:
    """Every sample graded once, WORKERS at a time, in the table's order (the solution first: the fast path
    reuses its verdicts). `self(name)` waits for a sample's document; `self(name, policy=False)` for its grade
    with the static policy switched off, `self(name, full=True)` for a bug graded in full."""

    def __init__(self, folder, keys: list):
        self.folder = folder
        self.solution_verdicts = None  # by check name, once the solution is graded
        self.solution_graded = threading.Event()
        self.pool = ThreadPoolExecutor(WORKERS)
        self.futures = {key: self.pool.submit(self._grade, *key) for key in keys}

    def _grade(self, name: str, policy: bool, full: bool) -> dict:
        sample = samples.BY_NAME[name]
        fast = policy and not full and sample.kind in ("bug", "fair")
        sub = self.folder / f"{name}-{'policy' if policy else 'unpoliced'}{'-full' if full else ''}"
        samples.build(sample, sub)
        if fast:
            self.solution_graded.wait()
        _local.policy_off = not policy
        _local.only = samples.changed_classes(sample) if fast else None
        _local.skip = sample.either  # what a bug may lose or keep is not asserted: not run
        _local.reuse = self.solution_verdicts
        try:
            with open(str(sub) + ".log", "w") as log:
                doc = grading.grade(sub, log=log, assignment=HW2)
            if name == "solution":
                self.solution_verdicts = _local.verdicts
        finally:
            if name == "solution":
                self.solution_graded.set()
        return doc

    def __call__(self, name: str, policy: bool = True, full: bool = False) -> dict:
        return self.futures[(name, policy, full)].result()

    def log(self, name: str) -> str:
        path = self.folder / f"{name}-policy.log"
        return path.read_text() if path.exists() else ""

    def close(self):
        self.pool.shutdown(cancel_futures=True)


@pytest.fixture(scope="session")
def grades(tmp_path_factory, request):
    full = "not full" not in (request.config.option.markexpr or "")  # CI (make test) leaves the full rows out
    table = [s for s in samples.SAMPLES if full or s.name in IN_CI]
    keys = [(s.name, True, False) for s in table]
    if full:
        keys += [(s.name, False, False) for s in UNPOLICED] + [(name, True, True) for name in FULL_TOO]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "TIME_PER_TEST", TIME_PER_TEST)
        mp.setattr(grading, "policy_violations", _policy_violations)
        mp.setattr(grading, "run_checks", _fast_run_checks)
        g = Grades(tmp_path_factory.mktemp("graded-hw2"), keys)
        g.table = table
        yield g
        g.close()


def lost(t: dict) -> bool:
    return t["score"] < t["max_score"] - 1e-9


def lost_groups(doc: dict) -> set:
    return {samples.group_of(t["name"]) for t in doc["tests"] if lost(t)}


def outputs_that_lost(doc: dict, group: str) -> str:
    return "\n".join(t["output"] for t in doc["tests"] if samples.group_of(t["name"]) == group and lost(t))


def causes(doc: dict, group: str) -> list:
    """The "Likely cause" lines of a group's tests."""
    return [cause for t in doc["tests"] if samples.group_of(t["name"]) == group for cause in CAUSE.findall(t["output"])]


def points(doc: dict, group: str) -> tuple:
    """(score, max_score) of a group's tests."""
    mine = [t for t in doc["tests"] if samples.group_of(t["name"]) == group]
    return sum(t["score"] for t in mine), sum(t["max_score"] for t in mine)


def check_document(doc: dict, sample=None) -> None:
    """Gradescope's schema, the top-level score the sum of the tests, every name led by its class or part; no
    check ran out of time unless the sample is meant to (else the machine was too busy for the grade to mean
    anything)."""
    assert results.validate(doc) == []
    if not (sample and any(TIMED_OUT in text for _, text in sample.hint)):
        assert not [t["name"] for t in doc["tests"] if TIMED_OUT in t["output"]], "a check ran out of time"
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]), abs=1e-3)
    for t in doc["tests"]:
        assert samples.group_of(t["name"]) in GROUPS, t["name"]
        assert "Traceback" not in t["output"], t["output"]
    json.dumps(doc)


def line_of(folder, file: str, text: str) -> int:
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(text))


# ------------------------------------------------------------------ the starting points
def test_solution_scores_full_marks(grades):
    doc = grades("solution")
    check_document(doc)
    assert sum(t["max_score"] for t in doc["tests"]) == pytest.approx(100)
    assert doc["score"] == pytest.approx(100)
    assert {samples.group_of(t["name"]) for t in doc["tests"]} == GROUPS


def test_stubs_score_zero_with_a_message_and_no_traceback(grades):
    doc = grades("stubs")
    check_document(doc)
    assert doc["score"] == 0
    for t in doc["tests"]:
        if samples.group_of(t["name"]) in config.CLASSES and ": policy" not in t["name"]:
            assert "not written yet" in t["output"], t["output"]


# ------------------------------------------------------------------ every sample
@pytest.mark.parametrize("sample", as_params([s for s in samples.SAMPLES if s.kind != "start"], IN_CI))
def test_sample_loses_points_exactly_where_it_is_wrong(grades, sample):
    doc = grades(sample.name)
    check_document(doc, sample)
    got = lost_groups(doc)
    unexpected = (got - sample.lost - sample.either) | (sample.lost - got)
    assert not unexpected, f"{sample.what}; lost or kept unexpectedly: " + "\n".join(
        f"{g}:\n{outputs_that_lost(doc, g)}" for g in sorted(unexpected)) + "\n" + grades.log(sample.name)[-3000:]
    for group in {g for g, _ in sample.hint}:
        texts = [text for g, text in sample.hint if g == group]
        assert any(text in outputs_that_lost(doc, group) for text in texts), \
            f"{sample.name}: none of {texts} in {group}'s output:\n{outputs_that_lost(doc, group)}"


@pytest.mark.parametrize("sample", FAIR, ids=lambda s: s.name)
def test_correct_variant_scores_full_marks(grades, sample):
    doc = grades(sample.name)
    assert doc["score"] == pytest.approx(grades("solution")["score"]), \
        {t["name"]: t["output"] for t in doc["tests"] if lost(t)}
    for t in doc["tests"]:
        if ": policy" in t["name"]:
            assert "No forbidden operator ran" in t["output"], t["output"]


@pytest.mark.parametrize("sample", as_params(EXPLOITS, IN_CI))
def test_exploit_earns_exactly_its_honest_score(grades, sample):
    """Its lost groups score 0, the rest full marks; a group of `either` all or nothing. Where its score names
    a row (the same mistake without the trick), no test scores more than that row's."""
    doc = grades(sample.name)
    if isinstance(sample.score, str):
        plain = {t["name"]: t["score"] for t in grades(sample.score)["tests"]}
        gained = [f"{t['name']}: {t['score']} > {plain.get(t['name'])}\n{t['output']}" for t in doc["tests"]
                  if t["score"] > plain.get(t["name"], 0.0) + 1e-3]
        assert not gained, "\n".join(gained)
        for group, text in sample.hint:
            assert text in outputs_that_lost(doc, group), outputs_that_lost(doc, group)
        return
    for group in GROUPS:
        score, most = points(doc, group)
        allowed = {0.0} if group in sample.lost else {0.0, most} if group in sample.either else {most}
        assert any(score == pytest.approx(a, abs=1e-3) for a in allowed), \
            f"{group}: {score} of {most}\n{outputs_that_lost(doc, group)}"
    either_lost = sum(points(doc, g)[1] for g in sample.either if points(doc, g)[0] < 1e-9)
    assert doc["score"] == pytest.approx(sample.score - either_lost, abs=1e-3)


@pytest.mark.parametrize("sample", as_params([s for s in samples.SAMPLES if s.policy], IN_CI))
def test_policy_message_names_the_call_and_its_line(grades, sample, tmp_path):
    cls, what, file, text = sample.policy
    line = line_of(samples.build(sample, tmp_path / "sub"), file, text)
    test = next(t for t in grades(sample.name)["tests"] if t["name"].startswith(f"{cls}: policy"))
    assert test["score"] == 0
    assert f"line {line}: {what}" in test["output"], test["output"]


# torch.optim's CPU path and torch.dropout run only allowed operators (add_, bernoulli_, mul): the recorder
# sees torch.optim's frames and the wrapped torch.dropout (config.FORBIDDEN_LIBRARIES, FORBIDDEN_FUNCTIONS).
@pytest.mark.full
@pytest.mark.parametrize("sample", UNPOLICED, ids=lambda s: s.name)
def test_exploit_without_the_static_policy_still_earns_nothing_extra(grades, sample):
    """Defence in depth: the sandbox and the operator recorder alone hold the score to the honest one."""
    doc = grades(sample.name, policy=False)
    check_document(doc, sample)
    assert doc["score"] <= sample.unpoliced + 1e-3, {t["name"]: t["score"] for t in doc["tests"]}


# ------------------------------------------------------------------ what the grader names
def test_likely_causes_are_never_wrong(grades):
    """Over the table graded (CI's rows, or every row): every "Likely cause" names the sample's real mistake
    (one of its hints), and none is given where none is expected (cause=False) or where there is no mistake."""
    wrong = []
    for sample in grades.table:
        doc = grades(sample.name)
        for group in GROUPS:
            text = samples.diagnosis(sample, group)
            wrong += [f"{sample.name}, {group}: {cause}" for cause in causes(doc, group)
                      if not (sample.cause and text and text in cause)]
    assert not wrong, "\n".join(wrong)


def named_bugs(grades, bugs: list) -> list:
    """The bugs a Likely cause names: one of its groups' causes contains the group's diagnosis."""
    return [s.name for s in bugs if any(samples.diagnosis(s, g) in cause for g in {g for g, _ in s.hint}
                                        for cause in causes(grades(s.name), g))]


# Measured: 60 of 62 bugs named (97%). Not named: two crashes, which expect no cause (cause=False): SGD's buffer
# index that never advances (a shape error in step()) and Adam's None grads not skipped (a TypeError in step()).
def test_nine_bugs_in_ten_are_named(grades):
    assert len(BUGS) >= 40 and all(s.hint for s in BUGS)
    bugs = [s for s in grades.table if s.kind == "bug"]
    named = named_bugs(grades, bugs)
    assert len(named) >= NAMED_AT_LEAST * len(bugs), \
        f"{len(named)} of {len(bugs)} named; not: {sorted({s.name for s in bugs} - set(named))}"


@pytest.mark.full
@pytest.mark.parametrize("name", FULL_TOO)
def test_fast_grading_gives_the_full_grade(grades, name):
    """The fast path (only the changed classes' checks run) is sound: grading in full gives the same tests."""
    fast, full = grades(name), grades(name, full=True)
    assert [(t["name"], t["score"], t["output"]) for t in fast["tests"]] == \
        [(t["name"], t["score"], t["output"]) for t in full["tests"]]
    assert 0 < full["score"] < 100


def test_changed_classes_are_those_whose_code_differs():
    by = samples.BY_NAME
    assert samples.changed_classes(by["solution"]) == set()
    assert samples.changed_classes(by["stubs"]) == samples.CLASSES
    assert samples.changed_classes(by["sgd_lr_ignored"]) == {"SGD"}
    assert samples.changed_classes(by["adam_eps_in_sqrt"]) == {"Adam", "AdamW"}  # AdamW subclasses Adam
    assert samples.changed_classes(by["bn_backward_no_gamma"]) == {"BatchNorm1d"}
    assert samples.changed_classes(by["cs231n_functions"]) == samples.LAYERS  # module level: the whole file
    assert samples.changed_classes(by["syntax_error_optim"]) == samples.OPTIMIZERS
    assert samples.changed_classes(by["missing_layers"]) == samples.LAYERS


def test_the_table_is_broad():
    assert len(BUGS) >= 40 and len(FAIR) >= 15
    for cls in samples.CLASSES:
        assert sum(cls in s.lost for s in BUGS) >= 5, cls
