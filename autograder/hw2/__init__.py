"""Assignment 2: optimizers (SGD, Adam, AdamW), BatchNorm1d and Dropout, and a training check on digits.

Its rules are in config.py, its checks in suite.py, its judge in judge.py (with the catalogue of
slips in mistakes.py), the sandbox side of its checks in jobs.py and of its training check in
training.py (measured by evaluate.py, calibrated by calibrate.py). The solution is solutions/hw2/
(stubs and reference are generated from it).
"""

from pathlib import Path

from ..assignment import Assignment, Layout
from . import config, judge, suite

HERE = Path(__file__).resolve().parent
REF_DIR = HERE.parent.parent / "scratchnn_ref" / "hw2"
GIVEN_FILES = ("parameter.py", "model.py", "data.py", "train.py")  # handed out complete: the kit's copies are used


def policy_points(cls: str) -> float:
    return config.WEIGHTS[cls]["policy"]


ASSIGNMENT = Assignment(
    name="hw2",
    title="Assignment 2: optimizers, BatchNorm1d, Dropout",
    config=config,
    given_files={name: (REF_DIR / name).read_text(encoding="utf-8") for name in GIVEN_FILES
                 if (REF_DIR / name).is_file()},  # absent only before the first `make generate`
    kit_files={"hw2_jobs": HERE / "jobs.py", "hw2_training": HERE / "training.py"},
    checks=suite.all_checks,
    judge=judge.judge,
    policy_points=policy_points,
    policy_instead="Write it from tensor operations (mul, add, sqrt, mean, where, rand, ...): no torch.optim, "
                   "no torch.nn, no autograd.",
    policy_kept="No forbidden operator ran during its calls (autograd, torch.optim's kernels, ready-made "
                "normalisation or dropout), and its source imports and reaches nothing forbidden.",
    summary="scratchnn autograder, assignment 2. Each optimizer is graded on multi-step trajectories against a "
            "reference; BatchNorm1d on its values, a gradient check and its running statistics; Dropout by its "
            "properties; each class on the course policy. Some tests are shown only after the due date.",
    layout=Layout(solutions="solutions/hw2", student="assignments/hw2", reference="scratchnn_ref/hw2",
                  tasks={"optim.py": 1, "layers.py": 2}),
)
