"""Gradescope's results.json: build tests, check the schema, write the file atomically."""

import json
import os
import re
import tempfile
from pathlib import Path

from . import limits

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = re.compile(r"\d+(\.\d+)*")  # Gradescope's test number: "0", "1.2"
OUTPUT_FORMATS = ("text", "md")  # the choices of limits.OUTPUT_FORMAT
# checks.compare's line for the worst mismatch; only these numbers and indices go into a markdown table
VALUE = r"[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|inf|nan)"
MISMATCH = re.compile(rf" *worst at index (\((?:\d+, )*\d*,?\)): expected ({VALUE}), got ({VALUE})")


def test(name: str, score: float, max_score: float, visibility: str, output: str, passed: bool = None,
         number: str = None, tags: list = None, extra: dict = None) -> dict:
    """One test entry; the output is cut to limits.MAX_OUTPUT_CHARS. `status` is "passed" when the test
    earned all its points (or, for a test of no points, when `passed` says so), else "failed": Gradescope
    shows a test without a status as passed. `number` orders the tests on Gradescope ("1.2": the class's
    position, then the check's), `tags` name the class and part, `extra` is stored as the test's extra_data."""
    if len(output) > limits.MAX_OUTPUT_CHARS:
        output = output[: limits.MAX_OUTPUT_CHARS - 20] + "\n[... cut ...]"
    md = markdown(output) if limits.OUTPUT_FORMAT == "md" else None
    if passed is None:
        passed = score >= max_score - 1e-9
    entry = {"name": name, "score": round(float(score), 4), "max_score": float(max_score),
             "status": "passed" if passed else "failed", "visibility": visibility, "output": md or output}
    if md is not None:
        entry["output_format"] = "md"
    if number is not None:
        entry["number"] = number
    if tags is not None:
        entry["tags"] = list(tags)
    if extra is not None:
        entry["extra_data"] = extra
    return entry


def markdown(output: str):
    """`output` as markdown when it names a value mismatch, else None (it stays plain text).

    Each of checks.compare's "worst at index ...: expected ..., got ..." lines becomes a one-row table
    of the index and the two numbers, which MISMATCH allows to be nothing but digits, signs, "inf" and
    "nan". Every other line, which may quote student code or an exception's text, goes unchanged into
    a fenced code block, which markdown shows as it is (no emphasis, links or HTML): its fence of
    tildes is longer than any run of tildes in the text, so no line can close it early.
    """
    lines = output.split("\n")
    if not any(MISMATCH.fullmatch(line) for line in lines):
        return None
    fence = "~" * max(3, 1 + max(map(len, re.findall("~+", output)), default=0))
    blocks, text, rows = [], [], []
    for line in lines + [None]:  # None: the end, flushes what is left
        match = MISMATCH.fullmatch(line) if line is not None else None
        if text and (match or line is None):
            blocks.append("\n".join([fence, *text, fence]))
            text = []
        if rows and not match:
            blocks.append("\n".join(["| worst at index | expected | got |", "|---|---:|---:|", *rows]))
            rows = []
        if match:
            rows.append("| {} | {} | {} |".format(*match.groups()))
        elif line is not None:
            text.append(line)
    return "\n\n".join(blocks)


def results(tests: list[dict], output: str, extra: dict = None, seconds: float = None) -> dict:
    """The whole document; the top-level score is the sum of the tests' scores; `seconds`, the time
    grading took, becomes Gradescope's execution_time."""
    doc = {"score": round(sum(t["score"] for t in tests), 4), "output": output,
           "visibility": "after_due_date", "stdout_visibility": "hidden",
           "tests": tests, "extra_data": extra or {}}
    if seconds is not None:
        doc["execution_time"] = round(float(seconds), 1)
    return doc


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
        problems += [f"test {t.get('name')!r}: {p}" for p in optional_field_problems(t)]
    if limits.OUTPUT_FORMAT not in OUTPUT_FORMATS:
        problems.append(f"limits.OUTPUT_FORMAT {limits.OUTPUT_FORMAT!r} is not one of {OUTPUT_FORMATS}")
    numbers = [t["number"] for t in tests if "number" in t]
    if len(set(numbers)) < len(numbers):
        problems.append("two tests have the same number")
    if "execution_time" in doc and (not isinstance(doc["execution_time"], (int, float))
                                    or isinstance(doc["execution_time"], bool) or doc["execution_time"] < 0):
        problems.append(f"execution_time {doc['execution_time']!r} is not a number of seconds")
    total = sum(t.get("score", 0) for t in tests)
    if abs(doc.get("score", -1) - total) > 1e-3:
        problems.append(f"top-level score {doc.get('score')} is not the sum of the tests ({total})")
    return problems


def optional_field_problems(t: dict) -> list[str]:
    """What is wrong with a test's optional fields (number, tags, extra_data, output_format), where present."""
    problems = []
    if "number" in t and not (isinstance(t["number"], str) and NUMBER.fullmatch(t["number"])):
        problems.append(f"number {t['number']!r} is not a string like \"1.2\"")
    if "tags" in t and not (isinstance(t["tags"], list) and all(isinstance(x, str) for x in t["tags"])):
        problems.append(f"tags {t['tags']!r} is not a list of strings")
    if "extra_data" in t and not isinstance(t["extra_data"], dict):
        problems.append("extra_data is not an object")
    if "output_format" in t and t["output_format"] not in FORMATS:
        problems.append(f"output_format {t['output_format']!r}")
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
