"""Reading a job's outcome as the sandbox returned it, the same for every assignment: a Verdict of 0
with a message when the job as a whole gave no results (timed out, killed, exited, raised, wrote
garbage), and the text of the child's description of an exception.

The sandbox's status and meta are JSON that student code may have written itself, so every
field read from them is type-checked here.
"""

from dataclasses import dataclass

from . import limits
from .sandbox import meta_problem

MAX_FIELD_CHARS = 500  # of one field of the child's JSON quoted in a message (the child cuts messages to 300)


@dataclass
class Verdict:
    fraction: float  # of the check's points
    output: str
    likely_cause: str | None = None  # the one known mistake that explains the results, where the judge names one


def text_of(value, limit: int = MAX_FIELD_CHARS) -> str:
    """A field of the child's JSON as text for a message, whatever its type, cut to `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + " [...]"


def _int(d: dict, key: str):
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def failure_of_job(check, outcome: dict):
    """A Verdict of 0 when the job as a whole did not produce results, else None."""
    status = outcome.get("status") if isinstance(outcome.get("status"), dict) else {}
    meta = outcome.get("meta")
    if status.get("sandbox_error"):
        return Verdict(0.0, "Not graded: " + sandbox_down(text_of(status["sandbox_error"])))
    if status.get("timeout") is True:
        return Verdict(0.0, f"Did not finish within {check.time_limit:g} s: an endless loop, or far more work than "
                            "the O(·) cost in the docstring.")
    sig, code = _int(status, "signal"), _int(status, "exit")
    if code == limits.TAMPERED_EXIT:
        return Verdict(0.0, "Your code changed the grader's own code (its operator recorder, its checks or the "
                            "writing of results), so nothing this check saw can be trusted.")
    # Only the job's own end (status 0, after it wrote its results) vouches for them: files found after a
    # crash, a signal or an exit may be the student code's own.
    if meta is None or sig or code != 0:
        hint = f" (out of memory? the limit is {limits.MEMORY_LIMIT_MB} MB)" if sig in (9, 24) else ""
        how = f"was killed by signal {sig}{hint}" if sig else f"exited early (status {code})"
        return Verdict(0.0, f"The process running your code {how} before reporting any result. "
                            "Calls like exit() or os._exit() end it too.")
    problem = meta_problem(meta)
    if problem:
        return Verdict(0.0, f"Your code's results could not be read ({text_of(problem, 200)}). Does your code write "
                            "to the grader's result files, or replace them?")
    if meta.get("error"):
        return Verdict(0.0, error_text("Your code could not be run", meta["error"]))
    return None


def sandbox_down(error: str) -> str:
    return f"the grader's sandbox could not be started again ({error}). This is not about your code: ask for a regrade."


def error_text(prefix: str, error) -> str:
    """The child's description of an exception ({"type", "message", "where"}), or whatever else it sent, as text."""
    if not isinstance(error, dict):
        return f"{prefix}: {text_of(error)}"
    kind, message = text_of(error.get("type"), 100), text_of(error.get("message"))
    text = f"{prefix}: {kind}: {message}"
    where = error.get("where")
    if isinstance(where, dict):
        file, line, function, code = (text_of(where.get(k), 200) for k in ("file", "line", "function", "code"))
        text += f"\n  at {file} line {line}, in {function}: {code}"
    if kind == "NotImplementedError":
        text += "\n  (this method is still the stub: write it)"
    if kind == "MemoryError" or "can't allocate memory" in message:
        text += f"\n  (the memory limit is {limits.MEMORY_LIMIT_MB} MB)"
    return text


