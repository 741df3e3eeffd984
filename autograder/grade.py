"""Grade one submission: find the files, check the policy, run every check in the sandbox, judge.

`grade(submission_dir, assignment=None)` returns the results.json document. It never raises
for anything a submission does; only a broken grader installation raises. What is graded,
and how each check is judged, is the assignment's (autograder/assignment.py); the order of
the tests, the policy, the gates, the time budget and the retries are the same for all.
"""

import sys
import time
from pathlib import Path

import torch

from . import limits, policy, results, submission
from .assignment import Assignment, load
from .outcome import Verdict, error_text, sandbox_down
from .parsing import parsed
from .sandbox import Sandbox, SandboxError


def package_files(a: Assignment, files: dict) -> dict[str, str]:
    """The sandbox's `scratchnn` package: the student's readable files and the kit's given ones."""
    pkg = {"__init__.py": f'"""The submission under test: {", ".join(a.student_files)} and the given files."""\n'}
    pkg.update(a.given_files)
    for name, sf in files.items():
        if sf.problem is None:
            pkg[name] = sf.text
    return pkg


def blocked_reason(a: Assignment, cls: str, files: dict, violations: dict):
    """Why a class is not run at all (its file is missing or broken, or it breaks the policy), or None."""
    sf = files[a.classes[cls]]
    if sf.problem:
        return sf.problem
    if violations.get(cls):
        return f"{cls} uses forbidden APIs (see its policy test), so it scores 0."
    return None


def check_imports(a: Assignment, box: Sandbox, files: dict, violations: dict, log, started: float) -> None:
    """Import each readable file once in the sandbox; a file that fails or hangs gets its problem set.
    What its module-level code made PyTorch do counts against each of its classes."""
    for name, sf in files.items():
        if sf.problem:
            continue
        job = {"kind": "import", "module": name[:-3], "id": f"import-{name[:-3]}", "timeout": limits.TIME_PER_TEST,
               "policy": operator_rules(a)}
        outcome = run_fairly(box, job, {}, log, name, started)
        meta, status = outcome["meta"], outcome["status"]
        for cls in [c for c, f in a.classes.items() if f == name]:
            add_sightings(violations, cls, outcome.get("sightings"))
        if status.get("sandbox_error"):
            sf.problem = f"{name} was not graded: " + sandbox_down(status["sandbox_error"])
        elif status.get("timeout"):
            sf.problem = (f"Importing {name} did not finish within {limits.TIME_PER_TEST:g} s: is there a loop or "
                          "long computation at module level? None of its classes can be graded.")
        elif meta is None:
            sf.problem = f"The process importing {name} died (exit() or os._exit() at module level?)."
        elif meta.get("error"):
            sf.problem = error_text(f"Importing {name} failed, so none of its classes can be graded", meta["error"])


OUT_OF_TIME = (f"Not run (or not to its end): grading reached its total time limit ({limits.TIME_TOTAL:g} s) "
               "because earlier checks were slow. Make every method as fast as its docstring's O(·) cost.")


def not_the_students_fault(status: dict, timeout: float) -> bool:
    """Whether a job ended for a reason outside the student's code: starved of CPU, or killed from outside."""
    if status.get("lost") or status.get("sandbox_error"):  # the sandbox stopped answering, or would not start
        return True
    # A timeout, or SIGKILL not sent for one, with little CPU time used. (RLIMIT_CPU's SIGKILL
    # comes only after the job used more CPU time than its whole wall-time limit.)
    killed = status.get("timeout") or status.get("signal") == 9
    return bool(killed) and float(status.get("cpu") or 0.0) < limits.STARVED_CPU_SHARE * timeout


def run_fairly(box: Sandbox, job: dict, inputs: dict, log, what: str, started: float) -> dict:
    """box.run, once more if the first run ended for a reason outside the student's code and the
    second still ends within TIME_TOTAL. A sandbox that cannot be started again is an outcome too."""
    outcome = _run(box, job, inputs)
    if (not_the_students_fault(outcome["status"], job["timeout"])
            and time.monotonic() - started + job["timeout"] <= limits.TIME_TOTAL):
        log.write(f"{what[:70]:70s} run again: {outcome['status']}\n{box.job_log(job['id'], 500)}")
        outcome = _run(box, job, inputs)
    return outcome


def _run(box: Sandbox, job: dict, inputs: dict) -> dict:
    try:
        return box.run(job, inputs)
    except SandboxError as exc:
        return {"status": {"id": job["id"], "sandbox_error": str(exc)}, "meta": None, "arrays": {}, "sightings": []}


def run_checks(a: Assignment, checks, files, violations, log, start: float) -> tuple[dict, str]:
    """Verdict per check index, and how the sandbox was isolated; runtime policy violations are added to
    `violations`. Everything runs within limits.TIME_TOTAL of `start` (when grading began): a check gets
    at most the time left, and one that cannot get MIN_CHECK_SECONDS is not run."""
    verdicts = {}
    hung = set()  # classes with a check of their own that ran out of time: their later checks are skipped
    with Sandbox(package_files(a, files), log=log, kit_files=a.kit_files) as box:
        log.write(f"sandbox: {box.isolation}\n")
        check_imports(a, box, files, violations, log, start)
        for i, check in enumerate(checks):
            reasons = [r for r in (blocked_reason(a, c, files, violations) for c in check.needs) if r]
            reasons += [f"an earlier check of {c} did not finish in time." for c in check.needs if c in hung]
            if reasons:
                verdicts[i] = Verdict(0.0, "Not run: " + reasons[0])
                continue
            left = start + limits.TIME_TOTAL - time.monotonic()
            if left < limits.MIN_CHECK_SECONDS:
                verdicts[i] = Verdict(0.0, OUT_OF_TIME)
                continue
            timeout = min(check.time_limit, left)
            job = {**check.job, "id": f"job{i:03d}", "timeout": timeout, "policy": operator_rules(a)}
            outcome = run_fairly(box, job, check.inputs, log, check.name, start)
            for cls in check.needs:  # where several classes take part, each answers for its own file
                add_sightings(violations, cls, outcome.get("sightings"),
                              only_file=a.classes[cls] if len(check.needs) > 1 else None)
            verdicts[i] = a.judge(check, outcome)
            s = outcome["status"]
            if s.get("timeout") and timeout < check.time_limit:  # cut short by the total limit
                verdicts[i] = Verdict(0.0, OUT_OF_TIME)
            if s.get("timeout") and check.group == check.cls:
                hung.add(check.cls)
            log.write(f"{check.name[:70]:70s} {verdicts[i].fraction:5.2f}  wall {s.get('wall', '-')}s "
                      f"cpu {s.get('cpu', '-')}s\n")
            if verdicts[i].fraction < 1:
                log.write(box.job_log(job["id"], 500))
        isolation = box.isolation
    return verdicts, isolation


def operator_rules(a: Assignment) -> dict:
    """The recorder's rules for a job, as data (the assignment's FORBIDDEN_OPS, FORBIDDEN_OP_PARTS,
    FORBIDDEN_LIBRARIES and FORBIDDEN_FUNCTIONS)."""
    return {"ops": {k: list(v) for k, v in a.config.FORBIDDEN_OPS.items()},
            "parts": {k: list(v) for k, v in a.config.FORBIDDEN_OP_PARTS.items()},
            "libraries": {k: list(v) for k, v in a.config.FORBIDDEN_LIBRARIES.items()},
            "functions": {k: list(v) for k, v in a.config.FORBIDDEN_FUNCTIONS.items()},
            "student_files": list(a.student_files)}


def add_sightings(violations: dict, cls: str, seen, only_file: str = None) -> None:
    """Add what the recorder saw during a job (the outcome's "sightings", dicts) to cls's violations."""
    for s in seen if isinstance(seen, list) else []:
        if not isinstance(s, dict) or not all(isinstance(s.get(k), str) for k in ("what", "why", "instead")):
            continue
        if only_file and s.get("file") not in (only_file, ""):
            continue
        line = s.get("line") if isinstance(s.get("line"), int) else 0
        code = s.get("code") if isinstance(s.get("code"), str) else ""
        v = policy.Violation(line, s["what"][:120], s["why"][:120], code[:160], s["instead"][:200])
        if v not in violations.setdefault(cls, []):
            violations[cls].append(v)


def policy_violations(a: Assignment, files: dict) -> dict:
    """The static scan's violations per class (autograder/policy.py)."""
    out = {}
    rules = policy.Rules.of(a.config)
    for name, sf in files.items():
        if sf.problem is None:
            classes = [c for c, f in a.classes.items() if f == name]
            try:
                found = parsed(policy.scan, sf.text, classes, rules)
            except Exception as exc:  # noqa: BLE001  a file the scan cannot read is that file's problem only
                why = str(exc) if isinstance(exc, policy.ScanError) else f"{type(exc).__name__}: {str(exc)[:200]}"
                sf.problem = (f"{sf.path} could not be checked for the course policy: {why}. "
                              "None of its classes can be graded.")
                continue
            for cls, violations in found.items():
                out[cls] = list(violations)
    return out


def files_test(a: Assignment, files: dict) -> dict:
    lines = []
    for name, sf in files.items():
        if sf.problem:
            lines.append(f"✗ {sf.problem}")
        else:
            lines.append(f"✓ {name} found at {sf.path}")
        lines += [f"  note: {note}" for note in sf.notes]
    return results.test(f"Files: {', '.join(a.student_files)}", 0, 0, a.config.VISIBILITY["files"],
                        "\n".join(lines), passed=not any(sf.problem for sf in files.values()),
                        number="0", tags=["Files"], extra=facts(None, "files"))


def facts(cls, part: str, likely_cause: str = None, **more) -> dict:
    """A test's extra_data: its class (None for a part of its own), its part, the diagnosed mistake or None."""
    return {"class": cls, "part": part, "likely_cause": likely_cause, **more}


def policy_test(a: Assignment, cls: str, violations: list, earned_real_points: bool, number: str = None) -> dict:
    name = f"{cls}: policy (no autograd, no ready-made layers or functions)"
    points, shown = a.policy_points(cls), a.config.VISIBILITY["policy"]
    fields = {"number": number, "tags": [cls, "policy"], "extra": facts(cls, "policy", broken=bool(violations))}
    if violations:
        listed = "\n".join(f"  {v}" for v in violations)
        return results.test(name, 0, points, shown,
                            f"{cls} uses what this assignment forbids, so all of {cls}'s tests score 0:\n{listed}\n"
                            + a.policy_instead, **fields)
    if not earned_real_points:
        return results.test(name, 0, points, shown,
                            a.policy_kept + " These points count only once a value check of the class earns points.",
                            **fields)
    return results.test(name, points, points, shown, a.policy_kept, **fields)


def class_tests(a: Assignment, cls: str, checks: list, verdicts: dict, violations: dict) -> list:
    """The tests of one class: each check's (a gated check scores 0 until its gate earns), then the policy."""
    mine = [i for i, c in enumerate(checks) if c.group == cls]
    earned = any(verdicts[i].fraction > 0 for i in mine if checks[i].pays)
    tests = []
    position = list(a.classes).index(cls) + 1
    for j, i in enumerate(mine, 1):
        c, v = checks[i], verdicts[i]
        fraction, output = v.fraction, v.output
        gate_earned = c.gate is None or any(verdicts[j].fraction > 0 for j in mine if checks[j].part == c.gate)
        if violations.get(cls):
            fraction, output = 0.0, f"Scores 0: {cls} breaks the policy.\n" + v.output
        elif not gate_earned and fraction > 0:
            fraction = 0.0
            gate = next(checks[j].name for j in mine if checks[j].part == c.gate).split(":")[0]
            output = (f"Scores 0 until the test \"{gate}\" earns points: without it, this test proves nothing "
                      "(code that computes nothing could pass it).\n" + v.output)
        tests.append(results.test(c.name, fraction * c.points, c.points, c.visibility, output,
                                  number=f"{position}.{j}", tags=[cls, c.part],
                                  extra=facts(cls, c.part, v.likely_cause)))
    tests.append(policy_test(a, cls, violations.get(cls, []), earned, number=f"{position}.{len(mine) + 1}"))
    return tests


def part_tests(a: Assignment, checks: list, verdicts: dict, violations: dict) -> list:
    """The tests of the parts of their own (assignment 1's sine fit), numbered after the classes."""
    groups = list(dict.fromkeys(c.group for c in checks if c.group not in a.classes))
    tests, seen = [], {}
    for i, c in enumerate(checks):
        if c.group in a.classes:
            continue
        v = verdicts[i]
        fraction = 0.0 if any(violations.get(n) for n in c.needs) else v.fraction
        seen[c.group] = seen.get(c.group, 0) + 1
        number = f"{len(a.classes) + groups.index(c.group) + 1}.{seen[c.group]}"
        tests.append(results.test(c.name, fraction * c.points, c.points, c.visibility, v.output,
                                  number=number, tags=[c.group, c.cls, c.part],
                                  extra=facts(c.cls, c.part, v.likely_cause, group=c.group)))
    return tests


def grade(submission_dir, log=None, assignment: Assignment = None) -> dict:
    """The results.json document for one submission folder (the default assignment when none is given)."""
    a = assignment or load()
    log = log or sys.stderr
    started = time.monotonic()
    torch.set_num_threads(1)
    files = submission.find(Path(submission_dir), a.student_files)
    violations = policy_violations(a, files)
    checks = a.checks()
    verdicts, isolation = run_checks(a, checks, files, violations, log, started)

    tests = [files_test(a, files)]
    for cls in a.classes:
        tests += class_tests(a, cls, checks, verdicts, violations)
    tests += part_tests(a, checks, verdicts, violations)  # a part of its own: after the classes
    seconds = round(time.monotonic() - started, 1)
    return results.results(tests, a.summary, {"grading_seconds": seconds, "torch": torch.__version__,
                                              "sandbox": isolation, "assignment": a.name}, seconds=seconds)
