"""Gradescope's optional fields in results.json: each test's number, tags and extra_data, the top-level
execution_time; results.validate checks them, and the class report reads them."""

import copy
import html
import json
import re

import pytest
import samples

from autograder import grade, report, results


def _key(number: str) -> tuple:
    return tuple(int(n) for n in number.split("."))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One submission with a diagnosed mistake (db summed over the features), graded for real."""
    folder = tmp_path_factory.mktemp("fields")
    sub = samples.build(samples.BY_NAME["linear_db_axis1"], folder / "sub")
    with open(folder / "grade.log", "w") as log:
        return grade.grade(sub, log=log)


def test_validate_accepts_the_fields_and_rejects_wrong_ones():
    good = results.test("Linear.forward: x", 1, 1, "visible", "ok", number="1.1", tags=["Linear", "forward"],
                        extra={"class": "Linear", "part": "forward", "likely_cause": None})
    assert results.validate(results.results([good], "", seconds=3.25)) == []
    for field, bad in (("number", 1.1), ("number", "1.x"), ("tags", "Linear"), ("tags", ["Linear", 2]),
                       ("extra_data", ["not", "a", "dict"]), ("output_format", "pdf")):
        doc = results.results([{**good, field: bad}], "")
        assert any(field in p for p in results.validate(doc)), (field, bad)
    assert results.validate(results.results([good, good], "")) == ["two tests have the same number"]
    for bad in ("3", -1, True):
        doc = {**results.results([good], ""), "execution_time": bad}
        assert any("execution_time" in p for p in results.validate(doc)), bad


def test_every_test_has_a_number_tags_and_extra_data(graded):
    assert results.validate(graded) == []
    assert isinstance(graded["execution_time"], float) and graded["execution_time"] > 0
    tests = graded["tests"]
    assert tests[0]["number"] == "0" and tests[0]["tags"] == ["Files"]
    numbers = [t["number"] for t in tests]
    assert numbers == sorted(numbers, key=_key) and len(set(numbers)) == len(numbers)
    for t in tests:
        assert set(t["extra_data"]) >= {"class", "part", "likely_cause"}, t["name"]
        assert t["tags"][-1] == t["extra_data"]["part"] or t["number"] == "0", t["name"]
        if t["extra_data"]["class"] and ": policy" not in t["name"] and not t["name"].startswith("Sine fit"):
            assert t["tags"][0] == t["extra_data"]["class"] and t["name"].startswith(t["tags"][0]), t["name"]
    by_class = {}
    for t in tests[1:]:
        by_class.setdefault(t["number"].split(".")[0], set()).add(t["tags"][0])
    assert all(len(classes) == 1 for classes in by_class.values()), by_class  # one class per first number
    json.dumps(graded)


def test_likely_cause_is_the_one_in_the_output(graded):
    named = 0
    for t in graded["tests"]:
        lines = re.findall(r"^\s*Likely cause: (.*)$", t["output"], re.M)
        assert t["extra_data"]["likely_cause"] == (lines[0] if lines else None), t["name"]
        named += bool(lines)
    assert named >= 1
    backward = next(t for t in graded["tests"] if t["number"] == "1.2")
    assert backward["tags"] == ["Linear", "backward"] and "batch axis" in backward["extra_data"]["likely_cause"]


def test_report_reads_extra_data_as_it_read_the_outputs(graded):
    """The same mistakes from the extra_data as from the output text (results written without extra_data)."""
    bare = copy.deepcopy(graded)
    for t in bare["tests"]:
        del t["extra_data"]
    assert report.mistakes({"a": graded}) == report.mistakes({"a": bare}) != []
    # the report trusts extra_data: a cause only in extra_data counts, an output's line without it does not
    moved = copy.deepcopy(graded)
    for t in moved["tests"]:
        t["output"] = t["output"].replace("Likely cause:", "Cause:")
    assert report.mistakes({"a": moved}) == report.mistakes({"a": graded})


def test_report_reads_policy_breaks_from_extra_data():
    broken = results.test("Sigmoid: policy (no autograd)", 0, 0.5, "visible", "anything at all", number="2.6",
                          tags=["Sigmoid", "policy"], extra=grade.facts("Sigmoid", "policy", broken=True))
    kept = results.test("Tanh: policy (no autograd)", 0, 0.5, "visible", "Tanh uses what this assignment forbids",
                        number="3.6", tags=["Tanh", "policy"], extra=grade.facts("Tanh", "policy", broken=False))
    docs = {"a": results.results([broken, kept], "")}
    assert [(s, c) for s, c, _ in report.policy_breaks(docs)] == [("a", "Sigmoid")]


# ---------------------------------------------------------------- limits.OUTPUT_FORMAT = "md"
HOSTILE = ("Linear.forward: values differ at 2 of 6 positions.\n"
           "  worst at index (0, 1): expected 0.5, got -1.25e-05\n"
           "Your code raised ValueError: a | b *bold* _em_ `tick` <script>alert(1)</script> [link](http://x)\n"
           "  at linear.py line 3, in forward: return x @ self.W  # ~~~ ``` | --- |\n"
           "~~~~~\n"
           "<img src=x onerror=alert(1)>\n"
           "  worst at index (1, 1): expected 0.5, got <b>0.25</b>\n"  # not the grader's line: stays text
           "Likely cause: __init__ ** [x]: y")


@pytest.fixture
def md(monkeypatch):
    from autograder import limits

    monkeypatch.setattr(limits, "OUTPUT_FORMAT", "md")


def test_markdown_only_where_a_value_mismatch_is_named(md):
    plain = results.test("Linear.forward: shape", 0, 1, "visible", "expected shape (2, 3), got (3, 2) | *x*")
    assert "output_format" not in plain and plain["output"] == "expected shape (2, 3), got (3, 2) | *x*"
    mismatch = results.test("Linear.forward: values", 0, 1, "visible", HOSTILE)
    assert mismatch["output_format"] == "md" and results.validate(results.results([mismatch], "")) == []
    assert "| (0, 1) | 0.5 | -1.25e-05 |" in mismatch["output"]
    assert "| (1, 1) |" not in mismatch["output"]  # a line that is not all numbers is never a table row


def test_text_is_the_default_and_leaves_every_output_as_it_is():
    from autograder import limits

    assert limits.OUTPUT_FORMAT == "text"
    entry = results.test("Linear.forward: values", 0, 1, "visible", HOSTILE)
    assert "output_format" not in entry and entry["output"] == HOSTILE


def test_markdown_renders_student_text_as_text(md):
    """Rendered by a CommonMark renderer with raw HTML allowed: no markup from the student's text, all of it shown."""
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(results.markdown(HOSTILE))
    for markup in ("<script", "<img", "<a ", "<em>", "<strong>", "<b>"):
        assert markup not in rendered, markup
    assert re.search(r"<td>\(0, 1\)</td>\s*<td[^>]*>0.5</td>\s*<td[^>]*>-1.25e-05</td>", rendered)
    shown = "".join(html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered, re.S))
    assert shown.splitlines() == [line for line in HOSTILE.splitlines() if "(0, 1)" not in line]


@pytest.fixture(scope="module")
def values_graded(tmp_path_factory):
    """One submission whose values are wrong (Linear's gradients of the wrong sign), graded for real."""
    folder = tmp_path_factory.mktemp("values")
    sub = samples.build(samples.BY_NAME["linear_grad_sign"], folder / "sub")
    with open(folder / "grade.log", "w") as log:
        return grade.grade(sub, log=log)


def test_markdown_keeps_the_scores_and_the_text(values_graded, md):
    """hw1's tests made again with OUTPUT_FORMAT "md": the same scores and statuses, the mismatches as tables."""
    graded = values_graded
    again = [results.test(t["name"], t["score"], t["max_score"], t["visibility"], t["output"], number=t["number"],
                          tags=t["tags"], extra=t["extra_data"]) for t in graded["tests"]]
    doc = results.results(again, graded["output"])
    assert results.validate(doc) == [] and doc["score"] == graded["score"]
    assert [(t["score"], t["status"]) for t in again] == [(t["score"], t["status"]) for t in graded["tests"]]
    tables = [t for t in again if t.get("output_format") == "md"]
    assert tables and all("worst at index" in old["output"] for old, t in zip(graded["tests"], again, strict=True)
                          if t.get("output_format") == "md")
    for t in tables:
        assert "| worst at index | expected | got |" in t["output"] and "values differ at" in t["output"]


def test_validate_rejects_an_unknown_output_format(monkeypatch):
    from autograder import limits

    monkeypatch.setattr(limits, "OUTPUT_FORMAT", "html")
    doc = results.results([results.test("t", 1, 1, "visible", "ok")], "")
    assert any("OUTPUT_FORMAT" in p for p in results.validate(doc))
