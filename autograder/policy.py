"""The static part of the course policy: what a trace of the operators cannot see.

What ran is judged by autograder/recorder.py. This scan covers the rest, and only that:
imports outside the allowed set, the parts of torch whose functions a trace cannot tell
from the student's own (FORBIDDEN_NAMES), the built-ins that reach files and the
interpreter, private and double-underscore attributes, and changes to a library.

It is exact about names. Every name is resolved by Python's own scope rules (`symtable`):
a parameter, variable or class attribute named `input` or `open` is the student's, never
the built-in; `self.softmax` is the student's attribute, never torch's. Aliases of modules
are followed through imports, assignments and star imports in every branch; a string
annotation is parsed and judged like code. Only the body of `if __name__ == "__main__":`
at module level is skipped: it never runs when the file is imported.

A violation inside a class counts against that class; one inside a module-level helper
counts against every class that uses it, and one at module level (or in a helper that
module-level code uses, e.g. `Sigmoid.forward = _helper`) against every class of the file.

This file imports only the standard library: the public tests use a copy (tests/policy.py)
with the rules as data. Cost: one parse and one walk of the file, a few milliseconds.
"""

import ast
import importlib
import symtable
import types
from dataclasses import dataclass

# Attributes that lead out of the file without naming anything forbidden: frames and code objects
# (a generator's gi_frame.f_builtins holds getattr and __import__), and typing's evaluation of text.
ESCAPES = {
    **dict.fromkeys(["f_globals", "f_builtins", "f_locals", "f_back", "f_code", "gi_frame", "gi_code", "cr_frame",
                     "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code", "co_consts", "co_names"],
                    "reaches into Python's internals"),
    **dict.fromkeys(["ForwardRef", "get_type_hints", "_eval_type", "_evaluate"], "runs text as code"),
}
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
          ast.DictComp, ast.GeneratorExp)
SCOPE_NAMES = {ast.Lambda: "lambda", ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
               ast.GeneratorExp: "genexpr"}


@dataclass(frozen=True)
class Rules:
    """What the scan forbids (from the assignment's config)."""

    allowed_imports: frozenset
    forbidden_names: dict  # dotted prefix -> why, e.g. "torch.nn"
    forbidden_builtins: frozenset
    allowed_dunders: frozenset
    package_imports: frozenset = frozenset()  # given modules of the package a student file may import
    # ("parameter": `from .parameter import Parameter` or `from scratchnn.parameter import ...`)

    @classmethod
    def of(cls, config) -> "Rules":
        return cls(frozenset(config.ALLOWED_IMPORTS), dict(config.FORBIDDEN_NAMES),
                   frozenset(config.FORBIDDEN_BUILTINS), frozenset(config.ALLOWED_DUNDERS),
                   frozenset(getattr(config, "PACKAGE_IMPORTS", ())))

    def as_dict(self) -> dict:
        return {"allowed_imports": sorted(self.allowed_imports), "forbidden_names": self.forbidden_names,
                "forbidden_builtins": sorted(self.forbidden_builtins), "allowed_dunders": sorted(self.allowed_dunders),
                "package_imports": sorted(self.package_imports)}

    @classmethod
    def from_dict(cls, d: dict) -> "Rules":
        return cls(frozenset(d["allowed_imports"]), dict(d["forbidden_names"]), frozenset(d["forbidden_builtins"]),
                   frozenset(d["allowed_dunders"]), frozenset(d.get("package_imports", ())))

    def anywhere(self) -> dict:
        """Attribute names forbidden on any object that is not the student's: the modules the allowed
        ones hold (torch.os, typing.sys, ...), the forbidden submodules of torch, and ESCAPES."""
        outside = "reaches a module other than the allowed ones"
        found = {}
        for root in sorted(self.allowed_imports - {"__future__"}):
            for name, value in vars(importlib.import_module(root)).items():
                if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] not in self.allowed_imports:
                    found[name] = outside
        for dotted, why in self.forbidden_names.items():
            root, _, name = dotted.partition(".")
            if root in self.allowed_imports and name and "." not in name:
                found[name] = why
        found.update(ESCAPES)
        return found


@dataclass(frozen=True)
class Violation:
    line: int
    what: str  # the name as resolved, e.g. "torch.nn.functional.relu", or "import numpy"
    why: str
    code: str = ""  # for what the recorder saw: the student's line that led to it
    instead: str = ""

    def __str__(self):
        where = f"line {self.line}: " if self.line else ""
        text = f"{where}{self.what}{' ran' if self.what.startswith('aten.') else ''} ({self.why})"
        if self.code:
            text += f", reached from `{self.code}`"
        return text + (f". Instead: {self.instead}." if self.instead else "")


def _modules_along(dotted: str) -> list:
    """The real names of the modules met along a dotted path of an importable module, by looking them up."""
    parts = dotted.split(".")
    try:
        obj = importlib.import_module(parts[0])
    except ImportError:
        return []
    out = []
    for part in parts[1:]:
        if part.startswith("_"):
            break
        try:
            obj = getattr(obj, part)
        except Exception:  # noqa: BLE001  (any failure of a library's lookup ends the walk)
            break
        if isinstance(obj, types.ModuleType):
            out.append(obj.__name__)
    return out


def _rebinds_name(tree) -> bool:
    """Whether the file could change `__name__` anywhere (an assignment, a walrus, a `global`, a loop target...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "__name__" and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and "__name__" in node.names:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == "__name__"
                                                                   for a in node.names):
            return True
    return False


def _is_main_guard(node) -> bool:
    """`if __name__ == "__main__":` exactly (its body never runs when the file is imported)."""
    t = node.test
    return (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__"
            and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq) and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value == "__main__")


class _Scanner(ast.NodeVisitor):
    """Two passes over one file: `collect` finds module aliases and the student's attribute names,
    `check` reports violations per owner (a top-level class or function, or "" for module level)."""

    def __init__(self, tree, table, rules: Rules):
        self.tree, self.rules = tree, rules
        self.anywhere = rules.anywhere()
        self.module_table = table
        self.stack = [table]  # symbol tables from the module down to the current scope
        self.children = {}  # id(table) -> {(name, line): [child tables, in order]}
        self.scope_of = {}  # id(ast node) -> its table
        self.aliases = {}  # (id(table), name) -> dotted module path or object path
        self.star = []  # modules star-imported at module level
        self.own = set()  # attribute names the file assigns or defines: the student's objects' attributes
        self.found, self.uses = {}, {}  # owner -> [Violation], owner -> names it uses
        self.owner, self.checking = "", False
        self._star_names = None
        self.main_guard_dead = not _rebinds_name(tree)

    # ------------------------------------------------ scopes
    def _child(self, node):
        table = self.stack[-1]
        if id(node) in self.scope_of:
            return self.scope_of[id(node)]
        if id(table) not in self.children:
            groups = {}
            for child in table.get_children():
                groups.setdefault((child.get_name(), child.get_lineno()), []).append(child)
            self.children[id(table)] = groups
        name = SCOPE_NAMES.get(type(node)) or node.name
        queue = self.children[id(table)].get((name, node.lineno))
        child = queue.pop(0) if queue else table  # not found (a newer Python inlines comprehensions): stay
        self.scope_of[id(node)] = child
        return child

    def _enter(self, node, visit_inside):
        """Visit the parts evaluated in the enclosing scope, then the body in the node's own scope."""
        if isinstance(node, ast.ClassDef):
            outside = [*node.decorator_list, *node.bases, *node.keywords]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            outside = [*getattr(node, "decorator_list", []), *a.defaults, *[d for d in a.kw_defaults if d]]
        else:  # comprehension: the first iterable is evaluated outside
            outside = [node.generators[0].iter]
        for expr in outside:
            self.visit(expr)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None and arg.annotation is not None:
                    self._annotation(arg.annotation)
            if node.returns is not None:
                self._annotation(node.returns)
        top = len(self.stack) == 1 and not self.owner and not isinstance(node, (ast.Lambda, *SCOPE_NAMES))
        outer = self.owner
        if top:  # a top-level def or class owns its body; decorators, defaults, annotations run at module level
            self.owner = node.name
        self.stack.append(self._child(node))
        visit_inside()
        self.stack.pop()
        self.owner = outer

    def _body(self, node):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            parts = [node.elt]
        elif isinstance(node, ast.DictComp):
            parts = [node.key, node.value]
        elif isinstance(node, ast.Lambda):
            parts = [node.body]
        else:
            parts = node.body
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for i, gen in enumerate(node.generators):
                self.visit(gen.target)
                if i:
                    self.visit(gen.iter)
                for cond in gen.ifs:
                    self.visit(cond)
        for part in parts:
            self.visit(part)

    def visit_ClassDef(self, node):
        self._enter(node, lambda: self._body(node))
        self.own.update(s.targets[0].id for s in node.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                        and isinstance(s.targets[0], ast.Name))
        self.own.update(s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
        self.own.update(s.target.id for s in node.body if isinstance(s, ast.AnnAssign)
                        and isinstance(s.target, ast.Name))

    def visit_FunctionDef(self, node):
        self._enter(node, lambda: self._body(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._enter(node, lambda: self._body(node))

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    # ------------------------------------------------ names
    def _binding(self, name: str):
        """The table that binds `name` where it is used, or None for a built-in (or an unbound name)."""
        table = self.stack[-1]
        try:
            sym = table.lookup(name)
        except KeyError:  # a name of a parsed string annotation: resolve it from the module
            sym = None
        if sym is not None and sym.is_free():
            for outer in reversed(self.stack[:-1]):
                if outer.get_type() == "function":
                    try:
                        if outer.lookup(name).is_local():
                            return outer
                    except KeyError:
                        continue
            return None
        if sym is not None and sym.is_local() and not sym.is_declared_global():
            return table
        try:
            if self.module_table.lookup(name).is_local():
                return self.module_table
        except KeyError:
            pass
        return None

    def _resolve(self, node):
        """The dotted path a Name or attribute chain stands for when it starts at a module alias, else None."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        table = self._binding(node.id)
        root = None
        if table is not None:
            root = self.aliases.get((id(table), node.id))
        elif self.star:
            for module in self.star:
                if hasattr(importlib.import_module(module), node.id):
                    root = f"{module}.{node.id}"
        if root is None:
            return None
        return ".".join([root, *reversed(parts)])

    # ------------------------------------------------ collecting aliases and own attribute names
    def _alias(self, name, dotted):
        table = self._binding(name) or self.stack[-1]
        if not self.checking:
            self.aliases[(id(table), name)] = dotted

    def visit_Import(self, node):
        for alias in node.names:
            if self.checking:
                self._check_import(node, alias.name)
            local = alias.asname or alias.name.split(".")[0]
            self._alias(local, alias.name if alias.asname else alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if self._given_module(node, module):
            for alias in node.names:
                self._alias(alias.asname or alias.name, f"scratchnn.{module.split('.')[-1]}.{alias.name}")
            return
        if self.checking:
            if node.level:
                self.add(node, "from ." + module + " import ...", "import only the allowed modules")
                return
            self._check_import(node, module, [a.name for a in node.names if a.name != "*"])
        for alias in node.names:
            if alias.name == "*":
                if module not in self.star:
                    self.star.append(module)
            else:
                self._alias(alias.asname or alias.name, f"{module}.{alias.name}")

    def _given_module(self, node, module: str) -> bool:
        """`from .parameter import Parameter` (or `from scratchnn.parameter import ...`) of a module the
        rules list as given: the kit's own code, which the recorder watches like any other."""
        name = module if node.level == 1 else module.removeprefix("scratchnn.") if node.level == 0 else None
        return name in self.rules.package_imports and all(a.name != "*" for a in node.names)

    def visit_Assign(self, node):
        dotted = self._resolve(node.value) if isinstance(node.value, (ast.Name, ast.Attribute)) else None
        for target in node.targets:
            if dotted and isinstance(target, ast.Name):
                self._alias(target.id, dotted)
            self._target(target)
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node):
        if node.value is not None and isinstance(node.target, ast.Name):
            dotted = self._resolve(node.value) if isinstance(node.value, (ast.Name, ast.Attribute)) else None
            if dotted:
                self._alias(node.target.id, dotted)
        self._target(node.target)
        self._annotation(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_AugAssign(self, node):
        self._target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def _target(self, target):
        """An attribute assigned or deleted: the student's own attribute, or a change to a library."""
        for node in ast.walk(target):
            if isinstance(node, ast.Attribute):
                if not self.checking:
                    self.own.add(node.attr)
                elif node is target or isinstance(target, (ast.Tuple, ast.List)):
                    dotted = self._resolve(node)
                    if dotted:
                        self.add(node, dotted, "changing a library (monkey-patching)")

    # ------------------------------------------------ checks
    def add(self, node, what, why):
        if self.checking:
            self.found.setdefault(self.owner, []).append(Violation(getattr(node, "lineno", 0), what, why))

    def _check_import(self, node, module, names=()):
        """Only allowed modules may be imported. A forbidden part of one is reported where its name is used
        (an unused import does nothing), except in a class body, where it is reachable as Class.name."""
        if module.split(".")[0] not in self.rules.allowed_imports:
            self.add(node, f"import {module}",
                     f"allowed imports: {', '.join(sorted(self.rules.allowed_imports - {'__future__'}))}")
            return
        if self.stack[-1].get_type() == "class":
            for dotted in [module] + [f"{module}.{n}" for n in names]:
                if self._check_dotted(node, dotted):
                    return

    def _check_dotted(self, node, dotted) -> bool:
        for name in [dotted, *_modules_along(dotted)]:  # torch.functional.F is torch.nn.functional
            for prefix, why in self.rules.forbidden_names.items():
                if name == prefix or name.startswith(prefix + "."):
                    self.add(node, dotted if name == dotted else f"{dotted} (that is {name})", why)
                    return True
        for part in dotted.split(".")[1:]:
            why = self._attribute_rule(part, own_allowed=False)
            if why:
                self.add(node, dotted, why)
                return True
        return False

    def _attribute_rule(self, attr: str, own_allowed: bool):
        """Why an attribute name may not be used, or None. The student's own attribute names are free,
        except dunders; on a library (own_allowed False) every private name is forbidden."""
        if attr.startswith("__") and attr.endswith("__"):
            if attr not in self.rules.allowed_dunders:
                return "double-underscore attributes reach into Python's internals"
            return None
        if own_allowed and attr in self.own:
            return None
        if attr in self.anywhere:
            return self.anywhere[attr]
        if attr.startswith("_"):
            return "private internals of a library"
        return None

    def visit_Attribute(self, node):
        dotted = self._resolve(node)
        if dotted is not None:
            if self._check_dotted(node, dotted):
                return  # reported once, for the longest name
        elif not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
                  and not (node.attr.startswith("__") and node.attr.endswith("__"))):
            why = self._attribute_rule(node.attr, own_allowed=True)  # self._x is the student's own
            if why:
                self.add(node, "." + node.attr, why)
        self.generic_visit(node)

    def visit_Call(self, node):
        """getattr(obj, "name") with a name written out is judged as obj.name; only a computed name reaches
        anything, and is reported as the built-in itself."""
        func = node.func
        if (isinstance(func, ast.Name) and func.id in ("getattr", "hasattr", "delattr") and len(node.args) >= 2
                and self._binding(func.id) is None and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)):
            name = node.args[1].value
            why = self._attribute_rule(name, own_allowed=True)
            if why:
                self.add(node, f"{func.id}(..., {name!r})", why)
            for arg in [*node.args, *node.keywords]:
                self.visit(arg)
            return
        self.generic_visit(node)

    def visit_Name(self, node):
        self.uses.setdefault(self.owner, set()).add(node.id)
        bound = self._binding(node.id)
        if bound is None and node.id not in self.star_names():
            if node.id in self.rules.forbidden_builtins:
                self.add(node, node.id, "reaches outside your file")
            elif node.id.startswith("__") and node.id not in self.rules.allowed_dunders:
                self.add(node, node.id, "double-underscore names reach into Python's internals")
            return
        dotted = self._resolve(node)
        if dotted is not None and isinstance(node.ctx, ast.Load):
            self._check_dotted(node, dotted)

    def star_names(self) -> set:
        if self._star_names is None:
            self._star_names = set()
            for module in self.star:
                self._star_names.update(n for n in dir(importlib.import_module(module)) if not n.startswith("_"))
        return self._star_names

    def _annotation(self, annotation):
        """Visit an annotation; its text (a string annotation) is parsed and visited like code."""
        self.visit(annotation)
        for node in ast.walk(annotation):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    expr = ast.parse(node.value.strip(), mode="eval").body
                except SyntaxError:
                    continue  # not code: typing could not evaluate it either
                for inner in ast.walk(expr):
                    inner.lineno = node.lineno
                self._annotation(expr)

    def visit_If(self, node):
        if len(self.stack) == 1 and not self.owner and self.main_guard_dead and _is_main_guard(node):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    # ------------------------------------------------ the two passes
    def run(self):
        for _ in range(3):  # aliases of aliases (`t = torch; u = t`) settle within a few passes
            self.stack = [self.module_table]
            self.visit(self.tree)
            for queue in self.children.values():
                queue.clear()
            self.children, self.scope_of = {}, {}
        self.checking = True
        self.stack = [self.module_table]
        self.visit(self.tree)


def scan(source: str, classes: list, rules: Rules) -> dict:
    """Violations per class of `classes` (every one listed, empty when clean). `source` must compile."""
    tree = ast.parse(source)
    scanner = _Scanner(tree, symtable.symtable(source, "<student file>", "exec"), rules)
    scanner.run()
    helpers = set(scanner.found) | set(scanner.uses)

    def reach(owner, seen):
        """The owner's violations plus those of the top-level helpers it uses (transitively)."""
        out = list(scanner.found.get(owner, []))
        for name in scanner.uses.get(owner, ()):
            if name in helpers and name not in seen:
                seen.add(name)
                out += reach(name, seen)
        return out

    module_level = reach("", {"", *classes})  # module-level code binds or runs helpers, not the classes
    result = {}
    for cls in classes:
        found = module_level + reach(cls, {cls, ""})
        result[cls] = sorted(set(found), key=lambda v: (v.line, v.what))
    return result
