"""The course policy on its own: the static scan (autograder/policy.py) and the operator recorder
(autograder/recorder.py). Grading of whole submissions is in test_grader.py.

The scan must be exact about names (a parameter called `input` is not the built-in) and follow
every route to what it forbids; the recorder must see every route to a forbidden operator or to
autograd, at the line that led to it, and never count printing or the kit's own code.
"""

import importlib.util
import sys
import textwrap

import pytest
import torch

from autograder import grade, policy, recorder
from autograder.hw1 import ASSIGNMENT as HW1
from autograder.hw1 import config
from autograder.hw2 import ASSIGNMENT as HW2

FILES = {name: [c for c, f in config.CLASSES.items() if f == name] for name in config.STUDENT_FILES}
RULES = policy.Rules.of(config)


@pytest.mark.parametrize("folder", ["solutions", "assignments"])
@pytest.mark.parametrize("name", config.STUDENT_FILES)
def test_handed_out_files_are_clean(folder, name):
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / folder / "scratchnn" / name).read_text(encoding="utf-8")
    assert {cls: found for cls, found in policy.scan(source, FILES[name], RULES).items() if found} == {}


def scan_sigmoid(body: str, header: str = "", footer: str = "") -> list:
    """Violations (as text) of a Sigmoid whose forward is `body` (one line), below `header`, above `footer`."""
    source = f"import torch\n{header}\n\nclass Sigmoid:\n    def forward(self, x):\n        {body}\n\n{footer}\n"
    return [str(v) for v in policy.scan(source, ["Sigmoid"], RULES)["Sigmoid"]]


# ------------------------------------------------------------------ the scan: routes it must follow
ESCAPES = {
    "module through torch": ("return torch.sys.modules['builtins'].open('x')", "", "torch.sys"),
    "module through typing": ("return typing.operator.attrgetter('nn')(torch)", "import typing", "typing.operator"),
    "module imported from typing": ("return operator.attrgetter('nn')(torch)", "from typing import operator",
                                    "typing.operator"),
    "torch.nn without an alias": ("return (torch,)[0].nn.functional.softplus(x)", "", ".nn"),
    "torch.nn through an assignment": ("t = torch; return t.nn.functional.softplus(x)", "", "torch.nn.functional"),
    "an alias at module level": ("return _t.autograd.grad(x, x)", "_t = torch", "torch.autograd.grad"),
    "an alias of an alias": ("return _u.func.grad(x)", "_t = torch\n_u = _t", "torch.func.grad"),
    "the engine through an alias": ("return _t._C._ImperativeEngine()", "_t = torch", "torch._C"),
    "a star import of autograd": ("return grad(x, x)", "from torch.autograd import *", "torch.autograd.grad"),
    "a star import of functional": ("return relu(x)", "from torch.nn.functional import *",
                                    "torch.nn.functional.relu"),
    "a submodule through its real name": ("return torch.functional.F.l1_loss(x, x)", "", "that is torch.nn"),
    "private _VF": ("return torch._VF.tanh(x)", "", "torch._VF"),
    "raw operators": ("return torch.ops.aten.sigmoid(x)", "", "torch.ops"),
    "frame builtins": ("return (i for i in ()).gi_frame.f_builtins['getattr']", "", ".gi_frame"),
    "text evaluated by typing": ("return typing.get_type_hints(Sigmoid)", "import typing", "typing.get_type_hints"),
    "typing internals": ("return typing._eval_type", "import typing", "typing._eval_type"),
    "reflection": ("return torch.overrides.get_overridable_functions()", "", "torch.overrides"),
    "a ready-made derivative": ("return torch.distributions.transforms.TanhTransform().log_abs_det_jacobian(x, x)",
                                "", "torch.distributions"),
    "subclasses": ("return ().__class__.__base__.__subclasses__()", "", "__subclasses__"),
    "the built-in open": ("return open('/etc/passwd').read()", "", "line 6: open"),
    "a closure over the built-in": ("return (lambda: getattr)()(torch, 'sigmoid')(x)", "", "getattr"),
    "getattr of a computed name": ("return getattr(torch, 'sig' + 'moid')(x)", "", "getattr"),
    "getattr of a private name": ("return getattr(torch, '_C')", "", "getattr(torch, '_C')"),
    "string annotation run as code": ("return 0", "def f(x: \"__import__('os')\"): pass", "__import__"),
    "dunder in a string annotation": ("return 0", "def f(x: '__builtins__'): pass", "__builtins__"),
    "torch.nn in a string annotation": ("return 0", "def f(x: 'torch.nn.Module'): pass", "torch.nn.Module"),
    "an import of another module": ("return x", "import numpy", "import numpy"),
    "processes through torch": ("return torch.multiprocessing.Pool(2)", "", "torch.multiprocessing"),
    "loading by name": ("return torch.package.PackageImporter('x')", "", "torch.package"),
    "logging's resolver": ("return logging.config.BaseConfigurator({}).resolve('torch.nn')", "import logging.config",
                           "logging.config"),
    "patching torch": ("return x", "torch.allclose = lambda *a, **k: True", "monkey-patching"),
    "patching through an alias": ("return x", "t = torch\nt.tanh = lambda v: v", "monkey-patching"),
    "patching through setattr": ("return x", "setattr(torch, 'tanh', abs)", "setattr(torch, ...) (changing"),
    # a module used as a value, which the scan cannot follow, is reported where it is used so
    "a module in a list": ("return [torch][0].exp(x)", "", "line 6: torch (a module used as a value"),
    "a module returned": ("return _m().exp(x)", "def _m():\n    return torch", "line 3: torch (a module used"),
    "a module as a default": ("return x", "def _f(m=torch):\n    return m", "torch (a module used as a value"),
    "a module in a lambda": ("return (lambda: torch)().exp(x)", "", "torch (a module used as a value"),
    "a module by walrus": ("return (m := torch).exp(x)", "", "torch (a module used as a value"),
    "a module as a class attribute": ("return _K.t.exp(x)", "class _K:\n    t = torch", "torch (a module used"),
    "a module imported in a class": ("return _K.math.pi", "class _K:\n    import math", "math (a module used"),
    "a submodule as a value": ("return x", "_f = print(torch.linalg)", "torch.linalg (a module used as a value"),
    "a module passed as self": ("return Sigmoid.helper(torch, x)", "", "torch (a module used as a value"),
    "logging's handlers through a list": ("return [logging][0].handlers", "import logging", ".handlers (threads"),
    "a module by a failed lookup": ("return x", "try:\n    torch.no_such_thing\nexcept AttributeError as e:\n"
                                                "    F = e.obj.nn.functional", "torch has no attribute no_such_thing"),
    "the failed lookup of getattr": ("return getattr(torch, 'no_such')", "", "torch has no attribute no_such"),
    "a module handed back by torch": ("return torch.get_device_module('cpu').torch.nn", "", "get_device_module"),
    "a module inside a torch module": ("return torch.storage.io.open('/etc/passwd').read()", "",
                                       "torch.storage.io.open (that is io)"),
    "importlib inside torch.cuda": ("return torch.cuda.importlib.import_module('os')", "", "that is importlib"),
    "a long path around the scan": ("return torch" + ".functional.torch" * 20 + ".nn", "", "more than 32 names"),
    # frames and code objects on any object, the student's own included (a method takes any first argument)
    "a frame through self": ("return self.gi_frame.f_builtins", "", ".gi_frame"),
    "text run through self": ("return self._evaluate({}, {}, frozenset())", "", "._evaluate (runs text"),
    # a private name is free only on the student's own objects
    "private on a parameter": ("return x._C", "", "._C (private"),
    "private on a library's result": ("return torch.ones(1)._make_subclass", "", "._make_subclass (private"),
    "private on a name the file assigns elsewhere": ("return x._base", "class _K:\n    _base = None",
                                                     "._base (private"),
    "private through getattr": ("return getattr(x, '_version')", "", "getattr(..., '_version') (private"),
}


@pytest.mark.parametrize("case", ESCAPES, ids=str)
def test_ways_around_the_policy_are_caught(case):
    body, header, named = ESCAPES[case]
    found = scan_sigmoid(body, header)
    assert any(named in v for v in found), found


@pytest.mark.parametrize("footer", [
    'if __name__ != "__main__":\n    import numpy',
    'if True:\n    import numpy',
    'try:\n    import numpy\nexcept ImportError:\n    pass',
    'if __name__ == "__main__":\n    pass\nelse:\n    import numpy',
])
def test_every_branch_is_scanned(footer):
    assert any("import numpy" in v for v in scan_sigmoid("return x", footer=footer))


def test_only_the_main_block_is_dead_code():
    footer = 'if __name__ == "__main__":\n    import numpy\n    print(torch.nn.functional.relu(torch.ones(2)))'
    assert scan_sigmoid("return x", footer=footer) == []
    for rebind in ('__name__ = "__main__"', 'def f():\n    global __name__\n    __name__ = "__main__"',
                   '[(__name__ := "__main__") for _ in [0]]'):
        assert scan_sigmoid("return x", footer=rebind + "\n" + footer) != [], rebind


# ------------------------------------------------------------------ the scan: nothing that only looks forbidden
@pytest.mark.parametrize("body, header", [
    ("return torch.where(x > 0, x, 0.0 * x)", ""),
    ("return x.clamp(min=0) * math.sqrt(2.0)", "import math"),
    ("return self.helper(x)", "from typing import Optional\nimport functools\n\n\n@functools.lru_cache\ndef g(n): "
                              "return n"),
    ("y: torch.Tensor = x * 2; return y", ""),
    ("return x", "def f(x: 'torch.Tensor') -> 'Sigmoid': return x"),
    ("input = x; return input", ""),
    ("open, vars, compile = x, 2, 3; return open * vars * compile", ""),
    ("return [input for input in x]", ""),
    ("self.softmax = 1 / (1 + torch.exp(-x)); return self.softmax", ""),
    ("self.sigmoid = self.func = x; return self.sigmoid", ""),
    ("self._s = x; self.__cache = x; return self._s + self.__cache", ""),
    ("print(x, repr(x), f'{x}', str(x)); assert torch.isfinite(x).all(), f'{x}'; return x", ""),
    ("return x  # torch.sigmoid(x), loss.backward(), torch.nn.functional", '"""Not torch.autograd.grad."""'),
    ("print(self.__class__.__name__, type(self).__qualname__); return x", ""),
    ("return make(x)()", "def make(open):\n    def f():\n        return open\n    return f"),
    ("return x", "from __future__ import annotations\nfrom typing import Optional\nS: Optional[torch.Tensor] = None"),
    ("return x", "import torch.nn.functional as F  # imported, never used"),
    ("log.debug('x %s', x); return x", "import logging\nlog = logging.getLogger(__name__)"),
    ("return getattr(self, 'cache', x)", ""),
    ("return x", "def add_to_class(Class):\n    def wrapper(obj):\n        setattr(Class, obj.__name__, obj)\n"
                 "    return wrapper"),
    # attributes of the student's own values that share a name with a part of torch or logging
    ("return x", "import logging\n_log = logging.getLogger(__name__)\nif not _log.handlers:\n"
                 "    _log.addHandler(logging.NullHandler())"),
    ("self.config = {'a': 1}; self.nn = 3; return self.nn * self.config['a'] * x", ""),
    ("return x", "def helper(cfg, model, obj, logger):\n    return cfg.save, model.load(), obj.func, logger.config"),
    ("return self.compile(x) + self.autograd + self.sys + self.os", ""),
    ("return x", "from typing import NamedTuple\nclass State(NamedTuple):\n    load: int\n    save: int\n"
                 "s = State(1, 2)\nprint(s.load + s.save)"),
    # private names of the student's own objects
    ("self._cache = x; return self._cache + getattr(self, '_cache', x) + type(self)._n + self.__class__._n", ""),
    ("return super()._helper(x)", ""),
    ("self.tanh = Tanh(); return self.tanh._forward(x)", "class Tanh:\n    def _forward(self, x):\n"
                                                         "        return x"),
    ("layer = Tanh(); return layer._forward(x) + Tanh._forward(layer, x)", "class Tanh:\n    def _forward(self, x):\n"
                                                                            "        return x"),
    ("return x", "def _helper(self, x):\n    return self._s * x\nclass _K:\n    @classmethod\n"
                 "    def make(cls):\n        return cls._registry\n    def f(me):\n        return me._x"),
    # torch and math used by name, with aliases and an attribute that exists
    ("t = torch; la = t.linalg; return la.vector_norm(x) + math.pi.real + getattr(torch, 'exp')(x)", "import math"),
    ("return x if hasattr(torch, 'no_such_thing') else getattr(torch, 'no_such_thing', torch.exp)(x)", ""),
])
def test_ordinary_code_is_not_flagged(body, header):
    assert scan_sigmoid(body, header) == []


def test_a_module_passed_around_exposes_every_objects_names_to_the_scan():
    """While a module is a value anywhere in the file (here stored on an object by one class), the names that
    reach forbidden modules count on any object not provably the student's, in every class."""
    source = "\n".join([
        "import torch",
        "class Sigmoid:",
        "    def __init__(self):",
        "        self.t = torch",
        "    def forward(self, x): return x",
        "class Tanh:",
        "    def forward(self, x, other=None):",
        "        self.nn = 3",
        "        return other.t.functional.F.linear(x, x) + self.nn",
    ])
    found = {cls: [str(v) for v in vs] for cls, vs in policy.scan(source, ["Sigmoid", "Tanh"], RULES).items()}
    assert found["Sigmoid"] == ["line 4: torch (" + policy.ESCAPED + ")"]
    assert found["Tanh"] == ["line 9: .F (ready-made layers and functions (torch.nn, torch.nn.functional); torch is "
                             "used as a value on line 4, so this object could be it)"], found


def test_an_own_attribute_name_is_no_cover_for_a_library():
    """The red team's own_attr_recorder_off: class attributes named sys, nn and _add made those names free on
    every object; now only the student's own objects have them."""
    source = "\n".join([
        "import torch",
        "class _Own:",
        "    sys = None",
        "    nn = None",
        "    _add = None",
        "_rec = [torch][0].sys.modules['recorder']",
        "_rec.Recorder._add = lambda self, sighting: None",
        "F = [torch][0].nn.functional",
        "class Sigmoid:",
        "    def forward(self, x):",
        "        return F.linear(x, x)",
    ])
    found = [str(v) for v in policy.scan(source, ["Sigmoid"], RULES)["Sigmoid"]]
    for named in ("line 6: .sys (", "line 6: torch (a module used", "line 7: ._add (private",
                  "line 8: .nn (", "line 8: torch (a module used"):
        assert any(v.startswith(named) for v in found), (named, found)


# ------------------------------------------------------------------ the scan: any tree Python compiles
def _deepest(make, compiles) -> int:
    """The largest n for which make(n) compiles (as the grader checks it: submission._syntax_problem)."""
    lo, hi = 100, 8000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if compiles(make(mid)) else (lo, mid - 1)
    return lo


DEEP = {
    "a sum of 600 terms": "_E = " + " + ".join(["1.0"] * 600),
    "a sum of 2,900 terms": "_E = " + " + ".join(["0.5"] * 2900),
    "2,900 nested minus signs": "_E = " + "-" * 2900 + "1",
    "a chain of 2,900 attributes": "_E = (1.0)" + ".real" * 2900,
    "2,900 nested lambdas": "_E = " + "lambda: " * 2900 + "1",
    "2,900 conditional expressions": "_E = " + "1 if _E else " * 2900 + "1",
    "a chain of 2,900 private attributes of self": "def _f(self):\n    return self" + "._x" * 2900,
    "3,000 helpers, each calling the next": "\n".join(f"def _h{i}(x):\n    return _h{i + 1}(x)" for i in range(3000))
                                            + "\ndef _h3000(x):\n    return x",
}


@pytest.mark.parametrize("case", DEEP, ids=str)
def test_any_tree_python_compiles_is_scanned(case):
    """The red team's long_sum_scan: correct code with a long expression crashed the recursive scan."""
    assert scan_sigmoid("return _h0(x) if False else x", header=DEEP[case]) == []


def test_a_violation_deep_inside_is_found_and_carried_through_helpers():
    deep_sum = "_E = " + " + ".join(["1.0"] * 2900) + " + torch.nn.functional.relu(torch.ones(1)).sum()"
    found = scan_sigmoid("return _h0(x)", header=deep_sum + "\n" + DEEP["3,000 helpers, each calling the next"]
                         .replace("return x", "return torch.autograd.grad(x, x)"))
    assert [v.split(" (")[0] for v in found] == ["line 2: torch.nn.functional.relu",
                                                 "line 6004: torch.autograd.grad"], found


@pytest.mark.parametrize("make", [lambda n: "_E = " + "-" * n + "1", lambda n: "_E = " + " + ".join(["1"] * n),
                                  lambda n: "_E = " + "lambda: " * n + "1"], ids=["minus", "sum", "lambda"])
def test_the_deepest_file_that_compiles_is_scanned(make):
    """At the very edge of Python's limit (the grader's compile check at its depth, the scan at its own)."""
    from autograder import submission

    def compiles(line):
        return submission._syntax_problem(submission.StudentFile("activations.py", "import torch\n" + line)) is None

    n = _deepest(make, compiles)  # about 2,980 at the depth of a grading, less under pytest
    assert 2800 < n < 8000
    assert scan_sigmoid("return x", header=make(n)) == []


def test_a_file_too_deep_for_python_is_a_message_never_a_crash():
    """What Python cannot compile the scan cannot read either: ScanError, with words for the student; a string
    annotation too deep to parse is no code (typing could not evaluate it either)."""
    with pytest.raises(policy.ScanError, match="nested too deeply"):
        policy.scan("import torch\n_deep = " + "-" * 5000 + "1\n", ["Sigmoid"], RULES)
    with pytest.raises(policy.ScanError, match="nested too deeply"):
        policy.scan("_deep = " + "-" * 50_000 + "1\n", ["Sigmoid"], RULES)
    assert scan_sigmoid("return x", header="def f(x: '" + "-" * 50_000 + "1'): pass") == []


def test_a_parameter_named_input_or_eval_is_the_students():
    source = "import torch\n\nclass Linear:\n    def forward(self, input, eval=None):\n        return input @ self.W\n"
    assert policy.scan(source, ["Linear"], RULES)["Linear"] == []


def test_quoted_annotations_are_judged_as_code():
    source = ('import torch\n\nclass Sigmoid:\n    _s: "torch.Tensor | None" = None\n\n'
              '    def forward(self, x: "torch.Tensor") -> "torch.Tensor":\n        return x\n')
    assert policy.scan(source, ["Sigmoid"], RULES)["Sigmoid"] == []


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
    found = {cls: [str(v) for v in vs]
             for cls, vs in policy.scan(source, ["Sigmoid", "Tanh", "ReLU", "ELU"], RULES).items()}
    assert found["Sigmoid"] == found["Tanh"] == ["line 4: torch.nn.functional (ready-made layers and functions "
                                                 "(torch.nn, torch.nn.functional))"]
    assert [v.split(" (")[0] for v in found["ReLU"]] == ["line 9: torch.nn.functional.relu"]
    assert found["ELU"] == []  # the unused module-level import costs nothing by itself


def test_a_helper_bound_at_module_level_counts_for_every_class():
    source = "\n".join([
        "import torch",
        "def _helper(self, x):",
        "    return torch.autograd.grad(x, x)",
        "class Sigmoid:",
        "    def forward(self, x): return x",
        "class Tanh:",
        "    def forward(self, x): return x",
        "Sigmoid.forward = _helper",
    ])
    found = policy.scan(source, ["Sigmoid", "Tanh"], RULES)
    assert [v.what for v in found["Sigmoid"]] == [v.what for v in found["Tanh"]] == ["torch.autograd.grad"]


def test_rules_travel_as_data():
    assert policy.Rules.from_dict(RULES.as_dict()) == RULES


# ------------------------------------------------------------------ the recorder
STUDENT_CODE = '''
import torch


def plain(x):
    return x * 2


def sigmoid_builtin(x):
    return torch.sigmoid(x)


def sigmoid_method(x):
    return x.sigmoid()


def gelu_private(x):
    return torch._C._nn.gelu(x)


def tanh_derivative(x):
    return torch.ops.aten.tanh_backward(x, x)


def engine(x):
    with torch.enable_grad():
        y = x.detach().clone().requires_grad_(True)
        (y * y).sum().backward()
    return y.grad


def autograd_grad(x):
    with torch.enable_grad():
        y = x.detach().clone().requires_grad_(True)
        return torch.autograd.grad((y * y).sum(), y)[0]


def cpp_engine(x):
    with torch.enable_grad():
        y = x.detach().clone().requires_grad_(True)
        z = (y * y).sum()
        return torch._C._ImperativeEngine().run_backward((z,), (torch.ones_like(z),), False, False, (y,), True)[0]


def func_grad(x):
    return torch.func.grad(lambda t: (t * t).sum())(x)


def func_jvp(x):
    return torch.func.jvp(lambda t: t * t, (x,), (torch.ones_like(x),))[1]


def dual(x):
    import torch.autograd.forward_ad as fa
    with fa.dual_level():
        return fa.unpack_dual(fa.make_dual(x, torch.ones_like(x)) * x).tangent


def tracked(x):
    return x.detach().clone().requires_grad_(True) * 2


def printing(x):
    print(x, repr(x), f"{x:}", str(torch.tensor([1e30, float("nan"), float("inf")])), torch.zeros(2000), x.float())
    assert torch.isfinite(x).all(), f"{x}"
    return x


def refs_gelu(x):
    import torch._refs.nn.functional as refs
    return refs.gelu(x)


def decomp_derivative(x):
    from torch._decomp import decompositions
    return decompositions.tanh_backward(x, x)


def recorder_off(x):
    torch._C._pop_torch_dispatch_stack(None)
    return torch.sigmoid(x)
'''


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """STUDENT_CODE as scratchnn/activations.py, imported from a file so that its frames are a student's."""
    folder = tmp_path_factory.mktemp("sub") / "scratchnn"
    folder.mkdir()
    (folder / "activations.py").write_text(STUDENT_CODE)
    spec = importlib.util.spec_from_file_location("student_activations", folder / "activations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def new_recorder(assignment=HW1) -> recorder.Recorder:
    rules = grade.operator_rules(assignment)
    return recorder.Recorder(recorder.OperatorRules.of(rules), rules["student_files"])


def seen(student, name: str, assignment=HW1) -> list:
    """What the recorder saw while student.name(x) ran, as in a job (the wrapped functions report to it)."""
    rec = new_recorder(assignment)
    recorder.watch(rec)
    x = torch.randn(3, 4, dtype=torch.float64)
    grad_mode = torch.is_grad_enabled()
    try:
        recorder.autograd_off()
        with rec:
            getattr(student, name)(x)
    finally:
        recorder.ACTIVE.clear()
        torch.set_grad_enabled(grad_mode)
        torch._C._set_fwd_grad_enabled(True)
    return rec.sightings


def line_in_student(text: str) -> int:
    return next(i for i, line in enumerate(STUDENT_CODE.split("\n"), 1) if text in line)


@pytest.mark.parametrize("name, what, at", [
    ("sigmoid_builtin", "aten.sigmoid", "return torch.sigmoid(x)"),
    ("sigmoid_method", "aten.sigmoid", "return x.sigmoid()"),
    ("gelu_private", "aten.gelu", "torch._C._nn.gelu"),
    ("tanh_derivative", "aten.tanh_backward", "tanh_backward(x, x)"),
    ("engine", recorder.ENGINE, ".backward()"),
    ("autograd_grad", recorder.ENGINE, "torch.autograd.grad"),
    ("cpp_engine", recorder.ENGINE, "run_backward"),
    ("func_grad", recorder.ENGINE, "torch.func.grad"),
    ("func_jvp", recorder.FORWARD_AD, "torch.func.jvp"),
    ("tracked", recorder.TRACKED, "requires_grad_(True) * 2"),
    ("refs_gelu", "code of torch._refs", "return refs.gelu(x)"),
    ("decomp_derivative", "code of torch._decomp", "decompositions.tanh_backward(x, x)"),
])
def test_the_recorder_sees_every_route_at_the_line_that_led_to_it(student, name, what, at):
    sightings = seen(student, name)
    assert what in [s.what for s in sightings], sightings
    s = next(s for s in sightings if s.what == what)
    assert (s.file, s.line) == ("activations.py", line_in_student(at)) and at in s.code
    assert s.instead and s.why
    assert f"line {s.line}: {what}" in s.message()


def test_forward_ad_is_off_in_a_job_and_a_dual_tensor_is_seen(student):
    """With forward AD off a dual tensor carries no tangent (nothing to gain), and making one is seen."""
    assert [s.what for s in seen(student, "dual")] == [recorder.FORWARD_AD]


def test_printing_and_asserts_never_count(student):
    assert seen(student, "printing") == []
    assert seen(student, "plain") == []


def test_the_kits_own_code_never_counts():
    rec = new_recorder()
    with rec:
        torch.sigmoid(torch.ones(3))
        torch.softmax(torch.ones(2, 3), dim=1)
    assert rec.sightings == []


# ------------------------------------------------------------------ library code and composite functions
# Assignment 2's rules: torch.optim's step and torch.dropout run only allowed operators (adds, a bernoulli_),
# so only the library's frames or the function's name tell them apart.
STUDENT_HW2 = '''
import torch
from torch import feature_dropout as _fd


def optim_sgd(x):
    p = x.clone()
    p.grad = torch.ones_like(x)
    torch.optim.SGD([p], lr=0.1, momentum=0.9).step()
    return p


def optim_by_name(x):
    p = x.clone()
    p.grad = torch.ones_like(x)
    getattr(torch, "op" + "tim").Adam([p], lr=0.1).step()
    return p


def nn_functional(x):
    return torch.nn.functional.dropout(x, 0.5, True)


def nn_module(x):
    return torch.nn.Dropout(0.5)(x)


def top_level(x):
    return torch.dropout(x, 0.5, True)


def through_vf(x):
    return torch._VF.alpha_dropout(x, 0.5, True)


def imported_early(x):
    return _fd(x[:, :, None], 0.5, True)


def kl(x):
    return torch.kl_div(x, x)


def l1_private(x):
    return torch._C._nn.l1_loss(x, x)


def rms(x):
    return torch.rms_norm(x, (x.shape[-1],))


def update_stats(x):
    return torch.batch_norm_update_stats(x, x.new_zeros(x.shape[1]), x.new_ones(x.shape[1]), 0.1)[0]


def written_out(x):
    keep = torch.rand_like(x) >= 0.5
    noise = torch.empty_like(x).bernoulli_(0.5)
    p = x.clone()
    p.data.add_(noise * keep, alpha=-0.1)
    print(p)
    return p
'''


@pytest.fixture(scope="module")
def student_hw2(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sub2") / "scratchnn"
    folder.mkdir()
    (folder / "optim.py").write_text(STUDENT_HW2)
    with pytest.MonkeyPatch.context() as mp:  # put back after this module's tests
        for dotted in HW2.config.FORBIDDEN_FUNCTIONS:
            for owner, name in (recorder.owner_of(dotted), (torch._VF, dotted.rsplit(".", 1)[1])):
                if hasattr(owner, name):
                    mp.setattr(owner, name, getattr(owner, name), raising=False)
        recorder.wrap_functions(HW2.config.FORBIDDEN_FUNCTIONS)  # as a job does, before the student's import
        spec = importlib.util.spec_from_file_location("student_optim", folder / "optim.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


@pytest.mark.parametrize("name, what, at", [
    ("optim_sgd", "code of torch.optim", "torch.optim.SGD("),
    ("optim_by_name", "code of torch.optim", 'getattr(torch, "op" + "tim")'),
    ("nn_functional", "code of torch.nn", "torch.nn.functional.dropout("),
    ("nn_module", "code of torch.nn", "torch.nn.Dropout(0.5)(x)"),
    ("top_level", "torch.dropout", "torch.dropout("),
    ("through_vf", "torch.alpha_dropout", "torch._VF.alpha_dropout("),
    ("imported_early", "torch.feature_dropout", "_fd(x[:, :, None]"),
    ("kl", "torch.kl_div", "torch.kl_div(x, x)"),
    ("l1_private", "torch._C._nn.l1_loss", "torch._C._nn.l1_loss(x, x)"),
    ("rms", "torch.rms_norm", "torch.rms_norm(x"),
    ("update_stats", "aten.batch_norm_update_stats", "torch.batch_norm_update_stats(x"),
])
def test_library_code_and_composite_functions_are_seen_at_the_students_line(student_hw2, name, what, at):
    sightings = seen(student_hw2, name, HW2)
    assert what in [s.what for s in sightings], sightings
    s = next(s for s in sightings if s.what == what)
    assert (s.file, at in s.code) == ("optim.py", True), s
    assert f"line {s.line}: {what}{' ran' if what.startswith('aten.') else ''} (" in s.message()


# Forbidden operators that PyTorch runs as other forbidden operators, which the trace sees: each with a call.
_X, _T = torch.randn(4, 3), torch.tensor([0, 2, 1, 0])
SEEN_THROUGH = {
    "softmax": lambda: torch.softmax(_X, 1),
    "log_softmax": lambda: torch.log_softmax(_X, 1),
    "relu6": lambda: torch._C._nn.relu6(_X),
    "selu": lambda: torch.selu(_X),
    "prelu": lambda: torch.prelu(_X, torch.ones(1)),
    "special_logsumexp": lambda: torch._C._special.special_logsumexp(_X, [1]),
    "nll_loss": lambda: torch._C._nn.nll_loss(_X, _T),
    "nll_loss_nd": lambda: torch._C._nn.nll_loss_nd(_X, _T),
    "cross_entropy_loss": lambda: torch._C._nn.cross_entropy_loss(_X, _T),
    "batch_norm": lambda: torch.batch_norm(_X, None, None, None, None, True, 0.1, 1e-5, False),
    "_batch_norm_impl_index": lambda: torch._batch_norm_impl_index(_X, None, None, None, None, True, 0.1, 1e-5,
                                                                   False),
    "instance_norm": lambda: torch.instance_norm(_X[None], None, None, None, None, True, 0.1, 1e-5, False),
    "group_norm": lambda: torch.group_norm(_X, 1),
    "layer_norm": lambda: torch.layer_norm(_X, (3,)),
    "_weight_norm": lambda: torch._weight_norm(_X, torch.ones(4, 1), 0),
}
HOLDERS = ("torch", "torch._C._nn", "torch._C._special", "torch.special", "torch.Tensor")


def _composite(name: str) -> bool:
    """Whether an overload of aten::name is made of other operators (CompositeImplicitAutograd)."""
    packet = getattr(torch.ops.aten, name, None)
    overloads = packet.overloads() if packet is not None else []
    return any(torch._C._dispatch_has_kernel_for_dispatch_key(
        f"aten::{name}" + ("" if ov == "default" else f".{ov}"), "CompositeImplicitAutograd") for ov in overloads)


@pytest.mark.parametrize("assignment", [HW1, HW2], ids=lambda a: a.name)
def test_every_forbidden_operator_the_trace_cannot_see_is_wrapped(assignment):
    """A forbidden operator that PyTorch decomposes into allowed ones (kl_div, dropout) is invisible to the
    dispatcher: every public function of that name must be in FORBIDDEN_FUNCTIONS, unless it decomposes
    into a forbidden operator that the trace sees (SEEN_THROUGH, proven below)."""
    config = assignment.config
    missing = [f"{holder}.{name}" for name in config.FORBIDDEN_OPS if _composite(name) and name not in SEEN_THROUGH
               for holder in HOLDERS if hasattr(recorder.owner_of(f"{holder}.{name}")[0], name)
               and f"{holder}.{name}" not in config.FORBIDDEN_FUNCTIONS]
    assert not missing, missing


@pytest.mark.parametrize("name", sorted(SEEN_THROUGH))
def test_a_decomposed_operator_is_seen_through_a_forbidden_one(name):
    ran = []

    class Names(recorder.TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            ran.append(func.__name__.split(".")[0])
            return func(*args, **(kwargs or {}))

    with Names():
        SEEN_THROUGH[name]()
    assert set(ran) & set(HW2.config.FORBIDDEN_OPS), ran


# Plain vector and matrix norms are math a student may use (torch.norm, linalg.vector_norm); so are random
# normals and renorm (a clamp of a norm). Every other normalisation of PyTorch's is a ready-made layer.
PLAIN_NORMS = {"norm", "frobenius_norm", "nuclear_norm", "native_norm", "norm_except_dim", "renorm", "renorm_",
               "embedding_renorm", "embedding_renorm_", "linalg_norm", "linalg_vector_norm", "linalg_matrix_norm",
               "_foreach_norm", "normal", "normal_", "normal_functional", "log_normal", "log_normal_",
               "_philox_normal", "_philox_normal_", "set_flush_denormal"}
NOT_DROPOUT = {"_cudnn_init_dropout_state", "_flash_attention_forward_no_dropout_inplace"}  # no mask of values


def _aten_ops(word: str) -> set:
    return {s.split("::")[1].split(".")[0] for s in torch._C._dispatch_get_all_op_names()
            if s.startswith("aten::") and word in s}


@pytest.mark.parametrize("word, plain", [("norm", PLAIN_NORMS), ("dropout", NOT_DROPOUT)])
def test_every_ready_made_normalisation_and_dropout_breaks_hw2s_policy(word, plain):
    """From PyTorch itself: every operator whose name holds the word is forbidden (by name or by a part), and
    every torch function of that name is a forbidden name; the wrapping of those made of allowed operators
    (rms_norm) is checked by test_every_forbidden_operator_the_trace_cannot_see_is_wrapped."""
    config = HW2.config
    ops = _aten_ops(word) - plain
    unseen = sorted(op for op in ops if op not in config.FORBIDDEN_OPS
                    and not any(part in op for part in config.FORBIDDEN_OP_PARTS))
    assert not unseen, unseen
    rules = policy.Rules.of(config)
    unnamed = sorted(n for n in dir(torch) if word in n.lower() and n not in plain
                     and not rules.forbidden(f"torch.{n}"))
    assert not unnamed, unnamed


def test_ready_made_normalisation_is_caught_by_name_and_the_plain_norms_are_not():
    rules = policy.Rules.of(HW2.config)
    source = ("import torch\nfrom torch import rms_norm as _r\n\nclass BatchNorm1d:\n    def forward(self, x):\n"
              "        m, v = torch.batch_norm_update_stats(x, self.rm, self.rv, 0.1)\n"
              "        return _r(x - m, (x.shape[-1],)) + torch._VF.rms_norm(x, (3,))\n\n"
              "class Dropout:\n    def forward(self, x):\n"
              "        return x / torch.linalg.vector_norm(x, dim=0) * torch.norm(x) + torch.renorm(x, 2, 0, 1.0)\n")
    found = policy.scan(source, ["BatchNorm1d", "Dropout"], rules)
    assert [v.what for v in found["BatchNorm1d"]] == ["torch.batch_norm_update_stats", "torch._VF.rms_norm",
                                                       "torch.rms_norm"], found
    assert found["Dropout"] == []


def test_the_same_operators_written_out_never_count(student_hw2):
    """bernoulli_, rand_like, an in-place add on .data and printing: the student's own code."""
    assert seen(student_hw2, "written_out", HW2) == []


def test_the_kits_use_of_a_library_never_counts():
    rec = new_recorder(HW2)
    p = torch.zeros(3)
    p.grad = torch.ones(3)
    with rec:
        torch.optim.SGD([p], lr=0.1).step()
        torch.nn.functional.dropout(p, 0.5, True)
    assert rec.sightings == []


def test_switching_the_recorder_off_is_reported(student):
    """The sigmoid after the switch is not seen, but the switch is: the class breaks the policy all the same."""
    rec = new_recorder()
    recorder.autograd_off()
    try:
        rec.__enter__()
        student.recorder_off(torch.ones(2))
        assert not rec.check_intact(inside=True)
        rec.leave()
    finally:
        torch.set_grad_enabled(True)
        torch._C._set_fwd_grad_enabled(True)
    assert [s.what for s in rec.sightings] == ["the operator recorder was switched off"]


def test_patching_a_library_is_reported():
    patches = recorder.Patches()
    rec = new_recorder()
    original = torch.allclose
    try:
        torch.allclose = lambda *a, **k: True
        assert not patches.report_to(rec)
    finally:
        torch.allclose = original
    assert [s.what for s in rec.sightings] == ["torch.allclose was changed"]
    assert patches.report_to(new_recorder())


def test_the_sandbox_copy_needs_only_torch():
    source = textwrap.dedent(open(recorder.__file__).read())
    imports = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"torch", "numpy"} | set(sys.stdlib_module_names)


# ------------------------------------------------------------------ the public tests apply the same policy
def test_the_public_tests_show_a_policy_break_before_submission(tmp_path):
    """The student kit's own `pytest` names the operator and the line, as the grader will."""
    import shutil
    import subprocess
    from pathlib import Path

    kit = tmp_path / "kit"
    shutil.copytree(Path(__file__).resolve().parent.parent / "assignments", kit)
    for name in config.STUDENT_FILES:
        shutil.copy(Path(__file__).resolve().parent.parent / "solutions" / "scratchnn" / name, kit / "scratchnn")
    activations = kit / "scratchnn" / "activations.py"
    text = activations.read_text()
    old = "self._s = _sigmoid(x)"
    assert old in text
    activations.write_text("import numpy  # noqa\n" + text.replace(old, "self._s = torch.sigmoid(x)"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "-k",
                          "Sigmoid or policy"], cwd=kit, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    message = "aten.sigmoid ran (the built-in sigmoid), reached from `self._s = torch.sigmoid(x)`"
    assert message in run.stdout, run.stdout
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_policy.py"],
                         cwd=kit, capture_output=True, text=True, timeout=300)
    assert "line 1: import numpy" in run.stdout, run.stdout
