"""Gradescope's optional fields in results.json: each test's number, tags and extra_data, the top-level
execution_time; results.validate checks them, and the class report reads them."""

import copy
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
