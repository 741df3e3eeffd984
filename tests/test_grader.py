"""The grader against sample submissions (tests/samples.py): bugs, broken uploads and exploits.

Each sample is graded once per session, in the background, a few at a time: grading
costs seconds of wall time, mostly spent waiting on the sandbox. The student code still
runs in the sandbox's child process; `grade()` is called in this process, with the
per-check time limit lowered so that the endless-loop sample costs seconds. Two cases
run the command line end to end, with the limits of config.py, in the background.

A bug sample changes the code of a few classes only (samples.changed_classes), so it is
graded on the fast path: the sandbox runs the checks of those classes (and the sine fit
when Linear or ReLU is among them), and every other check's verdict is the solution's, which
an unchanged class gets anyway. test_fast_grading_gives_the_full_grade grades samples both
ways and finds the same tests.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import samples

from autograder import grade as grading
from autograder import limits, results, submission
from autograder.hw1 import ASSIGNMENT as HW1
from autograder.hw1 import config, suite

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4  # grades at a time: each mostly waits on its sandbox, but holds ~400 MB
TIME_PER_TEST = 4.0  # seconds; the samples' checks take a fraction of a second
GROUPS = set(config.CLASSES) | {"Files", samples.SINE}
EXPLOITS = [s for s in samples.SAMPLES if s.kind == "exploit"]
UNPOLICED = [s for s in EXPLOITS if s.unpoliced is not None]
# CI grades one unpoliced exploit per mechanism that only a whole grading shows (results files, exit, threads,
# the dispatcher switch); `make test-full` all. The rest are proven in CI on their own: each operator route
# (the autograd engine, a method, a private kernel, torch.func) at its line and a patched library in
# tests/test_policy.py, file access in tests/test_isolation.py.
UNPOLICED_IN_CI = {"atexit_results", "os_exit_in_forward", "thread_hides_autograd", "recorder_paused"}
BUGS = [s for s in samples.SAMPLES if s.kind == "bug"]
# Exploits CI leaves to `make test-full`: each a second route of a mechanism whose first route CI grades.
SECOND_ROUTES = {"raise_system_exit": "sys_exit_at_import", "reference_via_torch_sys": "read_reference",
                 "torch_sigmoid": "nn_functional", "autograd_obfuscated": "autograd_backward",
                 "star_import_functional": "star_import_autograd", "helper_bound_expit": "helper_bound_sigmoid",
                 "main_guard_else": "not_main_guard", "private_vf_logsumexp": "private_c_nn_gelu",
                 "functional_through_tuple": "getattr_sigmoid", "autograd_engine_unnamed": "autograd_through_alias",
                 "linear_planted_teleport": "linear_planted_weights", "monkeypatch_alias": "monkeypatch_compare",
                 "monkeypatch_update_wrapper": "monkeypatch_compare"}
IN_CI = samples.graded_in_ci(samples.SAMPLES, SECOND_ROUTES)  # `make test` grades these rows; `make test-full` all
# and of the other exploits, every fourth one in table order (each graded in full: the largest share of CI's
# time), but the first routes and the unpoliced rows CI grades
EXPLOITS_IN_CI = 4
_OTHER_EXPLOITS = [s.name for s in samples.SAMPLES if s.kind == "exploit" and s.name in IN_CI
                   and s.name not in set(SECOND_ROUTES.values()) | UNPOLICED_IN_CI]
IN_CI -= {name for i, name in enumerate(_OTHER_EXPLOITS) if i % EXPLOITS_IN_CI}
FULL_TOO = ["linear_db_axis1", "gelu_coefficient_typo", "mae_over_B"]  # bugs graded in full as well (one per file)
AGAIN = "mae_over_B"  # partial marks: graded 20 times, the same every time
GRADESCOPE_RESULTS = Path("/autograder/results/results.json")
CAUSE = re.compile(r"Likely cause: (.*)")

_local = threading.local()
_scan = grading.policy_violations
_run_checks = grading.run_checks


def _policy_violations(a, files):
    """The static policy, unless this thread grades with it switched off."""
    return {} if getattr(_local, "policy_off", False) else _scan(a, files)


def _runs(check, classes: set) -> bool:
    """Whether a check can change when only these classes' code changes (the sine fit trains Linear and ReLU)."""
    return bool({"Linear", check.cls} & classes) if check.part == "sine_fit" else check.cls in classes


def _fast_run_checks(a, checks, files, violations, log, start):
    """grading.run_checks; on this thread's fast path (_local.only: a set of classes) only the checks those
    classes can change run, and every other check's verdict is the solution's (_local.reuse, by check name).
    A full run leaves its verdicts, by check name, in _local.verdicts."""
    only = getattr(_local, "only", None)
    if only is None:
        verdicts, isolation = _run_checks(a, checks, files, violations, log, start)
        _local.verdicts = {c.name: verdicts[i] for i, c in enumerate(checks)}
        return verdicts, isolation
    mine = [i for i, c in enumerate(checks) if _runs(c, only)]
    ran, isolation = _run_checks(a, [checks[i] for i in mine], files, violations, log, start)
    verdicts = {i: _local.reuse[c.name] for i, c in enumerate(checks)}
    verdicts.update({i: ran[j] for j, i in enumerate(mine)})
    return verdicts, isolation


class Grades:
    """Grades of samples, each computed once, a few at a time, in the order the tests ask for them.

    `self(name)` grades with the policy (a bug on the fast path), `self(name, policy=False)` without
    the static policy (the sandbox and the runtime guards alone), `self(name, full=True)` a bug in full.
    `start_cli(name)` runs the command line on a sample in the background, `cli(name)` waits for it.
    """

    def __init__(self, folder: Path, order: list):
        self.folder, self.order = folder, order
        self.pool = ThreadPoolExecutor(WORKERS)
        self.futures, self.runs, self.verdicts = {}, {}, {}
        self.lock = threading.Lock()
        self._submit(("solution", True, False))  # first in the pool's queue: the fast path waits for its verdicts

    def _grade(self, name: str, policy: bool, full: bool) -> dict:
        sample = samples.BY_NAME[name]
        fast = policy and not full and sample.kind == "bug"
        sub = self.folder / f"{name}-{'policy' if policy else 'unpoliced'}{'-full' if full else ''}"
        samples.build(sample, sub)
        _local.policy_off = not policy
        _local.only = samples.changed_classes(sample) if fast else None
        _local.reuse = self.solution_verdicts() if fast else None
        with open(str(sub) + ".log", "w") as log:
            doc = grading.grade(sub, log=log)
        if not fast:
            self.verdicts[(name, policy, full)] = _local.verdicts
        return doc

    def solution_verdicts(self) -> dict:
        """The solution's verdict of every check, by check name."""
        self("solution")
        return self.verdicts[("solution", True, False)]

    def _submit(self, key):
        if key not in self.futures:
            self.futures[key] = self.pool.submit(self._grade, *key)

    def __call__(self, name: str, policy: bool = True, full: bool = False) -> dict:
        key = (name, policy, full)
        with self.lock:
            self._submit(key)
            at = self.order.index(key) if key in self.order else len(self.order)
            for ahead in self.order[at + 1: at + 1 + 2 * WORKERS]:  # keep the workers busy
                self._submit(ahead)
        return self.futures[key].result()

    def log(self, name: str) -> str:
        """The grading log of a sample graded with the policy (per-check times, retries, sandbox errors)."""
        path = self.folder / f"{name}-policy.log"
        return path.read_text() if path.exists() else ""

    def start_cli(self, name: str, policy: bool = True) -> None:
        """`python -m autograder` on the sample, its results folder writable by anyone (the sandbox's user too)."""
        folder = Path(tempfile.mkdtemp(prefix="scratchnn-selftest-"))
        sub = samples.build(samples.BY_NAME[name], folder / "sub")
        (folder / "out").mkdir()
        os.chmod(folder, 0o755)
        os.chmod(folder / "out", 0o777)
        out = folder / "out" / "results.json"
        if policy:
            cmd = [sys.executable, "-m", "autograder", str(sub), "--results", str(out)]
        else:  # the same entry point with the static policy switched off
            code = ("import sys; import autograder.grade as g; g.policy_violations = lambda a, files: {}; "
                    "from autograder.__main__ import main; sys.exit(main(sys.argv[1:]))")
            cmd = [sys.executable, "-c", code, str(sub), "--results", str(out)]
        log = open(folder / "log", "w")
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.runs[name] = (proc, folder, log)

    def cli(self, name: str) -> tuple:
        """(exit status, the results document or None, the log) of a command-line run."""
        proc, folder, log = self.runs[name]
        code = proc.wait(timeout=limits.TIME_TOTAL)
        log.close()
        out = folder / "out" / "results.json"
        doc = json.loads(out.read_text()) if out.exists() else None
        return code, doc, (folder / "log").read_text()

    def close(self):
        self.pool.shutdown(cancel_futures=True)
        for proc, folder, log in self.runs.values():
            proc.kill()
            proc.wait()
            log.close()
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def grades(tmp_path_factory, request):
    full = "not full" not in (request.config.option.markexpr or "")
    unpoliced = [s for s in UNPOLICED if full or s.name in UNPOLICED_IN_CI]
    table = [s for s in samples.SAMPLES if full or s.name in IN_CI]
    order = [(s.name, True, False) for s in table] + [(s.name, False, False) for s in unpoliced]
    order += [(name, True, True) for name in FULL_TOO if full or name == AGAIN]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "TIME_PER_TEST", TIME_PER_TEST)
        mp.setattr(grading, "policy_violations", _policy_violations)
        mp.setattr(grading, "run_checks", _fast_run_checks)
        g = Grades(tmp_path_factory.mktemp("graded"), order)
        g.table = table
        g.existed = GRADESCOPE_RESULTS.exists()
        g.start_cli("nested_crlf_bom")
        g.start_cli("atexit_results", policy=False)
        yield g
        g.close()


def lost_groups(doc: dict) -> set:
    return {samples.group_of(t["name"]) for t in doc["tests"] if t["score"] < t["max_score"] - 1e-9}


def outputs_that_lost(doc: dict, group: str) -> str:
    return "\n".join(t["output"] for t in doc["tests"]
                     if samples.group_of(t["name"]) == group and t["score"] < t["max_score"] - 1e-9)


def causes(doc: dict, group: str) -> list:
    """The "Likely cause" lines of a group's tests."""
    return [cause for t in doc["tests"] if samples.group_of(t["name"]) == group for cause in CAUSE.findall(t["output"])]


def max_total(doc: dict) -> float:
    return sum(t["max_score"] for t in doc["tests"])


def check_document(doc: dict) -> None:
    """Gradescope's schema, the top-level score the sum of the tests, every name led by its class or part."""
    assert results.validate(doc) == []
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]), abs=1e-3)
    assert max_total(doc) == pytest.approx(100)
    for t in doc["tests"]:
        assert samples.group_of(t["name"]) in GROUPS, t["name"]
        assert "Traceback" not in t["output"], t["output"]
        assert {"number", "tags", "extra_data"} <= set(t), t["name"]  # Gradescope's optional fields, all set
    assert isinstance(doc["execution_time"], (int, float))
    json.dumps(doc)


def line_of(folder: Path, file: str, text: str) -> int:
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(text))


# ------------------------------------------------------------------ the starting points
def test_solution_scores_full_marks(grades):
    doc = grades("solution")
    check_document(doc)
    assert doc["score"] == pytest.approx(100)
    assert lost_groups(doc) == set()


def test_stubs_score_zero_with_a_message_and_no_traceback(grades):
    doc = grades("stubs")
    check_document(doc)
    assert doc["score"] == 0
    for t in doc["tests"]:
        if samples.group_of(t["name"]) in config.CLASSES and ".forward" in t["name"]:
            assert "still the stub" in t["output"], t["output"]


# ------------------------------------------------------------------ every sample
@pytest.mark.parametrize("sample", samples.as_params([s for s in samples.SAMPLES if s.kind != "start"], IN_CI))
def test_sample_loses_points_exactly_where_it_is_wrong(grades, sample):
    doc = grades(sample.name)
    check_document(doc)
    unexpected = lost_groups(doc) ^ set(sample.lost)
    assert not unexpected, f"{sample.what}; lost or kept unexpectedly: " + "\n".join(
        f"{g}:\n{outputs_that_lost(doc, g)}" for g in sorted(unexpected)) + "\n" + grades.log(sample.name)[-3000:]
    for group, text in sample.hint:
        assert text in outputs_that_lost(doc, group), f"{sample.name}: {text!r} not in {group}'s output"
    if sample.score is not None:
        assert doc["score"] <= sample.score + 1e-3  # results.json rounds scores to 4 decimals


@pytest.mark.parametrize("sample", samples.as_params(EXPLOITS, IN_CI))
def test_exploit_earns_exactly_its_honest_score(grades, sample):
    assert grades(sample.name)["score"] == pytest.approx(sample.score, abs=1e-3)


@pytest.mark.parametrize("sample", samples.as_params([s for s in samples.SAMPLES if s.policy], IN_CI))
def test_policy_message_names_the_call_and_its_line(grades, sample, tmp_path):
    cls, what, file, text = sample.policy
    line = line_of(samples.build(sample, tmp_path / "sub"), file, text)
    test = next(t for t in grades(sample.name)["tests"] if t["name"].startswith(f"{cls}: policy"))
    assert test["score"] == 0
    assert f"line {line}: {what}" in test["output"], test["output"]


@pytest.mark.parametrize("sample", [s if s.name in UNPOLICED_IN_CI else pytest.param(s, marks=pytest.mark.full)
                                    for s in UNPOLICED], ids=lambda s: s.name)
def test_exploit_without_the_static_policy_still_earns_nothing_extra(grades, sample):
    """Defence in depth: the sandbox and the runtime guards alone hold the score to the honest one."""
    doc = grades(sample.name, policy=False)
    check_document(doc)
    honest = sample.unpoliced
    if isinstance(honest, str):
        honest = grades(honest)["score"]
    assert doc["score"] <= honest + 1e-3


def test_the_recorder_reports_a_forbidden_operator_by_name_and_line(grades):
    """With the static scan off, the operator that ran is named at the student's line that led to it."""
    doc = grades("getattr_sigmoid", policy=False)
    test = next(t for t in doc["tests"] if t["name"].startswith("Sigmoid: policy"))
    assert test["score"] == 0 and "aten.sigmoid ran (the built-in sigmoid), reached from `self._s = getattr(torch" \
        in test["output"], test["output"]


# ------------------------------------------------------------------ the command line, end to end
def test_cli_grades_the_nested_crlf_upload_like_the_flat_solution(grades):
    code, doc, log = grades.cli("nested_crlf_bom")
    assert code == 0, log[-2000:]
    check_document(doc)
    assert doc["score"] == pytest.approx(100)
    assert [(t["name"], t["score"]) for t in doc["tests"]] == \
        [(t["name"], t["score"]) for t in grades("solution")["tests"]]


def test_cli_results_cannot_be_overwritten_by_the_submission(grades):
    """Policy off, results folder writable by anyone: the file is still the grader's own."""
    code, doc, log = grades.cli("atexit_results")
    assert code == 0, log[-2000:]
    check_document(doc)
    assert "pwned" not in json.dumps(doc)
    assert doc["score"] == pytest.approx(grades("atexit_results", policy=False)["score"])
    assert doc["score"] <= grades("linear_no_bias")["score"] + 1e-6
    if not grades.existed:
        assert not GRADESCOPE_RESULTS.exists()


# ------------------------------------------------------------------ what the grader names
def test_likely_causes_are_never_wrong_and_name_nine_bugs_in_ten(grades):
    """Over the table graded (CI's rows, or every row): each bug loses points in its own groups only; every
    "Likely cause" the grader gives names the sample's real mistake (one of its hints), and none is given where
    none is expected; at least 90% of the bugs get one. The table holds 80 bugs or more."""
    wrong, named, lost = [], [], []
    bugs = [s for s in grades.table if s.kind == "bug"]
    for sample in grades.table:
        doc = grades(sample.name)
        for group in GROUPS:
            texts = [text for g, text in sample.hint if g == group]
            wrong += [f"{sample.name}, {group}: {cause}" for cause in causes(doc, group)
                      if not (sample.cause and any(text in cause for text in texts))]
        if sample.kind == "bug":
            lost += [sample.name] if lost_groups(doc) != set(sample.lost) else []
            named += [sample.name] if any(text in cause for g, text in sample.hint for cause in causes(doc, g)) else []
    assert not wrong, "\n".join(wrong)
    assert not lost, lost
    assert len(BUGS) >= 80 and all(s.hint for s in BUGS)
    assert len(named) >= 0.9 * len(bugs), sorted({s.name for s in bugs} - set(named))


@pytest.mark.parametrize("name", [n if n == AGAIN else pytest.param(n, marks=pytest.mark.full) for n in FULL_TOO])
def test_fast_grading_gives_the_full_grade(grades, name):
    """The fast path (only the changed classes' checks run) is sound: grading in full gives the same tests."""
    fast, full = grades(name), grades(name, full=True)
    rows = [[(t["name"], t["score"], t["output"]) for t in doc["tests"]] for doc in (fast, full)]
    differ = [(a, b) for a, b in zip(*rows, strict=True) if a != b]
    assert not differ, f"fast vs full: {differ}\nfull grading's log:\n" + \
        (grades.folder / f"{name}-policy-full.log").read_text()[-3000:]
    assert fast["score"] == full["score"] and 0 < full["score"] < 100


def test_every_second_route_left_to_the_full_run_has_its_first_route_in_ci():
    for second, first in SECOND_ROUTES.items():
        assert samples.BY_NAME[second].kind == samples.BY_NAME[first].kind == "exploit"
        assert first in IN_CI and second not in IN_CI


def test_changed_classes_are_those_whose_code_differs():
    by = samples.BY_NAME
    assert samples.changed_classes(by["solution"]) == set()
    assert samples.changed_classes(by["gelu_coefficient_typo"]) == {"GELU"}  # a class attribute
    assert samples.changed_classes(by["relu_sign_of_x"]) == {"ReLU"}  # two edits in one class
    assert samples.changed_classes(by["monkeypatch_alias"]) == samples.LOSSES  # module level: the whole file
    assert samples.changed_classes(by["syntax_error"]) == samples.ACTIVATIONS  # does not parse: the whole file
    assert samples.changed_classes(by["missing_file"]) == samples.LOSSES
    assert samples.changed_classes(by["nested_crlf_bom"]) == samples.CLASSES  # another layout: everything


# ------------------------------------------------------------------ determinism
def test_same_submission_same_score_20_times(grades, tmp_path):
    """A submission with partial marks, graded once in full and its class's checks 19 times more in one sandbox
    (the other classes do not change): every time the same verdicts, so the same score."""
    doc = grades(AGAIN, full=True)
    assert 0 < doc["score"] < 100
    want = {t["name"]: (t["score"], t["output"]) for t in doc["tests"]}
    files = submission.find(samples.build(samples.BY_NAME[AGAIN], tmp_path / "sub"), HW1.student_files)
    mine = [c for c in suite.all_checks() if c.cls == "MAELoss"]
    with open(tmp_path / "log", "w") as log:
        verdicts, _ = _run_checks(HW1, mine * 19, files, grading.policy_violations(HW1, files), log, time.monotonic())
    again = [(c.name, round(verdicts[i].fraction * c.points, 4), verdicts[i].output)
             for i, c in enumerate(mine * 19)]
    assert again == [(c.name, *want[c.name]) for c in mine * 19]
    assert any(score < config.WEIGHTS["loss"]["backward"] for name, score, _ in again if "backward" in name)


def test_results_names_lead_with_class_or_part(grades):
    names = [t["name"] for t in grades("solution")["tests"]]
    for cls in config.CLASSES:
        assert any(re.match(rf"{cls}[.:]", n) for n in names), cls
    assert any(n.startswith("Sine fit (ReLU):") for n in names)


# ------------------------------------------------------------------ not the student's fault
@pytest.mark.parametrize("status, again", [
    ({"timeout": True, "cpu": 0.05}, True),    # starved: a busy machine
    ({"timeout": True, "cpu": 19.5}, False),   # computed the whole time: an endless loop
    ({"signal": 9, "cpu": 0.02}, True),        # killed from outside: the machine's OOM killer
    ({"lost": True, "timeout": True}, True),   # the sandbox stopped answering
    ({"exit": 1, "cpu": 0.02}, False),         # the student's exception
    ({"signal": 9, "cpu": 21.0}, False),       # over its CPU-time limit (RLIMIT_CPU, soft = hard)
])
def test_jobs_ended_from_outside_are_run_again(status, again):
    assert grading.not_the_students_fault(status, timeout=20.0) is again


@pytest.mark.parametrize("victim", ["Tanh", "import"])
def test_a_starved_check_is_run_again_and_costs_nothing(tmp_path, monkeypatch, victim):
    """The first run of a Tanh check, or of a file's import, comes back as a timeout with no CPU
    used (as on a machine too busy to run it); the grade stays 100."""
    real_run = grading.Sandbox.run
    starved = []

    def run(self, job, inputs):
        mine = threading.current_thread() is threading.main_thread()  # not the session's background gradings
        if mine and victim in (job.get("cls"), job["kind"]) and not starved:
            starved.append(job["id"])
            return {"status": {"id": job["id"], "timeout": True, "wall": 20.0, "cpu": 0.01}, "meta": None,
                    "arrays": {}}
        return real_run(self, job, inputs)

    monkeypatch.setattr(grading.Sandbox, "run", run)
    log = tmp_path / "log"
    with open(log, "w") as f:
        doc = grading.grade(samples.build(samples.BY_NAME["solution"], tmp_path / "sub"), log=f)
    assert starved and doc["score"] == pytest.approx(100)
    assert "run again" in log.read_text()


def test_a_softmax_that_overflows_loses_the_large_input_points(grades):
    """The numerical lesson has points of its own: without the row maximum, all of them are lost."""
    def large(doc):
        return next(t for t in doc["tests"] if t["name"].startswith("SoftmaxCELoss: large inputs"))

    assert large(grades("solution"))["score"] == pytest.approx(config.WEIGHTS["loss"]["large"])
    naive = large(grades("softmax_ce_no_max"))
    assert naive["score"] == 0 and naive["max_score"] == config.WEIGHTS["loss"]["large"]
    assert "subtract each row's max first" in naive["output"]


def test_a_sandbox_that_will_not_start_costs_only_its_checks(tmp_path, monkeypatch):
    """Every Tanh job meets a sandbox that cannot start: Tanh's checks say so, the rest is graded, no traceback."""
    real_run = grading.Sandbox.run

    def run(self, job, inputs):
        if threading.current_thread() is threading.main_thread() and job.get("cls") == "Tanh":
            raise grading.SandboxError("the sandbox did not start")
        return real_run(self, job, inputs)

    monkeypatch.setattr(grading.Sandbox, "run", run)
    with open(tmp_path / "log", "w") as f:
        doc = grading.grade(samples.build(samples.BY_NAME["solution"], tmp_path / "sub"), log=f)
    check_document(doc)
    assert lost_groups(doc) == {"Tanh"}
    assert "ask for a regrade" in outputs_that_lost(doc, "Tanh")


def test_every_test_has_a_status_and_a_missing_file_fails_the_files_test(grades):
    """Gradescope shows a test without a status as passed: the 0-point Files test says failed when a file is missing."""
    def files_status(doc):
        return next(t["status"] for t in doc["tests"] if t["name"].startswith("Files"))

    assert files_status(grades("solution")) == "passed"
    assert files_status(grades("missing_file")) == "failed"
    for t in grades("mae_over_B")["tests"]:
        assert t["status"] == ("passed" if t["score"] >= t["max_score"] else "failed"), t["name"]
