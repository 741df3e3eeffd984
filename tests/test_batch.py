"""Batch grading and the class report, on three of the example submissions in Gradescope's export layout.

Grading one submission takes about 10 s, so the real gradings happen once, in the
module's fixture, and the tests look at what they left behind.
"""

import csv
import json
import shutil
from pathlib import Path

import pytest

from autograder import batch, limits, report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"

METADATA = """\
submission_1001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2026-03-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_1002:
  :submitters:
  - :name: Alan Turing
    :sid: '1002'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1003'
    :email: grace@example.edu
  :created_at: 2026-03-01 11:00:00.000000000 -08:00
submission_1004:
  :submitters:
  - :name: Edsger Dijkstra
    :sid: '1004'
    :email: edsger@example.edu
"""
FOLDERS = {"submission_1001": "correct", "submission_1002": "dw_transposed", "submission_1004": "syntax_error"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """An export (one submission nested the way a zip unpacks), graded once into out/."""
    root = tmp_path_factory.mktemp("batch")
    export = root / "export"
    export.mkdir()
    (export / batch.METADATA).write_text(METADATA)
    for folder, example in FOLDERS.items():
        target = export / folder / "hw1" if example == "correct" else export / folder
        shutil.copytree(EXAMPLES / example, target)
    counts = batch.run(export, root / "out", jobs=2, progress=False)
    return export, root / "out", counts


def read_csv(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_metadata_gives_each_folder_its_students(tmp_path):
    (tmp_path / batch.METADATA).write_text(METADATA + "submission_9:\n  :submitters: !ruby/object:Foo\n  - :sid: 9\n")
    people = batch.read_metadata(tmp_path / batch.METADATA)
    assert [p["name"] for p in people["submission_1002"]] == ["Alan Turing", "Grace Hopper"]
    assert people["submission_1001"] == [{"sid": "1001", "name": "Ada Lovelace", "email": "ada@example.edu"}]
    assert people["submission_9"] == [{"sid": "9", "name": "", "email": ""}]


def test_without_metadata_the_folder_name_is_the_student_id(tmp_path):
    for name in ("bob", "alice", ".git", "__MACOSX"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("not a submission")
    subs = batch.discover(tmp_path)
    assert [s.id for s in subs] == ["alice", "bob"]
    assert subs[0].students == [{"sid": "alice", "name": "", "email": ""}]


def test_discover_finds_an_export_one_level_down(graded):
    export, _, _ = graded
    assert [s.id for s in batch.discover(export.parent)] == sorted(FOLDERS)


def test_every_submission_is_graded_into_its_folder(graded):
    _, out, counts = graded
    assert counts["graded"] == 3 and counts["failed"] == 0
    for folder in FOLDERS:
        doc = json.loads((out / folder / "results.json").read_text())
        assert doc["tests"] and not batch.results.validate(doc)
        assert (out / folder / "key.json").is_file()


def test_csv_has_one_row_per_student_and_totals_that_add_up(graded):
    _, out, _ = graded
    rows = read_csv(out)
    assert [r["sid"] for r in rows] == ["1001", "1002", "1003", "1004"]
    assert [r["problem"] for r in rows] == ["", "", "", ""]  # the last column: what went wrong, if anything
    assert rows[2]["name"] == "Grace Hopper" and rows[2]["submission"] == "submission_1002"
    for row in rows:
        doc = json.loads((out / row["submission"] / "results.json").read_text())
        tests = [t["name"] for t in doc["tests"]]
        assert float(row["total"]) == pytest.approx(sum(t["score"] for t in doc["tests"]))
        assert float(row["total"]) == pytest.approx(sum(float(row[name]) for name in tests))
    full = sum(t["max_score"] for t in json.loads((out / "submission_1001" / "results.json").read_text())["tests"])
    totals = {r["submission"]: float(r["total"]) for r in rows}
    assert totals["submission_1001"] == pytest.approx(full)  # the correct example, nested in hw1/
    assert totals["submission_1004"] < totals["submission_1002"] < full


def test_second_run_grades_nothing_and_a_change_is_graded_again(graded, capsys):
    export, out, _ = graded
    capsys.readouterr()
    again = batch.run(export, out, jobs=2, progress=False)
    assert again["graded"] == 0 and again["skipped"] == 3
    assert "nothing to do" in capsys.readouterr().out

    stamp = (out / "submission_1001" / "results.json").stat().st_mtime_ns
    with open(export / "submission_1004" / "losses.py", "a") as f:
        f.write("# resubmitted\n")  # a resubmission: new content
    (out / "submission_1002" / "key.json").unlink()  # as if interrupted before it finished
    third = batch.run(export, out, jobs=2, progress=False)
    assert third["graded"] == 2 and third["skipped"] == 1
    said = capsys.readouterr().out
    assert "1 resubmitted" in said and "1 unfinished" in said
    assert (out / "submission_1001" / "results.json").stat().st_mtime_ns == stamp
    assert len(read_csv(out)) == 4


def test_a_new_grader_version_means_grading_again(graded, monkeypatch):
    export, out, _ = graded
    sub = batch.discover(export)[0]
    assert batch.why_grade(sub, out) == ""
    monkeypatch.setattr(batch, "grader_hash", lambda: "another grader")
    assert batch.why_grade(sub, out).startswith("graded by another version of the grader")


def test_report_has_its_plots_and_the_diagnosed_mistakes(graded):
    _, out, _ = graded
    page = report.write_report(out).read_text()
    for png in ("scores.png", "pass_rate.png", "mistakes.png"):
        assert f"src='{png}'" in page
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'href="submission_1002/results.json"' in page
    causes = {(cls, cause): ids for cls, cause, _, ids in report.mistakes(report.load(out))}
    transposed = [ids for (cls, cause), ids in causes.items() if cls == "Linear" and "transposed" in cause]
    assert transposed == [["submission_1002"]]


def _doc(*tests):
    """A results document from (name, score, max_score, output) tuples."""
    return {"score": sum(t[1] for t in tests), "tests": [
        {"name": n, "score": s, "max_score": m, "visibility": "visible", "output": o} for n, s, m, o in tests]}


def test_report_groups_causes_once_per_submission_and_lists_policy_breaks():
    cause = "  Likely cause: you divided by the batch size B instead of by numel"
    docs = {
        "a": _doc(("BCELoss.backward: matches", 0, 1.5, "1 of 2 passed\n" + cause),
                  ("BCELoss: robustness", 0, 1, cause),
                  ("Sigmoid: policy (no autograd)", 0, 0.5, "Sigmoid uses what this assignment forbids, so ..."),
                  ("Tanh: policy (no autograd)", 0, 0.5, "No forbidden API found, but these points count only ...")),
        "b": _doc(("BCELoss.backward: matches", 0, 1.5, cause), ("Sigmoid: policy (no autograd)", 0.5, 0.5, "ok")),
    }
    assert report.mistakes(docs) == [("BCELoss", cause.split(": ", 1)[1], 2, ["a", "b"])]
    assert [(s, c) for s, c, _ in report.policy_breaks(docs)] == [("a", "Sigmoid")]
    assert dict(report.pass_rates(docs))["Sigmoid: policy (no autograd)"] == 0.5


def test_report_escapes_what_submissions_wrote(tmp_path):
    docs = {"x": _doc(("Linear.forward: matches", 0, 3, "Likely cause: <script>alert(1)</script>"))}
    page = report.page(docs, report.pass_rates(docs), report.mistakes(docs), report.policy_breaks(docs))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_parallel_grading_is_refused_when_sandboxes_share_the_dedicated_user(monkeypatch):
    from autograder import sandbox

    monkeypatch.setattr(sandbox, "sandbox_user", lambda: (4242, 4242, limits.SANDBOX_USER))
    monkeypatch.setattr(sandbox, "_namespaces_work", lambda: False)
    assert not batch.parallel_is_safe()
    monkeypatch.setattr(sandbox, "_namespaces_work", lambda: True)  # each sandbox in its own PID namespace
    assert batch.parallel_is_safe()
    monkeypatch.setattr(sandbox, "sandbox_user", lambda: (65534, 65534, limits.SANDBOX_USER_FALLBACK))
    assert batch.parallel_is_safe()
    monkeypatch.setattr(sandbox, "sandbox_user", lambda: None)  # not root: no user switch at all
    assert batch.parallel_is_safe()
