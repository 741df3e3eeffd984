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
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np

from . import config
from .parsing import parsed

HERE = Path(__file__).resolve().parent
KIT_ROOT = HERE.parent
MAX_JSON_BYTES = 1 << 20
MAX_NPZ_BYTES = 64 << 20
NUMERIC = {np.dtype("float32"), np.dtype("float64"), np.dtype("int64")}


class SandboxError(RuntimeError):
    """The child could not be started or stopped answering."""


def sandbox_user():
    """(uid, gid, name) of the user student code runs as, or None when the grader is not root."""
    if os.geteuid() != 0:
        return None
    for name in (config.SANDBOX_USER, config.SANDBOX_USER_FALLBACK):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid, name
        except KeyError:
            continue
    raise SandboxError(f"no unprivileged user: create `{config.SANDBOX_USER}` (see setup.sh)")


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
        pkg/scratchnn/  the student's three files and the kit's mlp.py and train.py
        in/<id>.npz     a job's inputs
        out/<id>.*      a job's results
    """

    def __init__(self, package_files: dict[str, str], log=None):
        self.log = log or sys.stderr
        self.user = sandbox_user()
        self.dir = Path(tempfile.mkdtemp(prefix="scratchnn-grade-", dir=_sandboxes_folder(self.user)))
        os.chmod(self.dir, 0o755)
        for sub in ("pkg/scratchnn", "in", "out"):
            (self.dir / sub).mkdir(parents=True)
        for name, text in package_files.items():
            (self.dir / "pkg" / "scratchnn" / name).write_text(text, encoding="utf-8")
        shutil.copy(HERE / "child.py", self.dir / "child.py")
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
            if _namespaces_work():
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
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        if self.user and self.user[2] == config.SANDBOX_USER and not self.namespaced:
            _kill_user_processes(self.user[0])  # without a PID namespace; the dedicated user owns nothing else
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
        """Run one job: returns {'status', 'meta', 'arrays'}; status['timeout'], 'exit', 'signal' tell how it ended."""
        job = {**job, "memory_mb": job.get("memory_mb", config.MEMORY_LIMIT_MB),
               "max_processes": config.MAX_PROCESSES if self.user else None}
        for suffix in (".npz", ".json", ".log"):
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
        if not isinstance(status, dict) or status.get("id") != job["id"]:
            self.stop()  # the child is stuck or dead: the next job starts a fresh one
            status = {"id": job["id"], "timeout": True, "lost": True}
        return {"status": status, "meta": self._read_json(job["id"]), "arrays": self._read_npz(job["id"])}

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
        except ValueError:
            return None

    # ------------------------------------------------------------ reading results as data
    def _read_bytes(self, name: str, limit: int):
        """The bytes of out/<name>, if it is a regular file (no symlink) of at most `limit` bytes."""
        try:
            fd = os.open(self.dir / "out" / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not (st.st_mode & 0o170000 == 0o100000) or st.st_size > limit:
                return None
            return f.read(limit + 1)[:limit]

    def _read_json(self, job_id: str):
        data = self._read_bytes(job_id + ".json", MAX_JSON_BYTES)
        try:
            meta = json.loads(data) if data else None
        except ValueError:
            return None
        return meta if isinstance(meta, dict) else None

    def _read_npz(self, job_id: str) -> dict:
        data = self._read_bytes(job_id + ".npz", MAX_NPZ_BYTES)
        if not data:
            return {}
        try:
            return parsed(_arrays_of, data)  # numpy parses each array's header as Python syntax
        except Exception:  # a malformed file counts as no results
            return {}

    def job_log(self, job_id: str, limit: int = 2000) -> str:
        """The last `limit` characters the job printed (for the instructor's log)."""
        data = self._read_bytes(job_id + ".log", 1 << 20) or b""
        return data.decode("utf-8", "replace")[-limit:]


def _arrays_of(npz_bytes: bytes) -> dict:
    """The numeric arrays of an .npz file's bytes (no pickles, at most 8 dimensions)."""
    arrays = {}
    with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
        for key in npz.files:
            value = npz[key]
            if value.dtype in NUMERIC and value.ndim <= 8:
                arrays[key] = value
    return arrays


def _kill_user_processes(uid: int) -> None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass
