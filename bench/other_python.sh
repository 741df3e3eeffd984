#!/usr/bin/env bash
# The kit under another Python (Gradescope's python3 is 3.10): `make compat OTHER_PYTHON=python3.10`.
# Builds build/compat-<python>/ with the release's pins, grades every bundled example with it and
# runs the public tests on the stubs and on the solution. As root, that Python must be readable
# by the sandbox's user (`student` or `nobody`), as on Gradescope.
set -euo pipefail
PY=${1:?usage: bench/other_python.sh PYTHON}
ROOT=$(pwd)
VENV=$ROOT/build/compat-$(basename "$PY")
PINS=$(.venv/bin/python -c "from autograder.release import NUMPY, TORCH; print(TORCH, NUMPY)")
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q $PINS pytest
fi
"$VENV/bin/python" -c "import sys, torch, numpy; print('python', sys.version.split()[0], 'torch', torch.__version__, 'numpy', numpy.__version__)"
for sub in examples/submissions/*/; do
  name=$(basename "$sub")
  "$VENV/bin/python" -m autograder "$sub" --results "$VENV/$name.json" 2>"$VENV/$name.log"
  "$VENV/bin/python" -c "import json, sys; print(f'{sys.argv[1]:18s} {json.load(open(sys.argv[2]))[\"score\"]:.2f}')" \
    "$name" "$VENV/$name.json"
done
work=$(mktemp -d)
cp -r assignments/. "$work"
echo "public tests, stubs:   $(cd "$work" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider | tail -1)"
cp scratchnn_ref/linear.py scratchnn_ref/activations.py scratchnn_ref/losses.py "$work/scratchnn/"
echo "public tests, solution: $(cd "$work" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider | tail -1)"
rm -rf "$work"
