"""pytest set-up for the public tests.

The tests import your ``scratchnn`` (the folder above this one; pytest.ini puts it on the
path, and so does this file when pytest is started from elsewhere), and ``checks`` and
``recorder``, the grader's comparison helpers and operator recorder. The student kit ships
copies of those in tests/; in the kit's own repository, where these tests are written, the
originals are in autograder/, and this puts them within reach.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if not (HERE / "checks.py").is_file():
    sys.path.append(str(HERE.parent.parent.parent / "autograder"))
