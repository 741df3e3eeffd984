"""The course policy, checked the way the grader checks it. Run `pytest tests/test_policy.py`.

The grader judges what your code does. While your forward and backward run, it records the
PyTorch operators they make run: a ready-made activation, loss, softmax or log-sum-exp, or
autograd by any route, breaks the policy (every other test here records them too, through
helpers.call). What a record cannot see is checked in your source: imports, torch.nn and the
other forbidden parts of torch, file access, private attributes. A class that breaks the
policy scores 0 on Gradescope. README.md ("The course policy") lists what counts and what never does.
"""

from pathlib import Path

import pytest
import scratchnn
from helpers import POLICY
from policy import Rules, scan

FILES = POLICY["classes"]
RULES = Rules.from_dict(POLICY["static"])


@pytest.mark.parametrize("name", sorted(FILES))
def test_source_uses_nothing_forbidden(name):
    path = Path(scratchnn.__file__).resolve().parent / name
    source = path.read_text(encoding="utf-8-sig")
    try:
        compile(source, name, "exec", dont_inherit=True)
    except SyntaxError as e:
        pytest.fail(f"{name} has a syntax error on line {e.lineno}: {e.msg}", pytrace=False)
    found = {cls: vs for cls, vs in scan(source, FILES[name], RULES).items() if vs}
    if found:
        lines = [f"{cls} scores 0 on Gradescope: it uses what this assignment forbids:\n"
                 + "\n".join(f"  {v}" for v in vs) for cls, vs in found.items()]
        pytest.fail("\n".join(lines), pytrace=False)
