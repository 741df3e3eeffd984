"""Assignment 1: a Linear layer, seven activations and five losses, and the sine fit.

Its rules are in config.py, its checks in suite.py, its judge in judge.py (with the catalogue
of mistakes in mistakes.py and diagnose.py), the sine fit's sandbox loop in sine_fit.py and its
calibration in calibrate.py. The solution is solutions/ (stubs and reference are generated from it).
"""

from pathlib import Path

from ..assignment import Assignment, Layout
from . import config, judge, suite

HERE = Path(__file__).resolve().parent
REF_DIR = HERE.parent.parent / "scratchnn_ref"
GIVEN_FILES = ("mlp.py", "train.py")  # handed out complete: the kit's copies are used, never the student's


def policy_points(cls: str) -> float:
    return config.WEIGHTS[suite.kind_of(cls)]["policy"]


ASSIGNMENT = Assignment(
    name="hw1",
    title="Assignment 1: Linear, activations, losses",
    config=config,
    given_files={name: (REF_DIR / name).read_text(encoding="utf-8") for name in GIVEN_FILES},
    kit_files={"sine_fit": HERE / "sine_fit.py"},
    checks=suite.all_checks,
    judge=judge.judge,
    policy_points=policy_points,
    policy_instead="Write it from element-wise operations (exp, log, tanh, where, clamp, ...).",
    policy_kept="No forbidden operator ran during its calls (autograd, ready-made activations, losses, softmax), "
                "and its source imports and reaches nothing forbidden.",
    summary="scratchnn autograder. Each class is graded on its own: forward and backward against a reference "
            "on hidden inputs, a numerical gradient check, robustness, large inputs and the course policy; "
            "then the sine fit. Some tests are shown only after the due date.",
    layout=Layout(solutions="solutions", student="assignments", reference="scratchnn_ref",
                  tasks={"linear.py": 1, "activations.py": 2, "losses.py": 3}),
)
