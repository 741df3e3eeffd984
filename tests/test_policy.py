"""The static policy (autograder/policy.py) on its own: the handed-out code is clean, the ways around it are not.

Each snippet below reaches something forbidden without writing its name plainly; the
sandbox grading of whole submissions is in test_grader.py.
"""

import pytest

from autograder import config, policy

FILES = {name: [c for c, f in config.CLASSES.items() if f == name] for name in config.STUDENT_FILES}


@pytest.mark.parametrize("folder", ["solutions", "assignments"])
@pytest.mark.parametrize("name", config.STUDENT_FILES)
def test_handed_out_files_are_clean(folder, name):
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / folder / "scratchnn" / name).read_text(encoding="utf-8")
    assert {cls: found for cls, found in policy.scan(source, FILES[name]).items() if found} == {}


def scan_sigmoid(body: str, header: str = "") -> list:
    """Violations of a Sigmoid whose forward is `body` (one line), below `header`."""
    source = f"import torch\n{header}\n\nclass Sigmoid:\n    def forward(self, x):\n        {body}\n"
    return policy.scan(source, ["Sigmoid"])["Sigmoid"]


ESCAPES = {
    "module through torch": ("return torch.sys.modules['builtins'].open('x')", "", "torch.sys"),
    "module through typing": ("return typing.operator.attrgetter('nn')(torch)", "import typing", "typing.operator"),
    "module imported from typing": ("return operator.attrgetter('nn')(torch)", "from typing import operator",
                                    "typing.operator"),
    "torch.nn without an alias": ("return (torch,)[0].nn.functional.softplus(x)", "", ".nn"),
    "torch.nn through an assignment": ("t = torch; return t.nn.functional.softplus(x)", "", ".nn"),
    "frame builtins": ("return (i for i in ()).gi_frame.f_builtins['getattr']", "", ".gi_frame"),
    "text evaluated by typing": ("return typing.get_type_hints(Sigmoid)", "import typing", "typing.get_type_hints"),
    "typing internals": ("return typing._eval_type", "import typing", "private typing internals"),
    "reflection": ("return torch.overrides.get_overridable_functions()", "", "torch.overrides"),
    "a ready-made derivative": ("return torch.distributions.transforms.TanhTransform().log_abs_det_jacobian(x, x)",
                                "", "torch.distributions"),
    "string annotation run as code": ("return 0", "import functools\n\n\ndef f(x: \"__import__('os')\"): pass",
                                      "text in an annotation"),
    "dunder in a string annotation": ("return 0", "def f(x: '__builtins__'): pass", "text in an annotation"),
    "torch.nn in a string annotation": ("return 0", "def f(x: 'torch.nn.Module'): pass", "torch.nn.Module"),
}


@pytest.mark.parametrize("case", ESCAPES, ids=str)
def test_ways_around_the_policy_are_caught(case):
    body, header, named = ESCAPES[case]
    found = scan_sigmoid(body, header)
    assert any(named in str(v) for v in found), found


@pytest.mark.parametrize("body, header", [
    ("return torch.where(x > 0, x, 0.0 * x)", ""),
    ("return x.clamp(min=0) * math.sqrt(2.0)", "import math"),
    ("return self.helper(x)", "from typing import Optional\nimport functools\n\n\n@functools.lru_cache\ndef g(n): "
                              "return n"),
    ("y: torch.Tensor = x * 2; return y", ""),
    ("return x", "def f(x: 'torch.Tensor') -> 'Sigmoid': return x"),
])
def test_ordinary_code_is_not_flagged(body, header):
    assert scan_sigmoid(body, header) == []


def test_a_class_carries_the_violations_of_what_it_uses():
    source = "\n".join([
        "import torch",
        "import torch.nn.functional as F",
        "class Sigmoid:",
        "    import torch.nn.functional as G",  # reachable from outside the class as Sigmoid.G
        "    def forward(self, x): return x",
        "class Tanh:",
        "    def forward(self, x): return Sigmoid.G.softplus(x)",
        "class ReLU:",
        "    def forward(self, x): return F.relu(x)",
        "class ELU:",
        "    def forward(self, x): return x",
    ])
    found = {cls: [str(v) for v in vs] for cls, vs in policy.scan(source, ["Sigmoid", "Tanh", "ReLU", "ELU"]).items()}
    assert found["Sigmoid"] == found["Tanh"] == ["line 4: torch.nn.functional (ready-made layers and functions "
                                                 "(torch.nn, torch.nn.functional))"]
    assert [v.split(" (")[0] for v in found["ReLU"]] == ["line 9: torch.nn.functional.relu"]
    assert found["ELU"] == []  # the unused module-level import costs nothing by itself
