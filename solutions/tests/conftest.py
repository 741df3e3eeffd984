"""pytest set-up for the public tests.

The tests import ``checks``, the grader's comparison helpers. The student kit ships
a copy as tests/checks.py; in the kit's own repository, where these tests are written,
the original is autograder/checks.py, and this puts it within reach.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not (HERE / "checks.py").is_file():
    sys.path.append(str(HERE.parent.parent / "autograder"))
