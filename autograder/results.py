"""Gradescope's results.json: build tests, check the schema, write the file atomically."""

import json
import os
import tempfile
from pathlib import Path

from . import limits

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def test(name: str, score: float, max_score: float, visibility: str, output: str, passed: bool = None) -> dict:
    """One test entry; the output is cut to limits.MAX_OUTPUT_CHARS. `status` is "passed" when the test
    earned all its points (or, for a test of no points, when `passed` says so), else "failed": Gradescope
    shows a test without a status as passed."""
    if len(output) > limits.MAX_OUTPUT_CHARS:
        output = output[: limits.MAX_OUTPUT_CHARS - 20] + "\n[... cut ...]"
    if passed is None:
        passed = score >= max_score - 1e-9
    return {"name": name, "score": round(float(score), 4), "max_score": float(max_score),
            "status": "passed" if passed else "failed", "visibility": visibility, "output": output}


def results(tests: list[dict], output: str, extra: dict = None) -> dict:
    """The whole document; the top-level score is the sum of the tests' scores."""
    return {"score": round(sum(t["score"] for t in tests), 4), "output": output,
            "visibility": "after_due_date", "stdout_visibility": "hidden",
            "tests": tests, "extra_data": extra or {}}


def validate(doc: dict) -> list[str]:
    """Problems with a results document (empty when it follows the schema and the contract)."""
    problems = []
    tests = doc.get("tests")
    if not isinstance(tests, list) or not tests:
        return ["no tests"]
    for t in tests:
        for key, kind in (("name", str), ("score", (int, float)), ("max_score", (int, float)),
                          ("visibility", str), ("output", str)):
            if not isinstance(t.get(key), kind):
                problems.append(f"test {t.get('name')!r}: {key} missing or of the wrong type")
        if t.get("status") not in ("passed", "failed"):
            problems.append(f"test {t.get('name')!r}: status {t.get('status')!r}")
        if t.get("visibility") not in VISIBILITIES:
            problems.append(f"test {t.get('name')!r}: visibility {t.get('visibility')!r}")
        if isinstance(t.get("score"), (int, float)) and not 0 <= t["score"] <= t.get("max_score", 0) + 1e-9:
            problems.append(f"test {t.get('name')!r}: score {t['score']} outside [0, {t.get('max_score')}]")
    total = sum(t.get("score", 0) for t in tests)
    if abs(doc.get("score", -1) - total) > 1e-3:
        problems.append(f"top-level score {doc.get('score')} is not the sum of the tests ({total})")
    return problems


def printable(value):
    """`value` with every string made valid UTF-8: a lone surrogate (from a file name that is not
    UTF-8, or from JSON a submission wrote) becomes the text \\udcff instead of failing the write."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    return value


def write(doc: dict, path) -> None:
    """Write `doc` to `path` in one step (a temporary file renamed over it); on failure no temporary is left."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(printable(doc), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
