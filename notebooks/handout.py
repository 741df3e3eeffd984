# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Neural networks from scratch: the handout
#
# You implement a small neural-network library, `scratchnn`, in raw PyTorch: tensors and their
# element-wise and matrix operations only, no autograd and nothing from `torch.nn`. You write three
# files next to this notebook:
#
# | file | what you write |
# |---|---|
# | `scratchnn/linear.py` | `Linear.forward` and `Linear.backward` |
# | `scratchnn/activations.py` | forward and backward of Sigmoid, Tanh, ReLU, LeakyReLU, ELU, GELU and Swish |
# | `scratchnn/losses.py` | forward and backward of MSE, MAE, Huber, BCE and softmax cross-entropy |
#
# `scratchnn/mlp.py` and `scratchnn/train.py` are given. This notebook does not contain your code: it
# explains each task, checks your gradients numerically, plots what your code computes, trains a
# network built from your pieces, and asks a few questions about cost. Edit the `.py` files, then
# re-run a section here (the `autoreload` line below picks up your edits). Sections whose code is
# not written yet say so instead of failing.
#
# The package is graded on Gradescope, on hidden inputs; the questions in this notebook are graded
# separately. You need `torch` and `matplotlib`.

# %%
# %load_ext autoreload
# %autoreload 2

import contextlib
import io
import sys
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path("tests").resolve()))
import scratchnn
from checks import compare, numeric_grad  # the grader's own comparison helpers (tests/checks.py)
from scratchnn.train import SETTINGS, fit_sine, grid_mse, sine_grid

torch.set_num_threads(1)  # the matrices here are tiny: one thread is fastest, as in the grader
F64 = torch.float64
GEN = torch.Generator().manual_seed(0)  # every random input below comes from here
GRAD_RTOL, GRAD_ATOL = 1e-5, 1e-7  # the grader's gradient-check tolerance (float64)

# %% [markdown]
# ## How your gradients are checked
#
# For a function $f$ and an upstream gradient $g = \partial L/\partial y$ (the `dout` your `backward`
# receives), take $L = \sum_j g_j\, f(x)_j$. Its derivative with respect to one input element is
# approximately a central difference,
#
# $$\frac{\partial L}{\partial x_i} \approx \frac{L(x + h e_i) - L(x - h e_i)}{2h},$$
#
# whose error shrinks like $h^2$. Two calls of your `forward` per input element give the whole
# gradient, which your `backward` must reproduce. This is done in **float64**: in float32 the rounding
# error of $f$ (about $10^{-7}$ relative) divided by $2h$ swamps the difference being measured.
# Cost: $2\cdot\text{numel}(x)$ forward calls, so the inputs here are tiny.
#
# Functions with a kink (ReLU and LeakyReLU at 0, MAE at 0, Huber at $\pm\delta$) have no derivative
# there; the inputs are moved away from kinks, as the grader does.

# %%
def randn(*shape, scale=1.0):
    """A float64 tensor of the given shape with N(0, scale²) entries."""
    return torch.randn(*shape, generator=GEN, dtype=F64) * scale


def off_kinks(x, kinks=(0.0,), margin=0.05):
    """x with every entry closer than `margin` to a kink pushed past it (central differences fail there)."""
    for k in kinks:
        x = torch.where((x - k).abs() < margin, x + 2 * margin, x)
    return x


def max_error(got, expected):
    if isinstance(got, torch.Tensor) and got.shape == expected.shape:
        return float((got.to(F64) - expected).abs().max())
    return float("nan")


def gradcheck_table(cases):
    """Print one row per gradient: the largest |yours - numeric| and the verdict of checks.compare.

    `cases` maps a row name to a function returning (your gradient, central-difference gradient).
    """
    print(f"{'gradient':<28}{'max |error|':>12}  result")
    for name, case in cases.items():
        try:
            got, expected = case()
        except NotImplementedError:
            print(f"{name:<28}{'':>12}  not implemented yet")
            continue
        except Exception as error:  # keep the table going; run the class yourself for the traceback
            print(f"{name:<28}{'':>12}  error: {type(error).__name__}: {error}")
            continue
        message = compare(got, expected, name, GRAD_RTOL, GRAD_ATOL)
        print(f"{name:<28}{max_error(got, expected):>12.1e}  {'ok' if message is None else 'WRONG'}")
        if message:
            print(textwrap.indent(message, "    "))


# %% [markdown]
# ## Task 1: the Linear layer
#
# A batch of $B$ inputs with $M$ features each, $X \in \mathbb{R}^{B\times M}$, goes to $N$ output
# features:
#
# $$Y = XW + b, \qquad W \in \mathbb{R}^{M\times N},\; b \in \mathbb{R}^{N},\; Y \in \mathbb{R}^{B\times N}.$$
#
# The bias row is broadcast to every sample. Element by element,
# $Y_{in} = \sum_m X_{im} W_{mn} + b_n$: each output is a dot product of length $M$.
#
# **Backward.** Given $G = \partial L/\partial Y$ of shape $(B, N)$, the chain rule applied to that
# sum gives three results, each with the shape of the thing it differentiates:
#
# | gradient | formula | shape |
# |---|---|---|
# | $\partial L/\partial W$ | $X^\top G$ (sum over the batch of outer products) | $(M, N)$ |
# | $\partial L/\partial b$ | $\sum_i G_{i,:}$ (column sums of $G$) | $(N,)$ |
# | $\partial L/\partial X$ | $G\,W^\top$ | $(B, M)$ |
#
# A quick way to remember them: each is the only product of the available matrices whose shape
# comes out right. `forward` must keep $X$ for `backward`, which costs $B\cdot M$ numbers of memory
# per layer until the backward pass is done; `step(lr)` (given) then does $W \leftarrow W - \text{lr}\cdot\partial L/\partial W$.
#
# **Cost.** A *FLOP* here is one multiplication or one addition. Count them for the questions
# below; ignore the bias, which adds only $B\cdot N$ operations.

# %%
def linear_cases(B=5, M=4, N=3):
    """dL/dX, dL/dW and dL/db of your Linear against central differences of your forward."""
    x, W, b, dout = randn(B, M), randn(M, N), randn(N), randn(B, N)

    def layer(W=W, b=b):
        lin = scratchnn.Linear(M, N)
        lin.W, lin.b = W, b  # float64 parameters for the check
        return lin

    def run_backward():
        lin = layer()
        lin.forward(x)
        return lin, lin.backward(dout)

    return {
        "Linear dL/dX": lambda: (run_backward()[1], numeric_grad(lambda t: layer().forward(t), x, dout)),
        "Linear dL/dW": lambda: (run_backward()[0].dW, numeric_grad(lambda w: layer(W=w).forward(x), W, dout)),
        "Linear dL/db": lambda: (run_backward()[0].db, numeric_grad(lambda v: layer(b=v).forward(x), b, dout)),
    }


gradcheck_table(linear_cases())

# %% [markdown] question="q1_linear_flops"
# **Question 1.** Write `linear_flops(B, M, N)`: the number of FLOPs of the matrix product in
# `Linear.forward` for an input of shape $(B, M)$ and weights of shape $(M, N)$ (bias ignored).

# %% question="q1_linear_flops"
def linear_flops(B, M, N):
    """FLOPs of X @ W for X (B, M) and W (M, N)."""
    ### BEGIN SOLUTION
    return 2 * B * M * N
    ### END SOLUTION


# %% test="q1_linear_flops" points=2
assert linear_flops(2, 3, 5) == 2 * linear_flops(1, 3, 5), "the cost should grow linearly with the batch"
### BEGIN HIDDEN TESTS
assert linear_flops(1, 1, 1) == 2
assert linear_flops(7, 3, 5) == 210
assert linear_flops(64, 128, 10) == 163840
### END HIDDEN TESTS

# %% [markdown] question="q2_backward_ratio"
# **Question 2.** Count the FLOPs of `Linear.backward` (the matrix products only) and set
# `BACKWARD_OVER_FORWARD` to the ratio backward FLOPs / forward FLOPs.

# %% question="q2_backward_ratio"
# Set BACKWARD_OVER_FORWARD to a number.
### BEGIN SOLUTION
BACKWARD_OVER_FORWARD = 2
### END SOLUTION

# %% test="q2_backward_ratio" points=1
assert isinstance(BACKWARD_OVER_FORWARD, (int, float)), "a number, please"
### BEGIN HIDDEN TESTS
assert abs(BACKWARD_OVER_FORWARD - 2) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# One training step therefore costs the forward pass plus a backward pass of two matrix products of
# the forward's size: about three times a forward pass in all. (A popular write-up of this exercise
# says the backward pass *alone* costs about three forwards; that figure is forward plus backward.)

# %% [markdown]
# ## Task 2: seven activations
#
# Each activation works element by element on a tensor of any shape. `forward(x)` returns $f(x)$ and
# keeps what `backward` will need; `backward(dout)` returns $\text{dout}\cdot f'(x)$, the same shape.
# Both cost $O(\text{numel})$ time and memory.
#
# | class | $f(x)$ | $f'(x)$ | range |
# |---|---|---|---|
# | Sigmoid | $\sigma(x) = 1/(1+e^{-x})$ | $\sigma(x)(1-\sigma(x)) \le 1/4$ | $(0, 1)$ |
# | Tanh | $\tanh x$ | $1-\tanh^2 x \le 1$ | $(-1, 1)$ |
# | ReLU | $\max(0, x)$ | $1$ if $x>0$, $0$ if $x<0$ | $[0, \infty)$ |
# | LeakyReLU($\alpha$=0.01) | $x$ if $x>0$, else $\alpha x$ | $1$ or $\alpha$ | $\mathbb{R}$ |
# | ELU($\alpha$=1) | $x$ if $x>0$, else $\alpha(e^x-1)$ | $1$ or $\alpha e^x$ | $(-\alpha, \infty)$ |
# | GELU (tanh form) | $\tfrac12 x(1+\tanh u)$, $u=\sqrt{2/\pi}\,(x+0.044715x^3)$ | $\tfrac12(1+\tanh u)+\tfrac12 x(1-\tanh^2 u)\,u'(x)$ | $\approx[-0.17, \infty)$ |
# | Swish | $x\,\sigma(x)$ | $\sigma(x)\,(1 + x(1-\sigma(x)))$ | $\approx[-0.28, \infty)$ |
#
# That is seven functions (one often-copied article announces six and then lists seven).
#
# **Saturation.** Where $|f'(x)|$ is small, a layer passes back only a small fraction of the gradient
# it receives, and stacking such layers multiplies the fractions. The plots below shade the regions
# where $|f'(x)| < 0.1$: Sigmoid and Tanh saturate on both sides, ReLU passes nothing at all for
# $x<0$ (a unit that stays there stops learning), and the leaky and smooth variants keep a little
# gradient there.
#
# **Large inputs.** Your code must stay finite for $|x|$ up to $10^4$ in float32. Three traps:
# $e^{x}$ overflows to `inf` for $x > 88$ in float32, so compute $\sigma$ from $e^{-|x|}$ (never
# larger than 1); select branches with `torch.where` rather than multiplying by a 0/1 mask, because
# $\infty \cdot 0$ is NaN (ELU written as `x * (x > 0) + ...` breaks this way, and so does Swish as
# `x * sigmoid(x)` at $x = -\infty$); and clamp the argument of `exp` in a branch you will discard,
# since `torch.where` still evaluates both sides.

# %%
ACTIVATIONS = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish"]


def activation_case(cls, x):
    def case():
        layer = cls()
        layer.forward(x)
        dout = randn(*x.shape)
        return layer.backward(dout), numeric_grad(lambda t: cls().forward(t), x, dout)
    return case


gradcheck_table({
    f"{name}.backward": activation_case(getattr(scratchnn, name), off_kinks(randn(4, 5, scale=2.0)))
    for name in ACTIVATIONS
})

# %%
def stays_finite(cls, dtype=torch.float32):
    """Whether forward and backward of cls are finite at x = ±1e4, ±100 and 0."""
    x = torch.tensor([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=dtype)
    try:
        layer = cls()
        y = layer.forward(x)
        dx = layer.backward(torch.ones_like(x))
    except NotImplementedError:
        return "not implemented yet"
    return "finite" if bool(torch.isfinite(y).all() and torch.isfinite(dx).all()) else "NOT FINITE"


for name in ACTIVATIONS:
    print(f"{name:<10} at |x| up to 1e4 (float32): {stays_finite(getattr(scratchnn, name))}")

# %% [markdown]
# Each activation from your code (solid) beside the reference (dashed: PyTorch's own function, its
# derivative taken by autograd; both are fine in this notebook and forbidden in `scratchnn/`). Top
# row $f(x)$, bottom row $f'(x)$ = your `backward` of a tensor of ones. Shaded: $|f'(x)| < 0.1$.

# %%
REFERENCE = {
    "Sigmoid": torch.sigmoid,
    "Tanh": torch.tanh,
    "ReLU": torch.relu,
    "LeakyReLU": lambda x: F.leaky_relu(x, 0.01),
    "ELU": lambda x: F.elu(x, 1.0),
    "GELU": lambda x: F.gelu(x, approximate="tanh"),
    "Swish": F.silu,
}


def with_autograd(fn, x):
    """fn(x) and its element-wise derivative, both by PyTorch (the reference)."""
    x = x.detach().clone().requires_grad_(True)
    y = fn(x)
    y.sum().backward()
    return y.detach(), x.grad


def yours(cls, x):
    """Your f(x) and f'(x), or (None, None) while the class is not written yet."""
    try:
        layer = cls()
        return layer.forward(x), layer.backward(torch.ones_like(x))
    except NotImplementedError:
        return None, None


def shade(ax, x, mask):
    """Shade the x-ranges where mask is true, over the axis' full height."""
    ax.fill_between(x, 0, 1, where=mask.numpy(), color="tab:red", alpha=0.12, transform=ax.get_xaxis_transform())


x = torch.linspace(-5, 5, 501, dtype=F64)
fig, axes = plt.subplots(2, len(ACTIVATIONS), figsize=(3 * len(ACTIVATIONS), 5.5), sharex=True)
for col, name in enumerate(ACTIVATIONS):
    f_ref, d_ref = with_autograd(REFERENCE[name], x)
    f_you, d_you = yours(getattr(scratchnn, name), x)
    for ax, ref, you in ((axes[0, col], f_ref, f_you), (axes[1, col], d_ref, d_you)):
        ax.plot(x, ref, "k--", lw=1, label="reference")
        if you is not None:
            ax.plot(x, you.detach(), lw=2, alpha=0.7, label="yours")
        shade(ax, x, d_ref.abs() < 0.1)
        ax.grid(alpha=0.3)
    axes[0, col].set_title(name if f_you is not None else f"{name}\n(not implemented yet)")
axes[0, 0].set_ylabel("f(x)")
axes[1, 0].set_ylabel("f'(x)")
axes[0, 0].legend(loc="upper left")
fig.suptitle("Activations and their derivatives (shaded: |f'(x)| < 0.1)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Task 3: five losses
#
# A loss's `forward(y_pred, y_true)` returns a 0-dim tensor and keeps what `backward()` needs;
# `backward()` returns $\partial L/\partial \hat y$ with the shape of `y_pred`. With the error
# $e = \hat y - y$ and $n$ = `numel` (all elements, not the batch size):
#
# | class | $L$ | $\partial L/\partial \hat y$ per element |
# |---|---|---|
# | MSELoss | $\frac1n\sum e^2$ | $2e/n$ |
# | MAELoss | $\frac1n\sum \lvert e\rvert$ | $\operatorname{sign}(e)/n$ (any value in $[-1,1]/n$ at 0) |
# | HuberLoss($\delta$=1) | $\frac1n\sum \begin{cases}e^2/2 & \lvert e\rvert\le\delta\\ \delta(\lvert e\rvert-\delta/2) & \text{else}\end{cases}$ | $\operatorname{clip}(e,-\delta,\delta)/n$ |
# | BCELoss | $-\frac1n\sum y\log p + (1-y)\log(1-p)$, $p$ clamped to $[10^{-7}, 1-10^{-7}]$ | $\dfrac{p-y}{p(1-p)\,n}$ |
# | SoftmaxCELoss | $-\frac1B\sum_i \log \operatorname{softmax}(z_i)_{c_i}$, logits $z$ $(B,K)$, labels $c$ $(B,)$ | $(\operatorname{softmax}(z)-\operatorname{onehot}(c))/B$ |
#
# All cost $O(\text{numel})$. Two classic mistakes, both in a widely read version of this exercise:
#
# * **The $1/n$ must match.** If `forward` averages BCE over all $B\cdot N$ elements, `backward` must
#   divide by $B\cdot N$ too; dividing by $B$ alone makes the gradient $N$ times too large whenever
#   there is more than one output column.
# * **Never clamp a probability before the log in softmax cross-entropy.** Clamping $p$ at
#   $10^{-9}$ caps the loss of any prediction at $-\log 10^{-9}\approx 20.7$, however wrong. Compute
#   the log-probabilities directly, $\log\operatorname{softmax}(z)_k = z_k - m - \log\sum_j e^{z_j - m}$
#   with $m = \max_j z_j$: every exponent is $\le 0$, so nothing overflows and the loss stays exact.

# %%
def loss_case(cls, y_pred, y_true):
    def case():
        loss = cls()
        loss.forward(y_pred, y_true)
        return loss.backward(), numeric_grad(lambda p: cls().forward(p, y_true), y_pred)
    return case


gradcheck_table({
    "MSELoss.backward": loss_case(scratchnn.MSELoss, randn(4, 3), randn(4, 3)),
    "MAELoss.backward": loss_case(scratchnn.MAELoss, off_kinks(randn(4, 3)), torch.zeros(4, 3, dtype=F64)),
    "HuberLoss.backward": loss_case(scratchnn.HuberLoss, off_kinks(randn(4, 3, scale=2.0), (-1.0, 1.0)),
                                    torch.zeros(4, 3, dtype=F64)),
    "BCELoss.backward": loss_case(scratchnn.BCELoss, torch.sigmoid(randn(4, 3)),
                                  torch.rand(4, 3, generator=GEN, dtype=F64)),
    "SoftmaxCELoss.backward": loss_case(scratchnn.SoftmaxCELoss, randn(4, 5, scale=2.0),
                                        torch.randint(0, 5, (4,), generator=GEN)),
})

# %% [markdown]
# A very wrong, very confident prediction: logits $(1000, 0, -1000)$ with the true class being the
# last one. The exact loss is $2000$; a version that clamps $p$ before the log reports about $20.7$.

# %%
try:
    wrong = scratchnn.SoftmaxCELoss().forward(torch.tensor([[1000.0, 0.0, -1000.0]]), torch.tensor([2]))
    print(f"your loss: {float(wrong):.1f}   exact: 2000.0")
except NotImplementedError:
    print("SoftmaxCELoss is not implemented yet")

# %% [markdown]
# Each loss from your code (solid) and the reference (dashed, PyTorch's loss and autograd), one
# element at a time so that $n = 1$. Left: the regression losses against the error $e$; middle: BCE
# against the predicted probability $p$ for targets 1 and 0; right: softmax cross-entropy over two
# classes against the margin $z_c - z_{\text{other}}$ of the true class. The bottom row is the
# gradient: MSE pushes harder the larger the error, MAE always pushes with the same force, Huber is
# MSE near zero and MAE beyond $\delta$ (so outliers cannot dominate), and BCE's gradient grows
# without bound as $p$ moves to the wrong end.

# %%
def per_element(cls, pairs, index=0):
    """Your loss and one entry of dL/dy_pred for each (y_pred, y_true) pair; (None, None) if not written."""
    try:
        values, grads = [], []
        for y_pred, y_true in pairs:
            loss = cls()
            values.append(float(loss.forward(y_pred, y_true)))
            grads.append(float(loss.backward().reshape(-1)[index]))
        return values, grads
    except NotImplementedError:
        return None, None


def draw(ax_loss, ax_grad, t, ref_fn, mine, label, color):
    f_ref, d_ref = with_autograd(ref_fn, t)
    ax_loss.plot(t, f_ref, "--", color=color, lw=1)
    ax_grad.plot(t, d_ref, "--", color=color, lw=1)
    if mine[0] is not None:
        ax_loss.plot(t, mine[0], color=color, lw=2, alpha=0.6, label=label)
        ax_grad.plot(t, mine[1], color=color, lw=2, alpha=0.6, label=label)
    else:
        ax_loss.plot([], [], color=color, label=f"{label} (not implemented yet)")


e = torch.linspace(-3, 3, 121, dtype=F64)
p = torch.linspace(0.02, 0.98, 97, dtype=F64)
zero, one = torch.zeros(1, dtype=F64), torch.ones(1, dtype=F64)
fig, axes = plt.subplots(2, 3, figsize=(15, 7))
regression = [("MSE", scratchnn.MSELoss, lambda t: F.mse_loss(t, torch.zeros_like(t), reduction="none")),
              ("MAE", scratchnn.MAELoss, lambda t: F.l1_loss(t, torch.zeros_like(t), reduction="none")),
              ("Huber δ=1", scratchnn.HuberLoss,
               lambda t: F.huber_loss(t, torch.zeros_like(t), reduction="none", delta=1.0))]
for (label, cls, ref), color in zip(regression, ["tab:blue", "tab:orange", "tab:green"], strict=True):
    draw(axes[0, 0], axes[1, 0], e, ref, per_element(cls, [(v.reshape(1), zero) for v in e]), label, color)
for target, color in ((1.0, "tab:blue"), (0.0, "tab:orange")):
    y = one * target
    draw(axes[0, 1], axes[1, 1], p, lambda t, y=y: F.binary_cross_entropy(t, y.expand_as(t), reduction="none"),
         per_element(scratchnn.BCELoss, [(v.reshape(1), y) for v in p]), f"BCE, target {target:g}", color)
draw(axes[0, 2], axes[1, 2], e, lambda m: F.softplus(-m),
     per_element(scratchnn.SoftmaxCELoss, [(torch.stack([m, 0 * m]).reshape(1, 2), torch.tensor([0])) for m in e]),
     "softmax CE", "tab:purple")
for ax, xlabel in zip(axes[1], ["error e = y_pred - y_true", "predicted probability p", "margin of the true class"],
                      strict=True):
    ax.set_xlabel(xlabel)
axes[1, 1].set_ylim(-30, 30)
axes[0, 0].set_ylabel("loss")
axes[1, 0].set_ylabel("dL/dy_pred")
for ax in axes.flat:
    ax.grid(alpha=0.3)
for ax in axes[0]:
    ax.legend()
fig.suptitle("Losses (top) and their gradients (bottom): yours solid, reference dashed")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The cost of a whole network
#
# `MLP(dims)` (given, in `scratchnn/mlp.py`) chains `Linear(dims[0], dims[1])`, an activation,
# `Linear(dims[1], dims[2])`, and so on. Activations and biases cost $O(\text{width})$ per sample, far
# less than the matrix products, so ignore them here.

# %% [markdown] question="q3_mlp_flops"
# **Question 3.** Write `mlp_flops_per_sample(dims)`: the FLOPs of one forward pass of
# `MLP(dims)` for a single sample (matrix products only).

# %% question="q3_mlp_flops"
def mlp_flops_per_sample(dims):
    """Forward FLOPs per sample of Linear layers of widths dims[0] -> dims[1] -> ... -> dims[-1]."""
    ### BEGIN SOLUTION
    return 2 * sum(m * n for m, n in zip(dims[:-1], dims[1:], strict=True))
    ### END SOLUTION


# %% test="q3_mlp_flops" points=2
assert mlp_flops_per_sample([3, 5, 2]) == mlp_flops_per_sample([3, 5]) + mlp_flops_per_sample([5, 2]), \
    "the cost of a network is the sum of its layers' costs"
### BEGIN HIDDEN TESTS
assert mlp_flops_per_sample([3, 5, 2]) == 50
assert mlp_flops_per_sample([1, 64, 64, 1]) == 8448
assert mlp_flops_per_sample([64] * 11) == 81920
assert mlp_flops_per_sample([320, 320, 320]) == 409600
### END HIDDEN TESTS

# %% [markdown]
# Each weight takes part in exactly one multiplication and one addition per sample, so a dense MLP
# costs about **2 FLOPs per sample per weight, whatever its shape**. A deep narrow network and a
# shallow wide one with the same number of weights cost the same. Beware of comparisons that say
# otherwise: ten $64\times64$ layers hold 40,960 weights while two $320\times320$ layers hold 204,800,
# so "deeper is cheaper at equal size" compared two networks of very different sizes.

# %% [markdown] question="q4_epoch_flops"
# **Question 4.** The sine fit below trains `MLP([1, 64, 64, 1])` on 1000 points per epoch, with a
# forward and a backward pass for every point. Set `SINE_EPOCH_FLOPS` to the FLOPs of one epoch
# (matrix products only; within 5% is accepted).

# %% question="q4_epoch_flops"
# Set SINE_EPOCH_FLOPS to a number.
### BEGIN SOLUTION
SINE_EPOCH_FLOPS = 3 * 1000 * 2 * (1 * 64 + 64 * 64 + 64 * 1)
### END SOLUTION

# %% test="q4_epoch_flops" points=1
assert SINE_EPOCH_FLOPS > 0
### BEGIN HIDDEN TESTS
assert abs(SINE_EPOCH_FLOPS / 25_344_000 - 1) < 0.05
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together: fitting $\sin(2\pi x)$
#
# `scratchnn.train.fit_sine` trains `MLP([1, 64, 64, 1])` with your layers on 1000 points
# $x \sim U[-1, 1]$, targets $\sin(2\pi x)$, with plain mini-batch SGD and your `MSELoss`, using the
# learning rate, epochs and batch size in `SETTINGS`. The grader runs exactly this function (with its
# own MSE, so that the fit grades your layers only) and then measures the trained network's mean
# squared error on a fine grid of $[-1, 1]$ (`grid_mse`), against a threshold chosen by calibrating
# the reference over 50 seeds.
#
# The learning rate matters more than anything you will write. With the $10^{-3}$ quoted in a widely
# circulated version of this exercise, SGD barely starts to fit the curve in a few hundred epochs; the
# kit uses the rate in `SETTINGS`, chosen by that calibration. The activation matters too: with plain
# SGD, Tanh reaches a good fit far less reliably than ReLU across seeds, so only ReLU is graded.

# %%
def train(activation, lr=None):
    """fit_sine with the grader's settings (seed 0 here); its per-epoch training-MSE log gives the curve."""
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        model = fit_sine(activation, seed=0, lr=lr, log_every=1)
    curve = [float(line.split()[-1]) for line in log.getvalue().splitlines() if "train MSE" in line]
    return model, curve


runs = {}
for activation, lr in (("relu", None), ("tanh", None), ("relu", 1e-3)):
    label = f"{activation}, lr={lr or SETTINGS[activation]['lr']:g}"
    try:
        runs[label] = train(activation, lr)
        print(f"{label:<16} final training MSE {runs[label][1][-1]:.5f}   grid MSE {grid_mse(runs[label][0]):.5f}")
    except NotImplementedError:
        print(f"{label:<16} not trained: Linear, the activation and MSELoss must be written first")

# %%
if runs:
    fig, (ax_curve, ax_fit) = plt.subplots(1, 2, figsize=(14, 4.5))
    x_grid, y_grid = sine_grid(dtype=torch.float32)
    ax_fit.plot(x_grid, y_grid, "k--", lw=1, label="sin(2πx)")
    for label, (model, curve) in runs.items():
        ax_curve.semilogy(range(1, len(curve) + 1), curve, label=label)
        ax_fit.plot(x_grid, model.forward(x_grid), lw=2, alpha=0.7, label=label)
    ax_curve.set(xlabel="epoch", ylabel="training MSE", title="Loss curves")
    ax_fit.set(xlabel="x", ylabel="y", title="The trained networks on [-1, 1]")
    for ax in (ax_curve, ax_fit):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## What next
#
# When every table above says `ok` and the curves overlap, submit `linear.py`, `activations.py` and
# `losses.py`. The grader checks more than this notebook: hidden inputs of several shapes, float32 and
# float64, inputs up to $10^4$, that you never modify your inputs in place, and that no autograd or
# `torch.nn` is used in your files.
