"""A class graded in shards (autograder.shards, batch --shard K/N) and merged (batch --merge), and the cluster files.

The gradings are a stand-in for the grader (fake_grade, in this process, as in tests/test_course.py),
so that the sharding and merge logic runs in a second; the real grader under a real Slurm is
`make test-slurm` (cluster/slurm/test_slurm.sh).
"""

import csv
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from autograder import batch, results, shards

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "submissions"
TESTS = {"Linear.forward: values": 40, "Linear.backward: values": 30, "Sigmoid: policy": 30}


def fake_grade(path, log=None, **_) -> dict:
    """A results document whose scores follow two of the examples' mistakes."""
    text = {p.name: p.read_text() for p in Path(path).rglob("*.py")}
    lost = {"Linear.backward: values": "mistake: dW transposed" in text.get("linear.py", ""),
            "Sigmoid: policy": "torch.sigmoid(x)" in text.get("activations.py", "")}
    tests = [results.test(name, 0 if lost.get(name) else points, points, "visible", "")
             for name, points in TESTS.items()]
    return results.results(tests, "graded by a stand-in")


@pytest.fixture
def fake_grader(monkeypatch):
    """batch.run grades in this process with fake_grade (through batch.grade_one, key.json included);
    the list `graded` it returns names every submission graded, in order."""
    from autograder import grade

    monkeypatch.setattr(grade, "grade", fake_grade)
    graded = []

    def in_process(todo, out, jobs, progress, keys, work=None):
        for sub in todo:
            batch.grade_one(str(sub.path), str(out / sub.id), keys.get(sub.id))
            graded.append(sub.id)
        return {"graded": len(todo), "failed": 0}

    monkeypatch.setattr(batch, "_grade_all", in_process)
    return graded


def make_class(root: Path, size: int = 13) -> Path:
    """`size` submissions named student_00, student_01, ..., copies of the examples in turn."""
    examples = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    root.mkdir(parents=True)
    for i in range(size):
        shutil.copytree(examples[i % len(examples)], root / f"student_{i:02d}")
    return root


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- the split
@pytest.mark.parametrize("count,n", [(0, 3), (1, 4), (13, 4), (40, 4), (7, 7), (5, 8)])
def test_shards_partition_the_ids_and_are_balanced_within_one(count, n):
    ids = [f"s{i}" for i in reversed(range(count))]
    parts = [shards.of(ids, shards.Shard(k, n)) for k in range(1, n + 1)]
    assert sorted(i for part in parts for i in part) == sorted(ids)  # every id in exactly one shard
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert parts == [shards.of(sorted(ids), shards.Shard(k, n)) for k in range(1, n + 1)]  # the order given is moot


@pytest.mark.parametrize("text,said", [("0/4", "from 1 to 4"), ("5/4", "from 1 to 4"), ("1/0", "at least 1"),
                                       ("2", "expected K/N"), ("a/b", "expected K/N"), ("-1/4", "expected K/N"),
                                       ("", "expected K/N")])
def test_a_bad_shard_gets_a_clear_message(text, said):
    with pytest.raises(shards.ShardError, match=said):
        shards.parse(text)


def test_parse_reads_k_of_n():
    assert shards.parse(" 2/4 ") == shards.Shard(2, 4) and str(shards.Shard(2, 4)) == "2/4"


def test_the_command_refuses_bad_input_with_a_message(tmp_path, capsys):
    make_class(tmp_path / "class", 2)
    for argv, said in ((["--out", "o", "--shard", "5/4"], "K must be from 1 to 4"),
                       (["--merge", "o", "--shard", "1/4"], "--merge alone"),
                       ([], "either --out OUT")):
        with pytest.raises(SystemExit):
            batch.main([str(tmp_path / "class"), *argv])
        assert said in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no such folder"):
        batch.main([str(tmp_path / "class"), "--merge", str(tmp_path / "nothing")])
    with pytest.raises(SystemExit):
        batch.main([str(tmp_path / "no-class"), "--out", str(tmp_path / "o")])
    assert "no such folder of submissions" in capsys.readouterr().err


# ---------------------------------------------------------------- shards, then the merge
def test_shards_then_merge_give_the_grades_of_one_run(tmp_path, fake_grader, capsys):
    root = make_class(tmp_path / "class")
    batch.run(root, tmp_path / "one", jobs=1, progress=False)
    for k in range(1, 5):
        counts = batch.run(root, tmp_path / "sharded", jobs=1, progress=False, shard=shards.Shard(k, 4))
        assert counts["graded"] == len(shards.of([f"student_{i:02d}" for i in range(13)], shards.Shard(k, 4)))
        assert not (tmp_path / "sharded" / "grades.csv").exists()  # the merge's, not a shard's
        assert not (tmp_path / "sharded" / "changes.csv").exists()
    assert sorted(fake_grader[13:]) == sorted(fake_grader[:13])  # each graded once, by exactly one shard
    merged = batch.merge(root, tmp_path / "sharded", report=False)
    assert merged == {"total": 13, "merged": 13, "missing": [], "stale": []}
    assert (tmp_path / "sharded" / "grades.csv").read_text() == (tmp_path / "one" / "grades.csv").read_text()
    assert (tmp_path / "sharded" / "changes.csv").is_file()


def test_a_rerun_of_a_shard_grades_nothing_new(tmp_path, fake_grader, capsys):
    root = make_class(tmp_path / "class")
    first = batch.run(root, tmp_path / "out", jobs=1, progress=False, shard=shards.Shard(2, 3))
    again = batch.run(root, tmp_path / "out", jobs=1, progress=False, shard=shards.Shard(2, 3))
    assert first["graded"] == 4 and again["graded"] == 0 and again["skipped"] == again["total"] == 4
    assert "(shard 2/3) are graded already" in capsys.readouterr().out


def test_the_merge_lists_submissions_without_results(tmp_path, fake_grader, capsys):
    root = make_class(tmp_path / "class", 6)
    batch.run(root, tmp_path / "out", jobs=1, progress=False, shard=shards.Shard(1, 2))
    with open(root / "student_00" / "losses.py", "a") as f:
        f.write("# resubmitted after its shard ran\n")
    capsys.readouterr()
    code = batch.main([str(root), "--merge", str(tmp_path / "out")])
    said = capsys.readouterr().out
    assert code == 1
    assert "3 without results yet (grade their shards again, then merge): student_01, student_03, student_05" in said
    assert "1 with results not up to date" in said and "student_00" in said
    assert (tmp_path / "out" / "report.html").is_file()
    rows = {r["sid"]: r for r in read(tmp_path / "out" / "grades.csv")}
    assert len(rows) == 6  # none dropped
    assert rows["student_01"]["total"] == "" and "no results yet" in rows["student_01"]["problem"]
    assert "resubmitted" in rows["student_00"]["problem"] and rows["student_02"]["problem"] == ""


# ---------------------------------------------------------------- the cluster files
def test_the_cluster_manifests_parse_and_the_scripts_pass_bash_n():
    docs = list(yaml.safe_load_all((ROOT / "cluster" / "k8s" / "grade-job.yaml").read_text()))
    kinds = {d["kind"]: d for d in docs if d}
    job, policy = kinds["Job"], kinds["NetworkPolicy"]
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["parallelism"] >= 1
    pod = job["spec"]["template"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"} and not policy["spec"].get("egress")
    for container in pod["spec"]["containers"]:
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    scripts = sorted((ROOT / "cluster").rglob("*.sh")) + sorted((ROOT / "cluster").rglob("*.sbatch"))
    assert len(scripts) >= 3
    for script in scripts:
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{script.name}: {done.stderr}"


@pytest.mark.full  # a class graded as pods, about a minute: `make test-full` (and `make test-image`, in the real image)
def test_each_pod_of_the_indexed_job_grades_its_own_shard_and_the_merge_reads_the_same_volume(tmp_path):
    """The pods' commands as cluster/k8s/run_locally.py (make test-image) starts them: pod I grades shard I+1."""
    spec = importlib.util.spec_from_file_location("run_locally", ROOT / "cluster/k8s/run_locally.py")
    run_locally = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_locally)
    job, grade = run_locally.pod_of(ROOT / "cluster/k8s/grade-job.yaml")
    _, merge = run_locally.pod_of(ROOT / "cluster/k8s/merge-job.yaml")
    n = job["spec"]["completions"]
    assert job["spec"]["parallelism"] == n and grade.env["SHARDS"] == str(n)
    assert grade.image == merge.image and grade.mount == merge.mount and grade.workdir == merge.workdir
    assert run_locally.docker_memory("3Gi") == "3g" and run_locally.docker_memory("512Mi") == "512m"
    echo = tmp_path / "python"
    echo.write_text('#!/bin/sh\necho "$@"\n')
    echo.chmod(0o755)
    python = merge.argv[0]
    for index in range(n):
        argv = [a.replace(python, str(echo)) for a in grade.argv]
        done = subprocess.run(argv, env={**grade.env, "JOB_COMPLETION_INDEX": str(index)},
                              capture_output=True, text=True, check=True)
        said = done.stdout.split()
        assert said[said.index("--shard") + 1] == f"{index + 1}/{n}"
        assert said[said.index("--out") + 1] == merge.argv[merge.argv.index("--merge") + 1]
