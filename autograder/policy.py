"""The static policy check: which forbidden APIs a student file uses, where, and in which class.

Reads the source with `ast` (nothing is executed). Imports are resolved through
their aliases, so `import torch.nn.functional as F; F.relu(x)` is seen as
`torch.nn.functional.relu`. A violation inside a class counts against that class;
one inside a module-level helper (or another class) counts against every class that uses
it; one at module level (decorators and annotations included) counts against every class
of the file. The rules are in
config.py (ALLOWED_IMPORTS, FORBIDDEN_*).
"""

import ast
import functools
import importlib
import re
import types
from dataclasses import dataclass

from . import config
from .parsing import parsed

ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__future__"}
# Attributes that lead out of the file without naming anything forbidden: frames and code objects
# (a generator's gi_frame.f_builtins holds getattr and __import__), and typing's evaluation of text as code.
ESCAPE_ATTRIBUTES = {
    **dict.fromkeys(["f_globals", "f_builtins", "f_locals", "f_back", "f_code", "gi_frame", "gi_code", "cr_frame",
                     "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code", "co_consts", "co_names"],
                    "reaches into Python's internals"),
    **dict.fromkeys(["ForwardRef", "get_type_hints", "_eval_type", "_evaluate"], "runs text as code"),
}
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@functools.lru_cache(maxsize=1)
def forbidden_anywhere() -> dict[str, str]:
    """Attribute names forbidden on any object, whatever it is bound to, with the reason.

    The modules that the allowed ones hold (torch.os, typing.operator, ...), the forbidden
    submodules of torch (so that `(torch,)[0].nn` is caught like `torch.nn`), and ESCAPE_ATTRIBUTES.
    """
    outside = "reaches a module other than torch and math"
    found = {name: outside for name in config.FORBIDDEN_MODULE_ATTRIBUTES}
    for root in sorted(config.ALLOWED_IMPORTS):
        for name, value in vars(importlib.import_module(root)).items():
            if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] not in config.ALLOWED_IMPORTS:
                found[name] = outside
    for dotted, why in config.FORBIDDEN_NAMES.items():
        root, _, name = dotted.partition(".")
        if root in config.ALLOWED_IMPORTS and name and "." not in name and \
                isinstance(getattr(importlib.import_module(root), name, None), types.ModuleType):
            found[name] = why
    found.update(ESCAPE_ATTRIBUTES)
    return found


@dataclass(frozen=True)
class Violation:
    line: int
    what: str  # the name as written, e.g. "torch.sigmoid"
    why: str

    def __str__(self):
        return f"line {self.line}: {self.what} ({self.why})"


class _Scanner(ast.NodeVisitor):
    def __init__(self):
        self.aliases = {}  # local name -> dotted module path
        self.found = {}  # owner ("Class", "function", or "" for module level) -> [Violation]
        self.calls = {}  # owner -> names it uses (to follow module-level helpers)
        self.owner = ""

    def add(self, node, what, why):
        self.found.setdefault(self.owner, []).append(Violation(node.lineno, what, why))

    # ------------------------------------------------ owners
    # Decorators, base classes, defaults and annotations run where a def or class statement is,
    # when the file is imported; only the body belongs to the new owner.
    def visit_ClassDef(self, node):
        for expr in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(expr)
        self._within(self.owner or node.name, node.body)

    def visit_FunctionDef(self, node):
        args = node.args
        for expr in [*node.decorator_list, *args.defaults, *args.kw_defaults]:
            if expr is not None:
                self.visit(expr)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self._check_annotation(arg.annotation)
                self.visit(arg.annotation)
        if node.returns is not None:
            self._check_annotation(node.returns)
            self.visit(node.returns)
        self._within(self.owner or node.name, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _within(self, owner, statements):
        outer, self.owner = self.owner, owner
        for statement in statements:
            self.visit(statement)
        self.owner = outer

    # ------------------------------------------------ imports
    def visit_Import(self, node):
        for alias in node.names:
            if not self._check_module(node, alias.name) and self.owner:
                self._check_dotted(node, alias.name)  # in a class, it can be used as an attribute: Cls.F
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if node.level:
            self.add(node, "from ." + module + " import ...", "import only torch and math")
            return
        if not self._check_module(node, module) and self.owner:
            for alias in node.names:  # in a class, it can be used as an attribute: Cls.F
                self._check_dotted(node, f"{module}.{alias.name}")
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"

    def _check_module(self, node, module):
        """Only allowed modules may be imported; forbidden parts of them are reported where used."""
        if module.split(".")[0] not in config.ALLOWED_IMPORTS:
            self.add(node, f"import {module}", f"allowed imports: {', '.join(sorted(config.ALLOWED_IMPORTS))}")
            return True
        return False

    def _check_dotted(self, node, dotted):
        for name, why in config.FORBIDDEN_NAMES.items():
            if dotted == name or dotted.startswith(name + "."):
                self.add(node, dotted, why)
                return True
        parts = dotted.split(".")
        if parts[0] in config.ALLOWED_IMPORTS and any(p.startswith("_") for p in parts[1:]):
            self.add(node, dotted, f"private {parts[0]} internals")
            return True
        escapes = [forbidden_anywhere()[p] for p in parts[1:] if p in forbidden_anywhere()]
        if escapes:  # e.g. `from typing import operator`: typing.operator
            self.add(node, dotted, escapes[0])
            return True
        return False

    # ------------------------------------------------ uses
    def _dotted(self, node):
        """'torch.nn.functional.relu' for F.relu when F is an alias of torch.nn.functional, else None."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.aliases:
            return ".".join([self.aliases[node.id], *reversed(parts)])
        return None

    def visit_Attribute(self, node):
        dotted = self._dotted(node)
        if dotted and self._check_dotted(node, dotted):
            return  # reported once, for the longest name
        if node.attr in forbidden_anywhere():
            self.add(node, dotted or "." + node.attr, forbidden_anywhere()[node.attr])
        elif node.attr.startswith("__") and node.attr not in ALLOWED_DUNDERS:
            self.add(node, "." + node.attr, "double-underscore attributes reach into Python's internals")
        elif node.attr in config.FORBIDDEN_ATTRIBUTES:
            self.add(node, "." + node.attr, config.FORBIDDEN_ATTRIBUTES[node.attr])
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in config.FORBIDDEN_BUILTINS and node.id not in self.aliases:
            self.add(node, node.id, "reaches outside your file")
        elif node.id.startswith("__") and node.id not in ALLOWED_DUNDERS:
            self.add(node, node.id, "double-underscore names reach into Python's internals")
        elif isinstance(node.ctx, ast.Load) and node.id in self.aliases:
            self._check_dotted(node, self.aliases[node.id])
        self.calls.setdefault(self.owner, set()).add(node.id)

    def visit_AnnAssign(self, node):
        self._check_annotation(node.annotation)
        self.generic_visit(node)

    def _check_annotation(self, annotation):
        """typing evaluates text in annotations as code (get_type_hints, functools.singledispatch): allow names only."""
        for node in ast.walk(annotation) if annotation is not None else ():
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            parts = node.value.split(".")
            if not NAME.fullmatch(node.value) or any(p.startswith("__") or p in forbidden_anywhere() for p in parts):
                self.add(node, repr(node.value)[:60], "text in an annotation is run as code: write a name")
            elif parts[0] in self.aliases:
                self._check_dotted(node, ".".join([self.aliases[parts[0]], *parts[1:]]))

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "backward":
            receiver = func.value
            is_own = isinstance(receiver, ast.Name) and receiver.id == "self" or (
                isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name)
                and receiver.value.id == "self")
            if not is_own:
                self.add(node, ".backward()", "autograd (Tensor.backward)")
        self.generic_visit(node)

    def _check_target(self, target):
        if isinstance(target, ast.Attribute):
            root = target
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in self.aliases:
                self.add(target, self._dotted(target) or root.id, "changing a library (monkey-patching)")

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_If(self, node):
        """`if __name__ == "__main__":` blocks never run when the grader imports the file: skip them."""
        test = node.test
        if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
                and not self.owner):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)


def scan(source: str, classes: list[str]) -> dict[str, list[Violation]]:
    """Violations per class of `classes` (every one listed, empty when clean)."""
    scanner = _Scanner()
    scanner.visit(parsed(ast.parse, source))
    helpers = {name for name in scanner.found} | {name for name in scanner.calls}

    def reach(owner, seen):
        """The owner's violations plus those of the module-level helpers and classes it uses (transitively)."""
        out = list(scanner.found.get(owner, []))
        for name in scanner.calls.get(owner, ()):
            if name in helpers and name not in seen:
                seen.add(name)
                out += reach(name, seen)
        return out

    module_level = scanner.found.get("", [])
    result = {}
    for cls in classes:
        found = module_level + reach(cls, {cls})
        result[cls] = sorted(set(found), key=lambda v: (v.line, v.what))
    return result
