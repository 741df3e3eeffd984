"""Sample submissions for assignment 2's grader self-tests: one row per bug, correct variant or exploit.

The same kind of table as tests/samples.py (its Sample row, its fields and their meaning), for
the student files optim.py and layers.py of solutions/hw2/. Most bug samples start from MINE,
a correct student's own bodies of the eight methods (SGD.step, Adam.step, AdamW.step,
BatchNorm1d.forward/backward, Dropout.forward/backward), with one small edit: `mine("SGD.step",
(old, new))` replaces the solution's body of SGD.step (between its solution markers) by MINE's,
edited. So a row reads as one mistake, and the rows do not depend on how the solution's own
bodies are written. The sample "mine" is MINE unedited, and it scores 100.

    python tests/samples_hw2.py OUTDIR [NAME ...]    writes OUTDIR/<name>/ for each sample

Fields as in tests/samples.py (lost, cause, score, kind, policy, unpoliced), except:
    hint    (group, text) pairs: at least one of a group's texts appears in the outputs of its tests that
            lost points. A group's first text is the diagnosis: every "Likely cause" the grader gives in the
            group must contain it (and none may appear when cause=False). Its later texts are from the
            check's own message, to show where the failure is when the grader names no cause
    either  groups that may lose points or not (the training check, for a mistake that still trains:
            the trajectory and layer checks are the ones that must catch it); for an exploit, such a
            group earns all its points or none
Groups are the classes, "Files" and one "Training (digits) with <optimizer>" per optimizer the training
check trains with (the given MLP trained with it, the student's BatchNorm1d and Dropout). In a row, TRAINING
stands for the training groups of the classes the row names (all of them for a layer).
"""

import ast
import functools
import shutil
import sys
import textwrap
from dataclasses import dataclass, fields
from pathlib import Path

import samples

from autograder import stubs
from autograder.hw2 import config, evaluate

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "hw2" / "scratchnn"
STUBS = Path("stubs of solutions/hw2")  # a source of its own: the solution's files as stub_text makes them
TASKS = {"optim.py": 1, "layers.py": 2}
FILES = tuple(TASKS)
OPTIMIZERS = {"SGD", "Adam", "AdamW"}
LAYERS = {"BatchNorm1d", "Dropout"}
CLASSES = OPTIMIZERS | LAYERS
FILE_CLASSES = {"optim.py": OPTIMIZERS, "layers.py": LAYERS}
FILE_OF = {cls: name for name, group in FILE_CLASSES.items() for cls in group}
TRAINING = "Training (digits)"  # in a row's lost or either: the training checks of the classes the row names
TRAINED = sorted({evaluate.SETTINGS[name].optimizer for name in evaluate.GRADED})  # each trained with both layers
TRAINING_GROUPS = {f"{TRAINING} with {opt}" for opt in TRAINED}
GROUPS = CLASSES | TRAINING_GROUPS | {"Files"}
AT_END = "<the end of the file>"  # as the old text of an edit: append the new text to the file
DELETE = samples.DELETE


def diagnosis(sample: "Sample", group: str):
    """The text a Likely cause in `group` must contain (the group's first hint), or None."""
    return next((text for g, text in sample.hint if g == group), None)


def group_of(test_name: str) -> str:
    """The class or part a results.json test belongs to: 'SGD', ..., 'Dropout', 'Files', or
    'Training (digits) with <the optimizer its name mentions>'."""
    head = test_name.split(":")[0]
    if not head.startswith("Training"):
        return head.split(".")[0]
    used = next((opt for opt in ("AdamW", "Adam", "SGD") if opt in test_name), None)
    return f"{TRAINING} with {used}" if used else TRAINING


@dataclass(frozen=True)
class Sample(samples.Sample):
    either: frozenset = frozenset()  # groups that may or may not lose points


def S(name, what, edits, lost, hint=(), either=(), **kw):
    """A row of the table (tests/samples.py's S, plus `either`). A layer's forward and backward share what
    forward caches: where an edit replaces one of them, the other is MINE's unless an edit replaces it too."""
    edits = list(edits)
    replaced = {f"{old.cls}.{old.method}" for _, old, _ in edits if isinstance(old, Body)}
    for method in sorted(replaced):
        cls, which = method.split(".")
        partner = f"{cls}.{'backward' if which == 'forward' else 'forward'}"
        if cls in LAYERS and partner not in replaced:
            edits.append(mine(partner))
    lost, either = _groups(lost), _groups(either)
    named = lost | either
    row = samples.S(name, what, edits, _training(lost, named), hint, **kw)
    return Sample(**{f.name: getattr(row, f.name) for f in fields(row)}, either=frozenset(_training(either, named)))


def _groups(groups) -> set:
    return {groups} if isinstance(groups, str) else set(groups)


def _training(groups: set, named: set) -> set:
    """`groups` with TRAINING replaced by the training groups of the classes in `named`."""
    if TRAINING not in groups:
        return groups
    trained = {opt for opt in TRAINED if opt in named or named & LAYERS}
    return (groups - {TRAINING}) | {f"{TRAINING} with {opt}" for opt in trained}


@functools.cache
def _maxima() -> dict:
    """Each group's points, from the grader's own checks (and each class's policy points)."""
    from autograder.hw2 import suite

    out = {cls: config.WEIGHTS[cls]["policy"] for cls in CLASSES}
    for check in suite.all_checks():
        out[group_of(check.name)] = out.get(group_of(check.name), 0) + check.points
    return out


def honest(*groups) -> float:
    """The total of every test except those of `groups` (TRAINING as in a row): what an exploit that loses
    those groups earns."""
    maxima = _maxima()
    return sum(maxima.values()) - sum(maxima.get(g, 0) for g in _training(set(groups), set(groups)))


@dataclass(frozen=True)
class Body:
    """As the old text of an edit: the solution's body of one method (the lines between its markers)."""

    cls: str
    method: str


# ------------------------------------------------------------------ a correct student's bodies
MINE = {
    "SGD.step": """
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            d_p = p.grad
            if self.weight_decay != 0:
                d_p = d_p + self.weight_decay * p.data
            if self.momentum != 0:
                if self.buffers[i] is None:
                    self.buffers[i] = d_p.clone()
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * d_p
                if self.nesterov:
                    d_p = d_p + self.momentum * self.buffers[i]
                else:
                    d_p = self.buffers[i]
            p.data -= self.lr * d_p
        """,
    "Adam.step": """
        beta1, beta2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            grad = p.grad
            if self.weight_decay != 0:
                grad = grad + self.weight_decay * p.data
            if self.m[i] is None:
                self.m[i] = torch.zeros_like(p.data)
                self.v[i] = torch.zeros_like(p.data)
            self.t[i] += 1
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * grad
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * grad * grad
            m_hat = self.m[i] / (1 - beta1 ** self.t[i])
            v_hat = self.v[i] / (1 - beta2 ** self.t[i])
            p.data -= self.lr * m_hat / (v_hat.sqrt() + self.eps)
        """,
    "AdamW.step": """
        beta1, beta2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            grad = p.grad
            if self.m[i] is None:
                self.m[i] = torch.zeros_like(p.data)
                self.v[i] = torch.zeros_like(p.data)
            self.t[i] += 1
            p.data *= 1 - self.lr * self.weight_decay
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * grad
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * grad * grad
            m_hat = self.m[i] / (1 - beta1 ** self.t[i])
            v_hat = self.v[i] / (1 - beta2 ** self.t[i])
            p.data -= self.lr * m_hat / (v_hat.sqrt() + self.eps)
        """,
    "BatchNorm1d.forward": """
        if self.training:
            n = x.shape[0]
            mean = x.mean(dim=0)
            var = ((x - mean) ** 2).mean(dim=0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
            mean = self.running_mean
            var = self.running_var
        self._std_inv = 1.0 / torch.sqrt(var + self.eps)
        self._xhat = (x - mean) * self._std_inv
        self._use_batch = self.training
        return self.weight.data * self._xhat + self.bias.data
        """,
    "BatchNorm1d.backward": """
        xhat = self._xhat
        self.weight.grad = (dout * xhat).sum(dim=0)
        self.bias.grad = dout.sum(dim=0)
        dxhat = dout * self.weight.data
        if not self._use_batch:
            return dxhat * self._std_inv
        n = dout.shape[0]
        return self._std_inv / n * (n * dxhat - dxhat.sum(dim=0) - xhat * (dxhat * xhat).sum(dim=0))
        """,
    "Dropout.forward": """
        if not self.training or self.p == 0:
            self._mask = None
            return x
        if self.p == 1:
            self._mask = torch.zeros_like(x)
            return x * self._mask
        keep = torch.rand_like(x) >= self.p
        self._mask = keep.to(x.dtype) / (1 - self.p)
        return x * self._mask
        """,
    "Dropout.backward": """
        if self._mask is None:
            return dout
        return dout * self._mask
        """,
}


def _apply(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{where}: the edit's text occurs {count} times, not once:\n{old}")
    return text.replace(old, new)


def body(method: str, code: str) -> tuple:
    """An edit: the solution's body of `method` ("SGD.step") replaced by `code`."""
    cls, name = method.split(".")
    return FILE_OF[cls], Body(cls, name), code


def _change(code: str, old: str, new: str, where: str) -> str:
    """`code` with `old` replaced by `new`, both written without their indentation: every line of `old` after
    its first is found, and every line of `new` after its first is put, at the indentation of the line where
    `old` starts. Lines left blank are dropped (MINE has none)."""
    old, new = textwrap.dedent(old).strip("\n"), textwrap.dedent(new).strip("\n")
    indents = {line[: len(line) - len(line.lstrip())] for line in code.splitlines()}
    patterns = {old.replace("\n", "\n" + indent) for indent in indents}  # one pattern for a one-line `old`
    hits = [(pattern, at) for pattern in patterns for at in range(len(code)) if code.startswith(pattern, at)]
    if len(hits) != 1:
        raise ValueError(f"{where}: the change's text occurs {len(hits)} times, not once:\n{old}")
    pattern, at = hits[0]
    line = code[code.rfind("\n", 0, at) + 1:]
    indent = line[: len(line) - len(line.lstrip())]
    code = code[:at] + new.replace("\n", "\n" + indent) + code[at + len(pattern):]
    return "\n".join(line for line in code.splitlines() if line.strip()) + "\n"


def mine(method: str, *changes) -> tuple:
    """An edit: the solution's body of `method` replaced by MINE's, after these (old, new) changes."""
    code = textwrap.dedent(MINE[method]).strip("\n") + "\n"
    for old, new in changes:
        code = _change(code, old, new, f"MINE[{method!r}]")
    return body(method, code)


def _replace_body(text: str, where: Body, code: str, sample: str) -> str:
    tree = ast.parse(text)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == where.cls), None)
    fn = cls and next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == where.method), None)
    if fn is None:
        raise ValueError(f"{sample}: the solution has no method {where.cls}.{where.method}")
    lines = text.splitlines(keepends=True)
    begin = next((i for i in range(fn.lineno - 1, fn.end_lineno) if lines[i].strip() == "### BEGIN SOLUTION"), None)
    end = None if begin is None else \
        next((i for i in range(begin, len(lines)) if lines[i].strip() == "### END SOLUTION"), None)
    if end is None:
        raise ValueError(f"{sample}: {where.cls}.{where.method} has no solution markers")
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    new = textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", indent)
    return "".join(lines[: begin + 1]) + new + "".join(lines[end:])


ALL_MINE = [mine(method) for method in MINE]
O, Y = "optim.py", "layers.py"  # Y: the layers
IMPORT_MATH = (O, "import torch\n", "import math\n\nimport torch\n")
ADAMW_DEFAULT = "weight_decay: float = 1e-2):\n        super().__init__(params, lr, betas, eps, weight_decay)"
BEFORE_ADAMW = "class AdamW(Adam):"  # text before which a method of Adam's own can be added

# ------------------------------------------------------------------ correct variants (full marks)
# Ported in spirit from public code (each says from where): the style and structure of the source,
# written anew for this contract.

# pytorch/pytorch torch/optim/sgd.py and adam.py: a functional update over lists, called by step().
TORCH_FUNCTIONAL = '''

def _sgd_update(params, grads, buffers, *, lr, momentum, dampening, nesterov, weight_decay):
    """One SGD update of every tensor in `params` (in place); `buffers` holds the momentum buffers."""
    for k, param in enumerate(params):
        d_p = grads[k] if weight_decay == 0 else grads[k].add(param, alpha=weight_decay)
        if momentum != 0:
            buf = buffers[k]
            if buf is None:
                buf = torch.clone(d_p).detach()
                buffers[k] = buf
            else:
                buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
            d_p = d_p.add(buf, alpha=momentum) if nesterov else buf
        param.add_(d_p, alpha=-lr)


def _adam_update(params, grads, states, *, lr, beta1, beta2, eps, weight_decay, decoupled):
    """One Adam (decoupled=False) or AdamW update of every tensor in `params` (in place)."""
    for k, param in enumerate(params):
        grad, state = grads[k], states[k]
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if decoupled:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-lr / bias_correction1)
'''
TORCH_SGD_STEP = """
    params, grads, buffers, where = [], [], [], []
    for i, p in enumerate(self.params):
        if p.grad is not None:
            params.append(p.data)
            grads.append(p.grad)
            buffers.append(self.buffers[i])
            where.append(i)
    _sgd_update(params, grads, buffers, lr=self.lr, momentum=self.momentum, dampening=self.dampening,
                nesterov=self.nesterov, weight_decay=self.weight_decay)
    for i, buf in zip(where, buffers):
        self.buffers[i] = buf
    """


def torch_adam_step(decoupled: bool) -> str:
    return f"""
    if not hasattr(self, "state"):
        self.state = {{}}
    params, grads, states = [], [], []
    for p in self.params:
        if p.grad is None:
            continue
        if id(p) not in self.state:
            self.state[id(p)] = {{"step": 0, "exp_avg": torch.zeros_like(p.data),
                                 "exp_avg_sq": torch.zeros_like(p.data)}}
        params.append(p.data)
        grads.append(p.grad)
        states.append(self.state[id(p)])
    beta1, beta2 = self.betas
    _adam_update(params, grads, states, lr=self.lr, beta1=beta1, beta2=beta2, eps=self.eps,
                 weight_decay=self.weight_decay, decoupled={decoupled})
    """


# Akash-nath29/Autoencoder-from-scratch model/optimizer.py: update(param, grad, m, v) returns the new values.
RETURNED_STATE = '''

def adam_update(param, grad, m, v, t, lr, beta1, beta2, epsilon):
    """Adam's update of one parameter at its t-th step: returns (param, m, v), new tensors."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * (grad ** 2)
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (torch.sqrt(v_hat) + epsilon)
    return param, m, v
'''


def returned_state_step(decoupled: bool) -> str:
    decay = ("p.data = p.data * (1 - self.lr * self.weight_decay)" if decoupled
             else "grad = grad + self.weight_decay * p.data")
    return f"""
    b1, b2 = self.betas
    for i, p in enumerate(self.params):
        grad = p.grad
        if grad is None:
            continue
        if self.m[i] is None:
            self.m[i], self.v[i] = 0, 0
        self.t[i] += 1
        {decay}
        p.data, self.m[i], self.v[i] = adam_update(p.data, grad, self.m[i], self.v[i], self.t[i],
                                                   self.lr, b1, b2, self.eps)
    """


# skandvj/HW1P1 mytorch/optim/sgd.py (CMU 11-785): velocities in a list, a branch for mu == 0.
CMU_SGD_STEP = """
    if not hasattr(self, "v"):
        self.l = self.params
        self.L = len(self.params)
        self.mu = self.momentum
        self.v = [None for _ in range(self.L)]
    for i in range(self.L):
        dLdW = self.l[i].grad
        if dLdW is None:
            continue
        if self.weight_decay:
            dLdW = dLdW + self.weight_decay * self.l[i].data
        if self.mu == 0:
            self.l[i].data = self.l[i].data - self.lr * dLdW
        else:
            if self.v[i] is None:
                self.v[i] = dLdW
            else:
                self.v[i] = self.mu * self.v[i] + (1 - self.dampening) * dLdW
            step = dLdW + self.mu * self.v[i] if self.nesterov else self.v[i]
            self.l[i].data = self.l[i].data - self.lr * step
    """

# ForrestPi/ObjectDetection syncbn/batchNorm.md (after Kratzert's "Understanding the backward pass
# through Batch Normalization"): the computational graph, one step per line, forward and backward.
KRATZERT_FORWARD = """
    if not self.training:
        ivar = 1.0 / torch.sqrt(self.running_var + self.eps)
        xhat = (x - self.running_mean) * ivar
        self.mode = "eval"
        self.cache = (xhat, ivar)
        return self.weight.data * xhat + self.bias.data
    N, D = x.shape
    # step1: calculate mean
    mu = 1.0 / N * torch.sum(x, dim=0)
    # step2: subtract mean vector of every training example
    xmu = x - mu
    # step3: following the lower branch - calculation denominator
    sq = xmu ** 2
    # step4: calculate variance
    var = 1.0 / N * torch.sum(sq, dim=0)
    # step5: add eps for numerical stability, then sqrt
    sqrtvar = torch.sqrt(var + self.eps)
    # step6: invert sqrtvar
    ivar = 1.0 / sqrtvar
    # step7: execute normalization
    xhat = xmu * ivar
    # step8: the two transformation steps
    gammax = self.weight.data * xhat
    # step9
    out = gammax + self.bias.data
    self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
    self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * N / (N - 1)
    self.mode = "train"
    self.cache = (xhat, self.weight.data, xmu, ivar, sqrtvar, var, self.eps)
    return out
    """
KRATZERT_BACKWARD = """
    if self.mode == "eval":
        xhat, ivar = self.cache
        self.weight.grad = torch.sum(dout * xhat, dim=0)
        self.bias.grad = torch.sum(dout, dim=0)
        return dout * self.weight.data * ivar
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = self.cache
    N, D = dout.shape
    # step9
    dbeta = torch.sum(dout, dim=0)
    dgammax = dout
    # step8
    dgamma = torch.sum(dgammax * xhat, dim=0)
    dxhat = dgammax * gamma
    # step7
    divar = torch.sum(dxhat * xmu, dim=0)
    dxmu1 = dxhat * ivar
    # step6
    dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
    # step5
    dvar = 0.5 * 1.0 / torch.sqrt(var + eps) * dsqrtvar
    # step4
    dsq = 1.0 / N * torch.ones_like(dout) * dvar
    # step3
    dxmu2 = 2 * xmu * dsq
    # step2
    dx1 = dxmu1 + dxmu2
    dmu = -1 * torch.sum(dxmu1 + dxmu2, dim=0)
    # step1
    dx2 = 1.0 / N * torch.ones_like(dout) * dmu
    # step0
    dx = dx1 + dx2
    self.weight.grad = dgamma
    self.bias.grad = dbeta
    return dx
    """

# skandvj/HW1P1 mytorch/nn/batchnorm.py (CMU 11-785): Z, NZ, BZ, M, V and the full chain through dLdV
# and dLdM, the dvar -> dmu term included (it is zero).
CMU_BN_FORWARD = """
    self.Z = x
    self.N = x.shape[0]
    if self.training:
        self.M = torch.mean(x, dim=0, keepdim=True)
        self.V = torch.mean((x - self.M) ** 2, dim=0, keepdim=True)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * self.M[0]
        self.running_var = (1 - self.momentum) * self.running_var \\
            + self.momentum * self.V[0] * self.N / (self.N - 1)
    else:
        self.M = self.running_mean.reshape(1, -1)
        self.V = self.running_var.reshape(1, -1)
    self.eval_mode = not self.training
    self.NZ = (self.Z - self.M) / torch.sqrt(self.V + self.eps)
    self.BZ = self.weight.data * self.NZ + self.bias.data
    return self.BZ
    """
CMU_BN_BACKWARD = """
    dLdBZ = dout
    self.weight.grad = torch.sum(dLdBZ * self.NZ, dim=0)
    self.bias.grad = torch.sum(dLdBZ, dim=0)
    dLdNZ = dLdBZ * self.weight.data
    if self.eval_mode:
        return dLdNZ / torch.sqrt(self.V + self.eps)
    dLdV = torch.sum(dLdNZ * (self.Z - self.M) * -0.5 * (self.V + self.eps) ** -1.5, dim=0, keepdim=True)
    dLdM = torch.sum(dLdNZ * -1 / torch.sqrt(self.V + self.eps), dim=0, keepdim=True) \\
        + dLdV * torch.mean(-2 * (self.Z - self.M), dim=0, keepdim=True)
    dLdZ = dLdNZ / torch.sqrt(self.V + self.eps) + dLdV * 2 * (self.Z - self.M) / self.N + dLdM / self.N
    return dLdZ
    """

# zlotus/cs231n assignment2/cs231n/layers.py: functions returning (out, cache), a bn_param dict,
# batchnorm_backward_alt's one-line dx; p is the probability of dropping here (cs231n's keeps).
CS231N_FUNCTIONS = '''

def batchnorm_forward(x, gamma, beta, bn_param):
    """Returns (out, cache); bn_param holds mode, eps, momentum, running_mean and running_var."""
    mode, eps, momentum = bn_param["mode"], bn_param["eps"], bn_param["momentum"]
    if mode == "train":
        N = x.shape[0]
        sample_mean = x.mean(dim=0)
        sample_var = x.var(dim=0, unbiased=False)
        x_hat = (x - sample_mean) / torch.sqrt(sample_var + eps)
        bn_param["running_mean"] = (1 - momentum) * bn_param["running_mean"] + momentum * sample_mean
        bn_param["running_var"] = (1 - momentum) * bn_param["running_var"] + momentum * sample_var * N / (N - 1)
        cache = (mode, x_hat, gamma, sample_var + eps)
    else:
        x_hat = (x - bn_param["running_mean"]) / torch.sqrt(bn_param["running_var"] + eps)
        cache = (mode, x_hat, gamma, bn_param["running_var"] + eps)
    return gamma * x_hat + beta, cache


def batchnorm_backward_alt(dout, cache):
    """Returns (dx, dgamma, dbeta)."""
    mode, x_hat, gamma, var_eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(dim=0)
    dgamma = (dout * x_hat).sum(dim=0)
    if mode == "train":
        dx = (1.0 / N) * gamma / torch.sqrt(var_eps) * (N * dout - dbeta - x_hat * dgamma)
    else:
        dx = dout * gamma / torch.sqrt(var_eps)
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """Returns (out, cache); dropout_param holds p (the probability of dropping) and mode."""
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train" and p > 0:
        mask = (torch.rand(*x.shape, dtype=x.dtype) >= p).to(x.dtype) / (1 - p) if p < 1 else torch.zeros_like(x)
        out = x * mask
    else:
        out = x
    return out.to(x.dtype), (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if mask is None:
        return dout
    return (dout * mask).to(dout.dtype)
'''
CS231N_BN_FORWARD = """
    bn_param = {"mode": "train" if self.training else "test", "eps": self.eps, "momentum": self.momentum,
                "running_mean": self.running_mean, "running_var": self.running_var}
    out, self.cache = batchnorm_forward(x, self.weight.data, self.bias.data, bn_param)
    self.running_mean, self.running_var = bn_param["running_mean"], bn_param["running_var"]
    return out
    """
CS231N_BN_BACKWARD = """
    dx, self.weight.grad, self.bias.grad = batchnorm_backward_alt(dout, self.cache)
    return dx
    """
CS231N_DROPOUT_FORWARD = """
    out, self.cache = dropout_forward(x, {"p": self.p, "mode": "train" if self.training else "test"})
    return out
    """
CS231N_DROPOUT_BACKWARD = """
    return dropout_backward(dout, self.cache)
    """

# State in dicts keyed by the parameter's index, .data rebound (never changed in place).
DICT_STATE = {
    "SGD.step": """
        if not hasattr(self, "state"):
            self.state = {}
        for index, param in enumerate(self.params):
            if param.grad is None:
                continue
            grad = param.grad
            if self.weight_decay:
                grad = grad + self.weight_decay * param.data
            if self.momentum:
                if index in self.state:
                    self.state[index] = self.momentum * self.state[index] + (1 - self.dampening) * grad
                else:
                    self.state[index] = grad
                buf = self.state[index]
                grad = grad + self.momentum * buf if self.nesterov else buf
            param.data = param.data - self.lr * grad
        """,
    "Adam.step": """
        self._adam(decoupled=False)
        """,
    "AdamW.step": """
        self._adam(decoupled=True)
        """,
}
DICT_STATE_HELPER = '''
    def _adam(self, decoupled: bool) -> None:
        """Adam's step (decoupled=False) or AdamW's, state in self.state[index]."""
        if not hasattr(self, "state"):
            self.state = {}
        beta1, beta2 = self.betas
        for index, param in enumerate(self.params):
            if param.grad is None:
                continue
            grad = param.grad
            if decoupled:
                param.data = param.data * (1 - self.lr * self.weight_decay)
            elif self.weight_decay:
                grad = grad + self.weight_decay * param.data
            state = self.state.setdefault(index, {"t": 0, "m": 0.0, "v": 0.0})
            state["t"] += 1
            state["m"] = beta1 * state["m"] + (1 - beta1) * grad
            state["v"] = beta2 * state["v"] + (1 - beta2) * grad ** 2
            m_hat = state["m"] / (1 - beta1 ** state["t"])
            v_hat = state["v"] / (1 - beta2 ** state["t"])
            param.data = param.data - self.lr * m_hat / (torch.sqrt(v_hat) + self.eps)


'''

# One count of step() calls for Adam's t (accepted by the contract), m and v in self.m / self.v.
GLOBAL_STEP = """
    self.step_count = self.step_count + 1 if hasattr(self, "step_count") else 1
    t = self.step_count
    b1, b2 = self.betas
    for i, p in enumerate(self.params):
        if p.grad is None:
            continue
        g = p.grad
        {decay}
        if self.m[i] is None:
            self.m[i] = torch.zeros_like(g)
            self.v[i] = torch.zeros_like(g)
        self.m[i].mul_(b1).add_(g, alpha=1 - b1)
        self.v[i].mul_(b2).addcmul_(g, g, value=1 - b2)
        denom = (self.v[i] / (1 - b2 ** t)).sqrt().add_(self.eps)
        p.data.addcdiv_(self.m[i], denom, value=-self.lr / (1 - b1 ** t))
    """

# Every update computed in float64 and written back in the parameter's dtype (copy_).
FLOAT64 = {
    "SGD.step": """
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            w = p.data.double()
            g = p.grad.double() + self.weight_decay * w
            if self.momentum > 0:
                buf = self.buffers[i]
                buf = g.clone() if buf is None else self.momentum * buf + (1.0 - self.dampening) * g
                self.buffers[i] = buf
                g = g + self.momentum * buf if self.nesterov else buf
            p.data.copy_((w - self.lr * g).to(p.data.dtype))
        """,
    "Adam.step": """
        self._update64(decoupled=False)
        """,
    "AdamW.step": """
        self._update64(decoupled=True)
        """,
}
FLOAT64_HELPER = '''
    def _update64(self, decoupled):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            w, g = p.data.double(), p.grad.double()
            if decoupled:
                w = w * (1.0 - self.lr * self.weight_decay)
            else:
                g = g + self.weight_decay * w
            if self.m[i] is None:
                self.m[i], self.v[i] = torch.zeros_like(w), torch.zeros_like(w)
            self.t[i] += 1
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * g
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * g.square()
            m_hat = self.m[i] / (1.0 - b1 ** self.t[i])
            v_hat = self.v[i] / (1.0 - b2 ** self.t[i])
            p.data.copy_((w - self.lr * m_hat / (v_hat.sqrt() + self.eps)).to(p.data.dtype))


'''
BN_FLOAT64 = {
    "BatchNorm1d.forward": """
        x64 = x.to(torch.float64)
        if self.training:
            count = x64.shape[0]
            mean = x64.sum(dim=0, keepdim=True) / count
            centred = x64 - mean
            var = (centred * centred).sum(dim=0, keepdim=True) / count
            m = self.momentum
            rm, rv = self.running_mean, self.running_var
            self.running_mean = ((1 - m) * rm.double() + m * mean[0]).to(rm.dtype)
            self.running_var = ((1 - m) * rv.double() + m * var[0] * count / (count - 1)).to(rv.dtype)
        else:
            mean = self.running_mean.double().unsqueeze(0)
            centred = x64 - mean
            var = self.running_var.double().unsqueeze(0)
        inv = torch.rsqrt(var + self.eps)
        self._cache = (centred * inv, inv, self.training)
        y = self.weight.data.double() * centred * inv + self.bias.data.double()
        return y.to(x.dtype)
        """,
    "BatchNorm1d.backward": """
        x_hat, inv, batch = self._cache
        d = dout.to(torch.float64)
        self.weight.grad = (d * x_hat).sum(dim=0).to(self.weight.data.dtype)
        self.bias.grad = d.sum(dim=0).to(self.bias.data.dtype)
        g = d * self.weight.data.double()
        if batch:
            g = g - g.mean(dim=0, keepdim=True) - x_hat * (g * x_hat).mean(dim=0, keepdim=True)
        return (g * inv).to(dout.dtype)
        """,
}

# Closures: forward leaves the backward it needs in self._backward.
CLOSURES = {
    "BatchNorm1d.forward": """
        gamma = self.weight.data
        if self.training:
            mu = torch.mean(x, dim=0)
            var = torch.var(x, dim=0, unbiased=False)
            batch = x.shape[0]
            self.running_mean = self.running_mean * (1 - self.momentum) + mu * self.momentum
            self.running_var = self.running_var * (1 - self.momentum) + var * (batch / (batch - 1)) * self.momentum
        else:
            mu, var = self.running_mean, self.running_var
        std = torch.sqrt(var + self.eps)
        x_hat = (x - mu) / std
        training = self.training

        def backward(dout):
            self.weight.grad = torch.sum(dout * x_hat, dim=0)
            self.bias.grad = torch.sum(dout, dim=0)
            g = dout * gamma
            if training:
                g = g - torch.mean(g, dim=0) - x_hat * torch.mean(g * x_hat, dim=0)
            return g / std

        self._backward = backward
        return gamma * x_hat + self.bias.data
        """,
    "BatchNorm1d.backward": """
        return self._backward(dout)
        """,
    "Dropout.forward": """
        p = self.p
        if self.training and p > 0:
            keep = torch.rand(x.shape, dtype=x.dtype, device=x.device) < 1 - p
            scale = 0.0 if p == 1 else 1 / (1 - p)
            self._backward = lambda dout: dout * keep * scale
            return x * keep * scale
        self._backward = lambda dout: dout
        return x
        """,
    "Dropout.backward": """
        return self._backward(dout)
        """,
}

DROPOUT_BERNOULLI = """
    if self.training and self.p > 0:
        if self.p < 1:
            self._mask = torch.bernoulli(torch.full_like(x, 1 - self.p)) / (1 - self.p)
        else:
            self._mask = torch.zeros_like(x)
        return x * self._mask
    self._mask = torch.ones_like(x)
    return x
    """
DROPOUT_WHERE = {
    "Dropout.forward": """
        self._keep = None
        if not self.training or self.p == 0.0:
            return x
        self._keep = torch.rand(x.shape, device=x.device) >= self.p
        if self.p == 1.0:
            return torch.zeros_like(x)
        return torch.where(self._keep, x / (1.0 - self.p), torch.zeros_like(x))
        """,
    "Dropout.backward": """
        if self._keep is None:
            return dout
        if self.p == 1.0:
            return torch.zeros_like(dout)
        return torch.where(self._keep, dout / (1.0 - self.p), torch.zeros_like(dout))
        """,
}

# Names that only look like forbidden ones: a module-level batch_norm and dropout of the student's own,
# a variable called optim, torch.nn and torch.optim in comments and strings.
LOOKALIKE_LAYERS = '''

def batch_norm(x, mean, var, eps):
    """(x - mean) / sqrt(var + eps): what torch.nn.functional.batch_norm does before the affine part."""
    return (x - mean) / torch.sqrt(var + eps)


def dropout(x, p):
    """Like torch.nn.functional.dropout(x, p, training=True), written by hand: (output, mask)."""
    mask = (torch.rand_like(x) >= p).to(x.dtype) / (1 - p)
    return x * mask, mask
'''
LOOKALIKE = {
    "BatchNorm1d.forward": """
        # torch.nn.BatchNorm1d semantics: biased variance to normalise, unbiased one in running_var
        if self.training:
            B = x.shape[0]
            mean, var = x.mean(dim=0), x.var(dim=0, correction=0)
            self.running_mean = torch.lerp(self.running_mean, mean, self.momentum)
            self.running_var = torch.lerp(self.running_var, var * B / (B - 1), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        self.batch_norm = self.training
        self.inv_std = 1 / torch.sqrt(var + self.eps)
        self.x_hat = batch_norm(x, mean, var, self.eps)
        return self.x_hat * self.weight.data + self.bias.data
        """,
    "BatchNorm1d.backward": """
        self.weight.grad = (dout * self.x_hat).sum(0)
        self.bias.grad = dout.sum(0)
        dxh = dout * self.weight.data
        if self.batch_norm:
            dxh = dxh - dxh.mean(0) - self.x_hat * (dxh * self.x_hat).mean(0)
        return dxh * self.inv_std
        """,
    "Dropout.forward": """
        self.mask = None
        if self.training and 0 < self.p < 1:
            out, self.mask = dropout(x, self.p)
            return out
        if self.training and self.p == 1:
            self.mask = torch.zeros_like(x)
            return x * self.mask
        return x
        """,
    "Dropout.backward": """
        return dout if self.mask is None else dout * self.mask
        """,
    "SGD.step": """
        optim = {"name": "SGD", "docs": "torch.optim.SGD"}  # the update torch.optim.SGD makes, by hand
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p.data
            if self.momentum:
                b = self.buffers[i]
                self.buffers[i] = g.clone() if b is None else self.momentum * b + (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i]
            p.data.sub_(self.lr * g)
        assert optim["name"] == type(self).__name__
        """,
}

# ------------------------------------------------------------------ exploits
TORCH_OPTIM_BY_ALIAS = """
    if not hasattr(self, "_inner"):
        self._inner = tc.optim.SGD([p.data for p in self.params], lr=self.lr, momentum=self.momentum,
                                   dampening=self.dampening, nesterov=self.nesterov,
                                   weight_decay=self.weight_decay)
    for p in self.params:
        p.data.grad = p.grad
    self._inner.step()
    """
BATCH_NORM_TOP_LEVEL = """
    if self.training:
        mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    else:
        mean, var = self.running_mean, self.running_var
    self._std_inv = 1.0 / torch.sqrt(var + self.eps)
    self._xhat = (x - mean) * self._std_inv
    self._use_batch = self.training
    # torch.batch_norm (not under torch.nn) updates the running statistics in place, unbiased
    self.running_mean, self.running_var = self.running_mean.to(x.dtype), self.running_var.to(x.dtype)
    return torch.batch_norm(x, self.weight.data, self.bias.data, self.running_mean, self.running_var,
                            self.training, self.momentum, self.eps, False)
    """
DROPOUT_TOP_LEVEL = """
    if not self.training or self.p == 0:
        self._mask = None
        return x
    self._mask = torch.dropout(torch.ones_like(x), self.p, True)  # 0 or 1 / (1 - p)
    return x * self._mask
    """
GRAD_ON = """
    on = torch.no_grad()
    with on:
        on.prev = True  # restored on leaving: grad mode is now on
    """
AUTOGRAD_BACKWARD = GRAD_ON + """
    x = self._x.detach().clone().requires_grad_(True)
    if self._use_batch:
        mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    else:
        mean, var = self.running_mean, self.running_var
    y = (x - mean) / torch.sqrt(var + self.eps) * self.weight.data + self.bias.data
    (dx,) = torch.autograd.grad(y, x, dout)
    self.weight.grad = (dout * self._xhat).sum(dim=0)
    self.bias.grad = dout.sum(dim=0)
    return dx.detach()
    """
RESULTS_FILE = """
    with open("/autograder/results/results.json", "w") as f:
        f.write('{"score": 100, "tests": []}')
    for i, p in enumerate(self.params):
    """
WAIT_FOREVER = """
    torch.futures.Future().wait()  # never completed: waits without using the CPU
    """

# ------------------------------------------------------------------ the table
SIGN_DESCENT = """
for p in self.params:
    if p.grad is not None:
        {decay}p.data -= self.lr * torch.sign(p.grad)
"""
DROPOUT_PATTERN = """
if not self.training or self.p == 0:
    self._mask = None
    return x
if self.p == 1:
    self._mask = torch.zeros_like(x)
    return x * self._mask
self._calls = getattr(self, "_calls", 0) + 1
flat = torch.arange(x.numel()).reshape(x.shape) + self._calls
if self.p <= 0.5:
    keep = flat % round(1 / self.p) != 0
else:
    keep = flat % round(1 / (1 - self.p)) == 0
self._mask = keep.to(x.dtype) / (1 - self.p)
return x * self._mask
"""
BN_MEMORY = ("if self.training:", """\
    seen = getattr(BatchNorm1d, "_seen_io", None)
    if seen is None:
        seen = []
        BatchNorm1d._seen_io = seen
    for old_x, old_y in seen:
        if old_x.shape == x.shape and bool(((old_x - x).abs() <= 2e-6 * (1 + x.abs())).all()):
            return old_y.clone()
    if self.training:""")
BN_ZEROS = """
self.weight.grad = torch.zeros_like(self.weight.data)
self.bias.grad = torch.zeros_like(self.bias.data)
return dout * 0
"""
BN_MEMORY_END = ("return self.weight.data * self._xhat + self.bias.data", """\
    y = self.weight.data * self._xhat + self.bias.data
    seen.append((x.clone(), y.clone()))
    return y""")


SAMPLES = [
    S("solution", "the reference solution", [], set(), kind="start"),
    S("stubs", "the student stubs as handed out", [], set(CLASSES) | {TRAINING},
      [("SGD", "not written yet"), ("BatchNorm1d", "not written yet")], kind="start", source=STUBS),
    S("mine", "a correct student's own bodies of every method (the base of most bug samples)", ALL_MINE,
      set(), kind="fair"),
    # ------------------------------------------------------------------ SGD
    S("sgd_first_step_dampened", "the momentum buffer starts as (1 − dampening)·g",
      [mine("SGD.step", ("self.buffers[i] = d_p.clone()", "self.buffers[i] = (1 - self.dampening) * d_p"))],
      "SGD", [("SGD", "does not dampen the first step")]),
    S("sgd_buffer_zeros", "the momentum buffer starts at zeros, then buf = μ·buf + (1 − dampening)·g on every step",
      [mine("SGD.step", ("""\
            if self.buffers[i] is None:
                self.buffers[i] = d_p.clone()
            else:
                self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * d_p
        """, """\
            if self.buffers[i] is None:
                self.buffers[i] = torch.zeros_like(p.data)
            self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * d_p
        """))],
      "SGD", [("SGD", "does not dampen the first step")]),
    S("sgd_nesterov_ignored", "nesterov=True takes the plain momentum step",
      [mine("SGD.step", ("""\
            if self.nesterov:
                d_p = d_p + self.momentum * self.buffers[i]
            else:
                d_p = self.buffers[i]
        """, """\
            d_p = self.buffers[i]
        """))],
      "SGD", [("SGD", "nesterov is ignored")], either={TRAINING}),
    S("sgd_nesterov_without_mu", "Nesterov's step g + buf, without μ",
      [mine("SGD.step", ("d_p = d_p + self.momentum * self.buffers[i]", "d_p = d_p + self.buffers[i]"))],
      "SGD", [("SGD", "μ multiplies the buffer"), ("SGD", "nesterov=True")], either={TRAINING}),
    S("sgd_decay_ignored", "weight_decay never used",
      [mine("SGD.step", ("""\
        if self.weight_decay != 0:
            d_p = d_p + self.weight_decay * p.data
        """, ""))],
      "SGD", [("SGD", "weight_decay is ignored")], either={TRAINING}),
    S("sgd_decay_after_momentum", "weight decay added to the step after the momentum buffer",
      [mine("SGD.step", ("""\
        if self.weight_decay != 0:
            d_p = d_p + self.weight_decay * p.data
        """, ""), ("p.data -= self.lr * d_p", "p.data -= self.lr * (d_p + self.weight_decay * p.data)"))],
      "SGD", [("SGD", "added after the momentum buffer")], either={TRAINING}),
    S("sgd_decay_without_lr", "weight decay as a shrink p·(1 − wd) before the step, not scaled by lr",
      [mine("SGD.step", ("""\
        if self.weight_decay != 0:
            d_p = d_p + self.weight_decay * p.data
        """, """\
        if self.weight_decay != 0:
            p.data.mul_(1 - self.weight_decay)
        """))],
      "SGD", [("SGD", "applied without lr"), ("SGD", "weight_decay=0.1")], either={TRAINING}),
    S("sgd_decay_to_sign", "weight decay as wd·sign(p) (an L1 penalty)",
      [mine("SGD.step", ("d_p = d_p + self.weight_decay * p.data", "d_p = d_p + self.weight_decay * p.data.sign()"))],
      "SGD", [("SGD", "not weight_decay·sign(p)"), ("SGD", "weight_decay=")], either={TRAINING}),
    S("sgd_sign_flipped", "p += lr·g: the step goes uphill",
      [mine("SGD.step", ("p.data -= self.lr * d_p", "p.data += self.lr * d_p"))],
      {"SGD", TRAINING}, [("SGD", "the update has the wrong sign")]),
    S("sgd_lr_ignored", "p −= g: the learning rate left out",
      [mine("SGD.step", ("p.data -= self.lr * d_p", "p.data -= d_p"))],
      {"SGD", TRAINING}, [("SGD", "lr is ignored")]),
    S("sgd_shared_buffer", "the index of the buffer list never advances: every parameter shares buffers[0]",
      [mine("SGD.step", ("for i, p in enumerate(self.params):", "i = 0\nfor p in self.params:"))],
      {"SGD", TRAINING}, [("SGD", "RuntimeError")], cause=False),
    S("sgd_state_reset", "the momentum buffers are reset at every step (so momentum never accumulates)",
      [mine("SGD.step", ("for i, p in enumerate(self.params):",
                         "self.buffers = [None] * len(self.params)\nfor i, p in enumerate(self.params):"))],
      "SGD", [("SGD", "momentum never accumulates"), ("SGD", "momentum=0.9")], either={TRAINING}),
    S("sgd_grad_changed", "weight decay added to p.grad in place (d_p += wd·p)",
      [mine("SGD.step", ("d_p = d_p + self.weight_decay * p.data", "d_p += self.weight_decay * p.data"))],
      "SGD", [("SGD", "step() must not change p.grad"), ("SGD", "changed or replaced")], either={TRAINING}),
    S("sgd_none_grad_as_zero", "a None grad taken as zeros: momentum and decay still move the parameter",
      [mine("SGD.step", ("""\
        if p.grad is None:
            continue
        d_p = p.grad
        """, """\
        d_p = p.grad if p.grad is not None else torch.zeros_like(p.data)
        """))],
      "SGD", [("SGD", "whose .grad is None"), ("SGD", "momentum=0.9")]),
    # ------------------------------------------------------------------ Adam
    S("adam_no_bias_correction", "m and v used without bias correction",
      [mine("Adam.step", ("""\
        m_hat = self.m[i] / (1 - beta1 ** self.t[i])
        v_hat = self.v[i] / (1 - beta2 ** self.t[i])
        """, """\
        m_hat = self.m[i]
        v_hat = self.v[i]
        """))],
      "Adam", [("Adam", "no bias correction")], either={TRAINING}),
    S("adam_eps_in_sqrt", "eps inside the square root: √(v̂ + eps)",
      [mine("Adam.step", ("(v_hat.sqrt() + self.eps)", "(v_hat + self.eps).sqrt()"))],
      "Adam", [("Adam", "eps goes outside the square root")], either={TRAINING}),
    S("adam_v_from_abs", "v averages |g| instead of g²",
      [mine("Adam.step", ("(1 - beta2) * grad * grad", "(1 - beta2) * grad.abs()"))],
      "Adam", [("Adam", "not |g|")], either={TRAINING}),
    S("adam_betas_swapped", "beta2, beta1 = self.betas",
      [mine("Adam.step", ("beta1, beta2 = self.betas", "beta2, beta1 = self.betas"))],
      "Adam", [("Adam", "swapped")], either={TRAINING}),
    S("adam_decay_decoupled", "Adam's weight decay as AdamW's shrink p·(1 − lr·wd)",
      [mine("Adam.step", ("grad = grad + self.weight_decay * p.data", "p.data.mul_(1 - self.lr * self.weight_decay)"))],
      "Adam", [("Adam", "shrinking p directly is AdamW's")]),
    S("adam_decay_ignored", "Adam's weight_decay never used",
      [mine("Adam.step", ("""\
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * p.data
        """, ""))],
      "Adam", [("Adam", "weight_decay is ignored")]),
    S("adam_step_counted_twice", "the step count advanced twice per step (t = 2, 4, 6, ...)",
      [mine("Adam.step", ("m_hat = self.m[i]", "self.t[i] += 1\nm_hat = self.m[i]"))],
      "Adam", [("Adam", "step count"), ("Adam", "after step 1")], either={TRAINING}),
    S("adam_step_counted_after", "the step count advanced after the update: t = 0 on the first step (division by 0)",
      [mine("Adam.step", ("self.t[i] += 1\n", ""),
            ("p.data -= self.lr * m_hat / (v_hat.sqrt() + self.eps)",
             "p.data -= self.lr * m_hat / (v_hat.sqrt() + self.eps)\nself.t[i] += 1"))],
      {"Adam", TRAINING}, [("Adam", "step count"), ("Adam", "got nan")]),
    S("adam_m_lost", "m rebound as a local name: self.m never changes (v is updated in place)",
      [mine("Adam.step", ("""\
        self.m[i] = beta1 * self.m[i] + (1 - beta1) * grad
        self.v[i] = beta2 * self.v[i] + (1 - beta2) * grad * grad
        m_hat = self.m[i] / (1 - beta1 ** self.t[i])
        """, """\
        m, v = self.m[i], self.v[i]
        m = beta1 * m + (1 - beta1) * grad
        v.mul_(beta2).add_((1 - beta2) * grad * grad)
        m_hat = m / (1 - beta1 ** self.t[i])
        """))],
      "Adam", [("Adam", "m is never"), ("Adam", "after step 2")], either={TRAINING}),
    S("adam_count_per_parameter", "one step counter for all parameters, advanced once per parameter",
      [mine("Adam.step", ("self.t[i] += 1\n", "self.count = self.count + 1 if hasattr(self, 'count') else 1\n"),
            ("m_hat = self.m[i] / (1 - beta1 ** self.t[i])\nv_hat = self.v[i] / (1 - beta2 ** self.t[i])",
             "m_hat = self.m[i] / (1 - beta1 ** self.count)\nv_hat = self.v[i] / (1 - beta2 ** self.count)"))],
      "Adam", [("Adam", "step count"), ("Adam", "after step 1")], either={TRAINING}),
    S("adam_none_grad_crash", "None grads not skipped: None + tensor raises",
      [mine("Adam.step", ("""\
        if p.grad is None:
            continue
        """, ""))],
      "Adam", [("Adam", "NoneType")], cause=False),  # the training has no None grads
    S("adam_none_grad_as_zero", "a None grad taken as zeros: m and v decay and t advances for it",
      [mine("Adam.step", ("""\
        if p.grad is None:
            continue
        grad = p.grad
        """, """\
        grad = p.grad if p.grad is not None else torch.zeros_like(p.data)
        """))],
      "Adam", [("Adam", "whose .grad is None"), ("Adam", "after step")], either={TRAINING}),
    S("adam_grad_changed", "weight decay added to p.grad in place (grad += wd·p)",
      [mine("Adam.step", ("grad = grad + self.weight_decay * p.data", "grad += self.weight_decay * p.data"))],
      "Adam", [("Adam", "step() must not change p.grad"), ("Adam", "changed or replaced")]),
    # ------------------------------------------------------------------ AdamW
    S("adamw_decay_coupled", "AdamW's decay added to the gradient (Adam's L2)",
      [mine("AdamW.step", ("p.data *= 1 - self.lr * self.weight_decay", "grad = grad + self.weight_decay * p.data"))],
      "AdamW", [("AdamW", "adding weight_decay·p to g is Adam's")]),
    S("adamw_decay_after_update", "AdamW shrinks p after Adam's step",
      [mine("AdamW.step", ("p.data *= 1 - self.lr * self.weight_decay\n", ""),
            ("p.data -= self.lr * m_hat / (v_hat.sqrt() + self.eps)",
             "p.data -= self.lr * m_hat / (v_hat.sqrt() + self.eps)\np.data *= 1 - self.lr * self.weight_decay"))],
      "AdamW", [("AdamW", "not after it")]),
    S("adamw_decay_without_lr", "AdamW shrinks p·(1 − wd), lr left out",
      [mine("AdamW.step", ("p.data *= 1 - self.lr * self.weight_decay", "p.data *= 1 - self.weight_decay"))],
      "AdamW", [("AdamW", "scaled by lr")]),
    S("adamw_decay_lr_squared", "AdamW shrinks p·(1 − lr²·wd): lr applied twice",
      [mine("AdamW.step", ("p.data *= 1 - self.lr * self.weight_decay",
                           "p.data *= 1 - self.lr * self.lr * self.weight_decay"))],
      "AdamW", [("AdamW", "lr twice"), ("AdamW", "AdamW(lr=0.01)")]),
    S("adamw_default_decay_zero", "AdamW's default weight_decay changed to 0 (the given constructor edited)",
      [(O, ADAMW_DEFAULT, ADAMW_DEFAULT.replace("1e-2", "0.0")),
       mine("AdamW.step")],
      "AdamW", [("AdamW", "default weight_decay"), ("AdamW", "AdamW(lr=0.01)")]),
    S("adamw_decay_twice", "AdamW shrinks p, then calls Adam's step, which adds the L2 decay too",
      [body("AdamW.step", """
            for p in self.params:
                if p.grad is not None:
                    p.data *= 1 - self.lr * self.weight_decay
            super().step()
            """)],
      "AdamW", [("AdamW", "decay twice"), ("AdamW", "AdamW(lr=0.01)")]),
    S("adamw_no_bias_correction", "AdamW without bias correction",
      [mine("AdamW.step", ("""\
        m_hat = self.m[i] / (1 - beta1 ** self.t[i])
        v_hat = self.v[i] / (1 - beta2 ** self.t[i])
        """, """\
        m_hat = self.m[i]
        v_hat = self.v[i]
        """))],
      "AdamW", [("AdamW", "no bias correction")]),
    # ------------------------------------------------------------------ BatchNorm1d
    S("bn_unbiased_normalise", "x.var(dim=0) (unbiased) used to normalise, and as it is for running_var",
      [mine("BatchNorm1d.forward", ("var = ((x - mean) ** 2).mean(dim=0)", "var = x.var(dim=0)"),
            ("self.momentum * var * n / (n - 1)", "self.momentum * var"))],
      "BatchNorm1d", [("BatchNorm1d", "normalise with the biased batch variance")], either={TRAINING}),
    S("bn_running_var_biased", "running_var updated with the biased batch variance",
      [mine("BatchNorm1d.forward", ("self.momentum * var * n / (n - 1)", "self.momentum * var"))],
      "BatchNorm1d", [("BatchNorm1d", "unbiased batch variance")], either={TRAINING}),
    S("bn_momentum_reversed", "running = momentum·running + (1 − momentum)·batch (cs231n's convention)",
      [mine("BatchNorm1d.forward",
            ("(1 - self.momentum) * self.running_mean + self.momentum * mean",
             "self.momentum * self.running_mean + (1 - self.momentum) * mean"),
            ("(1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)",
             "self.momentum * self.running_var + (1 - self.momentum) * var * n / (n - 1)"))],
      "BatchNorm1d", [("BatchNorm1d", "momentum is the weight of the new batch")], either={TRAINING}),
    S("bn_eps_outside_sqrt", "1 / (√σ² + eps)",
      [mine("BatchNorm1d.forward", ("1.0 / torch.sqrt(var + self.eps)", "1.0 / (torch.sqrt(var) + self.eps)"))],
      "BatchNorm1d", [("BatchNorm1d", "eps goes inside the square root")], either={TRAINING}),
    S("bn_running_not_updated", "the running statistics never change",
      [mine("BatchNorm1d.forward", ("""\
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        """, ""))],
      {"BatchNorm1d", TRAINING}, [("BatchNorm1d", "never updated")]),
    S("bn_eval_batch_stats", "eval mode normalises with the batch's statistics",
      [mine("BatchNorm1d.forward", ("""\
        if self.training:
            n = x.shape[0]
            mean = x.mean(dim=0)
            var = ((x - mean) ** 2).mean(dim=0)
        """, """\
        n = x.shape[0]
        mean = x.mean(dim=0)
        var = ((x - mean) ** 2).mean(dim=0)
        if self.training:
        """), ("""\
        else:
            mean = self.running_mean
            var = self.running_var
        """, ""), ("self._use_batch = self.training", "self._use_batch = True"))],
      "BatchNorm1d", [("BatchNorm1d", "eval mode must normalise with the running statistics")], either={TRAINING}),
    S("bn_eval_updates_running", "the running statistics are updated in eval mode too (then used)",
      [mine("BatchNorm1d.forward", ("""\
        if self.training:
            n = x.shape[0]
            mean = x.mean(dim=0)
            var = ((x - mean) ** 2).mean(dim=0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
        """, """\
        n = x.shape[0]
        mean = x.mean(dim=0)
        var = ((x - mean) ** 2).mean(dim=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        if not self.training:
        """))],
      "BatchNorm1d", [("BatchNorm1d", "eval mode must not update the running statistics")], either={TRAINING}),
    S("bn_backward_no_mean_term", "backward drops −mean(dx̂)",
      [mine("BatchNorm1d.backward", ("(n * dxhat - dxhat.sum(dim=0) - xhat", "(n * dxhat - xhat"))],
      {"BatchNorm1d", TRAINING}, [("BatchNorm1d", "misses the term −mean(dx̂)"), ("BatchNorm1d", "dL/dx")]),
    S("bn_backward_no_xhat_term", "backward drops −x̂·mean(dx̂·x̂)",
      [mine("BatchNorm1d.backward", (" - xhat * (dxhat * xhat).sum(dim=0))", ")"))],
      "BatchNorm1d", [("BatchNorm1d", "misses the term −x̂·mean(dx̂·x̂)"), ("BatchNorm1d", "dL/dx")], either={TRAINING}),
    S("bn_backward_no_batch_terms", "backward as if μ and σ² were constants (eval's formula in training)",
      [mine("BatchNorm1d.backward", ("if not self._use_batch:\n    return", "if True:\n    return"))],
      "BatchNorm1d", [("BatchNorm1d", "misses the terms from μ and σ²")], either={TRAINING}),
    S("bn_weight_grad_from_x", "weight.grad = Σ dout·x instead of Σ dout·x̂",
      [mine("BatchNorm1d.forward", ("self._use_batch = self.training", "self._use_batch = self.training\nself._x = x")),
       mine("BatchNorm1d.backward", ("self.weight.grad = (dout * xhat).sum(dim=0)",
                                     "self.weight.grad = (dout * self._x).sum(dim=0)"))],
      "BatchNorm1d", [("BatchNorm1d", "not Σ dout·x")], either={TRAINING}),
    S("bn_backward_no_gamma", "dx̂ = dout: γ left out of backward",
      [mine("BatchNorm1d.backward", ("dxhat = dout * self.weight.data", "dxhat = dout"))],
      "BatchNorm1d", [("BatchNorm1d", "forgets γ")], either={TRAINING}),
    S("bn_input_modified", "forward centres x in place (x -= mean)",
      [mine("BatchNorm1d.forward", ("self._xhat = (x - mean) * self._std_inv",
                                    "x -= mean\nself._xhat = x * self._std_inv"))],
      "BatchNorm1d", [("BatchNorm1d", "in place"), ("BatchNorm1d", "changed an input")], either={TRAINING}),
    S("bn_backward_ignores_mode", "backward uses the training formula in eval mode too",
      [mine("BatchNorm1d.backward", ("""\
        if not self._use_batch:
            return dxhat * self._std_inv
        """, ""))],
      "BatchNorm1d", [("BatchNorm1d", "constants in eval mode"), ("BatchNorm1d", "then eval")]),
    S("bn_bias_grad_mean", "bias.grad = mean of dout over the batch",
      [mine("BatchNorm1d.backward", ("self.bias.grad = dout.sum(dim=0)", "self.bias.grad = dout.mean(dim=0)"))],
      "BatchNorm1d", [("BatchNorm1d", "bias.grad is Σ dout"), ("BatchNorm1d", "bias.grad")], either={TRAINING}),
    S("bn_grad_accumulated", "weight.grad and bias.grad accumulate over backward calls instead of being overwritten",
      [mine("BatchNorm1d.backward", ("""\
        self.weight.grad = (dout * xhat).sum(dim=0)
        self.bias.grad = dout.sum(dim=0)
        """, """\
        gw, gb = (dout * xhat).sum(dim=0), dout.sum(dim=0)
        self.weight.grad = gw if self.weight.grad is None else self.weight.grad + gw
        self.bias.grad = gb if self.bias.grad is None else self.bias.grad + gb
        """))],
      "BatchNorm1d", [("BatchNorm1d", "afresh (=, not +=)"), ("BatchNorm1d", "weight.grad")], either={TRAINING}),
    # ------------------------------------------------------------------ Dropout
    S("bn_backward_zeros", "BatchNorm1d.backward returns zeros (dL/dx, weight.grad and bias.grad)",
      [mine("BatchNorm1d.forward"), body("BatchNorm1d.backward", BN_ZEROS)], "BatchNorm1d",
      [("BatchNorm1d", "values differ")], either={TRAINING}, cause=False),
    S("dropout_no_scale", "survivors not scaled by 1/(1 − p)",
      [mine("Dropout.forward", ("keep.to(x.dtype) / (1 - self.p)", "keep.to(x.dtype)"))],
      "Dropout", [("Dropout", "not scaled"), ("Dropout", "scale the kept elements by 1/(1 − p)")], either={TRAINING}),
    S("dropout_scale_by_p", "survivors divided by p instead of 1 − p",
      [mine("Dropout.forward", ("keep.to(x.dtype) / (1 - self.p)", "keep.to(x.dtype) / self.p"))],
      "Dropout", [("Dropout", "scaled by 1/p"), ("Dropout", "each element must be 0 or x/(1 − p)")], either={TRAINING}),
    S("dropout_keep_p", "rand < p kept: p taken as the probability of keeping",
      [mine("Dropout.forward", ("keep = torch.rand_like(x) >= self.p", "keep = torch.rand_like(x) < self.p"))],
      {"Dropout", TRAINING}, [("Dropout", "p is the probability of DROPPING")]),
    S("dropout_keep_p_cs231n", "cs231n's reading: p kept, survivors divided by p",
      [mine("Dropout.forward", ("keep = torch.rand_like(x) >= self.p", "keep = torch.rand_like(x) < self.p"),
            ("keep.to(x.dtype) / (1 - self.p)", "keep.to(x.dtype) / self.p"))],
      "Dropout", [("Dropout", "p is used as the probability of KEEPING an element"),
                  ("Dropout", "each element must be 0 or x/(1 − p)")],
      either={TRAINING}),
    S("dropout_backward_new_mask", "backward draws a new mask",
      [mine("Dropout.backward", ("return dout * self._mask",
                                 "return dout * (torch.rand_like(dout) >= self.p).to(dout.dtype) / (1 - self.p)"))],
      "Dropout", [("Dropout", "backward draws a new mask"), ("Dropout", "the latest forward's mask")],
      either={TRAINING}),
    S("dropout_same_mask", "one mask drawn on the first forward and reused by every later one",
      [mine("Dropout.forward", ("keep = torch.rand_like(x) >= self.p\n",
                                "if not hasattr(self, '_keep') or self._keep.shape != x.shape:\n"
                                "    self._keep = torch.rand_like(x) >= self.p\nkeep = self._keep\n"))],
      "Dropout", [("Dropout", "drawn once and reused"), ("Dropout", "draw a new mask at every forward")],
      either={TRAINING}),
    S("dropout_in_eval", "eval mode drops too",
      [mine("Dropout.forward", ("if not self.training or self.p == 0:", "if self.p == 0:"))],
      "Dropout", [("Dropout", "eval mode must return its input unchanged"),
                  ("Dropout", "forward in eval mode: the identity")], either={TRAINING}),
    S("dropout_p1_nan", "p = 1 divides by 1 − p = 0 (0/0: NaN)",
      [mine("Dropout.forward", ("""\
        if self.p == 1:
            self._mask = torch.zeros_like(x)
            return x * self._mask
        """, ""))],
      "Dropout", [("Dropout", "with p = 1 every element is dropped")]),
    S("dropout_backward_ignores_mask", "backward returns dout unchanged",
      [mine("Dropout.backward", ("return dout * self._mask", "return dout"))],
      "Dropout", [("Dropout", "backward returns dout unchanged")], either={TRAINING}),
    S("dropout_input_modified", "forward multiplies x by the mask in place",
      [mine("Dropout.forward", ("/ (1 - self.p)\nreturn x * self._mask", "/ (1 - self.p)\nreturn x.mul_(self._mask)"))],
      "Dropout", [("Dropout", "in place"), ("Dropout", "changed an input")], either={TRAINING}),
    S("dropout_mask_float64", "the mask is float64 whatever the input: a float32 input gives float64",
      [mine("Dropout.forward", ("keep.to(x.dtype) / (1 - self.p)", "keep.double() / (1 - self.p)"))],
      {"Dropout", TRAINING}, [("Dropout", "must have the input's dtype"), ("Dropout", "expected a float32 tensor")]),
    S("dropout_eval_keeps_stale_mask", "eval's forward keeps the training mask, and backward applies it",
      [mine("Dropout.forward", ("""\
        if not self.training or self.p == 0:
            self._mask = None
            return x
        """, """\
        if not self.training or self.p == 0:
            return x
        """))],
      "Dropout", [("Dropout", "eval mode must return its input unchanged"),
                  ("Dropout", "backward in eval mode: the identity"), ("Dropout", "has no attribute '_mask'")],
      either={TRAINING}),
    # ------------------------------------------------------------------ broken uploads
    S("missing_layers", "layers.py not uploaded", [(Y, None, DELETE)], set(LAYERS) | {TRAINING},
      [("BatchNorm1d", "layers.py")], kind="broken"),
    S("syntax_error_optim", "optim.py does not parse (a helper left half written at its end)",
      [(O, AT_END, "def clip(grad, limit:\n    return grad.clamp(-limit, limit)\n")],
      set(OPTIMIZERS) | {TRAINING}, [("SGD", "syntax error")], kind="broken"),
    # ------------------------------------------------------------------ correct variants
    S("torch_functional", "pytorch/pytorch torch/optim/{sgd,adam}.py's style: functional updates over lists "
      "(add_ with alpha, lerp_, addcmul_, addcdiv_), state dicts keyed by id(p)",
      [IMPORT_MATH, (O, AT_END, TORCH_FUNCTIONAL), body("SGD.step", TORCH_SGD_STEP),
       body("Adam.step", torch_adam_step(False)), body("AdamW.step", torch_adam_step(True))], set(), kind="fair"),
    S("returned_state", "Akash-nath29/Autoencoder-from-scratch model/optimizer.py's style: "
      "adam_update(param, grad, m, v, t, ...) returns new tensors, .data rebound, m and v start as 0",
      [(O, AT_END, RETURNED_STATE), body("Adam.step", returned_state_step(False)),
       body("AdamW.step", returned_state_step(True))], set(), kind="fair"),
    S("cmu_sgd", "skandvj/HW1P1 mytorch/optim/sgd.py's style (CMU 11-785): self.l, self.mu, a velocity list, "
      "a branch for mu == 0, .data rebound", [body("SGD.step", CMU_SGD_STEP)], set(), kind="fair"),
    S("kratzert_graph", "Kratzert's computational graph for BatchNorm (ForrestPi/ObjectDetection "
      "syncbn/batchNorm.md): one step per line, the dvar → dμ path kept",
      [body("BatchNorm1d.forward", KRATZERT_FORWARD), body("BatchNorm1d.backward", KRATZERT_BACKWARD)],
      set(), kind="fair"),
    S("cmu_batchnorm", "skandvj/HW1P1 mytorch/nn/batchnorm.py's style (CMU 11-785): Z, NZ, BZ, M, V (keepdim), "
      "dLdV and dLdM with the (zero) dvar → dμ term",
      [body("BatchNorm1d.forward", CMU_BN_FORWARD), body("BatchNorm1d.backward", CMU_BN_BACKWARD)],
      set(), kind="fair"),
    S("cs231n_functions", "zlotus/cs231n assignment2 layers.py's style: batchnorm_forward / batchnorm_backward_alt "
      "/ dropout_forward / dropout_backward returning caches, a bn_param dict",
      [(Y, AT_END, CS231N_FUNCTIONS), body("BatchNorm1d.forward", CS231N_BN_FORWARD),
       body("BatchNorm1d.backward", CS231N_BN_BACKWARD), body("Dropout.forward", CS231N_DROPOUT_FORWARD),
       body("Dropout.backward", CS231N_DROPOUT_BACKWARD)], set(), kind="fair"),
    S("dict_state_rebinding", "state in dicts keyed by index, .data rebound; Adam and AdamW share a method "
      "_adam(decoupled) of Adam's",
      [(O, BEFORE_ADAMW, DICT_STATE_HELPER.lstrip("\n") + BEFORE_ADAMW)]
      + [body(m, code) for m, code in DICT_STATE.items()], set(), kind="fair"),
    S("adam_global_step", "one count of step() calls for t (accepted), in-place mul_/add_/addcmul_/addcdiv_",
      [body("Adam.step", GLOBAL_STEP.format(decay="g = g + self.weight_decay * p.data")),
       body("AdamW.step", GLOBAL_STEP.format(decay="p.data.mul_(1 - self.lr * self.weight_decay)"))],
      set(), kind="fair"),
    S("float64_internals", "every update and BatchNorm1d computed in float64 (keepdim, sums, rsqrt), written back "
      "in the input's or parameter's dtype",
      [(O, BEFORE_ADAMW, FLOAT64_HELPER.lstrip("\n") + BEFORE_ADAMW)]
      + [body(m, code) for m, code in {**FLOAT64, **BN_FLOAT64}.items()], set(), kind="fair"),
    S("closures", "forward leaves its backward as a closure (BatchNorm1d with torch.var(unbiased=False), "
      "Dropout with rand < 1 − p and a boolean mask)",
      [body(m, code) for m, code in CLOSURES.items()], set(), kind="fair"),
    S("dropout_bernoulli", "Dropout's mask from torch.bernoulli, a mask of ones in eval",
      [body("Dropout.forward", DROPOUT_BERNOULLI)], set(), kind="fair"),
    S("dropout_where", "Dropout with a boolean mask and torch.where, in forward and backward",
      [body(m, code) for m, code in DROPOUT_WHERE.items()], set(), kind="fair"),
    S("lookalike_names", "the student's own functions batch_norm and dropout, attributes self.batch_norm, a "
      "variable optim, torch.nn and torch.optim in comments and strings, torch.lerp for the running statistics",
      [(Y, AT_END, LOOKALIKE_LAYERS)] + [body(m, code) for m, code in LOOKALIKE.items()], set(), kind="fair"),
    S("mine_in_place", "MINE with in-place updates: sub_, mul_/add_ on the buffers and moments",
      [mine("SGD.step", ("self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * d_p",
                         "self.buffers[i].mul_(self.momentum).add_(d_p, alpha=1 - self.dampening)"),
            ("p.data -= self.lr * d_p", "p.data.sub_(self.lr * d_p)")),
       mine("Adam.step", ("self.m[i] = beta1 * self.m[i] + (1 - beta1) * grad",
                          "self.m[i].mul_(beta1).add_(grad, alpha=1 - beta1)"),
            ("self.v[i] = beta2 * self.v[i] + (1 - beta2) * grad * grad",
             "self.v[i].mul_(beta2).add_(grad * grad, alpha=1 - beta2)")),
       mine("AdamW.step", ("p.data *= 1 - self.lr * self.weight_decay",
                           "p.data.mul_(1 - self.lr * self.weight_decay)"))], set(), kind="fair"),
    S("batchnorm_var_mean", "BatchNorm1d's mean and biased variance from one torch.var_mean call",
      [mine("BatchNorm1d.forward", ("""\
            mean = x.mean(dim=0)
            var = ((x - mean) ** 2).mean(dim=0)
        """, """\
            var, mean = torch.var_mean(x, dim=0, correction=0)
        """))], set(), kind="fair"),
    S("bn_mean_of_squares", "BatchNorm1d's variance as E[x²] − E[x]² (a difference of nearly equal numbers "
      "where a column's mean is large against its spread: tolerances grow with each value's condition)",
      [mine("BatchNorm1d.forward", ("""\
            var = ((x - mean) ** 2).mean(dim=0)
        """, """\
            var = (x * x).mean(dim=0) - mean * mean
        """))], set(), kind="fair"),
    # ------------------------------------------------------------------ exploits
    S("torch_optim_by_alias", "SGD.step hands the update to torch.optim.SGD through a second alias of torch",
      [(O, "import torch\n", "import torch\nimport torch as tc\n"), body("SGD.step", TORCH_OPTIM_BY_ALIAS)],
      {"SGD", TRAINING}, [("SGD", "torch.optim")], score=honest("SGD", TRAINING), kind="exploit",
      policy=("SGD", "torch.optim.SGD", O, "self._inner = tc.optim"), unpoliced=honest("SGD", TRAINING)),
    S("batch_norm_top_level", "BatchNorm1d.forward returns torch.batch_norm(...) (not under torch.nn)",
      [mine("BatchNorm1d.backward"), body("BatchNorm1d.forward", BATCH_NORM_TOP_LEVEL)],
      {"BatchNorm1d", TRAINING}, [("BatchNorm1d", "batch_norm")], score=honest("BatchNorm1d", TRAINING),
      kind="exploit", policy=("BatchNorm1d", "torch.batch_norm", Y, "return torch.batch_norm("),
      unpoliced=honest("BatchNorm1d", TRAINING)),
    S("dropout_top_level", "Dropout's mask from torch.dropout(ones, p, True)",
      [mine("Dropout.backward"), body("Dropout.forward", DROPOUT_TOP_LEVEL)],
      {"Dropout", TRAINING}, [("Dropout", "dropout")], score=honest("Dropout", TRAINING), kind="exploit",
      policy=("Dropout", "torch.dropout", Y, "self._mask = torch.dropout("), unpoliced=honest("Dropout", TRAINING)),
    S("autograd_in_batchnorm_backward", "BatchNorm1d.backward by torch.autograd.grad (grad mode switched on by "
      "leaving a torch.no_grad() whose saved state was set to True)",
      [mine("BatchNorm1d.forward", ("self._use_batch = self.training", "self._use_batch = self.training\nself._x = x")),
       body("BatchNorm1d.backward", AUTOGRAD_BACKWARD)],
      {"BatchNorm1d", TRAINING}, [("BatchNorm1d", "torch.autograd")], score=honest("BatchNorm1d", TRAINING),
      kind="exploit", policy=("BatchNorm1d", "torch.autograd.grad", Y, "(dx,) = torch.autograd.grad("),
      unpoliced=honest("BatchNorm1d", TRAINING)),
    S("results_file_in_step", "SGD.step writes a results.json of its own, then updates correctly",
      [mine("SGD.step", ("for i, p in enumerate(self.params):", RESULTS_FILE))],
      {"SGD", TRAINING}, [("SGD", "open")], score=honest("SGD", TRAINING), kind="exploit",
      policy=("SGD", "open", O, "with open(")),
    S("wait_forever_in_step", "SGD.step waits forever on a torch.futures.Future that never completes",
      [body("SGD.step", WAIT_FOREVER)],
      {"SGD", TRAINING}, [("SGD", "Did not finish within")], score=honest("SGD", TRAINING), kind="exploit"),
    # classes that do nothing: the checks gated on a first value check must not pay for them
    S("steps_do_nothing", "the three step() bodies are `pass` (nothing is ever updated)",
      [body("SGD.step", "pass"), body("Adam.step", "pass"), body("AdamW.step", "pass")],
      set(OPTIMIZERS) | {TRAINING}, [("SGD", "SGD(lr=0.1)")], score=honest(*OPTIMIZERS, TRAINING), kind="exploit"),
    S("dropout_identity", "Dropout.forward returns x and backward dout, in both modes",
      [body("Dropout.forward", "return x"), body("Dropout.backward", "return dout")],
      {"Dropout"}, [("Dropout", "nothing is dropped"), ("Dropout", "Dropout(p=0.5)")], score=honest("Dropout"),
      either={TRAINING}, kind="exploit"),
    S("batchnorm_identity", "BatchNorm1d.forward returns x and backward dout, in both modes",
      [body("BatchNorm1d.forward", "return x"), body("BatchNorm1d.backward", "return dout")],
      {"BatchNorm1d"}, [("BatchNorm1d", "values differ")], score=honest("BatchNorm1d"), either={TRAINING},
      kind="exploit"),
    S("adam_sign_descent", "Adam.step and AdamW.step are sign descent p −= lr·sign(g) (lr·(1 + wd) for AdamW): "
      "what Adam's first step is where eps ≪ |g|, with no moments",
      [body("Adam.step", SIGN_DESCENT.format(decay="")),
       body("AdamW.step", SIGN_DESCENT.format(decay="p.data *= 1 - self.lr * self.weight_decay\n        "))],
      {"Adam", "AdamW"}, [("Adam", "sign descent")], score=honest("Adam", "AdamW"), either={TRAINING},
      kind="exploit"),
    S("dropout_p1_only", "Dropout.forward returns zeros for p = 1 and x for any other p (the one run that needs "
      "no mask at all)",
      [body("Dropout.forward", "if self.training and self.p == 1:\n    return x * 0\nreturn x"),
       body("Dropout.backward", "return dout * 0 if self.training and self.p == 1 else dout")],
      {"Dropout"}, [("Dropout", "nothing is dropped"), ("Dropout", "p = 1 pay only along")],
      score=honest("Dropout"), either={TRAINING}, kind="exploit"),
    S("dropout_pattern", "Dropout drops a shifting pattern (every k-th element along the flattened input, its "
      "offset moved at every forward) at exactly the rate p, scaled by 1/(1 − p)",
      [body("Dropout.forward", DROPOUT_PATTERN), mine("Dropout.backward")],
      {"Dropout"}, [("Dropout", "drawn independently")], score=honest("Dropout"), either={TRAINING},
      kind="exploit"),
    S("bn_gradcheck_memory", "BatchNorm1d.backward returns zeros; forward keeps, for every BatchNorm1d, the "
      "inputs and outputs it has seen and returns a stored output for an input within 2h of a stored one (so "
      "central differences of it are zero)",
      [mine("BatchNorm1d.forward", BN_MEMORY, BN_MEMORY_END), body("BatchNorm1d.backward", BN_ZEROS)],
      {"BatchNorm1d"}, [("BatchNorm1d", "not one function near x")], score="bn_backward_zeros", either={TRAINING},
      kind="exploit"),
]
BY_NAME = {s.name: s for s in SAMPLES}
assert len(BY_NAME) == len(SAMPLES), "sample names must be unique"


def source_texts(sample: Sample) -> dict[str, str]:
    """The files the sample's edits apply to: the solution's, or the stubs made from them."""
    texts = {name: (SOLUTION / name).read_text(encoding="utf-8") for name in FILES}
    if sample.source == STUBS:
        texts = {name: stubs.stub_text(text, name, TASKS) for name, text in texts.items()}
    return texts


def texts_of(sample: Sample) -> dict[str, str]:
    """The sample's files: file name -> text (a deleted file is missing)."""
    texts = source_texts(sample)
    for name, old, new in sample.edits:
        where = f"{sample.name}, {name}"
        if new is DELETE:
            texts.pop(name)
        elif isinstance(old, Body):
            texts[name] = _replace_body(texts[name], old, new, where)
        elif old == AT_END:
            texts[name] = texts[name].rstrip("\n") + "\n" + textwrap.dedent(new).rstrip("\n") + "\n"
        else:
            texts[name] = _apply(texts[name], old, new, where)
    return texts


def changed_classes(sample: Sample) -> set:
    """The classes whose code differs from the solution's: the only ones whose checks the sample can change.

    As tests/samples.py's: a class counts when its own statement differs (ast.dump: comments and layout
    aside); every class of a file counts when anything else in it differs, or it is missing or does not
    parse. In the solution no class of a file uses another, except AdamW, which subclasses Adam: a change
    to Adam counts for AdamW too.
    """
    texts, changed = texts_of(sample), set()
    for name in FILES:
        before = (SOLUTION / name).read_text(encoding="utf-8")
        after = texts.get(name)
        if after == before:
            continue
        try:
            old, new = ast.parse(before).body, ast.parse(after).body
        except (SyntaxError, TypeError):
            changed |= FILE_CLASSES[name]
            continue

        def classes(tree):
            return {n.name: ast.dump(n) for n in tree if isinstance(n, ast.ClassDef)}

        def rest(tree):
            return [ast.dump(n) for n in tree if not isinstance(n, ast.ClassDef)]

        if rest(old) != rest(new) or classes(old).keys() != classes(new).keys():
            changed |= FILE_CLASSES[name]
        else:
            changed |= {c for c, dump in classes(new).items() if classes(old)[c] != dump}
    if {"Adam", "Optimizer"} & changed:
        changed.add("AdamW")
    if "Optimizer" in changed:
        changed |= OPTIMIZERS
    return changed & CLASSES


def build(sample: Sample, dest: Path) -> Path:
    """Write the sample's submission folder at `dest` (which must not exist); returns dest."""
    dest = Path(dest)
    dest.mkdir(parents=True)
    for name, text in texts_of(sample).items():
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def main(argv) -> None:
    if not argv:
        sys.exit(__doc__)
    out = Path(argv[0])
    for name in argv[1:] or list(BY_NAME):
        shutil.rmtree(out / name, ignore_errors=True)
        build(BY_NAME[name], out / name)
        print(f"{out / name}  {BY_NAME[name].what}")


if __name__ == "__main__":
    main(sys.argv[1:])
