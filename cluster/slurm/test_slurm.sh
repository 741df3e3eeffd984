#!/usr/bin/env bash
# make test-slurm: a real single-node Slurm grades a class as a job array of 4 shards and merges it;
# the merged grades.csv must equal the one a one-machine `python -m autograder.batch` run writes.
#
# As root it installs Debian's slurm-wlm and munge when sbatch is missing, writes a minimal
# slurm.conf in a scratch folder, starts munged, slurmctld and slurmd, and stops them at the end.
# The class is SIZE (default 40) copies of examples/submissions/, under new names; each is graded
# by the real grader (about 10 s of CPU each), so on 2 cores this takes several minutes.
#   cluster/slurm/test_slurm.sh            PYTHON=... SIZE=... WORK=... to change the defaults
set -euo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-$KIT/.venv/bin/python}
SIZE=${SIZE:-40}
SHARDS=4
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/scratchnn-slurm.XXXXXX")}
say() { echo "test-slurm: $*"; }
fail() { echo "test-slurm: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root: it installs slurm-wlm and munge and starts their daemons"
[ -x "$PYTHON" ] || fail "no $PYTHON: run make venv first (or set PYTHON)"
if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null \
        || fail "apt-get install slurm-wlm munge did not work"
fi

# ---------------------------------------------------------------- daemons
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p "$WORK"/{state,spool,munge,run}
export SLURM_CONF=$WORK/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=scratchnn-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket.2
SlurmctldPort=${SLURMCTLD_PORT:-16817}
SlurmdPort=${SLURMD_PORT:-16818}
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

stop() {
    for pidfile in "$WORK/run/slurmd.pid" "$WORK/run/slurmctld.pid" "$WORK/munge/munged.pid"; do
        [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
}
trap stop EXIT

key=$WORK/munge/munge.key
dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
chmod 700 "$WORK/munge" && chmod 400 "$key"
munged --force --key-file="$key" --socket="$WORK/munge/munge.socket.2" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/seed" \
    || fail "munged did not start: see $WORK/munge/munged.log"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: see $WORK/slurmctld.log"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start: see $WORK/slurmd.log"
for _ in $(seq 60); do
    sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
    sleep 1
done
sinfo -h -o %t | grep -qE '^(idle|mix|alloc)' || fail "the node never became idle: $(sinfo -h 2>&1); see $WORK/slurmd.log"
say "slurm is up on $host ($cpus CPUs); scratch folder $WORK"

# ---------------------------------------------------------------- the class, on one machine and on Slurm
CLASS=$WORK/class
mkdir -p "$CLASS"
mapfile -t examples < <(find "$KIT/examples/submissions" -mindepth 1 -maxdepth 1 -type d | sort)
for i in $(seq 0 $((SIZE - 1))); do
    cp -r "${examples[$((i % ${#examples[@]}))]}" "$CLASS/$(printf 'student_%03d' "$i")"
done
say "a class of $SIZE submissions (copies of ${#examples[@]} examples)"
# Both runs grade with one snapshot of the grader: an edit to the checkout meanwhile would change
# the grader's hash (key.json), and the merge would rightly call the shards' results out of date.
SNAPSHOT=$WORK/kit
mkdir -p "$SNAPSHOT"
cp -r "$KIT/autograder" "$KIT/scratchnn_ref" "$KIT/cluster" "$SNAPSHOT/"

started=$(date +%s)
(cd "$SNAPSHOT" && "$PYTHON" -m autograder.batch "$CLASS" --out "$WORK/one" --jobs "$cpus" --no-progress) \
    > "$WORK/one.log" 2>&1 || fail "the one-machine run failed: see $WORK/one.log"
one=$(($(date +%s) - started))
say "one machine, $cpus processes: $one s"

started=$(date +%s)
(cd "$SNAPSHOT" && SCRATCHNN_KIT="$SNAPSHOT" SCRATCHNN_PYTHON="$PYTHON" cluster/slurm/submit.sh "$CLASS" "$WORK/sharded" "$SHARDS") \
    | tee "$WORK/submit.log"
jobs=$(grep -oE 'job array [0-9]+|job [0-9]+' "$WORK/submit.log" | grep -oE '[0-9]+' | paste -sd, -)
for _ in $(seq 3600); do
    [ -z "$(squeue -h -j "$jobs" 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h -j "$jobs" 2>/dev/null)" ] || fail "the jobs did not finish within an hour: $(squeue)"
sharded=$(($(date +%s) - started))
say "Slurm, $SHARDS shards: $sharded s"
cat "$WORK"/sharded/slurm/merge-*.out
[ -f "$WORK/sharded/grades.csv" ] || fail "the merge wrote no grades.csv: see $WORK/sharded/slurm/"
[ -f "$WORK/sharded/report.html" ] || fail "the merge wrote no report.html: see $WORK/sharded/slurm/"
for k in $(seq "$SHARDS"); do
    grep -q "shard $k/$SHARDS done" "$WORK"/sharded/slurm/grade-*_"$k".out \
        || fail "shard $k did not finish: see $WORK/sharded/slurm/"
done

# grades.csv has no timing columns: the two must be identical
if ! cmp -s "$WORK/one/grades.csv" "$WORK/sharded/grades.csv"; then
    diff "$WORK/one/grades.csv" "$WORK/sharded/grades.csv" | head -20
    fail "the merged grades.csv differs from the one-machine run's"
fi
say "OK: $SIZE submissions, merged grades.csv of $SHARDS Slurm shards equals the one-machine run's ($WORK)"
