"""Grade one submission: find the files, check the policy, run every check in the sandbox, judge.

`grade(submission_dir)` returns the results.json document. It never raises for
anything a submission does; only a broken grader installation raises.
"""

import sys
import time
from pathlib import Path

import torch

from . import config, policy, results, submission, suite
from .judge import Verdict, error_text, judge, sandbox_down
from .parsing import parsed
from .sandbox import Sandbox, SandboxError

REF_DIR = Path(__file__).resolve().parent.parent / "scratchnn_ref"
GIVEN_FILES = ("mlp.py", "train.py")  # handed out complete: the kit's copies are used, never the student's


def package_files(files: dict) -> dict[str, str]:
    """The sandbox's `scratchnn` package: the student's readable files and the kit's given ones."""
    pkg = {"__init__.py": '"""The submission under test (student files and the given mlp.py, train.py)."""\n'}
    for name in GIVEN_FILES:
        pkg[name] = (REF_DIR / name).read_text(encoding="utf-8")
    for name, sf in files.items():
        if sf.problem is None:
            pkg[name] = sf.text
    return pkg


def blocked_reason(cls: str, files: dict, violations: dict):
    """Why a class is not run at all (its file is missing or broken, or it breaks the policy), or None."""
    sf = files[config.CLASSES[cls]]
    if sf.problem:
        return sf.problem
    if violations.get(cls):
        return f"{cls} uses forbidden APIs (see its policy test), so it scores 0."
    return None


def points(cls: str, part: str) -> float:
    if part == "sine_fit":
        return config.SINE_FIT_POINTS / len(config.SINE_FIT)
    return config.WEIGHTS[suite.kind_of(cls)][part]


def check_imports(box: Sandbox, files: dict, violations: dict, log, started: float) -> None:
    """Import each readable file once in the sandbox; a file that fails or hangs gets its problem set.
    What its module-level code made PyTorch do counts against each of its classes."""
    for name, sf in files.items():
        if sf.problem:
            continue
        job = {"kind": "import", "module": name[:-3], "id": f"import-{name[:-3]}", "timeout": config.TIME_PER_TEST,
               "policy": operator_rules()}
        outcome = run_fairly(box, job, {}, log, name, started)
        meta, status = outcome["meta"], outcome["status"]
        for cls in [c for c, f in config.CLASSES.items() if f == name]:
            add_sightings(violations, cls, outcome.get("sightings"))
        if status.get("sandbox_error"):
            sf.problem = f"{name} was not graded: " + sandbox_down(status["sandbox_error"])
        elif status.get("timeout"):
            sf.problem = (f"Importing {name} did not finish within {config.TIME_PER_TEST:g} s: is there a loop or "
                          "long computation at module level? None of its classes can be graded.")
        elif meta is None:
            sf.problem = f"The process importing {name} died (exit() or os._exit() at module level?)."
        elif meta.get("error"):
            sf.problem = error_text(f"Importing {name} failed, so none of its classes can be graded", meta["error"])


OUT_OF_TIME = (f"Not run (or not to its end): grading reached its total time limit ({config.TIME_TOTAL:g} s) "
               "because earlier checks were slow. Make every method as fast as its docstring's O(·) cost.")


def not_the_students_fault(status: dict, timeout: float) -> bool:
    """Whether a job ended for a reason outside the student's code: starved of CPU, or killed from outside."""
    if status.get("lost") or status.get("sandbox_error"):  # the sandbox stopped answering, or would not start
        return True
    # A timeout, or SIGKILL not sent for one, with little CPU time used. (RLIMIT_CPU's SIGKILL
    # comes only after the job used more CPU time than its whole wall-time limit.)
    killed = status.get("timeout") or status.get("signal") == 9
    return bool(killed) and float(status.get("cpu") or 0.0) < config.STARVED_CPU_SHARE * timeout


def run_fairly(box: Sandbox, job: dict, inputs: dict, log, what: str, started: float) -> dict:
    """box.run, once more if the first run ended for a reason outside the student's code and the
    second still ends within TIME_TOTAL. A sandbox that cannot be started again is an outcome too."""
    outcome = _run(box, job, inputs)
    if (not_the_students_fault(outcome["status"], job["timeout"])
            and time.monotonic() - started + job["timeout"] <= config.TIME_TOTAL):
        log.write(f"{what[:70]:70s} run again: {outcome['status']}\n{box.job_log(job['id'], 500)}")
        outcome = _run(box, job, inputs)
    return outcome


def _run(box: Sandbox, job: dict, inputs: dict) -> dict:
    try:
        return box.run(job, inputs)
    except SandboxError as exc:
        return {"status": {"id": job["id"], "sandbox_error": str(exc)}, "meta": None, "arrays": {}}


def run_checks(checks, files, violations, log, start: float) -> tuple[dict, str]:
    """Verdict per check index, and how the sandbox was isolated; runtime policy violations are added to
    `violations`. Everything runs within config.TIME_TOTAL of `start` (when grading began): a check gets
    at most the time left, and one that cannot get MIN_CHECK_SECONDS is not run."""
    verdicts = {}
    hung = set()  # classes with a check that ran out of time: their later checks are skipped
    with Sandbox(package_files(files), log=log) as box:
        log.write(f"sandbox: {box.isolation}\n")
        check_imports(box, files, violations, log, start)
        for i, check in enumerate(checks):
            needs = [check.cls] if check.part != "sine_fit" else ["Linear", check.cls]
            reasons = [r for r in (blocked_reason(c, files, violations) for c in needs) if r]
            reasons += [f"an earlier check of {c} did not finish in time." for c in needs if c in hung]
            if reasons:
                verdicts[i] = Verdict(0.0, "Not run: " + reasons[0])
                continue
            left = start + config.TIME_TOTAL - time.monotonic()
            if left < config.MIN_CHECK_SECONDS:
                verdicts[i] = Verdict(0.0, OUT_OF_TIME)
                continue
            timeout = min(suite.time_limit(check), left)
            job = {**check.job, "id": f"job{i:03d}", "timeout": timeout, "policy": operator_rules()}
            outcome = run_fairly(box, job, check.inputs, log, check.name, start)
            if check.part == "sine_fit":  # two classes take part: each answers for its own file
                for cls in needs:
                    add_sightings(violations, cls, outcome.get("sightings"), only_file=config.CLASSES[cls])
            else:
                add_sightings(violations, check.cls, outcome.get("sightings"))
            verdicts[i] = judge(check, outcome)
            s = outcome["status"]
            if s.get("timeout") and timeout < suite.time_limit(check):  # cut short by the total limit
                verdicts[i] = Verdict(0.0, OUT_OF_TIME)
            if s.get("timeout") and check.part != "sine_fit":
                hung.add(check.cls)
            log.write(f"{check.name[:70]:70s} {verdicts[i].fraction:5.2f}  wall {s.get('wall', '-')}s "
                      f"cpu {s.get('cpu', '-')}s\n")
            if verdicts[i].fraction < 1:
                log.write(box.job_log(job["id"], 500))
        isolation = box.isolation
    return verdicts, isolation


def operator_rules() -> dict:
    """The recorder's rules for a job, as data (config.FORBIDDEN_OPS, FORBIDDEN_OP_PARTS)."""
    return {"ops": {k: list(v) for k, v in config.FORBIDDEN_OPS.items()},
            "parts": {k: list(v) for k, v in config.FORBIDDEN_OP_PARTS.items()},
            "student_files": list(config.STUDENT_FILES)}


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


def policy_violations(files: dict) -> dict:
    """The static scan's violations per class (autograder/policy.py)."""
    out = {}
    rules = policy.Rules.of(config)
    for name, sf in files.items():
        if sf.problem is None:
            classes = [c for c, f in config.CLASSES.items() if f == name]
            for cls, found in parsed(policy.scan, sf.text, classes, rules).items():
                out[cls] = list(found)
    return out


def files_test(files: dict) -> dict:
    lines = []
    for name, sf in files.items():
        if sf.problem:
            lines.append(f"✗ {sf.problem}")
        else:
            lines.append(f"✓ {name} found at {sf.path}")
        lines += [f"  note: {note}" for note in sf.notes]
    return results.test("Files: linear.py, activations.py, losses.py", 0, 0, config.VISIBILITY["files"],
                        "\n".join(lines), passed=not any(sf.problem for sf in files.values()))


def policy_test(cls: str, violations: list, earned_real_points: bool) -> dict:
    name = f"{cls}: policy (no autograd, no ready-made layers or functions)"
    if violations:
        listed = "\n".join(f"  {v}" for v in violations)
        return results.test(name, 0, points(cls, "policy"), config.VISIBILITY["policy"],
                            f"{cls} uses what this assignment forbids, so all of {cls}'s tests score 0:\n{listed}\n"
                            "Write it from element-wise operations (exp, log, tanh, where, clamp, ...).")
    why = ("No forbidden operator ran during its calls (autograd, ready-made activations, losses, softmax), and "
           "its source imports and reaches nothing forbidden.")
    if not earned_real_points:
        return results.test(name, 0, points(cls, "policy"), config.VISIBILITY["policy"],
                            why + " These points count only once forward or backward earns points.")
    return results.test(name, points(cls, "policy"), points(cls, "policy"), config.VISIBILITY["policy"], why)


def grade(submission_dir, log=None) -> dict:
    """The results.json document for one submission folder."""
    log = log or sys.stderr
    started = time.monotonic()
    torch.set_num_threads(1)
    files = submission.find(Path(submission_dir))
    violations = policy_violations(files)
    checks = suite.all_checks()
    verdicts, isolation = run_checks(checks, files, violations, log, started)

    tests = [files_test(files)]
    for cls in config.CLASSES:
        mine = [i for i, c in enumerate(checks) if c.cls == cls and c.part != "sine_fit"]
        earned = any(verdicts[i].fraction > 0 for i in mine if checks[i].part in ("forward", "backward"))
        forward_earned = any(verdicts[i].fraction > 0 for i in mine if checks[i].part == "forward")
        for i in mine:
            c, v = checks[i], verdicts[i]
            fraction, output = v.fraction, v.output
            if violations.get(cls):
                fraction, output = 0.0, f"Scores 0: {cls} breaks the policy.\n" + v.output
            elif c.part in config.NEEDS_FORWARD and not forward_earned and fraction > 0:
                fraction = 0.0
                output = (f"Scores 0 until {cls}.forward earns points: a {c.part} check of a forward that does not "
                          f"compute {cls} proves nothing.\n" + v.output)
            tests.append(results.test(c.name, fraction * points(cls, c.part), points(cls, c.part),
                                      config.VISIBILITY[c.part], output))
        tests.append(policy_test(cls, violations.get(cls, []), earned))
    for i, c in enumerate(checks):
        if c.part == "sine_fit":
            blocked = violations.get("Linear") or violations.get(c.cls)
            fraction = 0.0 if blocked else verdicts[i].fraction
            tests.append(results.test(c.name, fraction * points(c.cls, "sine_fit"), points(c.cls, "sine_fit"),
                                      config.VISIBILITY["sine_fit"], verdicts[i].output))
    seconds = round(time.monotonic() - started, 1)
    summary = ("scratchnn autograder. Each class is graded on its own: forward and backward against a reference "
               "on hidden inputs, a numerical gradient check, robustness, large inputs and the course policy; "
               "then the sine fit. "
               "Some tests are shown only after the due date.")
    return results.results(tests, summary, {"grading_seconds": seconds, "torch": torch.__version__,
                                            "sandbox": isolation})
