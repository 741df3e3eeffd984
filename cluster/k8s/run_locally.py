"""Run the Indexed Job of grade-job.yaml and the merge of merge-job.yaml as containers on this machine.

    make test-image                    (builds the image first; several minutes on 2 cores)
    python cluster/k8s/run_locally.py [--size 40] [--work DIR]

Where no Kubernetes cluster is at hand, this is the closest check of the manifests and the image:
each pod of the Job is started with `docker run` (or podman) from what the YAML says of it, the
same image, working folder, command and arguments, environment plus `JOB_COMPLETION_INDEX`, CPU
and memory limits, the class volume at its mount path, and no network (the NetworkPolicy's
effect). As a scheduler would with the pods' CPU requests, at most as many pods run at once as
this machine has cores. The class is --size copies of examples/submissions/. One container of
the same image grades the class on one machine too; the merged grades.csv must equal its.

    CONTAINER   the runtime command (default: docker, else podman), e.g. "podman --runtime runc"
    RUN_FLAGS   more flags for every `run` (e.g. ulimits where the runtime cannot raise them)

What it cannot show is a cluster's own part: scheduling across nodes, the ReadWriteMany volume,
the network plugin enforcing the NetworkPolicy, and the Job's retries (backoffLimit).
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "cluster" / "k8s"
EXAMPLES = ROOT / "examples" / "submissions"


@dataclass
class Pod:
    """What `docker run` needs of one container of a pod template."""
    image: str
    workdir: str
    argv: list          # command + args
    env: dict
    cpus: str
    memory: str         # Kubernetes' quantity, e.g. "3Gi"
    mount: str          # where the class volume is mounted


def pod_of(manifest: Path) -> tuple:
    """The Job of `manifest` and its (only) container as a Pod."""
    job = next(d for d in yaml.safe_load_all(manifest.read_text()) if d and d["kind"] == "Job")
    container, = job["spec"]["template"]["spec"]["containers"]
    limits = container["resources"]["limits"]
    mount, = container["volumeMounts"]
    pod = Pod(image=container["image"], workdir=container.get("workingDir", "/"),
              argv=list(container.get("command", [])) + list(container.get("args", [])),
              env={e["name"]: str(e["value"]) for e in container.get("env", [])},
              cpus=str(limits["cpu"]), memory=docker_memory(limits["memory"]), mount=mount["mountPath"])
    return job, pod


def docker_memory(quantity: str) -> str:
    """Kubernetes' binary suffixes (Gi, Mi) as docker's (g, m)."""
    for suffix, unit in (("Gi", "g"), ("Mi", "m"), ("Ki", "k")):
        if quantity.endswith(suffix):
            return quantity[:-len(suffix)] + unit
    return quantity


def container_command() -> list:
    if os.environ.get("CONTAINER"):
        return shlex.split(os.environ["CONTAINER"])
    for name in ("docker", "podman"):
        if shutil.which(name):
            return [name]
    raise SystemExit("run_locally: neither docker nor podman is installed (or set CONTAINER)")


def run_pod(runtime: list, pod: Pod, volume: Path, log: Path, extra_env: dict = None) -> int:
    """One container as the pod would run; its output goes to `log`. Returns its exit status."""
    env = {**pod.env, **(extra_env or {})}
    argv = [*runtime, "run", "--rm", "--network", "none", "--cpus", pod.cpus, "--memory", pod.memory,
            *shlex.split(os.environ.get("RUN_FLAGS", "")), "-v", f"{volume}:{pod.mount}", "-w", pod.workdir,
            *[f"--env={k}={v}" for k, v in env.items()], "--entrypoint", pod.argv[0], pod.image, *pod.argv[1:]]
    with log.open("w") as out:
        return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT).returncode


def make_class(folder: Path, size: int) -> None:
    examples = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    for i in range(size):
        shutil.copytree(examples[i % len(examples)], folder / f"student_{i:03d}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40, help="submissions in the class")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new one in /tmp, kept)")
    args = parser.parse_args(argv)
    runtime = container_command()
    job, grade = pod_of(K8S / "grade-job.yaml")
    _, merge = pod_of(K8S / "merge-job.yaml")
    shards = job["spec"]["completions"]
    work = args.work or Path(tempfile.mkdtemp(prefix="scratchnn-pods."))
    sharded, one = work / "sharded", work / "one"
    for volume in (sharded, one):
        make_class(volume / "submissions", args.size)
    print(f"run_locally: a class of {args.size}, {shards} pods of {grade.image} "
          f"({grade.cpus} CPU, {grade.memory} each), {os.cpu_count()} at a time; scratch folder {work}")

    started = time.time()
    with ThreadPoolExecutor(max_workers=min(shards, os.cpu_count() or 1)) as pool:
        codes = list(pool.map(lambda i: run_pod(runtime, grade, sharded, work / f"grade-{i}.log",
                                                {"JOB_COMPLETION_INDEX": i}), range(shards)))
    failed = [i for i, code in enumerate(codes) if code]
    merged = run_pod(runtime, merge, sharded, work / "merge.log")
    pods_s = time.time() - started
    print(f"run_locally: {shards} pods and the merge: {pods_s:.0f} s "
          f"({args.size / pods_s * 60:.1f} submissions a minute)")

    started = time.time()
    whole = Pod(**{**merge.__dict__, "cpus": str(os.cpu_count()),
                   "argv": [*merge.argv[:3], f"{merge.mount}/submissions", "--out", f"{merge.mount}/out",
                            "--jobs", str(os.cpu_count()), "--no-progress"]})
    alone = run_pod(runtime, whole, one, work / "one.log")
    print(f"run_locally: one container, {os.cpu_count()} workers: {time.time() - started:.0f} s")

    problems = [f"pod {i} exited {codes[i]} (see {work}/grade-{i}.log)" for i in failed]
    if merged:
        problems.append(f"the merge exited {merged} (see {work}/merge.log)")
    if alone:
        problems.append(f"the one-machine run exited {alone} (see {work}/one.log)")
    a, b = one / "out" / "grades.csv", sharded / "out" / "grades.csv"
    if not problems and a.read_bytes() != b.read_bytes():
        problems.append(f"the merged grades.csv differs from the one-machine run's: diff {a} {b}")
    first = next(iter(sorted((sharded / "out").glob("*/results.json"))), None)
    if first:
        sandbox = json.loads(first.read_text()).get("extra_data", {}).get("sandbox", "not said")
        print(f"run_locally: the pods' sandbox: {sandbox}")
    for problem in problems:
        print(f"run_locally: FAILED: {problem}", file=sys.stderr)
    if not problems:
        print(f"run_locally: OK: the merged grades.csv of {shards} pods equals the one-machine run's ({b})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
