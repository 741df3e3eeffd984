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

It follows modules by name, so a module used as a value (`[torch][0]`, `f(torch)`, stored,
returned) is itself reported: it is the only way, besides a failed lookup (`torch.nosuch` hands
torch to its AttributeError) and torch.get_device_module (forbidden), that an expression the
scan cannot resolve could be a module. So an attribute of the student's own values (`logger.handlers`,
`cfg.save`, `self.nn`) never counts as a part of torch. A private attribute (`x._name`) is free
only on the student's own objects: `self`/`cls` in a method, `super()`, a class of the file, and
locals and attributes that only ever hold instances of the file's classes. Frame and code-object
attributes (ESCAPES) count on every object.

A violation inside a class counts against that class; one inside a module-level helper
counts against every class that uses it, and one at module level (or in a helper that
module-level code uses, e.g. `Sigmoid.forward = _helper`) against every class of the file.

Any tree Python compiles is scanned: the walk keeps its own stack (no recursion), and the scan
runs in a fresh thread, whose recursion depth starts at 0, so that Python's parser and symbol
table have at least the depth that compiling the file had. A file the scan still cannot read
raises ScanError, with a message for the student.

This file imports only the standard library: the public tests use a copy (tests/policy.py)
with the rules as data. Cost: one parse and a few walks of the file, a few milliseconds.
"""

import ast
import functools
import importlib
import symtable
import sys
import threading
import types
from dataclasses import dataclass

# Attributes that lead out of the file without naming anything forbidden: frames and code objects
# (a generator's gi_frame.f_builtins holds getattr and __import__), and typing's evaluation of text.
# They count on every object, the student's own included (a method can be called with any first argument).
ESCAPES = {
    **dict.fromkeys(["f_globals", "f_builtins", "f_locals", "f_back", "f_code", "gi_frame", "gi_code", "cr_frame",
                     "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code", "co_consts", "co_names"],
                    "reaches into Python's internals"),
    **dict.fromkeys(["ForwardRef", "get_type_hints", "_eval_type", "_evaluate"], "runs text as code"),
}
OUTSIDE = "reaches a module other than the allowed ones"
ESCAPED = ("a module used as a value, stored, passed, returned or compared, which the scan cannot follow: "
           "use a module only by its name, as in torch.exp(x)")
PRIVATE = "private internals of a library"
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
          ast.DictComp, ast.GeneratorExp)
SCOPE_NAMES = {ast.Lambda: "lambda", ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
               ast.GeneratorExp: "genexpr"}
MAX_PARTS = 32  # names in a library's dotted path that the scan follows (torch.backends.cuda.matmul has 4)
OWN = object()  # an attribute's value that is the student's own: a method or class defined in a class body
STACK_BYTES = 64 << 20  # the scan thread's stack: Python's parser and symbol table recurse in C


class ScanError(Exception):
    """The scan could not read a file (it compiled, but e.g. is nested too deeply); str() is for the student."""


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


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
        """Attribute names that reach something forbidden from an allowed module: the modules the allowed
        ones hold (torch.os, typing.sys, ...), the forbidden submodules and functions of torch, and ESCAPES.
        Forbidden in every part of a library's dotted path (torch.xyz.os)."""
        found = {}
        for root in sorted(self.allowed_imports - {"__future__"}):
            for name, value in vars(importlib.import_module(root)).items():
                if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] not in self.allowed_imports:
                    found[name] = OUTSIDE
        for dotted, why in self.forbidden_names.items():
            root, _, name = dotted.partition(".")
            if root in self.allowed_imports and name and "." not in name:
                found[name] = why
        found.update(ESCAPES)
        return found

    def forbidden(self, name: str):
        """Why the real dotted name of something is forbidden (a prefix of FORBIDDEN_NAMES), or None."""
        for prefix, why in self.forbidden_names.items():
            if name == prefix or name.startswith(prefix + "."):
                return why
        return None

    def reaching(self) -> dict:
        """Attribute names by which some module reachable from the allowed ones holds a module outside them
        or a forbidden one (torch.functional.F is torch.nn.functional), with anywhere(): what an expression
        could reach if it were one of those modules."""
        return {**_reaching(self.allowed_imports, tuple(sorted(self.forbidden_names.items()))), **self.anywhere()}


@functools.lru_cache(maxsize=8)
def _reaching(allowed: frozenset, forbidden: tuple) -> dict:
    rules = Rules(allowed, dict(forbidden), frozenset(), frozenset())
    queue = [importlib.import_module(r) for r in sorted(allowed - {"__future__"})]
    seen, found = {id(m) for m in queue}, {}
    while queue:  # breadth first over the allowed modules' modules; a forbidden one is not entered
        for name, value in list(vars(queue.pop(0)).items()):
            real = getattr(value, "__name__", None) if isinstance(value, types.ModuleType) else None
            if not isinstance(real, str):
                continue
            why = OUTSIDE if real.split(".")[0] not in allowed else rules.forbidden(real)
            if why:
                found.setdefault(name, why)
            elif id(value) not in seen:
                seen.add(id(value))
                queue.append(value)
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


@functools.lru_cache(maxsize=4096)
def _lookup(dotted: str, allowed: frozenset) -> tuple:
    """What the dotted path of an allowed module holds, by looking it up: (object, None), or (None, module name)
    when that module lacks the next part (the lookup's AttributeError then holds the module as .obj), or
    (None, None) when it is not looked up here (another library, a private part, a failing lookup)."""
    parts = dotted.split(".")
    if parts[0] not in allowed:
        return None, None
    try:
        obj = importlib.import_module(parts[0])
    except Exception:  # noqa: BLE001  (whatever an import does, the scan goes on)
        return None, None
    for part in parts[1:]:
        if part.startswith("_"):
            return None, None
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return None, (obj.__name__ if isinstance(obj, types.ModuleType) else None)
        except Exception:  # noqa: BLE001  (any failure of a library's lookup ends the walk)
            return None, None
    return obj, None


def _modules_along(dotted: str, allowed: frozenset) -> list:
    """The real names of the modules met along a dotted path of an allowed module, by looking them up."""
    parts = dotted.split(".")
    out = []
    for i in range(2, len(parts) + 1):
        obj, _ = _lookup(".".join(parts[:i]), allowed)
        if obj is None:
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


class _Scanner:
    """Passes over one file: `collect` (three times, until aliases of aliases settle) finds module aliases,
    what each name and attribute is assigned, and the modules used as values; `check` reports violations
    per owner (a top-level class or function, or "" for module level).

    The walk keeps its own stack of generators: a visit method yields the nodes to visit inside it, which
    are visited, depth first, before it goes on (as ast.NodeVisitor, without its recursion)."""

    def __init__(self, tree, table, rules: Rules):
        self.tree, self.rules = tree, rules
        self.allowed = frozenset(rules.allowed_imports)
        self.anywhere = rules.anywhere()
        self._reaching = None
        self.module_table = table
        self.stack = [table]  # symbol tables from the module down to the current scope
        self.tables = []  # every table met, kept alive: names are keyed by id(table)
        self.children = {}  # id(table) -> {(name, line): [child tables, in order]}
        self.scope_of = {}  # id(ast node) -> its table
        self.aliases = {}  # (id(table), name) -> dotted module path or object path
        self.star = []  # modules star-imported at module level
        self.found, self.uses = {}, {}  # owner -> [Violation], owner -> names it uses
        self.owner, self.checking = "", False
        self._star_names = None
        self.main_guard_dead = not _rebinds_name(tree)
        self.keep = []  # parsed string annotations, kept alive so that the ids of their nodes stay unique
        self._methods = {}  # node type -> its visit method
        self._new_pass()

    def _new_pass(self):
        """What a collect pass finds afresh (the check pass uses the last one's)."""
        self.deref = set()  # ids of expressions used only by name: an attribute's object, an alias's value
        self.recorded = set()  # ids of targets whose assigned value is recorded
        self.values = {}  # (id(table), name) -> [value assigned, or None for any other binding]
        self.attr_values = {}  # attribute name -> [value assigned, OWN (defined in a class body), or None]
        self.module_defs = {}  # name -> ["class" | "def", ...] bound at module level by a statement
        self.selfs = set()  # (id(table), name): `self`/`cls`, a method's first parameter, never rebound
        self.escapes = []  # (line, dotted) of each module used as a value
        self.any_setattr = False  # a setattr with a computed name: any attribute may hold anything
        self.unresolved = set()  # ids of attribute chains that start at no module alias
        self.owned = {}  # id(expression) -> whether it is the student's own object (check pass)

    # ------------------------------------------------ the walk
    def visit(self, root):
        stack = [self._visits(root)]
        while stack:
            try:
                node = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            stack.append(self._visits(node))

    def _visits(self, node):
        kind = type(node)
        method = self._methods.get(kind)
        if method is None:
            method = self._methods[kind] = getattr(self, "visit_" + kind.__name__, self.generic_visit)
        inside = method(node)
        return inside if inside is not None else iter(())

    def generic_visit(self, node):
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        yield item
            elif isinstance(value, ast.AST):
                yield value

    # ------------------------------------------------ scopes
    def _child(self, node):
        table = self.stack[-1]
        if id(node) in self.scope_of:
            return self.scope_of[id(node)]
        if id(table) not in self.children:
            groups = {}
            for child in table.get_children():
                groups.setdefault((child.get_name(), child.get_lineno()), []).append(child)
                self.tables.append(child)  # symtable keeps its tables weakly: the same object (and id) every pass
            self.children[id(table)] = groups
        name = SCOPE_NAMES.get(type(node)) or node.name
        queue = self.children[id(table)].get((name, node.lineno))
        child = queue.pop(0) if queue else table  # not found (a newer Python inlines comprehensions): stay
        self.scope_of[id(node)] = child
        return child

    def _enter(self, node, inside):
        """Visit the parts evaluated in the enclosing scope, then the body (`inside()`) in the node's own scope."""
        if isinstance(node, ast.ClassDef):
            outside = [*node.decorator_list, *node.bases, *node.keywords]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            outside = [*getattr(node, "decorator_list", []), *a.defaults, *[d for d in a.kw_defaults if d]]
        else:  # comprehension: the first iterable is evaluated outside
            outside = [node.generators[0].iter]
        yield from outside
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None and arg.annotation is not None:
                    yield from self._annotation(arg.annotation)
            if node.returns is not None:
                yield from self._annotation(node.returns)
        if len(self.stack) == 1 and not self.checking and isinstance(node, (ast.ClassDef, ast.FunctionDef,
                                                                             ast.AsyncFunctionDef)):
            self.module_defs.setdefault(node.name, []).append("class" if isinstance(node, ast.ClassDef) else "def")
        top = len(self.stack) == 1 and not self.owner and not isinstance(node, (ast.Lambda, *SCOPE_NAMES))
        outer = self.owner
        if top:  # a top-level def or class owns its body; decorators, defaults, annotations run at module level
            self.owner = node.name
        in_class = self.stack[-1].get_type() == "class"
        self.stack.append(self._child(node))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._note_selfs(node, in_class)
        yield from inside()
        self.stack.pop()
        self.owner = outer

    def _note_selfs(self, node, in_class: bool):
        """A method's first parameter, and any parameter named self or cls, where the function never rebinds it."""
        a = node.args
        positional = [*a.posonlyargs, *a.args]
        names = {p.arg for p in [*positional, *a.kwonlyargs] if p.arg in ("self", "cls")}
        static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in getattr(node, "decorator_list", []))
        if in_class and positional and not static:
            names.add(positional[0].arg)
        table = self.stack[-1]
        for name in names:
            try:
                sym = table.lookup(name)
            except KeyError:
                continue
            if sym.is_parameter() and not sym.is_assigned():
                self.selfs.add((id(table), name))

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
                yield gen.target
                if i:
                    yield gen.iter
                yield from gen.ifs
        yield from parts

    def visit_ClassDef(self, node):
        if not self.checking:  # what the class body defines: the attributes of its instances
            for s in node.body:
                if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    self.attr_values.setdefault(s.name, []).append(OWN)
                elif isinstance(s, ast.Assign):
                    for t in s.targets:
                        if isinstance(t, ast.Name):
                            self.attr_values.setdefault(t.id, []).append(s.value)
                elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None:
                    self.attr_values.setdefault(s.target.id, []).append(s.value)
        yield from self._enter(node, lambda: self._body(node))

    def visit_FunctionDef(self, node):
        yield from self._enter(node, lambda: self._body(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        yield from self._enter(node, lambda: self._body(node))

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
        """The dotted path a Name or attribute chain stands for when it starts at a module alias, else None.
        (A chain found not to start at one is remembered, so that its inner attributes cost nothing more.)"""
        parts, chain = [], [node]
        while isinstance(node, ast.Attribute) and id(node) not in self.unresolved:
            parts.append(node.attr)
            node = node.value
            chain.append(node)
        root = None
        if isinstance(node, ast.Name) and id(node) not in self.unresolved:
            table = self._binding(node.id)
            if table is not None:
                root = self.aliases.get((id(table), node.id))
            elif self.star:
                for module in self.star:
                    if module.split(".")[0] in self.allowed and hasattr(importlib.import_module(module), node.id):
                        root = f"{module}.{node.id}"
        if root is None:
            self.unresolved.update(id(n) for n in chain)
            return None
        return ".".join([root, *reversed(parts)])

    # ------------------------------------------------ the student's own objects
    def _student_class(self, name: str) -> bool:
        """A class of the file: bound at module level by one class statement and nothing else."""
        if self.module_defs.get(name) != ["class"] or (id(self.module_table), name) in self.values:
            return False
        try:
            return not self.module_table.lookup(name).is_imported()
        except KeyError:
            return False

    def _makes_own(self, value) -> bool:
        """Whether an assigned value is an instance of a class of the file (or a method or class body's own)."""
        return value is OWN or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                                and self._student_class(value.func.id))

    def _own_name(self, node) -> bool:
        table = self._binding(node.id)
        if table is None:
            return False
        key = (id(table), node.id)
        if key in self.selfs or (table is self.module_table and self._student_class(node.id)):
            return True
        values = self.values.get(key)
        if not values or not all(v is not None and self._makes_own(v) for v in values):
            return False
        sym = table.lookup(node.id)
        return not (sym.is_parameter() or sym.is_imported() or sym.is_namespace())

    def _own(self, node) -> bool:
        """Whether an expression is provably one of the student's own objects: `self` or `cls` (a method's first
        parameter), super(), a class of the file, type() or .__class__ of one, a local that only ever holds
        instances of the file's classes, or such an attribute of one of these. (Asked in the check pass only,
        where what was assigned is known; remembered per node, so that a chain costs its length once.)"""
        path = []
        while id(node) not in self.owned:
            path.append(node)
            if isinstance(node, ast.Attribute):
                node = node.value
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"
                  and len(node.args) == 1 and not node.keywords and self._binding("type") is None):
                node = node.args[0]
            else:
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super":
                    result = self._binding("super") is None
                else:
                    result = isinstance(node, ast.Name) and self._own_name(node)
                self.owned[id(path.pop())] = result
                break
        result = self.owned[id(node)]  # the chain's base, or an inner part already known
        for n in reversed(path):
            if isinstance(n, ast.Attribute) and n.attr != "__class__":
                result = result and self._own_attribute(n.attr)
            self.owned[id(n)] = result
        return result

    def _own_attribute(self, attr: str) -> bool:
        """Whether an attribute of the student's own object only ever holds the student's own objects."""
        values = self.attr_values.get(attr)
        return not self.any_setattr and bool(values) and all(self._makes_own(v) for v in values)

    # ------------------------------------------------ collecting aliases, values and modules used as values
    def _alias(self, name, dotted):
        table = self._binding(name) or self.stack[-1]
        if not self.checking:
            self.aliases[(id(table), name)] = dotted

    def _is_module(self, dotted: str) -> bool:
        return isinstance(_lookup(dotted, self.allowed)[0], types.ModuleType)

    def _escape(self, node, dotted):
        """A module used as a value: reported, and from then on any object could be a module."""
        if self.checking:
            self.add(node, dotted, ESCAPED)
        else:
            self.escapes.append((getattr(node, "lineno", 0), dotted))

    def _used(self, node, dotted):
        """A Name or attribute chain that resolved to `dotted`, loaded: a module here is used as a value,
        unless its parent uses it by name (an attribute of it, an alias assigned it)."""
        if id(node) not in self.deref and self._is_module(dotted):
            self._escape(node, dotted)

    def visit_Import(self, node):
        in_class = self.stack[-1].get_type() == "class"
        for alias in node.names:
            if self.checking:
                self._check_import(node, alias.name)
            local = alias.asname or alias.name.split(".")[0]
            dotted = alias.name if alias.asname else alias.name.split(".")[0]
            self._alias(local, dotted)
            if in_class and self._is_module(dotted) and not self.rules.forbidden(dotted):  # reachable as Class.name
                self._escape(node, dotted)

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
        in_class = self.stack[-1].get_type() == "class"
        for alias in node.names:
            if alias.name == "*":
                if module not in self.star:
                    self.star.append(module)
            else:
                self._alias(alias.asname or alias.name, f"{module}.{alias.name}")
                if (in_class and self._is_module(f"{module}.{alias.name}")
                        and not self.rules.forbidden(f"{module}.{alias.name}")):
                    self._escape(node, f"{module}.{alias.name}")

    def _given_module(self, node, module: str) -> bool:
        """`from .parameter import Parameter` (or `from scratchnn.parameter import ...`) of a module the
        rules list as given: the kit's own code, which the recorder watches like any other."""
        name = module if node.level == 1 else module.removeprefix("scratchnn.") if node.level == 0 else None
        return name in self.rules.package_imports and all(a.name != "*" for a in node.names)

    def _record(self, target, value):
        """What a plain assignment `target = value` gives a name or an attribute."""
        if self.checking:
            return
        if isinstance(target, ast.Name):
            table = self._binding(target.id) or self.stack[-1]
            self.values.setdefault((id(table), target.id), []).append(value)
            self.recorded.add(id(target))
        elif isinstance(target, ast.Attribute):
            self.attr_values.setdefault(target.attr, []).append(value)
            self.recorded.add(id(target))

    def _alias_value(self, node, value, targets) -> str:
        """The dotted path assigned when `value` is a module's name, an alias (`t = torch`) when every target
        is a name outside a class body (a class attribute is reachable as Class.t, so it is a value there)."""
        dotted = self._resolve(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if dotted and all(isinstance(t, ast.Name) for t in targets) and self.stack[-1].get_type() != "class":
            self.deref.add(id(value))
        return dotted

    def visit_Assign(self, node):
        dotted = self._alias_value(node, node.value, node.targets)
        for target in node.targets:
            if dotted and isinstance(target, ast.Name):
                self._alias(target.id, dotted)
            self._record(target, node.value)
            self._target(target)
        yield node.value
        yield from node.targets

    def visit_AnnAssign(self, node):
        if node.value is not None:
            dotted = self._alias_value(node, node.value, [node.target])
            if dotted and isinstance(node.target, ast.Name):
                self._alias(node.target.id, dotted)
            self._record(node.target, node.value)
        self._target(node.target)
        yield from self._annotation(node.annotation)
        if node.value is not None:
            yield node.value
        yield node.target

    def visit_AugAssign(self, node):
        self._target(node.target)
        yield from self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._target(target)
        yield from self.generic_visit(node)

    def _target(self, target):
        """An attribute assigned or deleted: a change to a library when it resolves to one."""
        if not self.checking:
            return
        for node in ast.walk(target):
            if isinstance(node, ast.Attribute) and (node is target or isinstance(target, (ast.Tuple, ast.List))):
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

    def _check_dotted(self, node, dotted, load: bool = False, shown: str = None) -> bool:
        """Report a library's dotted path that is forbidden: by its name or the real names of the modules along
        it (torch.functional.F is torch.nn.functional; torch.storage.io is io), by the name of a part, or,
        when it is loaded, for a lookup that fails on a module (its AttributeError would hold the module)."""
        shown = shown or dotted
        if dotted.count(".") >= MAX_PARTS:
            self.add(node, shown[:80] + " …", f"a library's path of more than {MAX_PARTS} names, which the scan "
                                              "does not follow")
            return True
        for name in [dotted, *_modules_along(dotted, self.allowed)]:
            why = self.rules.forbidden(name)
            if why is None and name != dotted and name.split(".")[0] not in self.allowed:
                why = OUTSIDE
            if why:
                self.add(node, shown if name == dotted else f"{shown} (that is {name})", why)
                return True
        for part in dotted.split(".")[1:]:
            why = self._part_rule(part)
            if why:
                self.add(node, shown, why)
                return True
        if load:
            _, lacking = _lookup(dotted, self.allowed)
            if lacking:
                self.add(node, shown, f"{lacking} has no attribute {dotted.rsplit('.', 1)[1]}: the error of such a "
                                       "lookup holds the module itself, which the scan cannot follow")
                return True
        return False

    def _part_rule(self, attr: str):
        """Why a part of a library's dotted path may not be used, or None."""
        if _dunder(attr):
            return None if attr in self.rules.allowed_dunders else \
                "double-underscore attributes reach into Python's internals"
        if attr in self.anywhere:
            return self.anywhere[attr]
        if attr.startswith("_"):
            return PRIVATE
        return None

    def _object_rule(self, attr: str, obj):
        """Why `obj.attr` may not be used when obj is not a library's name, or None. Frames and code objects
        count on any object; a private name on any but the student's own; and while a module is used as a
        value somewhere in the file, the names that reach forbidden modules on any but the student's own."""
        if _dunder(attr):
            return None if attr in self.rules.allowed_dunders else \
                "double-underscore attributes reach into Python's internals"
        if attr in ESCAPES:
            return ESCAPES[attr]
        if attr.startswith("_"):
            return None if self._own(obj) else PRIVATE
        if self.escapes:
            if self._reaching is None:
                self._reaching = self.rules.reaching()
            why = self._reaching.get(attr)
            if why and not self._own(obj):
                line, what = self.escapes[0]
                return f"{why}; {what} is used as a value on line {line}, so this object could be it"
        return None

    def visit_Attribute(self, node):
        self.deref.add(id(node.value))
        if not self.checking and not isinstance(node.ctx, ast.Load) and id(node) not in self.recorded:
            self.attr_values.setdefault(node.attr, []).append(None)  # a loop target, an augmented assignment, del
        dotted = self._resolve(node)
        if dotted is not None:
            loaded = isinstance(node.ctx, ast.Load)
            if self._check_dotted(node, dotted, load=loaded):
                return  # reported once, for the longest name
            if loaded:
                self._used(node, dotted)
        elif self.checking:
            why = self._object_rule(node.attr, node.value)
            if why:
                self.add(node, "." + node.attr, why)
        yield from self.generic_visit(node)

    def visit_Call(self, node):
        """getattr(obj, "name") with a name written out is judged as obj.name; only a computed name reaches
        anything, and is reported as the built-in itself. setattr and delattr on a library change it."""
        func = node.func
        if not (isinstance(func, ast.Name) and func.id in ("getattr", "hasattr", "delattr", "setattr")
                and len(node.args) >= 2 and self._binding(func.id) is None):
            yield from self.generic_visit(node)
            return
        obj, name = node.args[0], node.args[1]
        named = isinstance(name, ast.Constant) and isinstance(name.value, str)
        dotted = self._resolve(obj) if isinstance(obj, (ast.Name, ast.Attribute)) else None
        if dotted is not None:
            self.deref.add(id(obj))
        if func.id == "setattr" and not self.checking:  # what the attribute may hold from now on: anything
            if named:
                self.attr_values.setdefault(name.value, []).append(None)
            else:
                self.any_setattr = True
        if func.id in ("setattr", "delattr") and dotted is not None:
            self.add(node, f"{func.id}({dotted}, ...)", "changing a library (monkey-patching)")
        elif named and func.id != "setattr":
            raises = func.id == "getattr" and len(node.args) == 2 and not node.keywords  # no default
            if dotted is not None:
                self._check_dotted(node, f"{dotted}.{name.value}", load=raises,
                                   shown=f"{func.id}({dotted}, {name.value!r})")
            elif self.checking:
                why = self._object_rule(name.value, obj)
                if why:
                    self.add(node, f"{func.id}(..., {name.value!r})", why)
        if named and func.id != "setattr":  # judged as an attribute: the built-in itself is not reported
            yield from node.args
            yield from node.keywords
        else:
            yield from self.generic_visit(node)

    def visit_Name(self, node):
        self.uses.setdefault(self.owner, set()).add(node.id)
        loaded = isinstance(node.ctx, ast.Load)
        if not self.checking and not loaded and id(node) not in self.recorded:
            table = self._binding(node.id) or self.stack[-1]
            self.values.setdefault((id(table), node.id), []).append(None)  # a loop target, a walrus, del, ...
        bound = self._binding(node.id)
        if bound is None and node.id not in self.star_names():
            if node.id in self.rules.forbidden_builtins:
                self.add(node, node.id, "reaches outside your file")
            elif node.id.startswith("__") and node.id not in self.rules.allowed_dunders:
                self.add(node, node.id, "double-underscore names reach into Python's internals")
            return
        dotted = self._resolve(node)
        if dotted is not None and loaded:
            if not self._check_dotted(node, dotted, load=True):
                self._used(node, dotted)

    def star_names(self) -> set:
        if self._star_names is None:
            self._star_names = set()
            for module in self.star:
                if module.split(".")[0] in self.allowed:
                    self._star_names.update(n for n in dir(importlib.import_module(module)) if not n.startswith("_"))
        return self._star_names

    def _annotation(self, annotation):
        """Visit an annotation; its text (a string annotation) is parsed and visited like code."""
        pending = [annotation]
        while pending:
            expr = pending.pop()
            yield expr
            for node in ast.walk(expr):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    try:
                        inner = _tree(node.value.strip(), "eval").body
                    except Exception:  # noqa: BLE001  not code, or too deep for Python: typing could not evaluate it
                        continue
                    for part in ast.walk(inner):
                        part.lineno = node.lineno
                    self.keep.append(inner)
                    pending.append(inner)

    def visit_If(self, node):
        if len(self.stack) == 1 and not self.owner and self.main_guard_dead and _is_main_guard(node):
            yield from node.orelse
            return
        yield from self.generic_visit(node)

    # ------------------------------------------------ the passes
    def run(self):
        for _ in range(3):  # aliases of aliases (`t = torch; u = t`) settle within a few passes
            before = (dict(self.aliases), list(self.star))
            self._new_pass()
            self.stack = [self.module_table]
            self.visit(self.tree)
            for queue in self.children.values():
                queue.clear()
            self.children, self.scope_of = {}, {}
            if (self.aliases, self.star) == before:  # this pass found nothing new: what it collected stands
                break
        self.checking = True
        self.deref, self.unresolved = set(), set()
        self.stack = [self.module_table]
        self.visit(self.tree)


def scan(source: str, classes: list, rules: Rules) -> dict:
    """Violations per class of `classes` (every one listed, empty when clean). `source` must compile.
    Raises ScanError (its text for the student) for a file the scan cannot read."""
    return in_fresh_thread(_scan, source, classes, rules)


def _tree(text: str, mode: str):
    """ast.parse itself, by the name no one replaces: the scan runs in a thread of its own while its caller may
    hold a lock that a wrapped ast.parse waits for (autograder/parsing.py serialises parses, and the caller's
    lock already keeps every other parse out while the scan runs)."""
    return compile(text, "<student file>", mode, ast.PyCF_ONLY_AST, dont_inherit=True)


def _parse(source: str) -> tuple:
    """The file's tree and symbol table. Python's parser and symbol table allow a tree as deep as the recursion
    limit left to their caller: if the file is deeper than that here (it compiled where the grader checked it,
    a few frames up or down), once more with the limit raised by DEEPER frames."""
    try:
        return _tree(source, "exec"), symtable.symtable(source, "<student file>", "exec")
    except RecursionError:
        with _LIMIT_LOCK:
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(limit + DEEPER)
            try:
                return _tree(source, "exec"), symtable.symtable(source, "<student file>", "exec")
            finally:
                sys.setrecursionlimit(limit)


def _scan(source: str, classes: list, rules: Rules) -> dict:
    try:
        tree, table = _parse(source)
        scanner = _Scanner(tree, table, rules)
        scanner.run()
    except SystemError:  # CPython 3.11's shared parse counter (autograder/parsing.py tries again)
        raise
    except Exception as exc:  # noqa: BLE001  whatever the file holds, the caller gets a message
        raise ScanError(unreadable(exc)) from exc
    helpers = set(scanner.found) | set(scanner.uses)

    def reach(owner, seen):
        """The owner's violations plus those of the top-level helpers it uses (transitively)."""
        out, todo = [], [owner]
        while todo:
            name = todo.pop()
            out += scanner.found.get(name, [])
            for used in scanner.uses.get(name, ()):
                if used in helpers and used not in seen:
                    seen.add(used)
                    todo.append(used)
        return out

    module_level = reach("", {"", *classes})  # module-level code binds or runs helpers, not the classes
    result = {}
    for cls in classes:
        found = module_level + reach(cls, {cls, ""})
        result[cls] = sorted(set(found), key=lambda v: (v.line, v.what))
    return result


def unreadable(exc: BaseException) -> str:
    """Why Python could not compile or parse a text, in words for the student."""
    if isinstance(exc, (RecursionError, MemoryError)):
        detail = f": {exc}" if str(exc) else ""
        return (f"it is nested too deeply for Python ({type(exc).__name__}{detail}), e.g. an expression with "
                "thousands of nested operators or brackets; split it into smaller ones")
    if isinstance(exc, SyntaxError):
        return f"a syntax error on line {exc.lineno}: {exc.msg}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


_THREAD_LOCK = threading.Lock()
_LIMIT_LOCK = threading.Lock()
DEEPER = 100  # frames added to the recursion limit for a file at the edge of it (3 levels of the tree each)


def in_fresh_thread(fn, *args):
    """fn(*args) in a new thread with a large stack, its exception re-raised here. Python's parser and symbol
    table allow a tree as deep as the recursion limit left to the caller, and a new thread starts at depth 0:
    what compiles there compiles wherever the grader runs (a command, a batch, a test), and the scan, which
    tries once more with a higher limit, reads every file that compiled. Without a thread to be had, here."""
    result = {}

    def target():
        try:
            result["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001  handed to the caller
            result["error"] = exc

    with _THREAD_LOCK:  # the stack size is a setting of the process, for the threads started next
        try:
            old = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError):
            old = None
        try:
            thread = threading.Thread(target=target, name="policy-scan", daemon=True)
            thread.start()
        except RuntimeError:
            thread = None
        finally:
            if old is not None:
                threading.stack_size(old)
    if thread is None:
        return fn(*args)
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
