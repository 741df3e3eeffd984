"""Every rule of assignment 2's grading, in one place: weights, tolerances, accepted readings,
the training check's settings and threshold, forbidden APIs, visibility. (The engine's limits,
the same for every assignment, are in autograder/limits.py.)
"""

from ..hw1 import config as _hw1

# ---------------------------------------------------------------- what is graded
STUDENT_FILES = ("optim.py", "layers.py")
CLASSES = {
    "SGD": "optim.py",
    "Adam": "optim.py",
    "AdamW": "optim.py",
    "BatchNorm1d": "layers.py",
    "Dropout": "layers.py",
}

# Points of each check, per class. A class's total is the sum of its row.
#   trajectory: several multi-step runs with changing gradients (and a None grad) against the reference
#   robust: step() leaves every .grad as it was, skips a None grad, zero_grad() sets .grad to None;
#           for layers: inputs and dout never modified, backward after two forwards uses the latest
#   forward / backward: BatchNorm1d in training mode against the reference (float32 and float64, γ ≠ 1, β ≠ 0)
#   gradcheck: BatchNorm1d's dL/dx against central differences of the student's own forward (float64)
#   running: running statistics after several training batches, then eval: its output, its backward,
#            and that eval changes nothing
#   masks: Dropout in training mode: zeros or x/(1 − p), the drop rate within a binomial bound, a new
#          mask at every forward, p = 0 and p = 1
#   mask_backward: backward multiplies by the mask of the latest forward
#   eval: Dropout in eval mode is the identity (forward and backward)
#   policy: no forbidden API in the class (earned only if a value check also earns points)
WEIGHTS = {
    "SGD": {"trajectory": 12, "robust": 3, "policy": 1},
    "Adam": {"trajectory": 11, "robust": 2, "policy": 1},
    "AdamW": {"trajectory": 8, "robust": 2, "policy": 1},
    "BatchNorm1d": {"forward": 6, "backward": 7, "gradcheck": 4, "running": 6, "robust": 1, "policy": 1},
    "Dropout": {"masks": 6, "mask_backward": 3, "eval": 2, "robust": 2, "policy": 1},
}
TRAINING_POINTS = 20  # the training check on the digits data
# Totals: SGD 16 + Adam 14 + AdamW 11 + BatchNorm1d 25 + Dropout 14 + training 20 = 100.
# Checks that pay only once the class's first value check earns points: they compare the class with
# itself, or check what a class that does nothing also passes (the given zero_grad, an untouched input).
GATES = {
    "SGD": {"robust": "trajectory"},
    "Adam": {"robust": "trajectory"},
    "AdamW": {"robust": "trajectory"},
    "BatchNorm1d": {"gradcheck": "forward", "running": "forward", "robust": "forward"},
    "Dropout": {"mask_backward": "masks", "eval": "masks", "robust": "masks"},
}
PAYING = ("trajectory", "forward", "backward", "masks")  # points here make the policy points count

# ---------------------------------------------------------------- tolerances
TOLERANCE = _hw1.TOLERANCE  # |got - expected| <= atol + rtol·|expected|, per dtype
GRAD_STEP = _hw1.GRAD_STEP
GRAD_TOLERANCE = _hw1.GRAD_TOLERANCE
# BatchNorm1d's values can be far smaller than the numbers they are computed from (with B = 2, dL/dx is of
# order eps/σ² while its terms are of order |dout|·|γ|/σ; a column of nearly equal values, or a large mean,
# makes σ² a difference of nearly equal numbers), so rounding alone can exceed TOLERANCE·|expected|. Each of
# its comparisons also allows ROUNDING_UNITS units of rounding of the dtype (2^-24 in float32, 2^-53 in
# float64) times the value's condition: what rounding each number it is computed from can contribute
# (suite.batchnorm_condition). The expected values are the reference's computed in float64 and rounded to
# the dtype. Measured: every correct formula (two-pass, E[x²] − E[x]², var_mean, Kratzert's graph, float64
# internals, ...) stays within 5 units on batches of 2 to 16, near-constant columns and means of 50σ.
ROUNDING_UNITS = 64
# Dropout's drop rate: the number of zeros among n elements must be within this many standard
# deviations of n·p (a correct Dropout fails it with probability about 2e-9 at 6σ).
DROP_RATE_SIGMAS = 6.0
# Dropout's independence (judge.randomness_problems): the statistics of each mask (drops per row and per
# column, adjacent pairs both dropped) and of each pair of masks of one input (positions dropped in both)
# must be within this many standard deviations of what independent draws give. Measured over 4000 seeds,
# each statistic standardised is normal to within a skew of 0.1, so each bound fails a correct Dropout with
# probability 1e-9 to 5e-9; with the drop rates the masks check makes 78 tests, about 3e-7 in all (and at
# the grader's fixed seed, torch.manual_seed(0) in jobs.py, the same verdict every time).
RANDOMNESS_SIGMAS = 6.0

# Where the contract leaves a choice, every reading is accepted.
ACCEPTED = {
    "Adam step count": "“Adam's step count is per parameter, as in PyTorch (a parameter skipped for a None "
                       "grad does not advance); one count of step() calls, which differs only there, is "
                       "accepted too.” Both trajectories are right answers.",
    "step() in place or rebinding": "“step() may update .data in place or rebind it.”",
}

# ---------------------------------------------------------------- the training check
# From `python -m autograder.hw2.calibrate` (autograder/hw2/CALIBRATION.md).
# Per graded setting (autograder/hw2/evaluate.py SETTINGS): the grader's seed and the largest training loss
# that passes, 2.5x the reference's worst of 50 seeds rounded up (calibration.json; tests/test_hw2_training.py
# checks that they agree).
TRAINING = {
    "adam": {"seed": 19, "threshold": 0.014},
    "sgd": {"seed": 40, "threshold": 0.011},
}
TIME_TRAINING = 120.0  # seconds of wall time for one training run

# ---------------------------------------------------------------- policy
# As assignment 1's, and torch.optim's operators: the fused and foreach optimizer kernels.
_OPTIM = ("a ready-made optimizer kernel", "write the update yourself from element-wise operations")
# Every normalisation of PyTorch's, as an operator and as a torch function (tests/test_policy.py checks, from
# PyTorch itself, that none is missing; plain vector and matrix norms, torch.norm or linalg.vector_norm, are
# allowed math). Most run as operators of their own, which the trace sees; rms_norm is a pow, a mean and an
# rsqrt (FORBIDDEN_FUNCTIONS).
_NORMS = ["batch_norm", "native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
          "_native_batch_norm_legit_functional", "_batch_norm_impl_index", "_batch_norm_no_update",
          "_batch_norm_with_update", "_batch_norm_with_update_functional", "cudnn_batch_norm", "miopen_batch_norm",
          "quantized_batch_norm", "batch_norm_stats", "batch_norm_elemt", "batch_norm_gather_stats",
          "batch_norm_gather_stats_with_counts", "batch_norm_update_stats", "batch_norm_backward_elemt",
          "batch_norm_backward_reduce", "layer_norm", "native_layer_norm", "group_norm", "native_group_norm",
          "instance_norm", "rms_norm", "_fused_rms_norm", "_weight_norm", "_weight_norm_interface"]
_DROPOUT_OPS = ["dropout", "dropout_", "native_dropout", "feature_dropout", "feature_dropout_", "alpha_dropout",
                "alpha_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_", "fused_dropout", "_fused_dropout",
                "_fill_mem_eff_dropout_mask_"]
FORBIDDEN_OPS = {
    **_hw1.FORBIDDEN_OPS,
    **dict.fromkeys(["_fused_sgd_", "_fused_sgd", "_fused_adam_", "_fused_adam", "_fused_adamw_", "_fused_adamw",
                     "_fused_adagrad_"], _OPTIM),
    **dict.fromkeys(_NORMS, ("a ready-made normalisation", "compute the batch mean and variance yourself")),
    **dict.fromkeys(_DROPOUT_OPS, ("a ready-made dropout", "draw the mask with torch.rand(...) >= p and scale by "
                                                           "1 / (1 − p)")),
}
FORBIDDEN_OP_PARTS = {
    **_hw1.FORBIDDEN_OP_PARTS,
    "_foreach_": _OPTIM,
}
# Assignment 1's and torch.optim, whose step is adds and multiplies: seen as library frames between an
# operator and the student's line (recorder.py).
FORBIDDEN_LIBRARIES = {
    **_hw1.FORBIDDEN_LIBRARIES,
    "torch.optim": ("a ready-made optimizer (torch.optim)", "write the update yourself from element-wise operations"),
}
# torch functions made only of allowed operators (torch.dropout is a bernoulli_ and a mul), so that no
# trace of operators can tell them from the student's code: the recorder wraps each and reports its caller.
_DROPOUTS = ["torch.dropout", "torch.dropout_", "torch.feature_dropout", "torch.feature_dropout_",
             "torch.alpha_dropout", "torch.alpha_dropout_", "torch.feature_alpha_dropout",
             "torch.feature_alpha_dropout_"]
FORBIDDEN_FUNCTIONS = {**_hw1.FORBIDDEN_FUNCTIONS, **dict.fromkeys(_DROPOUTS, FORBIDDEN_OPS["dropout"]),
                       **dict.fromkeys(["torch.rms_norm", "torch._fused_rms_norm"], FORBIDDEN_OPS["rms_norm"])}
ALLOWED_IMPORTS = _hw1.ALLOWED_IMPORTS
PACKAGE_IMPORTS = ("parameter",)  # `from .parameter import Parameter`: the given Parameter class
# Assignment 1's (torch.nn and torch.optim included), and torch's own names of functions that are made
# of allowed operators, so that no trace can tell them from the student's code (torch.dropout is a
# bernoulli_ and a mul).
FORBIDDEN_NAMES = {
    **_hw1.FORBIDDEN_NAMES,
    **dict.fromkeys(_DROPOUTS + ["torch.native_dropout", "torch._fused_dropout", "torch._fill_mem_eff_dropout_mask_"],
                    "a ready-made dropout"),
    **dict.fromkeys([f"torch.{name}" for name in _NORMS], "a ready-made normalisation"),
}
FORBIDDEN_BUILTINS = _hw1.FORBIDDEN_BUILTINS
ALLOWED_DUNDERS = _hw1.ALLOWED_DUNDERS

# ---------------------------------------------------------------- visibility
VISIBILITY = {
    "files": "visible",
    "policy": "visible",
    "trajectory": "visible",
    "forward": "visible",
    "masks": "visible",
    "backward": "after_due_date",
    "gradcheck": "after_due_date",
    "running": "after_due_date",
    "robust": "after_due_date",
    "mask_backward": "after_due_date",
    "eval": "after_due_date",
    "training": "visible",
}
