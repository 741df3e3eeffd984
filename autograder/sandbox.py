"""The grader's side of the sandbox: start the child, send it jobs, read its results as data.

Student code never runs in the grader's process. It runs in `child.py`, started
once per grading (it imports torch once) and forking one process per job. When
the grader is root, the child runs as an unprivileged user, in its own mount and
network namespace where the kit's folders are hidden when the system allows it.
The grader enforces every time limit itself, and reads results only as plain
arrays (`numpy.load(allow_pickle=False)`) and size-limited JSON.
"""

import functools
import io
import json
import os
import pwd
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from . import limits
from .parsing import parsed
from .submission import read_regular

HERE = Path(__file__).resolve().parent
KIT_ROOT = HERE.parent
STOP_SECONDS = 2.0  # for the child to leave by itself before it is killed
MAX_JSON_BYTES = 1 << 20
MAX_JSON_DEPTH = 16  # a job's meta nests 5 deep (runs, a run, a value's info, its shape)
MAX_SIGHTINGS_READ = 64  # the recorder keeps at most 20 per job (recorder.MAX_SIGHTINGS)
MAX_NPZ_BYTES = 64 << 20  # on disk, and decoded in all (the child may write no larger file)
MAX_NPZ_MEMBERS = 1024  # the most arrays one job records is 48
MAX_ZIP_DIRECTORY_BYTES = MAX_NPZ_MEMBERS * 512  # zipfile's parse of the directory grows with its size
MAX_ARRAY_ELEMENTS = 1 << 20  # the child saves no larger array (child.MAX_ELEMENTS)
MAX_NDIM = 8
MAX_MEMBER_BYTES = 8 * MAX_ARRAY_ELEMENTS + (1 << 16)  # the largest array of 8-byte numbers and its header
MAX_READ_SECONDS = 2.0  # for one .npz, whatever it holds
READ_CHUNK = 1 << 20
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # np.savez stores; bzip2 and lzma decode slowly
NUMERIC = {np.dtype("float32"), np.dtype("float64"), np.dtype("int64")}


class SandboxError(RuntimeError):
    """The child could not be started or stopped answering."""


def sandbox_user():
    """(uid, gid, name) of the user student code runs as, or None when the grader is not root."""
    if os.geteuid() != 0:
        return None
    for name in (limits.SANDBOX_USER, limits.SANDBOX_USER_FALLBACK):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid, name
        except KeyError:
            continue
    raise SandboxError(f"no unprivileged user: create `{limits.SANDBOX_USER}` (see setup.sh)")


def _hidden_dirs(needed: list[str]) -> list[str]:
    """Folders of the kit to hide from the child: all of KIT_ROOT's, except those holding `needed` paths."""
    keep = {parent for path in needed for p in (Path(path).absolute(), Path(path).resolve()) for parent in p.parents}
    return [str(e) for e in sorted(KIT_ROOT.iterdir()) if e.is_dir() and not e.is_symlink() and e.resolve() not in keep]


def _sandboxes_folder(user):
    """Where working folders go: for a sandbox user, a root-owned folder others may enter but not list,
    so that sandboxes graded side by side cannot find each other's (randomly named) folders."""
    if user is None:
        return None
    folder = Path(tempfile.gettempdir()) / "scratchnn-sandboxes"
    folder.mkdir(mode=0o711, exist_ok=True)
    st = folder.lstat()
    if folder.is_symlink() or st.st_uid != 0:
        raise SandboxError(f"{folder} must be a folder owned by root")
    os.chmod(folder, 0o711)
    return folder


@functools.cache
def _interpreter(user) -> str:
    """A Python of this version the sandbox user can run: ours, or the system's when ours is out of its reach.

    (A venv whose base Python sits in root's home, as with pyenv, cannot be run by another
    user; the system's Python of the same version can use the venv's packages just as well.)
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}", shutil.which(version)]
    if user is None:
        return sys.executable
    for python in candidates:
        if python and os.path.exists(python):
            try:
                probe = subprocess.run([python, "-I", "-S", "-c", "import json"], capture_output=True,
                                       timeout=30, user=user[0], group=user[1], extra_groups=[], cwd="/")
            except OSError:
                continue
            if probe.returncode == 0:
                return python
    raise SandboxError(f"no {version} that user {user[2]} can run (is the Python install readable by others?)")


# Private mount, network and process namespaces: the kit's folders can be hidden, there is no
# network, /proc shows only the sandbox's processes, and all of them die with it.
UNSHARE = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
           "--propagation", "private"]


# bubblewrap (Flatpak's sandbox): the child sees only what is listed here, all read-only but its
# output folder; private /tmp, /var/tmp and /dev/shm of bounded size; no network; its own PID namespace.
BOX = "/box"  # where the working folder appears inside
TMPFS_BYTES = {"/tmp": 32 << 20, "/var/tmp": 8 << 20, "/dev/shm": 8 << 20}


def _bwrap_args(python: str, site: list[str], folder: Path, user) -> list[str]:
    """The bwrap command line that runs `python` as `user` on the working folder `folder`, seen as BOX."""
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--proc", "/proc", "--dev", "/dev"]
    for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    prefix = Path(os.path.realpath(python)).parent.parent
    if not str(prefix).startswith("/usr/"):  # a Python installed elsewhere (pyenv, /opt): its own tree
        for parent in reversed(prefix.parents[:-1]):
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(prefix), str(prefix)]
    for target, size in TMPFS_BYTES.items():
        args += ["--perms", "1777", "--size", str(size), "--tmpfs", target]
    for i, path in enumerate(site):
        args += ["--ro-bind", path, f"/site{i}"]
    if folder is not None:
        args += ["--perms", "0755", "--dir", BOX]
        for part in ("child.py", "kit", "pkg", "in"):
            args += ["--ro-bind", str(folder / part), f"{BOX}/{part}"]
        args += ["--bind", str(folder / "out"), f"{BOX}/out"]
    uid, gid, _ = user
    return [*args, "--chdir", BOX if folder is not None else "/", "--cap-add", "CAP_SETUID", "--cap-add",
            "CAP_SETGID", "--", "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", python]


@functools.cache
def _bwrap_works(python: str, user) -> bool:
    """Whether bubblewrap can start this Python as the sandbox user here (installed, and allowed)."""
    if not shutil.which("bwrap") or not shutil.which("setpriv"):
        return False
    try:
        probe = subprocess.run([*_bwrap_args(python, [], None, user), "-I", "-S", "-c", "pass"],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@functools.cache
def _namespaces_work() -> bool:
    """Whether `unshare` can give the child its own namespaces here."""
    if not shutil.which("unshare") or not shutil.which("setpriv"):
        return False
    probe = subprocess.run([*UNSHARE, "true"],
                           capture_output=True, timeout=10)
    return probe.returncode == 0


class Sandbox:
    """One grading's child process and its working folder.

    Layout of the working folder (readable by the child, writable only in out/):
        child.py        this module's partner, copied
        kit/recorder.py the operator recorder it runs student calls in, copied
        pkg/scratchnn/  the student's three files and the kit's mlp.py and train.py
        in/<id>.npz     a job's inputs
        out/<id>.*      a job's results
    """

    def __init__(self, package_files: dict[str, str], log=None, kit_files: dict = None):
        """package_files: the `scratchnn` package under test (name -> text); kit_files: the assignment's
        job runners (module name -> path), beside recorder.py in the kit."""
        self.log = log or sys.stderr
        self.user = sandbox_user()
        self.dir = Path(tempfile.mkdtemp(prefix="scratchnn-grade-", dir=_sandboxes_folder(self.user)))
        os.chmod(self.dir, 0o755)
        for sub in ("pkg/scratchnn", "in", "out"):
            (self.dir / sub).mkdir(parents=True)
        for name, text in package_files.items():
            (self.dir / "pkg" / "scratchnn" / name).write_text(text, encoding="utf-8")
        shutil.copy(HERE / "child.py", self.dir / "child.py")
        (self.dir / "kit").mkdir()
        shutil.copy(HERE / "recorder.py", self.dir / "kit" / "recorder.py")
        for module, path in (kit_files or {}).items():
            shutil.copy(path, self.dir / "kit" / f"{module}.py")
        for path in self.dir.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if self.user:
            os.chown(self.dir / "out", self.user[0], self.user[1])
        self.proc = None
        self.isolation = "none: the grader is not root, so student code runs as the same user"
        self._buffer = b""

    # ------------------------------------------------------------ life cycle
    def start(self) -> None:
        python = _interpreter(self.user)
        site = [p for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}]
        cmd = [python, "-I", "-S", str(self.dir / "child.py"), str(self.dir), *site]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.dir), "LANG": "C.UTF-8",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        kwargs = {}
        self.namespaced = False
        if self.user:
            uid, gid, name = self.user
            if _bwrap_works(python, self.user):
                seen = [f"/site{i}" for i in range(len(site))]
                cmd = [*_bwrap_args(python, site, self.dir, self.user), "-I", "-S", f"{BOX}/child.py", BOX, *seen]
                env["HOME"] = BOX
                self.namespaced = True
                self.isolation = (f"bubblewrap: user {name}; sees only its folder, the Python and its packages "
                                  "(read-only but its output folder); private /tmp, /var/tmp, /dev/shm; "
                                  "no network; its own process namespace")
            elif _namespaces_work():
                # The packages are bind-mounted into the working folder first (so they are reachable
                # wherever the kit lies), then every folder of the kit is covered by an empty one.
                seen = [str(self.dir / f"site{i}") for i in range(len(site))]
                steps = []
                for src, dst in zip(site, seen, strict=True):
                    os.makedirs(dst, mode=0o755, exist_ok=True)
                    steps += [f"mount --bind {shlex.quote(src)} {dst}", f"mount -o remount,bind,ro {dst}"]
                steps += [f"mount -t tmpfs -o ro,size=4k none {shlex.quote(d)}" for d in _hidden_dirs([python])]
                steps.append(f"exec setpriv --reuid={uid} --regid={gid} --clear-groups -- \"$@\"")
                cmd = [*UNSHARE, "--", "sh", "-c", " && ".join(steps), "sh",
                       python, "-I", "-S", str(self.dir / "child.py"), str(self.dir), *seen]
                self.namespaced = True
                self.isolation = f"user {name}, private mount, network and process namespaces, kit folders hidden"
            else:
                kwargs = {"user": uid, "group": gid, "extra_groups": []}
                self.isolation = f"user {name} (no namespaces here: the kit must not be readable by it)"
        self._stderr = open(self.dir / "child.log", "wb")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     cwd=self.dir, env=env, start_new_session=True, **kwargs)
        ready = self._read_line(timeout=60)
        if not ready or not ready.get("ready"):
            self.stop()
            raise SandboxError("the sandbox did not start")

    def stop(self) -> None:
        """Kill the child and everything it started; afterwards no student process is left."""
        if self.proc is None:
            return
        try:  # the child leaves on the end of its input, so that its processes are waited for (and counted)
            self.proc.stdin.close()
            self.proc.wait(timeout=STOP_SECONDS)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        if self.user and self.user[2] == limits.SANDBOX_USER and not self.namespaced:
            _kill_user_processes(self.user[0])  # without a PID namespace; the dedicated user owns nothing else
            _remove_files_of(self.user[0])  # and the shared temporary folders keep nothing it wrote
        self._stderr.close()
        tail = (self.dir / "child.log").read_bytes()[-2000:].decode("utf-8", "replace")
        if tail.strip():
            self.log.write(f"sandbox stderr (last lines):\n{tail}\n")
        self.proc = None
        self._buffer = b""

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.cleanup()

    # ------------------------------------------------------------ jobs
    def run(self, job: dict, inputs: dict) -> dict:
        """Run one job: returns {'status', 'meta', 'arrays', 'sightings'}; status['timeout'], 'exit', 'signal'
        tell how it ended; 'sightings' are the recorder's, also those of a job killed before it wrote its meta."""
        job = {**job, "memory_mb": job.get("memory_mb", limits.MEMORY_LIMIT_MB),
               "max_processes": limits.MAX_PROCESSES if self.user else None,
               # every process of the sandbox but the zygote is killed after each job, where "every" is
               # only the sandbox's: its own PID namespace, or the dedicated user (graded one at a time)
               "sweep": bool(self.user) and (self.namespaced or self.user[2] == limits.SANDBOX_USER)}
        for suffix in (".npz", ".json", ".log", ".seen"):
            (self.dir / "out" / (job["id"] + suffix)).unlink(missing_ok=True)
        np.savez(self.dir / "in" / (job["id"] + ".npz"), **{k: v.numpy() for k, v in inputs.items()})
        os.chmod(self.dir / "in" / (job["id"] + ".npz"), 0o644)
        if self.proc is None:
            self.start()
        status = None
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
            status = self._read_line(timeout=job["timeout"] + 10)
        except (BrokenPipeError, OSError):
            pass
        if status_problem(status, job["id"]):
            self.stop()  # the child is stuck or dead: the next job starts a fresh one
            status = {"id": job["id"], "timeout": True, "lost": True}
        if status.get("exit") == limits.TAMPERED_EXIT:  # whatever is in out/ is the student code's
            return {"status": status, "meta": None, "arrays": {}, "sightings": [TAMPERING]}
        meta = self._read_json(job["id"])
        return {"status": status, "meta": meta, "arrays": self._read_npz(job["id"]),
                "sightings": sightings_of(meta, self._read_bytes(job["id"] + ".seen", MAX_JSON_BYTES))}

    def _read_line(self, timeout: float):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or len(self._buffer) > MAX_JSON_BYTES:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            return None

    # ------------------------------------------------------------ reading results as data
    def _read_bytes(self, name: str, limit: int):
        """The bytes of out/<name>, if it is a regular file (no symlink) of at most `limit` bytes."""
        data, _ = read_regular(self.dir / "out" / name, limit)
        return data

    def _read_json(self, job_id: str):
        """The job's meta: a dict; None when the job wrote none; {"unreadable": why} when what it
        wrote is not something the grader reads (student code can write anything there)."""
        path = self.dir / "out" / (job_id + ".json")
        data, problem = read_regular(path, MAX_JSON_BYTES)
        if data is None:
            return {"unreadable": f"the file {problem}"} if os.path.lexists(path) else None
        return meta_of(data)

    def _read_npz(self, job_id: str) -> dict:
        data = self._read_bytes(job_id + ".npz", MAX_NPZ_BYTES)
        if not data:
            return {}
        try:
            return parsed(_arrays_of, data)  # numpy parses each array's header as Python syntax
        except Exception as exc:  # a malformed file, or one past a limit, counts as no results
            self.log.write(f"{job_id}.npz ignored: {str(exc)[:200]}\n")
            return {}

    def job_log(self, job_id: str, limit: int = 2000) -> str:
        """The last `limit` characters the job printed (for the instructor's log)."""
        data = self._read_bytes(job_id + ".log", 1 << 20) or b""
        return data.decode("utf-8", "replace")[-limit:]


# What a job that ended with limits.TAMPERED_EXIT did, as a sighting of the recorder (recorder.Sighting.as_dict)
TAMPERING = {"what": "the grader's own code was changed", "why": "a way around the grader",
             "instead": "leave the grader's modules (its recorder, its checks, its writing of results) alone",
             "file": "", "line": 0, "code": ""}
STATUS_FIELDS = {"timeout": (bool,), "wall": (int, float), "cpu": (int, float), "maxrss_kb": (int,),
                 "exit": (int, type(None)), "signal": (int, type(None))}  # as child.fork_job reports them


def status_problem(status, job_id: str):
    """Why a status line is not the child's report on job `job_id`, or None. (A job runs as the same
    user as the child, so it may find a way to write to the child's pipe.)"""
    if not isinstance(status, dict) or status.get("id") != job_id:
        return "not a status of this job"
    for key, kinds in STATUS_FIELDS.items():
        if key in status and not isinstance(status[key], kinds):
            return f"its {key} is of the wrong type"
    return None


def sightings_of(meta, seen: bytes) -> list:
    """The recorder's sightings of a job: those in its meta, then those of its .seen lines (written as
    they happened, so a job killed at its time limit keeps them), each a dict, at most MAX_SIGHTINGS_READ."""
    found = list(meta.get("violations", [])) if isinstance(meta, dict) else []
    for line in (seen or b"").splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and record not in found:
            found.append(record)
    return [s for s in found if isinstance(s, dict)][:MAX_SIGHTINGS_READ]


def meta_of(data: bytes):
    """A job's meta from its JSON bytes, or {"unreadable": why}: an object nested at most
    MAX_JSON_DEPTH deep whose top-level fields have the types meta_problem expects."""
    if not data:
        return None
    try:
        meta = json.loads(data)
    except (ValueError, RecursionError):  # json.loads recurses once per level of nesting
        return {"unreadable": "it is not valid JSON"}
    if not isinstance(meta, dict):
        return {"unreadable": "it is not a JSON object"}
    if _depth(meta) > MAX_JSON_DEPTH:
        return {"unreadable": f"it nests deeper than {MAX_JSON_DEPTH} levels"}
    problem = meta_problem(meta)
    return {"unreadable": problem} if problem else meta


def meta_problem(meta):
    """Why `meta` is not a job's meta as the child writes it (top level only), or None.

    The child writes {"error": None or {...}, "violations": [{...} of recorder.Sighting], and "runs": [{...}] or
    "values": {...}}; the judge checks the fields below the top level as it reads them.
    """
    if not isinstance(meta, dict):
        return "it is not a JSON object"
    if meta.get("unreadable"):
        return str(meta["unreadable"])[:200]
    violations = meta.get("violations", [])
    if not isinstance(violations, list) or not all(isinstance(v, dict) for v in violations):
        return "its violations are not a list of records"
    for key, kind in (("error", dict), ("runs", list), ("values", dict)):
        if meta.get(key) is not None and not isinstance(meta[key], kind):
            return f"its {key} is not a JSON {'object' if kind is dict else 'array'}"
    return None


def _depth(value) -> int:
    """How deep lists and dicts nest in `value` (a scalar is 0), without recursion; stops past MAX_JSON_DEPTH."""
    deepest, stack = 0, [(value, 0)]
    while stack and deepest <= MAX_JSON_DEPTH:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d + 1)
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


class ResultLimit(ValueError):
    """A result file is past one of the limits above: it is ignored as a whole."""


def _zip_directory(data: bytes) -> tuple[int, int]:
    """(entries, bytes) of the zip's central directory, from its end record, found as zipfile finds it.

    Checked before zipfile parses the directory, which costs time in proportion to its size.
    """
    end = len(data) - 22
    if end < 0 or data[end:end + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":  # not without a comment
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - (1 << 16)))
    if end < 0 or len(data) < end + 22:
        raise ResultLimit("not a zip file")
    if end >= 20 and data[end - 20:end - 16] == b"PK\x06\x07":
        raise ResultLimit("a zip64 file (np.savez of results this small writes none)")
    entries, size = struct.unpack("<HI", data[end + 10:end + 16])
    return entries, size


def _arrays_of(npz_bytes: bytes) -> dict:
    """The numeric arrays of an .npz file's bytes (no pickles, at most MAX_NDIM dimensions).

    Student code can write any bytes there, so nothing in the file is trusted: the number of
    members, each member's and the total decoded bytes are bounded (checked against the zip's
    headers, and again while decoding, which stops at the limit), and so is the time of the
    whole read (MAX_READ_SECONDS). Past any limit it raises ResultLimit. A member that is not
    a .npy of float32, float64 or int64 is skipped. Cost: at most MAX_NPZ_BYTES decoded.
    """
    deadline = time.monotonic() + MAX_READ_SECONDS
    entries, directory = _zip_directory(npz_bytes)
    if entries > MAX_NPZ_MEMBERS or directory > MAX_ZIP_DIRECTORY_BYTES:
        raise ResultLimit(f"{entries} members in a directory of {directory} bytes")
    arrays, total = {}, 0
    with zipfile.ZipFile(io.BytesIO(npz_bytes)) as zf:
        members = zf.infolist()
        declared = sum(info.file_size for info in members)
        if len(members) > MAX_NPZ_MEMBERS or declared > MAX_NPZ_BYTES:
            raise ResultLimit(f"{len(members)} members of {declared} bytes in all")
        for info in members:
            if info.compress_type not in ZIP_METHODS or info.file_size > MAX_MEMBER_BYTES:
                raise ResultLimit(f"member {info.filename[:50]!r}: method {info.compress_type}, "
                                  f"{info.file_size} bytes")
            data = _read_member(zf, info, min(MAX_MEMBER_BYTES, MAX_NPZ_BYTES - total), deadline)
            total += len(data)
            value = _npy(data) if info.filename.endswith(".npy") else None
            if value is not None:
                arrays[info.filename[:-4]] = value
    return arrays


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, deadline: float) -> bytes:
    """One member's decoded bytes, in chunks: past `limit` bytes or the deadline it stops and raises."""
    chunks, size = [], 0
    with zf.open(info) as f:
        while chunk := f.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ResultLimit(f"member {info.filename[:50]!r} decodes to more than {limit} bytes")
            if time.monotonic() > deadline:
                raise ResultLimit(f"reading took more than {MAX_READ_SECONDS:g} s")
            chunks.append(chunk)
    return b"".join(chunks)


def _npy(data: bytes):
    """The array in a .npy file's bytes, or None unless it is float32, float64 or int64, has at most
    MAX_NDIM dimensions and MAX_ARRAY_ELEMENTS elements, and is exactly as long as its header says."""
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            return None
        shape, fortran, dtype = read_header(f)
    except ValueError:
        return None
    if dtype not in NUMERIC or len(shape) > MAX_NDIM or any(n < 0 for n in shape):
        return None
    count = 1
    for n in shape:
        count *= n
    if count > MAX_ARRAY_ELEMENTS or len(data) - f.tell() != count * dtype.itemsize:
        return None
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=f.tell())
    return flat.reshape(shape, order="F" if fortran else "C").copy()


SHARED_TEMPORARY = ("/tmp", "/var/tmp", "/dev/shm")


def _remove_files_of(uid: int) -> None:
    """Remove what the sandbox user left in the shared temporary folders (only without private ones)."""
    for folder in SHARED_TEMPORARY:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _kill_user_processes(uid: int) -> None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass
