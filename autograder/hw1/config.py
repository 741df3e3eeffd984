"""Every rule of assignment 1's grading, in one place: weights, tolerances, accepted readings,
thresholds, forbidden APIs, visibility. (The engine's limits, the same for every assignment,
are in autograder/limits.py.)

Change a number here and the grader, its self-tests and the release all follow.
"""

# ---------------------------------------------------------------- what is graded
STUDENT_FILES = ("linear.py", "activations.py", "losses.py")

# class -> the student file that holds it
CLASSES = {
    "Linear": "linear.py",
    "Sigmoid": "activations.py",
    "Tanh": "activations.py",
    "ReLU": "activations.py",
    "LeakyReLU": "activations.py",
    "ELU": "activations.py",
    "GELU": "activations.py",
    "Swish": "activations.py",
    "MSELoss": "losses.py",
    "MAELoss": "losses.py",
    "HuberLoss": "losses.py",
    "BCELoss": "losses.py",
    "SoftmaxCELoss": "losses.py",
}

# Points of each check, per class. A class's total is the sum of its row.
#   forward / backward: values against the reference on hidden inputs (several shapes, both dtypes)
#   gradcheck: the student's backward against central differences of the student's own forward
#   robust: inputs and dout not modified, backward after two forwards uses the latest
#   large: forward and backward finite and right for inputs up to 1e4 (overflow, the softmax max,
#          the BCE clamp): the numerical lesson of the assignment, so it weighs as much as a value check
#   policy: no forbidden API in the class (earned only if forward or backward also earns points)
WEIGHTS = {
    "Linear": {"forward": 3, "backward": 5, "gradcheck": 4, "robust": 1, "large": 1, "policy": 1},
    "activation": {"forward": 1, "backward": 1.25, "gradcheck": 0.75, "robust": 0.5, "large": 1, "policy": 0.5},
    "loss": {"forward": 1.25, "backward": 1.25, "gradcheck": 1, "robust": 0.5, "large": 1.5, "policy": 0.5},
}
# Checks whose points count only when the class's forward earns points in its value check: they
# compare the class with itself (a constant forward agrees with a zero backward; untouched inputs
# are no work), so they pay only for a forward that computes the function.
NEEDS_FORWARD = ("gradcheck", "robust")
SINE_FIT_POINTS = 20  # shared equally by the activations graded in SINE_FIT
# Totals: Linear 15 + 7 activations × 5 + 5 losses × 6 + sine fit 20 = 100.

# ---------------------------------------------------------------- tolerances
# |got - expected| <= atol + rtol·|expected|, element-wise, per dtype.
TOLERANCE = {
    "float64": {"rtol": 1e-7, "atol": 1e-9},
    "float32": {"rtol": 1e-4, "atol": 1e-5},
}
# The gradient check runs in float64 with central differences of step GRAD_STEP, every perturbed forward
# before the run that takes the gradient. Where the student's forward matches the reference (or an accepted
# reading) within TOLERANCE["float64"] at x and at every perturbed point, the reference's values are
# differentiated; at some points only, the check fails (not one function); nowhere, the student's own values,
# which must be finite, and whose central differences must not all be 0 within GRAD_TOLERANCE where the
# reference's are not (autograder/hw1/judge.py, differentiated).
GRAD_STEP = 1e-6
GRAD_TOLERANCE = {"rtol": 1e-5, "atol": 1e-7}

# Feedback: a "Likely cause" is named only when exactly one mistake of the catalogue
# (autograder/hw1/mistakes.py) reproduces the student's values on every comparison of a check,
# within this many times the check's tolerance (autograder/hw1/diagnose.py); otherwise none is named.
DIAGNOSIS_SLACK = 10.0

# Where the contract leaves a choice, every reading is accepted (autograder/hw1/suite.py builds each
# one as another right answer; an element may match any of them). Kinks: KINKS in suite.py.
ACCEPTED = {
    "BCELoss clamp precision": "“BCELoss takes probabilities and clamps them to [1e-7, 1-1e-7]”: the bound "
                               "may be applied in the input's dtype (in float32 1 − 1e-7 rounds to 1 − 1.19e-7, "
                               "so the loss at p = 1 differs by about 1%) or in float64, cast back.",
    "BCELoss gradient where clamped": "at a clamped probability both the formula's gradient at the bound and 0 "
                                      "(the exact derivative of the clamped loss) are accepted.",
    "subgradients at kinks": "“where a function has a kink (ReLU and LeakyReLU at 0, MAE at 0) any valid "
                             "subgradient is accepted”.",
}

# ---------------------------------------------------------------- the sine fit
# From `make calibrate` (autograder/hw1/calibrate.py, autograder/hw1/CALIBRATION.md): per activation, the
# seed the grader trains with and the largest grid MSE that passes. With train.SETTINGS["relu"]
# the reference's worst of 50 seeds is 0.0013 (median 0.00028), so 0.005 leaves a margin of 3.9×;
# a linear network (ReLU.backward passing everything) scores about 0.4. Tanh is not graded: with
# plain SGD some seeds never leave the straight-line fit.
SINE_FIT = {
    "relu": {"seed": 7, "threshold": 0.005},
}

# ---------------------------------------------------------------- time
# Seconds of wall time for the training run (the engine's limits: autograder/limits.py). Correct code in
# a slow style must fit with a margin at Gradescope's half CPU, which doubles the wall time: the corpus's
# duduhali_prints (per-sample loops in Linear) trains in 55 s of CPU on a 2-core Xeon VM, the solution in
# 6 s (`python -m autograder SUBMISSION` logs each check's wall and cpu). 300 s leaves 2.7× over its 110 s
# there, and still ends within limits.TIME_TOTAL with every other check.
TIME_SINE_FIT = 300.0

# ---------------------------------------------------------------- policy
# The policy is judged from what the code does (autograder/recorder.py): while a class's calls run,
# the ATen operators that execute are recorded at PyTorch's dispatcher. A class breaks the policy when
# one of FORBIDDEN_OPS ran, when autograd ran (the engine, forward-mode AD, a tensor that requires
# grad), or when torch or Python's built-ins were changed. A static scan (autograder/policy.py) covers
# only what a trace cannot see: imports, file and interpreter access, private attributes, and the
# namespaces whose functions are made of allowed operators (torch.nn.functional.linear is a matmul).
# Printing, repr, f-strings, logging and asserts never count.

# ATen operator name -> (what it is, what to write instead).
_ACT = "write it from element-wise operations (exp, log, tanh, where, clamp, ...)"
_SOFTMAX = "subtract each row's max, then exp and normalise (or log-sum-exp) yourself"
_LOSS = "write the loss from element-wise operations and a mean"
FORBIDDEN_OPS = {
    **dict.fromkeys(["sigmoid", "hardsigmoid", "log_sigmoid_forward"], ("the built-in sigmoid", "1 / (1 + exp(-x)), "
                                                                        "stable for large |x|")),
    **dict.fromkeys(["relu", "relu6", "threshold", "hardtanh", "leaky_relu", "rrelu_with_noise", "prelu",
                     "_prelu_kernel", "elu", "celu", "selu", "gelu", "silu", "mish", "hardswish", "softplus",
                     "softshrink", "hardshrink", "glu"], ("a ready-made activation", _ACT)),
    **dict.fromkeys(["_softmax", "softmax", "_log_softmax", "log_softmax", "logsumexp", "special_logsumexp"],
                    ("a ready-made softmax, log-softmax or logsumexp", _SOFTMAX)),
    **dict.fromkeys(["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
                     "binary_cross_entropy_with_logits", "nll_loss_forward", "nll_loss2d_forward", "nll_loss",
                     "nll_loss_nd", "cross_entropy_loss", "kl_div", "soft_margin_loss", "multi_margin_loss",
                     "multilabel_margin_loss_forward", "poisson_nll_loss", "margin_ranking_loss"],
                    ("a ready-made loss", _LOSS)),
}
# Parts of operator names: every autograd backward kernel (tanh_backward, _softmax_backward_data, ...).
FORBIDDEN_OP_PARTS = {
    "_backward": ("a ready-made derivative (an autograd backward kernel)",
                  "write the derivative yourself from the values cached in forward"),
}

# Libraries whose code is made of allowed operators (F.l1_loss is an abs and a mean): the recorder
# reports a frame of theirs between an operator and the student's line, whatever route led there.
# torch._refs and torch._decomp are PyTorch's Python definitions of its operators and their derivatives
# (torch._refs.nn.functional.gelu, torch._decomp.decompositions.tanh_backward).
_WRITE_IT = "write it from element-wise operations"
FORBIDDEN_LIBRARIES = {
    "torch.nn": ("a ready-made layer or function of torch.nn", _WRITE_IT),
    "torch._refs": ("PyTorch's own definition of an operator", _WRITE_IT),
    "torch._decomp": ("PyTorch's own definition of an operator or its derivative", _WRITE_IT),
    "torch.distributions": ("ready-made functions and their derivatives (torch.distributions)", _WRITE_IT),
}
# torch functions whose operator (in FORBIDDEN_OPS) PyTorch runs as allowed operators, so that no trace
# of operators sees it (torch.kl_div is an exp, a mul and a sum): the recorder wraps each and reports
# its caller. tests/test_policy.py checks, from PyTorch itself, that no such function is missing.
FORBIDDEN_FUNCTIONS = {
    **dict.fromkeys(["torch.kl_div", "torch.poisson_nll_loss", "torch.margin_ranking_loss",
                     "torch._C._nn.l1_loss"], FORBIDDEN_OPS["l1_loss"]),
}

# Imports a student file may make; anything else is a policy violation.
ALLOWED_IMPORTS = {"torch", "math", "typing", "__future__", "numbers", "functools", "logging"}
# Parts of torch a student file may not reach by any route (import, alias, attribute, star import):
# their functions are autograd, or made of allowed operators so that a trace cannot tell them
# from the student's own (F.linear is a matmul, F.l1_loss an abs and a mean), or they load files.
FORBIDDEN_NAMES = {
    "torch.nn": "ready-made layers and functions (torch.nn, torch.nn.functional)",
    "torch.autograd": "autograd",
    "torch.func": "automatic differentiation (torch.func)",
    "torch.special": "ready-made special functions (torch.special)",
    "torch.distributions": "ready-made functions and their derivatives (torch.distributions)",
    "torch.optim": "ready-made optimizers (torch.optim)",
    "torch.ops": "raw operator access",
    "torch.library": "operator registration",
    "torch.utils": "torch.utils",
    "torch.jit": "compilation",
    "torch.compile": "compilation",
    "torch.fx": "graph tracing",
    "torch.export": "graph tracing",
    "torch.overrides": "reflection over every torch function",
    "torch.profiler": "the profiler",
    "torch.hub": "downloads",
    "torch.package": "loading code by name",
    "torch.serialization": "file access",
    "torch.multiprocessing": "processes, which run outside the operator recorder",
    "logging.config": "loading code by name",
    "logging.handlers": "threads, sockets and pickles",
    "torch.distributed": "processes, which run outside the operator recorder",
    "torch.load": "file access",
    "torch.save": "file access",
    "torch.from_file": "file access",
    "torch.get_device_module": "hands back a module (torch.cpu, torch.cuda), which the scan cannot follow",
}
# Built-in names that reach outside the file (files, other modules, the interpreter), when the name
# is the built-in one: a parameter or variable of that name is the student's own. getattr and delattr
# with a name written out ("cache") are judged as the attribute itself; setattr only writes (a change
# to a library is seen at run time).
FORBIDDEN_BUILTINS = {
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars",
    "getattr", "delattr", "breakpoint", "memoryview",
}
# Double-underscore names a student file may use (anything else reaches into Python's internals).
ALLOWED_DUNDERS = {"__init__", "__name__", "__class__", "__qualname__", "__doc__", "__call__", "__future__",
                   "__repr__", "__str__", "__main__"}

# ---------------------------------------------------------------- visibility
# Gradescope visibility per check; the rest of results.json follows the test's check.
VISIBILITY = {
    "files": "visible",
    "policy": "visible",
    "forward": "visible",     # a sanity comparison on small inputs students can act on at once
    "backward": "after_due_date",
    "gradcheck": "after_due_date",
    "robust": "after_due_date",
    "large": "after_due_date",
    "sine_fit": "visible",
}
