"""bench/report_picture.py: the class report with a regrade, opened in headless Chromium (skipped without it)."""

import importlib.util
import shutil
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "report_picture.py"

pytestmark = pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                                reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture
def picture(monkeypatch):
    """The script as a module; what it patches in autograder (the stand-in grader) is undone after the test."""
    from autograder import batch, grade

    monkeypatch.setattr(grade, "grade", grade.grade)
    monkeypatch.setattr(batch, "_grade_all", batch._grade_all)
    monkeypatch.setenv("TZ", "UTC")
    spec = importlib.util.spec_from_file_location("report_picture", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    monkeypatch.undo()
    time.tzset()  # build() set the local time zone to UTC


def test_the_report_renders_in_chromium_with_the_regrade(picture, tmp_path):
    page = picture.build(tmp_path)
    assert picture.dom_problems(page) == []


def test_the_dom_check_notices_a_page_without_the_regrade(picture, tmp_path):
    page = tmp_path / "report.html"
    page.write_text("<!doctype html><html><body><h2>Changes at regrading (0)</h2>"
                    "<script>undefined_function()</script></body></html>")
    problems = picture.dom_problems(page)
    assert any("heading" in p for p in problems) and any("row" in p for p in problems)
    assert any("script error" in p for p in problems), problems
