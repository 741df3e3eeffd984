"""Sample submissions for the grader's self-tests: one row per bug, broken upload or exploit.

Most samples are the solution with one small edit, so each bug reads as one row of
SAMPLES: (file, text in the solution, text that replaces it). Exploits that need a
whole file keep it in tests/submissions/<name>/, which replaces the solution's copy.

    python tests/samples.py OUTDIR [NAME ...]    writes OUTDIR/<name>/ for each sample

Each row also says what grading must find:
    lost   the groups that lose points ("Linear", "Sigmoid", ..., "Sine fit"); every
           other group keeps full marks
    hint   text that must appear in the output of a test that lost points (the diagnosis,
           or the message that names the problem)
    score  for exploits: what the code honestly earns; the grade must be exactly that
    policy the class whose policy test must name the forbidden call, and at which line
    unpoliced  the honest score with the static policy switched off, where the sandbox and
           the runtime guards alone must hold the grade to it
"""

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "scratchnn"
STUBS = ROOT / "assignments" / "scratchnn"
WHOLE_FILES = Path(__file__).resolve().parent / "submissions"
FILES = ("linear.py", "activations.py", "losses.py")
DELETE = None  # as the new text of an edit: remove the file

ACTIVATIONS = {"Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"}
LOSSES = {"MSELoss", "MAELoss", "HuberLoss", "BCELoss", "SoftmaxCELoss"}
SINE = "Sine fit"  # trains the given MLP with the student's Linear and ReLU
CLASSES = {"Linear"} | ACTIVATIONS | LOSSES


@dataclass(frozen=True)
class Sample:
    name: str
    what: str
    edits: tuple = ()  # (file, old, new): `old` must occur exactly once in that file of `source`
    lost: frozenset = frozenset()
    hint: tuple = ()  # (group, text): `text` appears in an output of that group's tests that lost points
    score: float = None  # exploits: the honest score, which the grade must not exceed
    layout: str = "flat"  # "flat", or "nested-crlf-bom": in a folder, Windows line endings, a BOM
    kind: str = "bug"  # start | bug | broken | exploit
    source: Path = SOLUTION  # the files the edits apply to
    policy: tuple = ()  # (class, name, file, text): class's policy test names `name` and the line of `text`
    unpoliced: object = None  # the honest score with the static policy switched off (a number or a sample's name)


def S(name, what, edits, lost, hint=(), **kw):
    """A row of the table; `lost` and `hint` may be given as a string or a set."""
    lost = frozenset({lost} if isinstance(lost, str) else lost)
    return Sample(name, what, tuple(edits), lost, tuple(hint), **kw)


L, A, X = "linear.py", "activations.py", "losses.py"
SIG_FWD = "self._s = _sigmoid(x)\n        return self._s"
TANH_FWD = "self._t = torch.tanh(x)\n        return self._t"
# Autograd without a forbidden name in sight: the engine behind Tensor.backward, and forward-mode AD.
TANH_BY_ENGINE = """modules = torch.sys.modules
        x = modules["builtins"].getattr(self._x.detach().clone(), "requires" + "_grad_")(True)
        engine = modules["torch.autograd.variable"].Variable._execution_engine
        (grad,) = engine.run_backward((torch.tanh(x),), (dout,), False, False, (x,), True)
        return grad"""
MSE_BY_FORWARD_AD = """ad = torch.sys.modules["torch.autograd.forward_ad"]
        with ad.dual_level():
            d = ad.make_dual(self._diff, torch.ones_like(self._diff))
            return ad.unpack_dual(d * d).tangent / self._diff.numel()"""

SAMPLES = [
    S("solution", "the reference solution", [], set(), kind="start"),
    S("stubs", "the student stubs as handed out", [], set(CLASSES) | {SINE}, [("Linear", "still the stub")],
      kind="start", source=STUBS),
    # ------------------------------------------------------------------ Linear
    S("linear_dW_transposed", "dW = (xᵀ·dout)ᵀ, shape (N, M)",
      [(L, "self.dW = self._x.T @ dout", "self.dW = dout.T @ self._x")],
      {"Linear", SINE}, [("Linear", "transposed")]),
    S("linear_db_axis1", "db summed over axis 1 (the features) instead of the batch",
      [(L, "self.db = dout.sum(dim=0)", "self.db = dout.sum(dim=1)")],
      {"Linear", SINE}, [("Linear", "sum dout over the batch axis (dim 0)")]),
    S("linear_dx_no_transpose", "dL/dx = dout · W instead of dout · Wᵀ",
      [(L, "return dout @ self.W.T", "return dout @ self.W")],
      {"Linear", SINE}, [("Linear", "transpose W")]),
    S("linear_grad_over_B", "dW and db divided by the batch size",
      [(L, "self.dW = self._x.T @ dout\n        self.db = dout.sum(dim=0)",
        "self.dW = self._x.T @ dout / len(dout)\n        self.db = dout.sum(dim=0) / len(dout)")],
      {"Linear", SINE}, [("Linear", "a layer must not average")]),
    S("linear_no_bias", "forward forgets the bias",
      [(L, "return torch.addmm(self.b, x, self.W)", "return x @ self.W")],
      {"Linear", SINE}, [("Linear", "the bias is missing"), ("Linear", "does forward use it")]),
    S("linear_stale_cache", "the input is cached on the first forward only",
      [(L, "self._x = x\n", "if self._x is None:\n            self._x = x\n")],
      {"Linear", SINE}, [("Linear", "backward used the input of an earlier forward")]),
    # ------------------------------------------------------------------ activations
    S("sigmoid_backward_from_x", "σ'(x) computed as x(1 − x)",
      [(A, SIG_FWD, "self._x = x\n        " + SIG_FWD),
       (A, "return dout * self._s * (1.0 - self._s)", "return dout * self._x * (1.0 - self._x)")],
      "Sigmoid", [("Sigmoid", "uses σ(x), not x")]),
    S("sigmoid_float64", "float32 input returns float64 (computes in double)",
      [(A, SIG_FWD, "self._s = _sigmoid(x.double())\n        return self._s")],
      "Sigmoid", [("Sigmoid", "a float64 tensor crept in")]),
    S("tanh_backward_1_minus_x2", "tanh'(x) computed as 1 − x²",
      [(A, TANH_FWD, "self._x = x\n        " + TANH_FWD),
       (A, "return dout * (1.0 - self._t * self._t)", "return dout * (1.0 - self._x * self._x)")],
      "Tanh", [("Tanh", "not 1 − x²")]),
    S("tanh_stale_cache", "tanh(x) is cached on the first forward only",
      [(A, TANH_FWD, "if not hasattr(self, '_t'):\n            self._t = torch.tanh(x)\n"
        "        return torch.tanh(x)")],
      "Tanh", [("Tanh", "backward used the input of an earlier forward")]),
    S("relu_backward_no_dout", "ReLU.backward returns the mask, not mask · dout",
      [(A, "return dout * self._y.sign()", "return self._y.sign()")],
      {"ReLU", SINE}, [("ReLU", "multiply it by dout")]),
    S("relu_inplace_clamp", "forward clamps its input in place (x.clamp_)",
      [(A, "self._y = x.clamp(min=0)", "self._y = x.clamp_(min=0)")],
      "ReLU", [("ReLU", "you changed an input in place")]),
    S("leaky_relu_ignores_alpha", "LeakyReLU uses 0.01 whatever alpha is",
      [(A, "torch.where(self._positive, x, self.alpha * x)", "torch.where(self._positive, x, 0.01 * x)"),
       (A, "torch.where(self._positive, dout, self.alpha * dout)", "torch.where(self._positive, dout, 0.01 * dout)")],
      "LeakyReLU", [("LeakyReLU", "alpha is ignored")]),
    S("elu_overflow", "ELU takes e^x of unclamped x and mixes the branches by multiplying masks",
      [(A, "self._exp = torch.exp(x.clamp(max=0))", "self._exp = torch.exp(x)"),
       (A, "return torch.where(self._positive, x, self.alpha * (self._exp - 1.0))",
        "return x * self._positive + self.alpha * (self._exp - 1.0) * ~self._positive")],
      "ELU", [("ELU", "exp overflows")]),
    S("gelu_erf", "the exact (erf) GELU instead of the tanh approximation",
      [(A, "self._t = torch.tanh(self.C * (x + self.K * x**3))", "self._t = torch.erf(x / math.sqrt(2.0))"),
       (A, "return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx)",
        "return dout * (0.5 * (1.0 + t) + x * torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))")],
      "GELU", [("GELU", "exact (erf) GELU")]),
    S("swish_naive_nan", "Swish as x / (1 + e^-x), derivative with e^-x / (1 + e^-x)²",
      [(A, "return torch.where(self._s == 0, 0.0, x * self._s)", "return x / (1.0 + torch.exp(-x))"),
       (A, "return torch.where(s == 0, 0.0, dout * s * (1.0 + tail))",
        "e = torch.exp(-self._x)\n        return dout * (s + tail * 0.0 + self._x * e / (1.0 + e) ** 2)")],
      "Swish", [("Swish", "exp overflows")]),
    # ------------------------------------------------------------------ losses
    S("mse_missing_factor_2", "MSE gradient (y_pred − y_true) / numel, without the 2",
      [(X, "return self._diff * (2.0 / self._diff.numel())", "return self._diff / self._diff.numel()")],
      "MSELoss", [("MSELoss", "a factor 2 is missing")]),  # also in the gradient check
    S("mse_inplace", "MSE subtracts y_true from y_pred in place (y_pred -= y_true)",
      [(X, "self._diff = y_pred - y_true\n        return (self._diff * self._diff).mean()",
        "y_pred -= y_true\n        self._diff = y_pred\n        return (self._diff * self._diff).mean()")],
      "MSELoss", [("MSELoss", "you changed an input in place")]),
    S("mae_over_B", "MAE gradient divided by the batch size instead of numel",
      [(X, "return torch.sign(self._diff) / self._diff.numel()", "return torch.sign(self._diff) / len(self._diff)")],
      "MAELoss", [("MAELoss", "divided by the batch size B instead of by numel")]),
    S("huber_ignores_delta", "Huber uses 1.0 whatever delta is",
      [(X, "linear = self.delta * (a - 0.5 * self.delta)", "linear = a - 0.5"),
       (X, "torch.where(a <= self.delta, quadratic, linear)", "torch.where(a <= 1.0, quadratic, linear)"),
       (X, "self._diff.clamp(-self.delta, self.delta)", "self._diff.clamp(-1.0, 1.0)")],
      "HuberLoss", [("HuberLoss", "delta is ignored")]),
    S("bce_grad_over_B", "BCE gradient divided by the batch size, not numel (the article's mistake)",
      [(X, "return (p - y) / (p * (1.0 - p)) / p.numel()", "return (p - y) / (p * (1.0 - p)) / len(p)")],
      "BCELoss", [("BCELoss", "divided by the batch size B instead of by numel")]),
    S("softmax_ce_clamped", "cross-entropy as −log(max(p, 1e-9)): capped at 20.7 (the article's version)",
      [(X, "return -log_p[rows, labels].mean()", "return -torch.log(self._p[rows, labels].clamp(min=1e-9)).mean()")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "the loss is capped")]),
    S("softmax_ce_no_max", "softmax without subtracting the row maximum: overflows",
      [(X, "z = logits - logits.max(dim=1, keepdim=True).values", "z = logits")],
      "SoftmaxCELoss", [("SoftmaxCELoss", "subtract each row's max first")]),
    # ------------------------------------------------------------------ broken uploads
    S("syntax_error", "a missing colon in activations.py",
      [(A, "class Tanh:", "class Tanh")],
      ACTIVATIONS | {SINE}, [("Sigmoid", "syntax error on line")], kind="broken"),
    S("missing_file", "losses.py not uploaded",
      [(X, "", DELETE)], LOSSES, [("MSELoss", "losses.py was not found")], kind="broken"),
    S("nested_crlf_bom", "the files two folders down, with CRLF line endings and a UTF-8 BOM",
      [], set(), layout="nested-crlf-bom", kind="broken"),
    S("import_error", "losses.py raises while it is imported",
      [(X, "\n\nclass MSELoss:", "\n\nSCALE = torch.ones(3) @ torch.ones(4)\n\n\nclass MSELoss:")],
      LOSSES, [("MSELoss", "Importing losses.py failed")], kind="broken"),
    # ------------------------------------------------------------------ exploits
    # `score` is what the code honestly earns with the policy; `unpoliced` what it earns without the
    # static policy (the sandbox and the runtime guards alone), as a number or the sample whose code
    # is the same minus the exploit.
    S("atexit_results", "an atexit handler and an import-time write of results.json (score 100); no bias",
      [], {"Linear", SINE}, [("Linear", "import atexit")], score=65, kind="exploit",
      policy=("Linear", "import atexit", L, "import atexit"), unpoliced="linear_no_bias"),
    S("monkeypatch_compare", "torch.allclose and Tensor.__eq__ patched to say True; Sigmoid wrong",
      [(A, "import torch\n", "import torch\n\ntorch.allclose = lambda *a, **k: True\n"
        "torch.Tensor.__eq__ = lambda self, other: True\n"),
       (A, SIG_FWD, "self._s = _sigmoid(x)\n        return x")],
      ACTIVATIONS | {SINE}, [("Sigmoid", "monkey-patching")], score=45, kind="exploit",
      policy=("Tanh", "torch.allclose", A, "torch.allclose ="), unpoliced="sigmoid_forward_identity"),
    S("sys_exit_at_import", "sys.exit(0) when losses.py is imported",
      [(X, "import torch\n", "import sys\n\nimport torch\n\nsys.exit(0)\n")],
      LOSSES, [("MSELoss", "import sys")], score=70, kind="exploit",
      policy=("HuberLoss", "import sys", X, "import sys")),
    S("raise_system_exit", "raise SystemExit(0) when losses.py is imported (no import needed)",
      [(X, "\n\nclass MSELoss:", "\n\nraise SystemExit(0)\n\n\nclass MSELoss:")],
      LOSSES, [("MSELoss", "SystemExit")], score=70, kind="exploit"),
    S("os_exit_in_forward", "os._exit(0) inside Tanh.forward",
      [(A, TANH_FWD, "import os\n\n        os._exit(0)\n        " + TANH_FWD)],
      "Tanh", [("Tanh", "import os")], score=95, kind="exploit",
      policy=("Tanh", "import os", A, "import os"), unpoliced=95),
    S("infinite_loop", "an endless loop in Tanh.forward",
      [(A, TANH_FWD, "while True:\n            pass\n        " + TANH_FWD)],
      "Tanh", [("Tanh", "Did not finish within")], score=95, kind="exploit"),
    S("huge_allocation", "torch.empty(10**11) in Sigmoid.forward, a list growing forever in GELU.forward",
      [(A, SIG_FWD, "torch.empty(10**11)\n        " + SIG_FWD),
       (A, "self._x = x\n        self._t = torch.tanh(",
        "junk = []\n        while True:\n            junk.append(bytes(10**8))\n"
        "        self._x = x\n        self._t = torch.tanh(")],
      {"Sigmoid", "GELU"}, [("Sigmoid", "memory"), ("GELU", "MemoryError")], score=90, kind="exploit"),
    S("read_reference", "Linear imports or reads scratchnn_ref (importlib, __import__, open + exec)",
      [], {"Linear", SINE}, [("Linear", "__import__")], score=65, kind="exploit",
      policy=("Linear", "__import__", L, "lambda: __import__("), unpoliced=65),
    S("reference_via_torch_sys", "Linear reaches open() and importlib through torch.sys.modules",
      [], {"Linear", SINE}, [("Linear", "torch.sys")], score=65, kind="exploit",
      policy=("Linear", "torch.sys", L, "MODULES = torch.sys")),
    S("nn_functional", "ReLU through torch.nn.functional.relu",
      [(A, "import torch\n", "import torch\nimport torch.nn.functional as F\n"),
       (A, "self._y = x.clamp(min=0)", "self._y = F.relu(x)")],
      {"ReLU", SINE}, [("ReLU", "torch.nn.functional.relu")], score=75, kind="exploit",
      policy=("ReLU", "torch.nn.functional.relu", A, "self._y = F.relu(x)"), unpoliced=75),
    S("torch_sigmoid", "Sigmoid through torch.sigmoid",
      [(A, SIG_FWD, "self._s = torch.sigmoid(x)\n        return self._s")],
      "Sigmoid", [("Sigmoid", "torch.sigmoid")], score=95, kind="exploit",
      policy=("Sigmoid", "torch.sigmoid", A, "self._s = torch.sigmoid")),
    S("getattr_sigmoid", "Sigmoid through getattr(torch, 'sig' + 'moid')",
      [(A, SIG_FWD, "self._s = getattr(torch, 'sig' + 'moid')(x)\n        return self._s")],
      "Sigmoid", [("Sigmoid", "getattr")], score=95, kind="exploit",
      policy=("Sigmoid", "getattr", A, "self._s = getattr(torch"), unpoliced=95),
    S("autograd_backward", "MSELoss.backward through requires_grad_ and loss.backward()",
      [(X, "return self._diff * (2.0 / self._diff.numel())",
        "y = self._diff.detach().clone().requires_grad_(True)\n        (y * y).mean().backward()\n"
        "        return y.grad")],
      "MSELoss", [("MSELoss", ".backward()")], score=94, kind="exploit",
      policy=("MSELoss", ".requires_grad_", X, "y = self._diff.detach()"), unpoliced=94),
    S("autograd_obfuscated", "Sigmoid, Tanh and MSELoss through autograd, reached by name tricks",
      [(A, SIG_FWD, "self._s = torch.sys.modules['builtins'].getattr(torch, 'sig' + 'moid')(x)\n"
        "        return self._s"),
       (A, TANH_FWD, "self._x = x\n        " + TANH_FWD),
       (A, "return dout * (1.0 - self._t * self._t)", TANH_BY_ENGINE),
       (X, "return self._diff * (2.0 / self._diff.numel())", MSE_BY_FORWARD_AD)],
      {"Sigmoid", "Tanh", "MSELoss"}, [("Sigmoid", "torch.sys"), ("Tanh", "torch.sys"), ("MSELoss", "torch.sys")],
      score=84, kind="exploit", policy=("MSELoss", "torch.sys", X, "ad = torch.sys")),
    # the honest twin of monkeypatch_compare: the same code without the patching
    S("sigmoid_forward_identity", "Sigmoid.forward returns x (the twin of monkeypatch_compare)",
      [(A, SIG_FWD, "self._s = _sigmoid(x)\n        return x")], "Sigmoid"),
]
BY_NAME = {s.name: s for s in SAMPLES}
assert len(BY_NAME) == len(SAMPLES), "sample names must be unique"


def group_of(test_name: str) -> str:
    """The class or part a results.json test belongs to: 'Linear', 'Sigmoid', ..., 'Sine fit', 'Files'."""
    head = test_name.split(":")[0].split(".")[0]
    return SINE if head.startswith(SINE) else head


def _apply(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{where}: the edit's text occurs {count} times in the solution, not once "
                         f"(did the solution change?):\n{old}")
    return text.replace(old, new)


def build(sample: Sample, dest: Path) -> Path:
    """Write the sample's submission folder at `dest` (which must not exist); returns dest."""
    dest = Path(dest)
    texts = {name: (sample.source / name).read_text(encoding="utf-8") for name in FILES}
    for name, old, new in sample.edits:
        if new is DELETE:
            texts.pop(name)
        else:
            texts[name] = _apply(texts[name], old, new, f"{sample.name}, {name}")
    own = WHOLE_FILES / sample.name
    if own.is_dir():
        for path in own.glob("*.py"):
            texts[path.name] = path.read_text(encoding="utf-8")
    folder = dest
    if sample.layout == "nested-crlf-bom":
        folder = dest / "my project" / "scratchnn"
    folder.mkdir(parents=True)
    for name, text in texts.items():
        if sample.layout == "nested-crlf-bom":
            (folder / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        else:
            (folder / name).write_text(text, encoding="utf-8")
    return dest


def main(argv) -> None:
    if not argv:
        sys.exit(__doc__)
    out = Path(argv[0])
    names = argv[1:] or list(BY_NAME)
    for name in names:
        shutil.rmtree(out / name, ignore_errors=True)
        build(BY_NAME[name], out / name)
        print(f"{out / name}  {BY_NAME[name].what}")


if __name__ == "__main__":
    main(sys.argv[1:])
