"""Every rule of grading, in one place: weights, tolerances, thresholds, limits, forbidden APIs, visibility.

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
SINE_FIT_POINTS = 20  # shared equally by the activations graded in SINE_FIT
# Totals: Linear 15 + 7 activations × 5 + 5 losses × 6 + sine fit 20 = 100.

# ---------------------------------------------------------------- tolerances
# |got - expected| <= atol + rtol·|expected|, element-wise, per dtype.
TOLERANCE = {
    "float64": {"rtol": 1e-7, "atol": 1e-9},
    "float32": {"rtol": 1e-4, "atol": 1e-5},
}
# The gradient check runs in float64 with central differences of step GRAD_STEP.
GRAD_STEP = 1e-6
GRAD_TOLERANCE = {"rtol": 1e-5, "atol": 1e-7}
# Inputs of the gradient check keep at least this distance from kinks (ReLU at 0, MAE at 0, Huber at ±delta).
KINK_MARGIN = 1e-3
# Magnitudes of the large-input probes.
LARGE = (1e2, 1e3, 1e4)

# ---------------------------------------------------------------- the sine fit
# From `make calibrate` (autograder/calibrate.py, autograder/CALIBRATION.md): per activation, the
# seed the grader trains with and the largest grid MSE that passes. With train.SETTINGS["relu"]
# the reference's worst of 50 seeds is 0.0013 (median 0.00028), so 0.005 leaves a margin of 3.9×;
# a linear network (ReLU.backward passing everything) scores about 0.4. Tanh is not graded: with
# plain SGD some seeds never leave the straight-line fit.
SINE_FIT = {
    "relu": {"seed": 7, "threshold": 0.005},
}

# ---------------------------------------------------------------- limits
TIME_PER_TEST = 20.0        # seconds of wall time for one check in the sandbox
TIME_SINE_FIT = 120.0       # seconds of wall time for one training run
TIME_TOTAL = 420.0          # seconds for the whole grading; Gradescope stops at 600
MEMORY_LIMIT_MB = 400       # data segment of the sandbox process (heap and anonymous maps)
MAX_PROCESSES = 256         # per sandbox user (threads count too): bounds a fork bomb
SANDBOX_USER = "student"    # the unprivileged user student code runs as when the grader is root
SANDBOX_USER_FALLBACK = "nobody"
MAX_OUTPUT_CHARS = 4000     # per test, in results.json
# A job that ran out of wall time having used less than this share of it as CPU time was
# starved (a busy machine) or waiting, and one killed by a signal the sandbox did not send was
# killed from outside (the machine's out-of-memory killer): such a job is run once more, if
# that still ends within TIME_TOTAL. A correct check needs a few percent of its limit; an
# endless loop on Gradescope's half CPU uses about half.
STARVED_CPU_SHARE = 0.1  # a correct check needs a few percent of its limit

# ---------------------------------------------------------------- policy
# Imports a student file may make; anything else is a policy violation.
ALLOWED_IMPORTS = {"torch", "math", "typing", "__future__", "numbers", "functools"}
# Dotted names (and their prefixes) that may not be used, e.g. `torch.nn` forbids `torch.nn.functional.relu`.
FORBIDDEN_NAMES = {
    "torch.nn": "ready-made layers and functions (torch.nn, torch.nn.functional)",
    "torch.autograd": "autograd",
    "torch.func": "automatic differentiation (torch.func)",
    "torch.special": "ready-made special functions (torch.special)",
    "torch.sigmoid": "the built-in sigmoid",
    "torch.softmax": "the built-in softmax",
    "torch.log_softmax": "the built-in log_softmax",
    "torch.logsumexp": "the built-in logsumexp",
    "torch.enable_grad": "autograd",
    "torch.set_grad_enabled": "autograd",
    "torch.inference_mode": "autograd",
    "torch.load": "file access",
    "torch.save": "file access",
    "torch.from_file": "file access",
    "torch.hub": "downloads",
    "torch.utils": "torch.utils",
    "torch.ops": "raw operator access",
    "torch.library": "operator registration",
    "torch.jit": "compilation",
    "torch.compile": "compilation",
    "torch.overrides": "reflection over every torch function, a way around this list",
    "torch.distributions": "ready-made functions and their derivatives (torch.distributions)",
}
# Attribute names forbidden on any object (methods such as x.sigmoid() or loss.backward()).
FORBIDDEN_ATTRIBUTES = {
    "backward_hook": "autograd hooks",
    "requires_grad": "autograd",
    "requires_grad_": "autograd",
    "grad_fn": "autograd",
    "register_hook": "autograd hooks",
    "sigmoid": "the built-in sigmoid",
    "sigmoid_": "the built-in sigmoid",
    "softmax": "the built-in softmax",
    "log_softmax": "the built-in log_softmax",
    "logsumexp": "the built-in logsumexp",
}
# Other modules reachable as attributes (torch.os, torch.sys, ...): forbidden wherever they appear.
FORBIDDEN_MODULE_ATTRIBUTES = {
    "os", "sys", "subprocess", "ctypes", "builtins", "importlib", "inspect", "io", "pathlib", "shutil",
    "socket", "pickle", "threading", "multiprocessing", "signal", "gc", "platform", "glob", "tempfile",
    "runpy", "code", "pdb", "zipfile", "tarfile", "urllib", "http", "textwrap", "warnings",
}
# Tensor.backward is forbidden; the student's own `backward` methods are of course allowed,
# so a call `<something>.backward(...)` is only flagged when its receiver is not `self.<layer>`.
# Built-in names that reach outside the file (files, other modules, the interpreter).
FORBIDDEN_BUILTINS = {
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars",
    "getattr", "setattr", "delattr", "breakpoint", "input", "exit", "quit", "memoryview",
}

# Callables the sandbox replaces by ones that refuse (and report), whatever the student wrote.
RUNTIME_GUARDS = [
    "torch.Tensor.backward", "torch.autograd.grad", "torch.autograd.backward",
    "torch.sigmoid", "torch.Tensor.sigmoid", "torch.softmax", "torch.Tensor.softmax",
    "torch.log_softmax", "torch.Tensor.log_softmax", "torch.logsumexp", "torch.Tensor.logsumexp",
    "torch.special.expit", "torch.special.logit", "torch.special.log_softmax", "torch.special.softmax",
    "torch.special.logsumexp", "torch.nn.functional.sigmoid", "torch.nn.functional.relu",
    "torch.nn.functional.leaky_relu", "torch.nn.functional.elu", "torch.nn.functional.gelu",
    "torch.nn.functional.silu", "torch.nn.functional.tanh", "torch.nn.functional.softmax",
    "torch.nn.functional.log_softmax", "torch.nn.functional.linear", "torch.nn.functional.mse_loss",
    "torch.nn.functional.l1_loss", "torch.nn.functional.huber_loss", "torch.nn.functional.smooth_l1_loss",
    "torch.nn.functional.binary_cross_entropy", "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss", "torch.func.grad", "torch.func.vjp", "torch.func.jacrev",
    "torch.func.jvp", "torch.autograd.functional.jacobian", "torch.autograd.functional.vjp",
    "torch.autograd.forward_ad.make_dual", "torch.autograd.forward_ad.unpack_dual",
    "torch.autograd.forward_ad.dual_level", "torch.autograd.Variable._execution_engine.run_backward",
]

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
