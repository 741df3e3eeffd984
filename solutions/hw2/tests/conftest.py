"""pytest set-up for the public tests.

The tests import ``checks`` and ``recorder``, the grader's comparison helpers and operator
recorder. The student kit ships copies in tests/; in the kit's own repository, where these
tests are written, the originals are in autograder/, and this puts them within reach.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not (HERE / "checks.py").is_file():
    sys.path.append(str(HERE.parent.parent.parent / "autograder"))
