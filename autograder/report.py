"""What a class got wrong:  python -m autograder.report OUT_DIR

Reads every OUT_DIR/<submission>/results.json (written by autograder.batch) and
writes OUT_DIR/report.html with its plots next to it (scores.png, pass_rate.png,
mistakes.png): what the latest regrades changed (autograder.regrade), the score
histogram, the pass rate of each test, the diagnosed mistakes (each test's
extra_data "likely_cause"; the "Likely cause: ..." lines of its output in results
written without it) by class with how many submissions made them, and the
submissions that broke the course policy.
Everything shown from a submission is HTML-escaped: outputs can quote student code.
"""

import argparse
import html
import json
import sys
import textwrap
from collections import Counter
from pathlib import Path

import matplotlib

from . import regrade

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

CAUSE = "Likely cause:"
POLICY_BROKEN = "uses what this assignment forbids"  # grade.policy_test's wording for a violation
TOP_MISTAKES = 15


def load(out: Path) -> dict[str, dict]:
    """{submission id: results document} for every OUT/<id>/results.json."""
    docs = {}
    for path in sorted(out.glob("*/results.json")):
        try:
            docs[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return docs


def class_of(test_name: str) -> str:
    """'Linear.backward: ...' -> 'Linear'; 'Sine fit (ReLU): ...' -> 'Sine fit (ReLU)'."""
    return test_name.split(":")[0].split(".")[0].strip()


def short(test_name: str, width: int = 60) -> str:
    name = test_name.split(" (")[0] if not test_name.startswith("Sine fit") else test_name.split(":")[0]
    return name if len(name) <= width else name[: width - 1] + "…"


# ---------------------------------------------------------------- the figures the report shows
def pass_rates(docs: dict) -> list[tuple[str, float]]:
    """(test, share of submissions with full marks) for every test worth points, in results.json order."""
    passed, seen, order = Counter(), Counter(), []
    for doc in docs.values():
        for t in doc["tests"]:
            if t["max_score"] <= 0:
                continue
            if t["name"] not in seen:
                order.append(t["name"])
            seen[t["name"]] += 1
            passed[t["name"]] += t["score"] >= t["max_score"] - 1e-9
    return [(name, passed[name] / seen[name]) for name in order]


def facts(test: dict):
    """The test's extra_data as the grader writes it ({"class", "part", "likely_cause", ...}), or None
    (results.json written before the grader recorded it)."""
    extra = test.get("extra_data")
    return extra if isinstance(extra, dict) and "likely_cause" in extra else None


def causes_of(test: dict) -> list[tuple[str, str]]:
    """(class, diagnosed mistake) of one test: from its extra_data, else from its output's "Likely cause:" lines."""
    extra = facts(test)
    if extra is not None:
        cause = extra["likely_cause"]
        return [(extra.get("class") or class_of(test["name"]), cause)] if isinstance(cause, str) and cause else []
    lines = (line.strip() for line in test["output"].splitlines())
    return [(class_of(test["name"]), line[len(CAUSE):].strip()) for line in lines if line.startswith(CAUSE)]


def policy_broken(test: dict) -> bool:
    """Whether a policy test was lost to a forbidden API: from its extra_data, else from its output's wording."""
    extra = facts(test)
    if extra is not None:
        return extra.get("part") == "policy" and extra.get("broken") is True
    return ": policy" in test["name"] and test["score"] == 0 and POLICY_BROKEN in test["output"]


def mistakes(docs: dict) -> list[tuple[str, str, int, list[str]]]:
    """(class, cause, number of submissions, their ids), most common first; a cause counts once per submission."""
    who = {}
    for sid, doc in docs.items():
        for t in doc["tests"]:
            for key in causes_of(t):
                who.setdefault(key, set()).add(sid)
    rows = [(cls, cause, len(ids), sorted(ids)) for (cls, cause), ids in who.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0], r[1]))


def policy_breaks(docs: dict) -> list[tuple[str, str, str]]:
    """(submission, class, the policy test's output) for every policy test lost to a forbidden API."""
    out = []
    for sid, doc in docs.items():
        for t in doc["tests"]:
            if policy_broken(t):
                extra = facts(t) or {}
                out.append((sid, extra.get("class") or class_of(t["name"]), t["output"]))
    return out


def max_total(docs: dict) -> float:
    return max((sum(t["max_score"] for t in d["tests"]) for d in docs.values()), default=0.0)


# ---------------------------------------------------------------- plots
def plot_scores(docs: dict, path: Path) -> None:
    scores, top = [d["score"] for d in docs.values()], max_total(docs) or 1.0
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.hist(scores, bins=20, range=(0, top), color="#4878a8", edgecolor="white")
    ax.set(xlabel=f"score (out of {top:g})", ylabel="submissions", title=f"Scores of {len(scores)} submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_pass_rates(rates: list, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.2 * len(rates)))
    y = range(len(rates))
    values = [100 * r for _, r in rates]
    ax.barh(y, values, color=["#c0504d" if v < 50 else "#e0a040" if v < 90 else "#4f9a58" for v in values])
    ax.set_yticks(list(y), [short(n) for n, _ in rates], fontsize=7)
    ax.invert_yaxis()
    ax.margins(y=0.005)
    ax.set(xlim=(0, 100), xlabel="% of submissions with full marks", title="Pass rate per test")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_mistakes(rows: list, path: Path) -> None:
    rows = rows[:TOP_MISTAKES]
    fig, ax = plt.subplots(figsize=(10, 1.0 + 0.5 * max(len(rows), 1)))
    if rows:
        ax.barh(range(len(rows)), [r[2] for r in rows], color="#8064a2")
        labels = [textwrap.shorten(f"{cls}: {cause}", 110, placeholder=" …") for cls, cause, _, _ in rows]
        ax.set_yticks(range(len(rows)), [textwrap.fill(label, 55) for label in labels], fontsize=7)
        ax.invert_yaxis()
        ax.xaxis.get_major_locator().set_params(integer=True)
    else:
        ax.text(0.5, 0.5, "no diagnosed mistakes", ha="center", va="center")
        ax.set_yticks([])
    ax.set(xlabel="submissions", title="Most common diagnosed mistakes")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- the page
def _link(sid: str) -> str:
    return f'<a href="{html.escape(sid)}/results.json">{html.escape(sid)}</a>'


def _num(value) -> str:
    return "?" if value is None else f"{value:g}"


def changes_section(changes: list) -> list[str]:
    """The regrades: each changed submission with its totals and the tests that moved; or that nothing did."""
    moved = [c for c in changes if c.changed]
    parts = [f"<h2>Changes at regrading ({len(moved)})</h2>"]
    if not changes:
        return parts + ["<p>No submission has been graded more than once.</p>"]
    if not moved:
        return parts + [f"<p>{len(changes)} submission(s) were graded again: no score changed.</p>"]
    parts += [f"<p>{len(moved)} of the {len(changes)} submissions graded again changed at their latest regrade "
              f"(raw scores, before any late penalty; also in {regrade.CHANGES}, the earlier results in "
              f"&lt;submission&gt;/{regrade.HISTORY}/).</p>",
              "<table><tr><th>submission</th><th>regraded</th><th>old total</th><th>new total</th>"
              "<th>tests changed (old → new)</th></tr>"]
    for c in moved:
        tests = "<br>".join(f"{html.escape(t.test)}: {_num(t.old)} → {_num(t.new)}" for t in c.tests)
        tests = html.escape(c.problem) if c.problem else tests
        parts.append(f"<tr><td>{_link(c.submission)}</td><td>{html.escape(c.regraded)}</td>"
                     f"<td>{_num(c.old_total)}</td><td>{_num(c.new_total)}</td><td>{tests}</td></tr>")
    return parts + ["</table>"]


def page(docs: dict, rates: list, rows: list, breaks: list, changes: list = ()) -> str:
    e = html.escape
    top = max_total(docs)
    scores = sorted(d["score"] for d in docs.values())
    median = scores[len(scores) // 2] if scores else 0
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Class report</title><style>"
        "body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
        "vertical-align:top}pre{white-space:pre-wrap;margin:0;font-size:85%}img{max-width:100%}"
        "</style></head><body>",
        f"<h1>Class report</h1><p>{len(docs)} submissions graded; median score {median:g} of {top:g}.</p>",
        *changes_section(list(changes)),
        "<h2>Scores</h2><img src='scores.png' alt='score histogram'>",
        "<h2>Most common diagnosed mistakes</h2>"
        "<p>The “Likely cause” the grader named for each test; a submission counts once per mistake.</p>"
        "<img src='mistakes.png' alt='most common diagnosed mistakes'>",
        "<table><tr><th>class</th><th>likely cause</th><th>submissions</th><th>who</th></tr>",
        *(f"<tr><td>{e(c)}</td><td>{e(cause)}</td><td>{n}</td><td>{', '.join(_link(s) for s in ids)}</td></tr>"
          for c, cause, n, ids in rows),
        "</table>",
        f"<h2>Policy violations ({len(breaks)})</h2>",
        "<p>Classes that used a forbidden API and so scored 0.</p>" if breaks else "<p>None.</p>",
    ]
    if breaks:
        parts += ["<table><tr><th>submission</th><th>class</th><th>what the grader found</th></tr>",
                  *(f"<tr><td>{_link(s)}</td><td>{e(c)}</td><td><pre>{e(out)}</pre></td></tr>" for s, c, out in breaks),
                  "</table>"]
    parts += ["<h2>Pass rate per test</h2><img src='pass_rate.png' alt='pass rate per test'>",
              "<h2>Submissions</h2><table><tr><th>submission</th><th>score</th></tr>",
              *(f"<tr><td>{_link(s)}</td><td>{d['score']:g}</td></tr>"
                for s, d in sorted(docs.items(), key=lambda kv: (kv[1]["score"], kv[0]))),
              "</table></body></html>\n"]
    return "\n".join(parts)


def write_report(out) -> Path:
    """Write OUT/report.html and its three PNGs; returns the page's path."""
    out = Path(out)
    docs = load(out)
    if not docs:
        raise SystemExit(f"no */results.json in {out}: run python -m autograder.batch first")
    rates, rows, breaks = pass_rates(docs), mistakes(docs), policy_breaks(docs)
    plot_scores(docs, out / "scores.png")
    plot_pass_rates(rates, out / "pass_rate.png")
    plot_mistakes(rows, out / "mistakes.png")
    path = out / "report.html"
    path.write_text(page(docs, rates, rows, breaks, regrade.class_changes(out)), encoding="utf-8")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.report", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the --out folder of python -m autograder.batch")
    args = parser.parse_args(argv)
    print(f"wrote {write_report(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
