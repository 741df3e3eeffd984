"""Running a course: regrades with their changes, late work, and the export to an LMS.

The class is the seven example submissions (examples/submissions/) in Gradescope's export layout,
with a submission_metadata.yml of our own: a group, late work, a submission after the late due date,
one with an extension, a broken time and a missing one. Most tests grade them with a stand-in for the
grader (fake_grade, in this process: the scores follow each example's mistake), so that the regrade,
late-work and export logic run in a second; one test at the end grades two submissions for real.
"""

import csv
import json
import shutil
import types
from pathlib import Path

import pytest

from autograder import batch, export, late, regrade, report, results

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"

# folder -> example; the times are Gradescope's (Ruby's Time#to_yaml)
CLASS = {
    "submission_1": "correct",
    "submission_2": "dw_transposed",
    "submission_3": "bce_over_batch",
    "submission_4": "gelu_erf",
    "submission_5": "softmax_no_max",
    "submission_6": "sigmoid_builtin",
    "submission_7": "syntax_error",
}
METADATA = """\
submission_1:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2026-03-01 10:00:00.000000000 -08:00
submission_2:
  :submitters:
  - :name: Alan Turing
    :sid: '1002'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1003'
    :email: grace@example.edu
  :created_at: 2026-03-02 02:59:00.000000000 -08:00
submission_3:
  :submitters:
  - :name: Edsger Dijkstra
    :sid: '1004'
    :email: edsger@example.edu
  :created_at: 2026-03-04 00:00:00.000000000 -08:00
submission_4:
  :submitters:
  - :name: Barbara Liskov
    :sid: '1005'
    :email: barbara@example.edu
  :created_at: 2026-03-05 09:30:00.000000000 -08:00
submission_5:
  :submitters:
  - :name: Donald Knuth
    :sid: '1006'
    :email: Donald@Example.edu
  :created_at: 2026-03-02 12:00:00.000000000 -08:00
submission_6:
  :submitters:
  - :name: Frances Allen
    :sid: '1007'
    :email: frances@example.edu
  :created_at: yesterday evening
submission_7:
  :submitters:
  - :name: John Backus
    :sid: '1008'
    :email: john@example.edu
"""
POLICY = {"due": "2026-03-01 23:59 -08:00", "late_due": "2026-03-04 23:59 -08:00",
          "penalty": "10%/day, at most 25%"}
TESTS = {"Linear.forward: values": 40, "Linear.backward: values": 30, "Sigmoid: policy": 20,
         "MSELoss.backward: values": 10}


# ---------------------------------------------------------------- a class graded by a stand-in
def fake_grade(path, log=None, **_) -> dict:
    """A results document whose scores follow the examples' mistakes (and a fix: '# fixed' in losses.py)."""
    text = {p.name: p.read_text() for p in Path(path).rglob("*.py")}
    lost = {"Linear.backward: values": "mistake: dW transposed" in text.get("linear.py", ""),
            "Sigmoid: policy": "torch.sigmoid(x)" in text.get("activations.py", ""),
            "MSELoss.backward: values": "colon is missing" in text.get("losses.py", "")
            and "# fixed" not in text.get("losses.py", "")}
    tests = [results.test(name, 0 if lost.get(name) else points, points, "visible", "")
             for name, points in TESTS.items()]
    return results.results(tests, "graded by a stand-in")


@pytest.fixture
def fake_grader(monkeypatch):
    """batch.run grades in this process with fake_grade (through batch.grade_one, history and key.json included)."""
    from autograder import grade

    monkeypatch.setattr(grade, "grade", fake_grade)

    def in_process(todo, out, jobs, progress, keys, work=None):
        for sub in todo:
            batch.grade_one(str(sub.path), str(out / sub.id), keys.get(sub.id))
        return {"graded": len(todo), "failed": 0}

    monkeypatch.setattr(batch, "_grade_all", in_process)


def make_class(root: Path, metadata: str = METADATA, folders=CLASS) -> Path:
    export_dir = root / "export"
    export_dir.mkdir(parents=True)
    (export_dir / batch.METADATA).write_text(metadata)
    for folder, example in folders.items():
        shutil.copytree(EXAMPLES / example, export_dir / folder)
    return export_dir


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def rows_by_sid(out: Path) -> dict[str, dict]:
    return {r["sid"]: r for r in read(out / "grades.csv")}


@pytest.fixture
def graded(tmp_path, fake_grader):
    """The class graded once under POLICY: (export folder, out folder)."""
    export_dir = make_class(tmp_path)
    batch.run(export_dir, tmp_path / "hw1", jobs=1, progress=False, policy=late.policy_from(POLICY))
    return export_dir, tmp_path / "hw1"


# ---------------------------------------------------------------- 1. regrades
def test_keep_previous_numbers_the_earlier_results(tmp_path):
    assert not regrade.keep_previous(tmp_path)  # nothing to keep
    for score in (1, 2):
        results.write(results.results([results.test("t", score, 2, "visible", "")], ""), tmp_path / "results.json")
        assert regrade.keep_previous(tmp_path)
    kept = regrade.history(tmp_path)
    assert [p.name for p in kept] == ["001-results.json", "002-results.json"]
    assert json.loads(kept[-1].read_text())["score"] == 2 and not (tmp_path / "results.json").exists()


def test_compare_lists_changed_added_and_removed_tests():
    old = (6.0, {"a": 1.0, "b": 2.0, "gone": 3.0})
    new = (5.0, {"a": 1.0, "b": 0.5, "added": 3.5})
    change = regrade.compare(old, new, "s", "now")
    assert change.changed and (change.old_total, change.new_total) == (6.0, 5.0)
    assert change.tests == [regrade.TestChange("b", 2.0, 0.5), regrade.TestChange("added", None, 3.5),
                            regrade.TestChange("gone", 3.0, None)]
    assert not regrade.compare(old, old, "s", "now").changed


def test_a_regrade_keeps_the_earlier_results_and_lists_what_changed(graded, capsys):
    export_dir, out = graded
    assert read(out / "changes.csv") == []  # graded once: nothing to compare
    assert "No submission has been graded more than once" in report.write_report(out).read_text()

    with open(export_dir / "submission_7" / "losses.py", "a") as f:
        f.write("# fixed\n")  # a resubmission that earns the loss's points
    capsys.readouterr()
    batch.run(export_dir, out, jobs=1, progress=False, policy=late.policy_from(POLICY))
    said = capsys.readouterr().out
    assert "1 resubmitted" in said and "regraded 1 submission(s) that had earlier results: 1 changed" in said
    assert "submission_7: 90 -> 100 (1 test(s) changed)" in said
    assert [p.name for p in regrade.history(out / "submission_7")] == ["001-results.json"]
    assert not (out / "submission_1" / "history").exists()  # up to date: not graded again
    rows = read(out / "changes.csv")
    assert [(r["sid"], r["old_total"], r["new_total"], r["test"], r["old_score"], r["new_score"]) for r in rows] == [
        ("1008", "90", "100", "MSELoss.backward: values", "0", "10")]
    page = report.write_report(out).read_text()
    assert "Changes at regrading (1)" in page and "MSELoss.backward: values: 0 → 10" in page
    assert 'href="submission_7/results.json"' in page


def test_a_regrade_that_changes_nothing_says_so(graded, capsys):
    export_dir, out = graded
    capsys.readouterr()
    batch.run(export_dir, out, jobs=1, progress=False, force=True, policy=late.policy_from(POLICY))
    said = capsys.readouterr().out
    assert "regraded 7 submission(s) that had earlier results: no score changed." in said
    assert read(out / "changes.csv") == []
    assert all(len(regrade.history(out / folder)) == 1 for folder in CLASS)
    assert "7 submission(s) were graded again: no score changed." in report.write_report(out).read_text()


def test_unreadable_earlier_results_are_reported_not_hidden(tmp_path):
    folder = tmp_path / "s"
    results.write(results.results([results.test("t", 1, 1, "visible", "")], ""), folder / "results.json")
    (folder / "history").mkdir()
    (folder / "history" / "001-results.json").write_text("{not json")
    [change] = regrade.class_changes(tmp_path)
    assert change.changed and change.old_total is None and "cannot be read" in change.problem
    rows = read(regrade.write_changes(tmp_path, [change], {}))
    assert rows[0]["submission"] == "s" and "cannot be read" in rows[0]["problem"]


# ---------------------------------------------------------------- 3. late work
def test_grades_csv_has_the_raw_score_the_penalty_and_the_total(graded, capsys):
    _, out = graded
    rows = rows_by_sid(out)
    got = {sid: (r["hours_late"], r["raw"], r["penalty"], r["total"]) for sid, r in rows.items()}
    assert got == {
        "1001": ("0", "100.0", "0.0", "100.0"),  # on time
        "1002": ("3", "70.0", "10.0", "60.0"),  # 3 hours late: one started day, 10% of the 100 points
        "1003": ("3", "70.0", "10.0", "60.0"),  # the group's score and penalty for each member
        "1004": ("48.02", "100.0", "25.0", "75.0"),  # three started days, 30%, capped at 25%
        "1005": ("81.52", "100.0", "100.0", "0.0"),  # after the late due date
        "1006": ("12.02", "100.0", "10.0", "90.0"),
        "1007": ("", "80.0", "0.0", "80.0"),  # a time that is not one: no penalty, and it says so
        "1008": ("", "90.0", "0.0", "90.0"),  # no time at all
    }
    assert rows["1001"]["due"] == "2026-03-01 23:59-08:00"
    assert rows["1001"]["submitted_at"] == "2026-03-01T10:00:00-08:00"
    assert "'yesterday evening' is not a date" in rows["1007"]["problem"]
    assert "no submission time" in rows["1008"]["problem"]
    assert all(not rows[sid]["problem"] for sid in ("1001", "1002", "1004"))


def test_extensions_apply_to_the_whole_group_and_a_new_rule_regrades_nothing(graded, tmp_path, capsys):
    export_dir, out = graded
    (tmp_path / "ext.csv").write_text("student,due\ngrace@example.edu,2026-03-02 23:59 -08:00\n"
                                      "donald@example.edu,2026-03-03 23:59 -08:00\n"
                                      "1009,2026-03-03 23:59 -08:00\nnobody,someday\n")
    policy = late.policy_from(POLICY)
    extensions, skipped = late.read_extensions(tmp_path / "ext.csv", policy)
    assert skipped == ["ext.csv line 5: 'someday' is not a date and time (write e.g. 2026-03-01 23:59 "
                       "or 2026-03-01T23:59:00-08:00); that extension is not applied"]
    # the late due date moves with the due date
    assert late.shown(extensions["grace@example.edu"].late_due) == "2026-03-05 23:59-08:00"
    capsys.readouterr()
    counts = batch.run(export_dir, out, jobs=1, progress=False, policy=policy, extensions=extensions)
    assert counts["graded"] == 0
    said = capsys.readouterr().out
    assert "extension for 1009: no submission has that student" in said
    rows = rows_by_sid(out)
    for sid in ("1002", "1003"):  # Grace's extension is the group's
        assert (rows[sid]["due"], rows[sid]["penalty"], rows[sid]["total"]) == ("2026-03-02 23:59-08:00", "0.0", "70.0")
    assert (rows["1006"]["penalty"], rows["1006"]["total"]) == ("0.0", "100.0")  # the email's case does not matter
    assert rows["1004"]["penalty"] == "25.0"


def test_the_command_takes_the_rule_and_refuses_a_bad_one_with_a_message(tmp_path, fake_grader, capsys):
    export_dir = make_class(tmp_path, folders={"submission_1": "correct", "submission_2": "dw_transposed"})
    code = batch.main([str(export_dir), "--out", str(tmp_path / "out"), "--no-progress", "--jobs", "1",
                       "--due", "2026-03-01 23:59", "--penalty", "5%/hour", "--timezone", "America/Los_Angeles"])
    assert code == 0
    said = capsys.readouterr().out
    assert "late work: due 2026-03-01 23:59-08:00; 5% of the points per started hour late" in said
    assert "1 of 2 graded submissions late, 1 with a penalty" in said
    assert rows_by_sid(tmp_path / "out")["1002"]["penalty"] == "15.0"  # 3 started hours
    for bad, message in ((["--due", "March 1st"], "'March 1st' is not a date and time"),
                         (["--due", "2026-03-01 23:59", "--penalty", "lots"], "penalty 'lots' is not understood"),
                         (["--penalty", "10%/day"], "a penalty needs a due date"),
                         (["--due", "2026-03-01 23:59", "--timezone", "Mars/Olympus"], "unknown time zone"),
                         (["--due", "2026-03-01 23:59", "--extensions", str(tmp_path / "none.csv")],
                          "cannot be read")):
        with pytest.raises(SystemExit) as stop:
            batch.main([str(export_dir), "--out", str(tmp_path / "out"), *bad])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_late_work_comes_from_the_config_when_it_has_some(monkeypatch):
    config = types.SimpleNamespace()  # stands for the assignment's config module
    monkeypatch.setattr(late, "assignment_config", lambda: config)
    default = late.policy_from(late.configured())  # no due date, no penalty
    assert (default.due, default.late_due, default.percent) == (None, None, 0.0)
    assert default.describe() == "no due date: no late penalty"
    assert late.assess(late.LatePolicy(), "2030-01-01 00:00 Z", 50, 100) == late.Late(None, None, 0.0)
    monkeypatch.setattr(config, "LATE_WORK", {"due": "2026-03-01 23:59", "penalty": "2%/hour",
                                               "timezone": "Europe/Paris"}, raising=False)
    policy = late.policy_from(late.configured())
    assert late.shown(policy.due) == "2026-03-01 23:59+01:00"
    assert (policy.percent, policy.per, policy.cap) == (2, "hour", None)
    monkeypatch.setattr(config, "LATE_WORK", {"due": "2026-03-01 23:59", "grace": "5 min"}, raising=False)
    with pytest.raises(late.LateWorkError, match="unknown keys"):
        late.policy_from(late.configured())


def test_penalty_rules():
    assert late.parse_penalty("10%/day") == (10.0, "day", None)
    assert late.parse_penalty("2.5% per hour, at most 20%") == (2.5, "hour", 20.0)
    assert late.parse_penalty("none") == (0.0, "day", None)
    policy = late.policy_from({"due": "2026-03-01T23:59:00Z", "penalty": "10%/day max 30%"})
    on_time, minute, week = (late.assess(policy, t, 80, 100) for t in
                             ("2026-03-01 23:59:00.000000000 +00:00", "2026-03-02T00:00Z", "2026-03-09T00:00Z"))
    assert (on_time.penalty, minute.penalty, week.penalty) == (0.0, 10.0, 30.0)
    assert late.assess(policy, "2026-03-09T00:00Z", 20, 100).penalty == 20.0  # never below 0
    with pytest.raises(late.LateWorkError, match="before the due date"):
        late.policy_from({"due": "2026-03-02 00:00 Z", "late_due": "2026-03-01 00:00 Z"})


def test_a_broken_metadata_file_still_grades_and_exports_the_class(tmp_path, fake_grader, capsys):
    folders = {"submission_1": "correct", "submission_2": "gelu_erf"}
    export_dir = make_class(tmp_path, "submission_1: [unclosed\n", folders)
    batch.run(export_dir, tmp_path / "out", jobs=1, progress=False, policy=late.policy_from(POLICY))
    rows = rows_by_sid(tmp_path / "out")
    assert set(rows) == {"submission_1", "submission_2"}  # the folder names stand for the students
    assert all("could not be read" in r["problem"] and "no submission time" in r["problem"] for r in rows.values())
    assert export.main([str(tmp_path / "out"), "--format", "csv"]) == 0
    assert len(read(tmp_path / "out" / "csv.csv")) == 2


# ---------------------------------------------------------------- 2. export
CANVAS_ROSTER = """\
Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (777)
    Points Possible,,,,,100
"Lovelace, Ada",11,1001,ada,CS 101 A,
"Turing, Alan",12,1002,alan,CS 101 A,
"Hopper, Grace",13,U1003,grace@example.edu,CS 101 B,
"Knuth, Donald",16,1006,donald,CS 101 B,
"Church, Alonzo",19,1099,alonzo,CS 101 A,
"Student, Test",99,,,CS 101 A,
"""


def test_canvas_export_follows_the_gradebook_import_format(graded, capsys):
    _, out = graded
    assert export.main([str(out), "--format", "canvas"]) == 0
    lines = list(csv.reader(open(out / "canvas.csv", newline="")))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "hw1"]
    assert lines[1] == ["Points Possible", "", "", "", "", "100"]
    assert lines[2] == ["Ada Lovelace", "", "1001", "ada@example.edu", "", "100"]
    assert [line[5] for line in lines[3:5]] == ["60", "60"]  # the group's two members, after the late penalty
    assert len(lines) == 2 + 8
    assert read(out / "canvas.unmatched.csv") == [] and "not matched" not in capsys.readouterr().out


def test_canvas_export_with_a_roster_lists_who_did_not_match(graded, tmp_path, capsys):
    _, out = graded
    (tmp_path / "roster.csv").write_text(CANVAS_ROSTER)
    target = tmp_path / "to_canvas.csv"
    assert export.main([str(out), "--format", "canvas", "--roster", str(tmp_path / "roster.csv"),
                        "--output", str(target), "--column", "Homework 1 (777)"]) == 0
    lines = list(csv.reader(open(target, newline="")))
    assert lines[0][5] == "Homework 1 (777)"
    assert lines[2:] == [["Lovelace, Ada", "11", "1001", "ada", "CS 101 A", "100"],  # by SID
                         ["Turing, Alan", "12", "1002", "alan", "CS 101 A", "60"],
                         ["Hopper, Grace", "13", "U1003", "grace@example.edu", "CS 101 B", "60"],  # by login = email
                         ["Knuth, Donald", "16", "1006", "donald", "CS 101 B", "90"],
                         ["Church, Alonzo", "19", "1099", "alonzo", "CS 101 A", ""]]  # no grade: left empty
    issues = read(tmp_path / "to_canvas.unmatched.csv")
    assert sorted((i["issue"], i["sid"]) for i in issues) == [
        ("not on the roster", "1004"), ("not on the roster", "1005"), ("not on the roster", "1007"),
        ("not on the roster", "1008"), ("on the roster, no grade", "1099")]
    captured = capsys.readouterr()
    assert "on the roster, no grade: Church, Alonzo, 1099, alonzo" in captured.err
    assert "not on the roster: Edsger Dijkstra, 1004, edsger@example.edu (submission_3)" in captured.err
    assert "5 student(s) not matched one to one" in captured.out


def test_moodle_export_has_an_identifier_then_the_grade(graded):
    _, out = graded
    assert export.main([str(out), "--format", "moodle", "--column", "Assignment: Homework 1"]) == 0
    lines = list(csv.reader(open(out / "moodle.csv", newline="")))
    assert lines[0] == ["Email address", "ID number", "Assignment: Homework 1"]
    assert lines[1:4] == [["ada@example.edu", "1001", "100"], ["alan@example.edu", "1002", "60"],
                          ["grace@example.edu", "1003", "60"]]
    assert ["barbara@example.edu", "1005", "0"] in lines  # after the late due date


def test_csv_export_has_a_column_per_test_and_keeps_everyone(graded, tmp_path):
    _, out = graded
    (tmp_path / "roster.csv").write_text("Email,Name,Section\nada@example.edu,Ada L.,A\nzoe@example.edu,Zoe,B\n")
    assert export.main([str(out), "--format", "csv", "--roster", str(tmp_path / "roster.csv")]) == 0
    rows = read(out / "csv.csv")
    assert list(rows[0])[:8] == ["sid", "name", "email", "section", "submission", "raw", "penalty", "total"]
    assert list(rows[0])[8:] == [*TESTS, "problem"]
    assert (rows[0]["name"], rows[0]["section"], rows[0]["total"]) == ("Ada L.", "A", "100")
    assert (rows[1]["email"], rows[1]["total"]) == ("zoe@example.edu", "")  # on the roster, no grade
    assert len(rows) == 2 + 7  # the graded students not on the roster follow, with their grades
    dijkstra = next(r for r in rows if r["sid"] == "1004")
    assert (dijkstra["raw"], dijkstra["penalty"], dijkstra["total"], dijkstra["Linear.backward: values"]) == (
        "100", "25", "75", "30")


def test_a_student_graded_twice_keeps_the_higher_total(tmp_path):
    grades = [export.Grade("1", "A", "a@x", "s1", 50, 0, 50), export.Grade("1", "A", "A@x", "s2", 70, 0, 70)]
    rows, _, issues = export.match(grades, None)
    assert [r.grade.submission for r in rows] == ["s2"]
    assert [(i.kind, i.submission) for i in issues] == [("graded twice", "s2")]


def test_bad_export_input_gets_a_message(graded, tmp_path, capsys):
    _, out = graded
    (tmp_path / "roster.csv").write_text("First name,Last name\nAda,Lovelace\n")
    assert export.main([str(out), "--format", "canvas", "--roster", str(tmp_path / "roster.csv")]) == 2
    assert "has no column of emails, SIDs or logins" in capsys.readouterr().err
    assert export.main([str(tmp_path), "--format", "moodle"]) == 2
    assert "run python -m autograder.batch first" in capsys.readouterr().err
    (tmp_path / "grades.csv").write_text("sid,total\n1,3\n")
    assert export.main([str(tmp_path), "--format", "moodle"]) == 2
    assert "is not a grades.csv of this version" in capsys.readouterr().err


# ---------------------------------------------------------------- the real grader, once
def test_real_grading_of_a_late_group_and_its_regrade(tmp_path, capsys):
    """Two examples graded for real (the correct one by a group, on time; the syntax error late), then the
    syntax error fixed and graded again: changes.csv lists the loss tests it gained."""
    folders = {"submission_1": "correct", "submission_7": "syntax_error"}
    group = METADATA.split("submission_2:")[0].replace(
        "  :created_at", "  - :name: Grace Hopper\n    :sid: '1003'\n    :email: grace@example.edu\n  :created_at")
    late_one = "submission_7:" + METADATA.split("submission_7:")[1] + "  :created_at: 2026-03-02 01:00:00 -08:00\n"
    export_dir = make_class(tmp_path, group + late_one, folders)
    out, policy = tmp_path / "out", late.policy_from(POLICY)
    batch.run(export_dir, out, jobs=2, progress=False, policy=policy)
    rows = rows_by_sid(out)
    full = float(rows["1001"]["raw"])
    assert rows["1001"]["total"] == rows["1003"]["total"] == rows["1001"]["raw"] and rows["1001"]["penalty"] == "0.0"
    raw = float(rows["1008"]["raw"])
    assert float(rows["1008"]["penalty"]) == pytest.approx(min(raw, full * 0.10))  # one started day late
    assert float(rows["1008"]["total"]) == pytest.approx(raw - float(rows["1008"]["penalty"]))

    shutil.copy(EXAMPLES / "correct" / "losses.py", export_dir / "submission_7" / "losses.py")
    capsys.readouterr()
    batch.run(export_dir, out, jobs=2, progress=False, policy=policy)
    assert "regraded 1 submission(s) that had earlier results: 1 changed" in capsys.readouterr().out
    changes = read(out / "changes.csv")
    assert {r["submission"] for r in changes} == {"submission_7"} and float(changes[0]["new_total"]) == full
    assert all(float(r["new_score"]) > float(r["old_score"] or 0) for r in changes)
    assert any(r["test"].startswith("MSELoss") for r in changes) and not any(r["test"].startswith("Linear")
                                                                             for r in changes)
    assert "Changes at regrading (1)" in report.write_report(out).read_text()
    assert export.main([str(out), "--format", "canvas"]) == 0
    lines = list(csv.reader(open(out / "canvas.csv", newline="")))
    assert lines[1][5] == f"{full:g}" and [line[5] for line in lines[2:]] == [f"{full:g}"] * 2 + [f"{full * 0.9:g}"]
