# scratchnn: every command an instructor or CI needs. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: sandbox-tools help venv generate student test test-full test-notebooks lint release grade-examples batch report-picture calibrate bench bench-hostile test-slurm test-image gradescope-image compat clean nbgrader otter

help:
	@echo "make release         build dist/autograder.zip and dist/student.zip (fresh venv in $(VENV))"
	@echo "make test            CI's tests: all but the notebook builds and the self-tests' full tables (sets up $(VENV))"
	@echo "make test-full       every test, the notebooks (nbgrader, Otter) and the full sample tables included"
	@echo "make test-notebooks  the handout notebooks: nbclient, nbgrader and Otter builds"
	@echo "make test-slurm      as root: a real single-node Slurm grades 40 submissions in 4 shards (several minutes)"
	@echo "make test-image      build the grading image, run the Kubernetes Job's pods as containers of it (docker or podman)"
	@echo "make gradescope-image  grade the examples in that image under Gradescope's limits, through run_autograder"
	@echo "make generate        regenerate assignments/ and scratchnn_ref/ from solutions/"
	@echo "make grade-examples  grade the bundled example submissions"
	@echo "make batch SUBMISSIONS=dir [BATCH_OUT=build/batch]  grade a whole class, write grades.csv and report.html"
	@echo "make report-picture  docs/report.png: a class report with a regrade, checked and shot in headless Chromium"
	@echo "make calibrate       re-run the sine-fit calibration over many seeds"
	@echo "make bench           print speed and memory figures"
	@echo "make bench-hostile   the worst-case grading time on half a core (about 8 minutes)"
	@echo "make compat          grade the examples and run the public tests under python3.10 (OTHER_PYTHON=...)"
	@echo "make nbgrader        build the handout notebook as an nbgrader course in build/nbgrader"
	@echo "make otter           build the handout notebook as an Otter assignment in build/otter"

# The venv is rebuilt whenever pyproject.toml changes.
$(VENV)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.ready

# nbgrader, Otter and Jupyter for the handout notebook, in the same venv (about a minute, 0.8 GB).
$(VENV)/.notebooks: $(VENV)/.ready
	$(PY) -m pip install -q -e '.[notebooks]'
	touch $@

generate student: venv
	$(PY) -m autograder.generate

# bubblewrap, the sandbox's first choice (Debian's package; installed when the tests run as root).
sandbox-tools:
	@command -v bwrap >/dev/null || { test "$$(id -u)" != 0 || { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; } || echo "bubblewrap not installed: the sandbox falls back to unshare"; }

# CI's command: every test but the notebook builds and the parts of the self-tests marked `full`
# (under 15 minutes on 2 cores). `make test-full` runs everything; `make test-notebooks` the notebooks.
test: venv sandbox-tools
	$(PY) -m pytest -q -m "not notebooks and not full"

test-full: venv $(VENV)/.notebooks sandbox-tools
	$(PY) -m pytest -q

test-notebooks: venv $(VENV)/.notebooks
	$(PY) -m pytest -q -m notebooks

# Not part of `make test`: installs slurm-wlm and munge if missing, grades a class as a job array of 4 and
# merges it, compares grades.csv with a one-machine run's, stops the daemons (cluster/slurm/test_slurm.sh).
test-slurm: venv
	PYTHON=$(PY) cluster/slurm/test_slurm.sh

# Not part of `make test`: builds the grading image (cluster/Dockerfile) with docker or podman, runs the
# Indexed Job's pods and the merge of cluster/k8s/ as containers of it, compares grades.csv with one
# container's run (cluster/k8s/run_locally.py). CONTAINER, RUN_FLAGS and BUILD_FLAGS pass flags through.
CONTAINER ?= $(shell command -v docker >/dev/null && echo docker || echo podman)
test-image: release
	$(CONTAINER) build $(BUILD_FLAGS) -f cluster/Dockerfile -t scratchnn-grader:latest .
	CONTAINER="$(CONTAINER)" $(PY) cluster/k8s/run_locally.py

# Not part of `make test`: every example graded in that image by run_autograder, under Gradescope's
# default limits (half a CPU, 768 MB, no network), against this checkout's scores (bench/gradescope_image.py).
gradescope-image: venv
	CONTAINER="$(CONTAINER)" $(PY) bench/gradescope_image.py

# dist/autograder.zip for Gradescope and dist/student.zip for students, then a self-check
# that grades the solution through the unpacked zip (the same way Gradescope runs it).
release: venv
	$(PY) -m autograder.generate --check
	$(PY) -m autograder.release

# Grade a whole class (folders, or Gradescope's "Export Submissions") in parallel; resumes when run again.
SUBMISSIONS ?=
BATCH_OUT   ?= build/batch
batch: venv
	@test -n "$(SUBMISSIONS)" || { echo "usage: make batch SUBMISSIONS=folder [BATCH_OUT=$(BATCH_OUT)]"; exit 2; }
	$(PY) -m autograder.batch "$(SUBMISSIONS)" --out "$(BATCH_OUT)"
	$(PY) -m autograder.report "$(BATCH_OUT)"

# The bundled examples (examples/submissions/): grades in build/examples/, open build/examples/report.html.
grade-examples: venv
	$(PY) -m autograder.batch examples/submissions --out build/examples
	$(PY) -m autograder.report build/examples

# docs/report.png for the README: a small class graded by a stand-in, regraded, its report.html checked
# in headless Chromium and shot (bench/report_picture.py; needs Debian's chromium).
report-picture: venv
	$(PY) bench/report_picture.py docs/report.png

# The sine fit's settings, seed and threshold: the reference over 50 seeds per candidate
# (about 14 CPU minutes, ~10 min on 2 cores); writes autograder/hw1/calibration.json, see autograder/hw1/CALIBRATION.md.
calibrate: venv
	$(PY) -m autograder.hw1.calibrate

lint: venv
	$(PY) -m ruff check autograder scratchnn_ref solutions tests bench examples notebooks

# The kit under another Python, e.g. Gradescope's: make compat OTHER_PYTHON=python3.10
OTHER_PYTHON ?= python3.10
compat: venv
	bench/other_python.sh $(OTHER_PYTHON)

# One line per benchmark script; each prints its figures (plots go to bench/out/).
bench: venv
	$(PY) bench/bench_reference.py
	$(PY) bench/bench_hw2.py
	$(PY) bench/bench_grader.py
	$(PY) bench/bench_sandbox.py
	$(PY) bench/bench_batch.py
	$(PY) bench/bench_shards.py --n 200

# The worst case of one grading: every check slow to its limit, on half a core (about 8 minutes).
bench-hostile: venv
	$(PY) bench/bench_sandbox.py --hostile

# The handout notebook (notebooks/handout.py) in each flavour; the student notebook lands in
# build/nbgrader/release/handout/ or build/otter/dist/student/, the Otter grader zip in build/otter/dist/autograder/.
nbgrader: $(VENV)/.notebooks
	$(PY) notebooks/build.py nbgrader

otter: $(VENV)/.notebooks
	$(PY) notebooks/build.py otter

clean:
	rm -rf dist build .pytest_cache
