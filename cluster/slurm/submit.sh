#!/usr/bin/env bash
# Grade a class on a Slurm cluster: a job array of N shards, then a merge that waits for all of them.
#   cluster/slurm/submit.sh SUBMISSIONS OUT [N] [batch options for the merge, e.g. --due "2026-03-01 23:59"]
# SUBMISSIONS and OUT must be on a file system every node sees; run it from the kit's checkout
# (or set SCRATCHNN_KIT, and SCRATCHNN_PYTHON for a venv other than the kit's .venv).
# Prints the two job ids; the logs go to OUT/slurm/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 SUBMISSIONS OUT [N] [merge options]" >&2; exit 2; }
SUBMISSIONS=$(realpath "$1")
OUT=$(realpath -m "$2")
N=${3:-4}
shift $(($# < 3 ? $# : 3))
case $N in '' | *[!0-9]* | 0) echo "N must be a whole number of shards, at least 1 (got '$N')" >&2; exit 2 ;; esac
[ -d "$SUBMISSIONS" ] || { echo "$SUBMISSIONS: no such folder of submissions" >&2; exit 2; }
export SCRATCHNN_KIT=${SCRATCHNN_KIT:-$(cd "$here/../.." && pwd)}
mkdir -p "$OUT/slurm"
# afterany: the merge runs even when a shard had a grader failure, and lists what has no results
array=$(sbatch --parsable --array=1-"$N" --export=ALL,SHARDS="$N" --output="$OUT/slurm/grade-%A_%a.out" \
    "$here/grade.sbatch" "$SUBMISSIONS" "$OUT")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterany:"$array" --output="$OUT/slurm/merge-%j.out" \
    "$here/merge.sbatch" "$SUBMISSIONS" "$OUT" "$@")
merge=${merge%%;*}
echo "shards: job array $array (1-$N); merge: job $merge; logs in $OUT/slurm/"
