"""Grade one submission:  python -m autograder SUBMISSION_DIR --results RESULTS_JSON [--assignment NAME]

Without --assignment it grades the assignment a release zip was built for, else the first (hw1).

Exit status 0 when grading finished (whatever the score); 1 only when the grader
itself could not run, and even then RESULTS_JSON holds a valid document saying so.
"""

import argparse
import sys
import traceback

from . import results
from .assignment import load, names
from .grade import grade


def failure_document(reason: str) -> dict:
    test = results.test("Autograder: could not run", 0, 0, "visible",
                        "The autograder itself failed, not your code. Please tell your instructor.\n" + reason)
    return results.results([test], "The autograder failed to run; your submission was not graded.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    parser.add_argument("submission", help="folder holding the student's files (any depth)")
    parser.add_argument("--results", default="results.json", help="where to write results.json")
    parser.add_argument("--assignment", choices=names(), help="which assignment (default: the zip's, else the first)")
    args = parser.parse_args(argv)
    results.write(failure_document("It stopped before finishing."), args.results)  # replaced below
    try:
        doc = grade(args.submission, log=sys.stderr, assignment=load(args.assignment))
    except Exception:
        reason = traceback.format_exc()
        sys.stderr.write(reason)
        results.write(failure_document(reason.strip().splitlines()[-1]), args.results)
        return 1
    results.write(doc, args.results)
    total = sum(t["max_score"] for t in doc["tests"])
    print(f"score {doc['score']:g} / {total:g}  ->  {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
