"""Write examples/submissions/: the reference solution and a few realistic mistakes.

    python examples/make_examples.py

Each example is the reference (scratchnn_ref/) with one small edit, listed in
EDITS below and in examples/README.md. The generated files are committed, so
nothing needs to run this unless the reference or the list changes.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "scratchnn_ref"
OUT = Path(__file__).resolve().parent / "submissions"
FILES = ("linear.py", "activations.py", "losses.py")

# example -> [(file, text in the reference, replacement)]; each replacement says what is wrong.
EDITS = {
    "correct": [],
    "dw_transposed": [
        ("linear.py", "self.dW = self._x.T @ dout",
         "self.dW = dout.T @ self._x  # mistake: dW transposed, (N, M) instead of (M, N)"),
    ],
    "bce_over_batch": [
        ("losses.py", "return (p - y) / (p * (1.0 - p)) / p.numel()",
         "return (p - y) / (p * (1.0 - p)) / p.shape[0]  # mistake: divides by B, not numel"),
    ],
    "gelu_erf": [
        ("activations.py", "return 0.5 * x * (1.0 + self._t)",
         "return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))  # mistake: exact GELU, not the tanh form"),
        ("activations.py", "x, t = self._x, self._t\n        du_dx = self.C * (1.0 + 3.0 * self.K * x * x)\n"
         "        return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx)",
         "x = self._x\n"
         "        cdf = 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))  # mistake: derivative of the exact GELU\n"
         "        return dout * (cdf + x * torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))"),
    ],
    "softmax_no_max": [
        ("losses.py", "z = logits - logits.max(dim=1, keepdim=True).values",
         "z = logits  # mistake: no max-subtraction, so exp overflows for large logits"),
    ],
    "sigmoid_builtin": [
        ("activations.py", "self._s = _sigmoid(x)\n        return self._s\n",
         "self._s = torch.sigmoid(x)  # mistake: the built-in sigmoid is forbidden by the course policy\n"
         "        return self._s\n"),
    ],
    "syntax_error": [
        ("losses.py", "def backward(self) -> torch.Tensor:\n        return self._diff * (2.0",
         "def backward(self) -> torch.Tensor  # mistake: the colon is missing\n        return self._diff * (2.0"),
    ],
}


def student_text(name: str) -> str:
    """The reference file as a student would hand it in (without the 'generated' header)."""
    lines = (REF / name).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("# Generated from"))


def examples() -> dict[str, dict[str, str]]:
    """example -> {file name: text}: what this script writes."""
    out = {}
    for example, edits in EDITS.items():
        texts = {name: student_text(name) for name in FILES}
        for name, old, new in edits:
            if texts[name].count(old) != 1:
                raise SystemExit(f"{example}: {old!r} is not found exactly once in scratchnn_ref/{name}")
            texts[name] = texts[name].replace(old, new)
        out[example] = texts
    return out


def main() -> None:
    made = examples()  # every edit applies, or nothing is removed
    shutil.rmtree(OUT, ignore_errors=True)
    for example, texts in made.items():
        (OUT / example).mkdir(parents=True)
        for name, text in texts.items():
            (OUT / example / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT) / example}")


if __name__ == "__main__":
    main()
