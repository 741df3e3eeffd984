"""Record what student code makes PyTorch do, below every Python route to it, and name what is forbidden.

The course policy is judged from behaviour: while student code runs, a `TorchDispatchMode`
sees every ATen operator that executes, however it was reached (`torch.sigmoid`,
`x.sigmoid()`, `torch._C._nn.gelu`, `torch.ops.aten.*`, the autograd engine's backward
kernels). Written by hand because no tool does this: the profiler records much more, costs
more per operator, and cannot say which student line led to an operator.

A sighting is counted only while a frame of a student file is on the Python stack, so the
kit's own code (the public tests' expected values, the given MLP) never counts, and it names
the innermost student line. Besides forbidden operators it reports:
    the autograd engine      any operator run while a backward graph task executes
                             (Tensor.backward, torch.autograd.grad, the C++ engine, torch.func.grad)
    forward-mode autograd    the storage check every dual tensor goes through (torch.func.jvp too)
    a tensor that requires grad, as an operator's input (autograd tracking)
    library code             a frame of a forbidden library (torch.optim, torch.nn) between an
                             operator and the student's line: its kernels are all allowed
                             (an optimizer's step is adds and multiplies), its code is not
    forbidden functions      torch functions made only of allowed operators (torch.dropout is a
                             bernoulli_ and a mul), replaced where torch holds them by a wrapper
                             that reports its student caller (`wrap_functions`); the copy that
                             torch._C._VariableFunctions, an immutable type, holds is left to
                             the static scan, which forbids private names
    `check_intact()`         the recorder switched off, grad mode or forward AD switched on
    `Patches`                torch, torch.Tensor, builtins or numpy changed (monkey-patching)
Printing, repr and f-strings run only allowed operators (view, copy, compare), so they never count.

This file imports only torch and the standard library: the sandbox (child.py) and the
public tests (a copy ships as tests/recorder.py) use it as it is.
Cost: a dictionary look-up and two thread-state reads per operator (see `make bench`).
"""

import builtins
import os
import sys
from dataclasses import dataclass, field

import torch
from torch.utils._python_dispatch import TorchDispatchMode, _get_current_dispatch_mode

ENGINE = "the autograd engine"
FORWARD_AD = "forward-mode autograd"
TRACKED = "a tensor that requires grad"
AUTOGRAD_INSTEAD = "write the derivative yourself from the values cached in forward"
MAX_SIGHTINGS = 20


@dataclass(frozen=True)
class Sighting:
    """One forbidden thing student code did, and where."""

    what: str  # "aten.sigmoid", ENGINE, ...
    why: str  # what the course forbids it as
    instead: str  # what to write instead
    file: str = ""  # the student file, e.g. "activations.py"
    line: int = 0
    code: str = ""  # that line of the student's code

    def message(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        code = f", reached from `{self.code}`" if self.code else ""
        ran = " ran" if self.what.startswith("aten.") else ""
        return f"{where}{self.what}{ran} ({self.why}){code}. Instead: {self.instead}."

    def as_dict(self) -> dict:
        return {"what": self.what, "why": self.why, "instead": self.instead, "file": self.file,
                "line": self.line, "code": self.code}


@dataclass(frozen=True)
class OperatorRules:
    """Forbidden ATen operators by name ("sigmoid", "_softmax"), and by part of a name ("_backward").

    Each maps to (why, instead). Built from the assignment's config.
    """

    names: dict
    parts: dict
    engine: bool = True  # whether autograd (engine, forward AD, tracked tensors) is forbidden
    libraries: dict = field(default_factory=dict)  # "torch.optim" -> (why, instead): its code ran
    functions: dict = field(default_factory=dict)  # "torch.dropout" -> (why, instead): it was called

    @classmethod
    def of(cls, data: dict) -> "OperatorRules":
        """The rules from their JSON form (grade.operator_rules, the kit's tests/course_policy.json)."""
        return cls(data.get("ops", {}), data.get("parts", {}), libraries=data.get("libraries", {}),
                   functions=data.get("functions", {}))

    def verdict(self, name: str):
        """(why, instead) for a forbidden operator name, else None."""
        if name in self.names:
            return tuple(self.names[name])
        for part, rule in self.parts.items():
            if part in name:
                return tuple(rule)
        return None


def _student_frame(student_files: set):
    """The innermost frame of a student file on the stack, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        if _is_student(frame.f_code.co_filename, student_files):
            return frame
        frame = frame.f_back
    return None


def _is_student(path: str, student_files: set) -> bool:
    return os.path.basename(path) in student_files and os.path.basename(os.path.dirname(path)) == "scratchnn"


def _library_folders(libraries) -> tuple:
    """((folder or file of the module, its name), ...) for module names such as "torch.optim"."""
    import importlib.util

    out = []
    for name in libraries:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.origin:
            continue
        where = os.path.dirname(spec.origin) + os.sep if spec.submodule_search_locations else spec.origin
        out.append((where, name))
    return tuple(out)


def _line_of(frame) -> str:
    import linecache

    return linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()[:160]


def _tracked(args) -> bool:
    for a in args:
        if type(a) in (list, tuple):
            if any(isinstance(t, torch.Tensor) and t.requires_grad for t in a):
                return True
        elif isinstance(a, torch.Tensor) and a.requires_grad:
            return True
    return False


class Recorder(TorchDispatchMode):
    """Use as `with recorder:` around student calls; `recorder.sightings` lists what it saw (deduplicated).

    student_files: the basenames of the student's files ("linear.py", ...) inside a `scratchnn` folder.
    log_fd: if given, each new sighting is also written there at once, one JSON line, so that a job
    killed at its time limit still leaves what it was seen doing.
    """

    def __init__(self, rules: OperatorRules, student_files, log_fd: int = None):
        super().__init__()
        self.rules = rules
        self.student_files = set(student_files)
        self.log_fd = log_fd
        self.sightings = []
        self._seen = set()
        self._verdicts = {}  # operator overload -> (why, instead) or None
        self._folders = _library_folders(rules.libraries)
        self._code_kinds = {}  # code object -> STUDENT, a library's name, or None
        # (file, line, code) a sighting is charged to when no student frame is on the stack, during a
        # call of the student's object (its method may be a built-in: `forward = staticmethod(torch.sigmoid)`)
        self.blame = None

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        """No torch.compile here: keep __torch_dispatch__ unwrapped (the wrapper imports torch._dynamo, 75 MB)."""
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        try:
            verdict = self._verdicts[func]
        except KeyError:
            verdict = self._verdicts[func] = self.rules.verdict(func.__name__.split(".")[0])
        if verdict is not None:
            self._see("aten." + func.__name__.split(".")[0], *verdict)
        if self._folders:
            self._see_library(sys._getframe(1))
        if self.rules.engine:
            if torch._C._current_graph_task_id() != -1:
                self._see(ENGINE, "autograd", AUTOGRAD_INSTEAD)
            elif func.__name__.startswith("_has_same_storage_numel"):  # only dual tensors need this check
                self._see(FORWARD_AD, "autograd", AUTOGRAD_INSTEAD)
            elif _tracked(args):
                self._see(TRACKED, "autograd (requires_grad)", AUTOGRAD_INSTEAD)
        return func(*args, **(kwargs or {}))

    def _see_library(self, frame) -> None:
        """Report a forbidden library's frame between this operator and the innermost student frame.
        Cost: one dictionary look-up per frame up to the student's (each code object is classified once)."""
        library = None
        while frame is not None:
            code = frame.f_code
            try:
                kind = self._code_kinds[code]
            except KeyError:
                kind = self._code_kinds[code] = self._kind_of(code.co_filename)
            if kind is _STUDENT:
                if library:
                    self._see(f"code of {library}", *self.rules.libraries[library], frame=frame)
                return
            library = library or kind
            frame = frame.f_back

    def _kind_of(self, path: str):
        if _is_student(path, self.student_files):
            return _STUDENT
        return next((name for where, name in self._folders if path.startswith(where)), None)

    def _see(self, what: str, why: str, instead: str, frame=None) -> None:
        frame = frame or _student_frame(self.student_files)
        if frame is not None:
            file, line, code = os.path.basename(frame.f_code.co_filename), frame.f_lineno, None
        elif self.blame is not None:
            file, line, code = self.blame
        else:
            return  # the kit's own code
        key = (what, file, line)
        if key in self._seen or len(self.sightings) >= MAX_SIGHTINGS:
            return
        self._seen.add(key)
        self._add(Sighting(what, why, instead, file, line, _line_of(frame) if code is None else code))

    def report(self, what: str, why: str, instead: str, file: str = "", line: int = 0, code: str = "") -> None:
        """A sighting found by a check outside the dispatcher (check_intact, Patches)."""
        key = (what, file, line)
        if key not in self._seen and len(self.sightings) < MAX_SIGHTINGS:
            self._seen.add(key)
            self._add(Sighting(what, why, instead, file, line, code))

    def _add(self, sighting: Sighting) -> None:
        self.sightings.append(sighting)
        if self.log_fd is not None:
            import json

            try:
                os.write(self.log_fd, (json.dumps(sighting.as_dict()) + "\n").encode())
            except OSError:  # the student's code closed it: the job's meta still lists the sighting
                self.log_fd = None

    def leave(self, *exc) -> None:
        """Exit the mode if it is still the active one (student code may have removed it: check_intact says so)."""
        if _get_current_dispatch_mode() is self:
            self.__exit__(*exc)

    def check_intact(self, inside: bool) -> bool:
        """After a student call: is this recorder still the active mode (when `inside` it), and are
        grad mode and forward AD still off? Reports and returns False otherwise."""
        ok = True
        if inside and _get_current_dispatch_mode() is not self:
            self.report("the operator recorder was switched off", "a way around the course policy",
                        "leave PyTorch's dispatcher alone")
            ok = False
        if self.rules.engine and (torch.is_grad_enabled() or torch._C._is_fwd_grad_enabled()):
            self.report("autograd was switched on", "autograd", AUTOGRAD_INSTEAD)
            torch.set_grad_enabled(False)
            torch._C._set_fwd_grad_enabled(False)
            ok = False
        return ok


def warm_up() -> None:
    """Run one operator under a recorder, so that whatever PyTorch imports on first use of a dispatch
    mode is imported before any snapshot of the libraries is taken (and once, in the zygote)."""
    with Recorder(OperatorRules({}, {}), ()):
        torch.ones(1) + 1


def autograd_off() -> None:
    """Grad mode and forward AD off for the rest of this process (the sandbox's jobs)."""
    torch.set_grad_enabled(False)
    torch._C._set_fwd_grad_enabled(False)


class Patches:
    """What torch, torch.Tensor, builtins and numpy hold now, to tell later whether student code changed them."""

    def __init__(self):
        import numpy

        self.owners = {"torch": torch, "torch.Tensor": torch.Tensor, "torch._C.TensorBase": torch._C.TensorBase,
                       "builtins": builtins, "numpy": numpy}
        self.before = {name: dict(vars(owner)) for name, owner in self.owners.items()}

    def changed(self) -> list:
        """Dotted names that were removed, rebound or added since the snapshot (an added __eq__ on
        torch.Tensor hides TensorBase's). PyTorch's own changes are left alone: a submodule added to
        torch as it is first imported, and a function rebound to a torch wrapper of itself
        (torch._dynamo wraps torch.manual_seed on import)."""
        out = []
        for name, owner in self.owners.items():
            now, before = vars(owner), self.before[name]
            for key in sorted(set(now) | set(before)):
                old, new = before.get(key, _MISSING), now.get(key, _MISSING)
                if old is not new and not _torchs_own(f"{name}.{key}", old, new):
                    out.append(f"{name}.{key}")
        return out

    def report_to(self, recorder: Recorder) -> bool:
        """Report every change as a sighting; True when nothing changed."""
        changed = self.changed()
        for name in changed[:5]:
            recorder.report(f"{name} was changed", "changing a library (monkey-patching)",
                            "leave torch and Python's built-ins as they are")
        return not changed


def _torchs_own(dotted: str, old, new) -> bool:
    """A submodule torch added as it was imported (the module of that name), or a function rebound to
    torch's own wrapper of it. Judged from types and plain dictionaries only: no attribute of `new`
    is read through its class, where student code could run (a property that raises)."""
    import types

    if old is _MISSING and issubclass(type(new), types.ModuleType):
        return sys.modules.get(dotted) is new
    if type(new) is not types.FunctionType:
        return False
    wrapped = new.__dict__.get("__wrapped__", _MISSING)
    return wrapped is old and os.path.dirname(torch.__file__) in os.path.abspath(new.__code__.co_filename)


# PyTorch's entry points that take a mode off the dispatcher or route around it (the Python helpers
# such as torch.utils._python_dispatch._disable_current_modes all end in one of these).
SWITCHES = ("_pop_torch_dispatch_stack", "_push_on_torch_dispatch_stack", "_set_dispatch_mode", "_unset_dispatch_mode",
            "_DisableTorchDispatch", "_ExcludeDispatchKeyGuard", "ExcludeDispatchKeyGuard", "_ForceDispatchKeyGuard",
            "_IncludeDispatchKeyGuard", "_SetExcludeDispatchKeyGuard", "_DisablePythonDispatcher")
PRINTING = (os.path.join("torch", "_tensor_str.py"), os.path.join("torch", "_tensor.py"))
ACTIVE = []  # the recorder of the running job (set by `watch`), for the watchers installed once per process


def watch(recorder: Recorder) -> None:
    """Make `recorder` the one the watchers of install_watchers() report to."""
    ACTIVE[:] = [recorder]


def install_watchers() -> None:
    """Once per process, before student code is imported: report every switch of the dispatcher
    (even one undone before the call returns, which check_intact cannot see) and every thread or
    process student code starts (neither runs inside the recorder). Each entry point is replaced
    wherever a loaded module holds it (torch.utils._python_dispatch and threading import theirs)."""
    import _thread

    for name in SWITCHES:
        if hasattr(torch._C, name):
            replace_everywhere(getattr(torch._C, name), _watched(getattr(torch._C, name), _report_switch))
    for name in ("start_new_thread", "start_joinable_thread"):
        if hasattr(_thread, name):
            start = getattr(_thread, name)
            replace_everywhere(start, _watched(start, lambda: _report_spawn("a thread")))
    os.register_at_fork(before=lambda: _report_spawn("a new process"))


def replace_everywhere(original, wrapper) -> None:
    for module in list(sys.modules.values()):
        try:
            names = [k for k, v in vars(module).items() if v is original]
        except TypeError:
            continue
        for k in names:
            setattr(module, k, wrapper)


def _watched(original, report):
    """original, calling report() first (_report_switch looks two frames up: keep it called from here)."""
    def watched(*args, **kwargs):
        report()
        return original(*args, **kwargs)

    return watched


def wrap_functions(functions: dict) -> None:
    """Replace each torch function named in `functions` ("torch.dropout" -> (why, instead)) where torch
    holds it (its module, and torch._VF, PyTorch's alias of the same functions) by a wrapper that
    reports a student caller. Call it in the job's process, before the library snapshot (Patches)."""
    for dotted, (why, instead) in functions.items():
        owner, name = owner_of(dotted)
        original = getattr(owner, name, None)
        if original is None:
            continue
        wrapper = _watched(original, lambda what=dotted, why=why, instead=instead: _report_call(what, why, instead))
        for module in (owner, sys.modules.get("torch._VF")):
            if module is not None and getattr(module, name, None) is original:
                setattr(module, name, wrapper)


def owner_of(dotted: str) -> tuple:
    """(the object holding it, the attribute's name) for "torch.dropout" or "torch._C._nn.l1_loss"
    (torch._C._nn is an attribute of torch._C, not an importable module); (None, name) if missing."""
    path, name = dotted.rsplit(".", 1)
    owner = sys.modules.get(path.split(".")[0])
    for part in path.split(".")[1:]:
        owner = getattr(owner, part, None)
    return owner, name


def _report_call(what: str, why: str, instead: str) -> None:
    recorder, frame = _active_caller()
    if frame is not None:
        recorder._see(what, why, instead, frame=frame)


def _active_caller():
    """(the running job's recorder, the innermost student frame), or (None, None) outside student code."""
    recorder = ACTIVE[0] if ACTIVE else None
    frame = _student_frame(recorder.student_files) if recorder else None
    return (recorder, frame) if frame is not None else (None, None)


def _report_switch() -> None:
    recorder, frame = _active_caller()
    if frame is not None and not _printing(sys._getframe(2), frame):
        recorder._see("the operator recorder was switched off", "a way around the course policy",
                      "leave PyTorch's dispatcher alone", frame=frame)


def _report_spawn(what: str) -> None:
    recorder, frame = _active_caller()
    if frame is not None:
        recorder._see(f"{what} was started", "code that runs outside the operator recorder",
                      "compute in the method itself", frame=frame)


def _printing(frame, student) -> bool:
    """Whether PyTorch's tensor formatting stands between the student's frame and this call
    (printing a tensor takes the modes off the dispatcher inside PyTorch's own code: never counts)."""
    while frame is not None and frame is not student:
        if frame.f_code.co_filename.endswith(PRINTING):
            return True
        frame = frame.f_back
    return False


_MISSING = object()
_STUDENT = object()
