"""The class report with a regrade, as a picture for the README:  python bench/report_picture.py [PNG]

Builds a small class from the example submissions (examples/submissions/), grades it with a stand-in
for the grader (in this process, deterministic: the scores follow each example's mistake), fixes one
submission and grades the class again, writes report.html, then opens the page in headless Chromium:
checks in the browser that it rendered (the regrade section's heading and the changed submission's
row are in the DOM, and the console reported no script error) and saves a screenshot (default
docs/report.png). Needs Debian's chromium (apt-get install chromium); run by `make report-picture`.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import batch, grade, report, results  # noqa: E402  (after the path)

EXAMPLES = ROOT / "examples" / "submissions"
CLASS = ["correct", "dw_transposed", "bce_over_batch", "sigmoid_builtin", "syntax_error"]
FIXED = "syntax_error"  # resubmitted with its loss fixed: the regrade
TESTS = {"Linear.forward: values": 40, "Linear.backward: values": 30, "Sigmoid: policy": 20,
         "MSELoss.backward: values": 10}
CAUSES = {"Linear.backward: values": "dW transposed: dW = dout.T @ x instead of x.T @ dout",
          "MSELoss.backward: values": "the file does not parse: a colon is missing"}
REGRADED_AT = 1772445600  # 2026-03-02 10:00 UTC: the regrade's time shown on the page
WINDOW = "1200,1600"


def stand_in_grade(path, log=None, **_) -> dict:
    """A results document whose scores follow the examples' mistakes (and the fix: '# fixed' in losses.py)."""
    text = {p.name: p.read_text() for p in Path(path).rglob("*.py")}
    lost = {"Linear.forward: values": False,
            "Linear.backward: values": "mistake: dW transposed" in text.get("linear.py", ""),
            "Sigmoid: policy": "torch.sigmoid(x)" in text.get("activations.py", ""),
            "MSELoss.backward: values": "colon is missing" in text.get("losses.py", "")
            and "# fixed" not in text.get("losses.py", "")}
    tests = []
    for name, points in TESTS.items():
        cls, part = report.class_of(name), "policy" if name.endswith("policy") else name.split(":")[0].split(".")[-1]
        cause = CAUSES.get(name) if lost[name] else None
        extra = grade.facts(cls, part, cause, broken=lost[name])
        output = f"Likely cause: {cause}" if cause else ""
        if part == "policy" and lost[name]:
            output = f"{cls} uses what this assignment forbids, so all of {cls}'s tests score 0:\n  torch.sigmoid"
        tests.append(results.test(name, 0 if lost[name] else points, points, "visible", output, extra=extra))
    return results.results(tests, "graded by a stand-in")


def in_process(todo, out, jobs, progress, keys, work=None):
    for sub in todo:
        batch.grade_one(str(sub.path), str(out / sub.id), keys.get(sub.id))
    return {"graded": len(todo), "failed": 0}


def build(root: Path) -> Path:
    """Grade the class, fix one submission, grade again, write the report: returns report.html."""
    grade.grade, batch._grade_all = stand_in_grade, in_process  # this process only
    os.environ["TZ"] = "UTC"
    time.tzset()
    export, out = root / "export", root / "out"
    for name in CLASS:
        shutil.copytree(EXAMPLES / name, export / name)
    batch.run(export, out, jobs=1, progress=False)
    with open(export / FIXED / "losses.py", "a") as f:
        f.write("# fixed\n")
    batch.run(export, out, jobs=1, progress=False)
    os.utime(out / FIXED / "results.json", (REGRADED_AT, REGRADED_AT))
    return report.write_report(out)


def chromium(*args) -> subprocess.CompletedProcess:
    """Headless Chromium with a throwaway profile; --no-sandbox only as root, where Chromium demands it."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("chromium is not installed (as root: apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run", f"--user-data-dir={profile}",
                 "--enable-logging=stderr", "--v=0", f"--window-size={WINDOW}"]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")
        return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120)


def dom_problems(page: Path) -> list[str]:
    """What is missing from the page as the browser rendered it (empty when it rendered)."""
    run = chromium("--dump-dom", page.as_uri())
    dom, problems = run.stdout, []
    if run.returncode != 0:
        problems.append(f"chromium exited with {run.returncode}: {run.stderr[-500:]}")
    if not re.search(r"<h2>Changes at regrading \(1\)</h2>", dom):
        problems.append("no 'Changes at regrading (1)' heading in the DOM")
    row = re.search(rf'<tr><td><a href="{FIXED}/results.json">{FIXED}</a></td>.*?</tr>', dom, re.S)
    if row is None or "MSELoss.backward: values: 0 → 10" not in row.group(0):
        problems.append(f"no row for {FIXED} with MSELoss.backward: values: 0 → 10 in the DOM")
    errors = [line for line in run.stderr.splitlines() if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
    problems += [f"script error: {line}" for line in errors]
    return problems


def screenshot(page: Path, png: Path) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    run = chromium(f"--screenshot={png.resolve()}", page.as_uri())
    if not png.is_file():
        raise SystemExit(f"chromium wrote no screenshot: {run.stderr[-500:]}")
    from PIL import Image  # comes with matplotlib

    with Image.open(png) as image:  # 256 colours: the page is flat colours, the file a fraction of the size
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    png = Path(argv[0]) if argv else ROOT / "docs" / "report.png"
    with tempfile.TemporaryDirectory() as root:
        page = build(Path(root))
        problems = dom_problems(page)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        screenshot(page, png)
    print(f"the page rendered in Chromium; wrote {png} ({png.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
