"""The sandbox side of grading: run student code on inputs the grader chose, save raw results.

This file runs as an unprivileged user and imports nothing of the kit but recorder.py:
the grader copies both next to the student package and the job inputs. Every student
call runs inside recorder.Recorder, which records the operators it makes PyTorch run;
grad mode and forward AD are off in every job. It starts once as a
"zygote" that imports torch, then forks one short-lived process per job, so a
crash, an endless loop or a huge allocation costs only that job.

    python -I -S child.py WORKDIR SITE_PACKAGES

Protocol: one JSON job per line on stdin; one JSON status per line on stdout.
A job's inputs are WORKDIR/in/<id>.npz; its results go to WORKDIR/out/<id>.npz
(arrays) and WORKDIR/out/<id>.json (everything else), and WORKDIR/out/<id>.seen gets the
recorder's sightings one JSON line each as they happen. Data only: no pickle.
"""

import json
import os
import resource
import signal
import sys
import time
import types

WORKDIR = SITE = None
REPLIES = None  # the zygote's answer pipe; closed in every job process
MAX_ELEMENTS = 1 << 20  # larger outputs are reported as too big, not saved
OUTPUT_CHARS = 1 << 19  # what a job's stdout and stderr each keep (the grader reads at most 1 MiB of the log)
TENSORS_SHOWN = 200  # tensors a job prints in full; later ones print as a one-line summary


def describe_error(exc) -> dict:
    """Type, message and the innermost line of student code where it happened."""
    import traceback

    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if "/scratchnn/" in frame.filename.replace(os.sep, "/"):
            where = {"file": os.path.basename(frame.filename), "line": frame.lineno,
                     "function": frame.name, "code": (frame.line or "")[:200]}
    return {"type": type(exc).__name__, "message": str(exc)[:300], "where": where}


def record(arrays, info, key, value):
    """Save a returned value as a plain array, with a note of its type, dtype and autograd state."""
    import torch

    if type(value) is not torch.Tensor:  # subclasses could fake comparisons
        info[key] = {"type": type(value).__name__}
        return
    info[key] = {"type": "Tensor", "dtype": str(value.dtype).replace("torch.", ""),
                 "device": str(value.device), "shape": list(value.shape),
                 "autograd": bool(value.requires_grad or value.grad_fn is not None)}
    if value.numel() > MAX_ELEMENTS:
        info[key]["too_big"] = True
        return
    v = value.detach().cpu()
    if v.dtype not in (torch.float32, torch.float64, torch.int64):
        v = v.to(torch.float64)
    arrays[key] = v.contiguous().numpy().copy()


class Watch:
    """The recorder and the library snapshot of one job: `with watch.calls():` around each student call."""

    def __init__(self, job):
        import recorder

        rules = job.get("policy")  # None: record nothing (only `make bench` does that, to measure the cost)
        seen = rules and os.open(os.path.join(WORKDIR, "out", job["id"] + ".seen"),
                                 os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.recorder = rules and recorder.Recorder(
            recorder.OperatorRules.of(rules), rules.get("student_files", []), log_fd=seen)
        if self.recorder:
            recorder.wrap_functions(self.recorder.rules.functions)
        self.patches = recorder.Patches()
        if self.recorder:
            recorder.watch(self.recorder)
        recorder.autograd_off()

    def calls(self, blame=None):
        """`with watch.calls():` around student calls; `blame`: (file, line, code) to charge what runs with no
        frame of a student file on the stack (the kit's runners leave it None: their own code runs there too)."""
        import contextlib

        return _Calls(self, blame) if self.recorder else contextlib.nullcontext()

    def sightings(self) -> list:
        if not self.recorder:
            return []
        try:
            self.patches.report_to(self.recorder)
        except Exception as exc:  # something student code put into a library breaks the check itself
            self.recorder.report(f"a library was changed so that the grader could not check it "
                                 f"({type(exc).__name__})", "changing a library (monkey-patching)",
                                 "leave torch and Python's built-ins as they are")
        return [s.as_dict() for s in self.recorder.sightings]


class _Calls:
    def __init__(self, watch, blame):
        self.watch, self.blame = watch, blame

    def __enter__(self):
        self.watch.recorder.blame = self.blame
        self.watch.recorder.__enter__()

    def __exit__(self, *exc):
        self.watch.recorder.check_intact(inside=True)
        self.watch.recorder.leave(*exc)
        self.watch.recorder.blame = None
        return False


def run_ops(job, inputs, watch):
    """Each run: build the class, set parameters, make the calls; record returns, stored grads, inputs after."""
    import importlib

    import torch

    torch.manual_seed(job.get("seed", 0))
    with watch.calls():
        module = importlib.import_module("scratchnn." + job["module"])
    arrays, runs = {}, []
    # Every call below is of the student's class alone: what runs with no frame of a student file (a
    # method that is a torch built-in) is the class's own doing.
    blame = (job["module"] + ".py", 0, f"a method of {job['cls']} that is not written in Python")
    for r, run in enumerate(job["runs"]):
        info = {"error": None}
        try:
            with watch.calls(blame):
                cls = getattr(module, job["cls"], None)  # a module's __getattr__ is student code
            if cls is None:
                raise LookupError(f"{job['module']}.py has no class {job['cls']}")
            with watch.calls(blame):  # setting and reading the student's attributes are calls too (a property)
                obj = cls(**run.get("kwargs", {}))
                for attr, key in run.get("params", {}).items():
                    setattr(obj, attr, inputs[key].clone())
            given = []  # every tensor handed to the object in this run: (call, arg index, tensor, input name)
            info["changed"] = []  # [call that changed it, call it was given to, arg index]
            for c, (method, args) in enumerate(run["calls"]):
                tensors = [inputs[a].clone() for a in args]
                given += [(c, i, t, a) for i, (t, a) in enumerate(zip(tensors, args, strict=True))]
                with watch.calls(blame):
                    value = getattr(obj, method)(*tensors)
                for c0, i, t, a in given:  # the caller's tensors, after every call (a cached x changed later too)
                    if [c0, i] not in [ch[1:] for ch in info["changed"]] and not _same(t, inputs[a]):
                        info["changed"].append([c, c0, i])
                if c in run.get("record", [c]):
                    record(arrays, info, f"r{r}c{c}", value)
                    with watch.calls(blame):
                        attrs = [(attr, getattr(obj, attr, None)) for attr in run.get("attrs", [])]
                    for attr, held in attrs:
                        record(arrays, info, f"r{r}c{c}{attr}", held)
            if run.get("inputs_after"):  # every tensor given, as it is at the end of the run
                for c0, i, t, _ in given:
                    record(arrays, info, f"r{r}c{c0}in{i}", t)
        except Exception as exc:  # the student's error, reported per run
            info["error"] = describe_error(exc)
        runs.append(info)
    return arrays, {"runs": runs}


def _same(t, original) -> bool:
    import torch

    return type(t) is torch.Tensor and t.dtype == original.dtype and t.shape == original.shape and \
        bool(torch.equal(t, original))


def run_import(job, inputs, watch):
    """Only import the module: a first, cheap look at whether the file loads at all."""
    import importlib

    with watch.calls():
        importlib.import_module("scratchnn." + job["module"])
    return {}, {}


def run_kit(job, inputs, watch):
    """A job of the assignment's own (job["runner"], a module of its kit_files): its run(job, inputs, calls)
    wraps every student call in `with calls():` and returns the tensors to record."""
    import importlib

    runner = watch.runner or importlib.import_module(job["runner"])
    arrays, info = {}, {}
    for key, value in runner.run(job, inputs, watch.calls).items():
        record(arrays, info, key, value)
    return arrays, {"values": info}


class CappedStream:
    """A text stream that passes on the first `limit` characters written to it and drops the rest,
    so that printing in a loop can neither fill the disk nor reach the file-size limit."""

    def __init__(self, stream, limit: int):
        self._stream, self._left = stream, limit

    def write(self, text) -> int:
        if self._left > 0:
            part = str(text)[: self._left]
            self._left -= len(part)
            self._stream.write(part)
            if self._left <= 0:
                self._stream.write("\n[the rest of this job's output was not kept]\n")
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def cap_printing(limit: int) -> None:
    """Past `limit` tensors turned into text in this job, show each as a one-line summary.

    Formatting a tensor runs many of PyTorch's own operators. Correct code with its
    debug prints left in (a print in every forward and backward) would spend most of a training
    check formatting tensors nobody reads, and time out at Gradescope's half a CPU. Summaries keep
    such a job as fast as without its prints; the values computed are not touched."""
    import torch._tensor_str as tensor_str

    full, shown = tensor_str._str, [0]

    def _str(self, *, tensor_contents=None):
        shown[0] += 1
        if shown[0] <= limit:
            return full(self, tensor_contents=tensor_contents)
        dtype = str(self.dtype).replace("torch.", "")
        return f"tensor(<shape {list(self.shape)}, {dtype}: not printed, a check prints its first {limit} tensors>)"

    tensor_str._str = _str


_MISSING = object()
TAMPERED = 3  # a job's exit status when student code changed the grader's own code: nothing is written


class Guard:
    """What student code could change to make this job lie: the kit's modules (the recorder, the runner,
    this file) and the modules that write the results. Snapshotted before student code runs; the kit's
    modules are taken out of sys.modules, so that no name leads to them.

    Student code runs in this process, so a job's results are trusted only from a job that ended
    by this file's own exit, status 0, after writing them itself (outcome.failure_of_job): a job
    that wrote files of its own and then ended another way (a crash of the grader's checks, an
    exit) has its files ignored, and exits are reported (`watch_exits`)."""

    WRITERS = ("json", "json.encoder", "zipfile", "numpy.lib.format", "numpy.lib._npyio_impl", "os", "posix")

    def __init__(self, job):
        import importlib
        import json.encoder  # noqa: F401  (the writers, loaded now so that they are in the snapshot)
        import zipfile  # noqa: F401

        import numpy.lib.format  # noqa: F401

        self.runner = importlib.import_module(job["runner"]) if job.get("kind") == "kit" else None
        kit = os.path.join(WORKDIR, "kit") + os.sep
        modules = {name: m for name, m in list(sys.modules.items())
                   if (getattr(m, "__file__", None) or "").startswith(kit) or name == "__main__"}
        watched = {**modules, **{n: sys.modules[n] for n in self.WRITERS if n in sys.modules}}
        self.before = {name: (m, dict(vars(m))) for name, m in watched.items()}
        for name, m in modules.items():  # the kit's classes too (Recorder._add, Patches.changed, ...)
            for key, value in vars(m).items():
                if isinstance(value, type) and value.__module__ == m.__name__:
                    self.before[f"{name}.{key}"] = (value, dict(vars(value)))
        for name in modules:
            if name != "__main__":
                del sys.modules[name]
        self.student_files = set((job.get("policy") or {}).get("student_files", ()))

    def given_changed(self, _type=type, _vars=vars, _function=types.FunctionType) -> list:
        """Methods of the given files' classes (scratchnn.model's Linear, scratchnn.mlp's MLP, ...) that are no
        longer the given code: a function there must come from its own file. Imported during the job (they
        import the student's files), these modules have no snapshot; where the code came from tells."""
        out = []
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None) if _type(module) is types.ModuleType else None
            if not name.startswith("scratchnn.") or not file or os.path.basename(file) in self.student_files:
                continue
            for key, value in list(_vars(module).items()):
                if _type(value) is not type or value.__dict__.get("__module__") != name:
                    continue
                for attr, member in list(_vars(value).items()):
                    if _type(member) in (staticmethod, classmethod):
                        parts = [member.__func__]
                    elif _type(member) is property:
                        parts = [member.fget, member.fset, member.fdel]
                    else:
                        parts = [member]
                    for part in parts:
                        if _type(part) is not _function:
                            continue
                        origin = part.__code__.co_filename
                        # from a student file, or from elsewhere and not on this module's behalf (a dataclass's
                        # made-up methods come from "<string>" or dataclasses.py, with this module's name)
                        if os.path.basename(origin) in self.student_files or (
                                origin != file and part.__module__ != name):
                            out.append(f"{name}.{key}.{attr}")
        return out

    def changed(self, _vars=vars, _missing=_MISSING) -> list:
        """Dotted names rebound, added or removed since the snapshot. (Built-ins it uses are its defaults,
        bound when this file was loaded: a change to builtins cannot reach this check.)"""
        out = []
        for name, (owner, before) in self.before.items():
            now = _vars(owner)
            for key in before.keys() | now.keys():
                if now.get(key, _missing) is not before.get(key, _missing):
                    out.append(name + "." + key)
        return out


JOB = None  # in a job's process: (its pid, its Watch); None in the zygote


def watch_exits() -> None:
    """Every way to end a job's process before it reports (os._exit, the exec family, kill) reports a
    sighting and raises SystemExit instead, so the job goes on to write its results (this file ends it by
    `_end`). Installed once, in the zygote before any fork (finding every module's reference to these
    functions walks all of sys.modules: about 70 ms, too much to pay per job); the wrappers act only in the
    job's own process (JOB), and pass through in the zygote and in processes a job started."""
    import posix

    import recorder

    def stopper(name, original):
        def stop(*args, **kwargs):
            if JOB is None or os.getpid() != JOB[0]:
                return original(*args, **kwargs)
            watch = JOB[1]
            if watch.recorder:
                watch.recorder.report(f"{name} was called", "ending or replacing the grader's process",
                                      "return from the method instead")
            raise SystemExit(f"{name} is not available here")
        return stop

    for name in ("_exit", "abort", "execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp",
                 "execvpe", "kill", "killpg"):
        for module in (os, posix):
            original = getattr(module, name, None)
            if original is not None and not getattr(original, "_scratchnn_stop", False):
                stop = stopper(f"os.{name}", original)
                stop._scratchnn_stop = True
                recorder.replace_everywhere(original, stop)


def run_job(job):
    """Run one job in this (forked) process and write its results (nothing, and status TAMPERED, if the
    student's code changed the grader's own code)."""
    import numpy as np
    import torch

    with np.load(os.path.join(WORKDIR, "in", job["id"] + ".npz"), allow_pickle=False) as data:
        inputs = {k: torch.from_numpy(data[k].copy()) for k in data.files}
    global JOB
    watch = Watch(job)
    JOB = (os.getpid(), watch)
    guard = Guard(job)
    watch.runner = guard.runner
    meta = {"error": None}
    arrays = {}
    try:
        runner = {"kit": run_kit, "import": run_import}.get(job["kind"], run_ops)
        arrays, meta = runner(job, inputs, watch)
        meta["error"] = None
    except BaseException as exc:  # import errors, SystemExit at import, ...
        meta["error"] = describe_error(exc)
    if guard.changed() or guard.given_changed():
        _end(TAMPERED)
    meta["violations"] = watch.sightings()
    write_results(os.path.join(WORKDIR, "out", job["id"]), arrays, meta)


def write_results(out: str, arrays: dict, meta: dict, _unlink=os.unlink) -> None:
    """out.npz and out.json, in place of whatever student code may have written there."""
    import numpy as np

    for suffix in (".npz", ".json"):
        try:
            _unlink(out + suffix)
        except FileNotFoundError:
            pass
    np.savez(out + ".npz", **arrays)
    with open(out + ".json", "x") as f:
        json.dump(meta, f)


def _end(code: int, _exit=os._exit) -> None:
    """End this process now (the original os._exit, bound when this file was loaded: watch_exits replaces it)."""
    _exit(code)


def fork_job(job) -> dict:
    """Run a job in a fresh child process with time, memory and file-size limits; report how it ended."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the job's process
        code = 1
        try:
            os.setpgid(0, 0)
            REPLIES.close()
            data = _vm_data_bytes() + job["memory_mb"] * (1 << 20)
            resource.setrlimit(resource.RLIMIT_DATA, (data, data))
            cpu = int(job["timeout"]) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
            if job.get("max_processes"):  # only under a user of its own: the limit counts all its processes
                resource.setrlimit(resource.RLIMIT_NPROC, (job["max_processes"], job["max_processes"]))
            log = os.open(os.path.join(WORKDIR, "out", job["id"] + ".log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            sys.stdout = CappedStream(os.fdopen(1, "w", buffering=1), OUTPUT_CHARS)
            sys.stderr = CappedStream(os.fdopen(2, "w", buffering=1), OUTPUT_CHARS)
            cap_printing(TENSORS_SHOWN)
            run_job(job)
            code = 0
        except BaseException:
            code = 1
        finally:
            _end(code)
    deadline = start + job["timeout"]
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            timed_out = True
            _kill(pid)  # the job itself too: it may have left its process group
            done, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.002)
    _kill(pid)  # whatever the job left running in its group
    if job.get("sweep"):  # and anything it started elsewhere, so that nothing runs into the next job
        _kill(-1)
        _reap()
    return {"id": job["id"], "timeout": timed_out, "wall": round(time.monotonic() - start, 3),
            "cpu": round(usage.ru_utime + usage.ru_stime, 3), "maxrss_kb": usage.ru_maxrss,
            "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}


def _kill(pid: int) -> None:
    """SIGKILL to the process `pid` and its process group; pid -1: every process this one may signal but itself."""
    targets = [lambda: os.kill(-1, signal.SIGKILL)] if pid == -1 else [
        lambda: os.kill(pid, signal.SIGKILL), lambda: os.killpg(pid, signal.SIGKILL)]
    for target in targets:
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _reap() -> None:
    """Collect the orphans that were handed to this process (it is PID 1 of its namespace)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _vm_data_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    global WORKDIR, SITE, REPLIES
    WORKDIR, SITE = sys.argv[1], sys.argv[2:]
    sys.path[:0] = [os.path.join(WORKDIR, "pkg"), os.path.join(WORKDIR, "kit")] + SITE
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import json.encoder  # noqa: F401  (imported once here, shared by every forked job: the writers too)
    import zipfile  # noqa: F401

    import numpy  # noqa: F401
    import numpy.lib.format  # noqa: F401
    import recorder
    import torch

    recorder.warm_up()
    recorder.install_watchers()
    watch_exits()

    torch.set_num_threads(1)
    REPLIES = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # nothing printed here can corrupt the protocol
    REPLIES.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        REPLIES.write(json.dumps(fork_job(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
