# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Optimizers, batch normalisation and dropout: the handout
#
# In assignment 1 every layer updated its own weights with plain SGD. Now the update lives in an
# optimizer that works on any list of `Parameter`s, and two new layers change how a network trains.
# You write two files next to this notebook:
#
# | file | what you write |
# |---|---|
# | `scratchnn/optim.py` | `step()` of SGD (momentum, Nesterov, weight decay), Adam and AdamW |
# | `scratchnn/layers.py` | forward and backward of BatchNorm1d and Dropout |
#
# `model.py` (Linear, ReLU, SoftmaxCELoss and `MLP`), `data.py` (the digits) and `train.py` are
# given. This notebook does not contain your code: it compares your optimizers with PyTorch's,
# trains the same digits classifier with different optimizers and with and without batch
# normalisation, and asks two questions about memory. A cell that needs a method you have not
# written yet stops with that method's `NotImplementedError`; run it again once you have written it
# (the `autoreload` line below picks up your edits).
#
# You need `torch` and `matplotlib`.

# %%
# %load_ext autoreload
# %autoreload 2

import matplotlib.pyplot as plt
import scratchnn
import torch
from scratchnn.data import load_digits, train_test_split
from scratchnn.model import MLP, SoftmaxCELoss
from scratchnn.train import evaluate

torch.set_num_threads(1)  # the matrices here are small: one thread is fastest, as in the grader
DIMS = [64, 64, 64, 10]   # 64 pixels in, two hidden layers of 64, 10 digits out
EPOCHS = 10
BATCH_SIZE = 64

x, y = load_digits()
x_train, y_train, x_test, y_test = train_test_split(x, y, seed=0)
print(f"{len(x_train)} training and {len(x_test)} test images of {x.shape[1]} pixels")

# %% [markdown]
# ## Task 1: three optimizers
#
# For one parameter $p$ with gradient $g$, learning rate $\eta$ and weight decay $\lambda$:
#
# * **SGD**: $p \leftarrow p - \eta\,(g + \lambda p)$.
# * **SGD with momentum** $\mu$ keeps a buffer $b \leftarrow \mu b + g$ (the first $b$ is $g$
#   itself) and steps along $b$ instead of $g$. Along a direction where successive gradients agree,
#   $b$ grows towards $g/(1-\mu)$, ten times $g$ for $\mu = 0.9$; where they alternate in sign, they
#   cancel. Nesterov's variant steps along $g + \mu b$.
# * **Adam** keeps running averages of $g$ and $g^2$, $m \leftarrow \beta_1 m + (1-\beta_1) g$ and
#   $v \leftarrow \beta_2 v + (1-\beta_2) g^2$, corrects their bias towards the zeros they start
#   from, $\hat m = m/(1-\beta_1^t)$ and $\hat v = v/(1-\beta_2^t)$ at step $t$, and steps
#   $p \leftarrow p - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)$. Every number of $p$ gets its own
#   step size, and the step is about $\eta$ whatever the scale of the gradient.
# * **AdamW** is Adam without $\lambda p$ in the gradient: it shrinks the weights directly,
#   $p \leftarrow p(1 - \eta\lambda)$, before the Adam step. In Adam the decay passes through the
#   division by $\sqrt{\hat v}$, so weights with large gradients are hardly decayed at all.
#
# The table runs your optimizers and `torch.optim` side by side for five steps on the same
# parameters and the same gradients (PyTorch is fine in this notebook, not in `scratchnn/`), and
# prints the largest difference between the two. Float32 rounding leaves about $10^{-7}$.

# %%
SETTINGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.01)),
    ("AdamW", dict(lr=0.01)),
]


def against_torch(name, settings, steps=5, seed=0):
    """Largest |your parameter - torch.optim's| after `steps` steps with the same random gradients."""
    gen = torch.Generator().manual_seed(seed)
    start = [torch.randn(4, 3, generator=gen), torch.randn(3, generator=gen)]
    grads = [[torch.randn(p.shape, generator=gen) for p in start] for _ in range(steps)]
    mine = [scratchnn.Parameter(p.clone()) for p in start]
    theirs = [p.clone().requires_grad_(True) for p in start]
    opt_mine = getattr(scratchnn, name)(mine, **settings)
    opt_theirs = getattr(torch.optim, name)(theirs, **settings)
    for step_grads in grads:
        for p, q, g in zip(mine, theirs, step_grads, strict=True):
            p.grad, q.grad = g.clone(), g.clone()
        opt_mine.step()
        opt_theirs.step()
    return max(float((p.data - q.detach()).abs().max()) for p, q in zip(mine, theirs, strict=True))


for name, settings in SETTINGS:
    options = ", ".join(f"{k}={v}" for k, v in settings.items())
    print(f"{name + '(' + options + ')':<50} max |yours - torch.optim| {against_torch(name, settings):.1e}")

# %% [markdown] question="q1_state_numbers"
# **Question 1.** Optimizers cost memory as well as time. Write `state_numbers(optimizer, n)`: how
# many numbers of state `optimizer` keeps for a model with `n` trainable numbers, where `optimizer`
# is one of `"sgd"` (no momentum), `"momentum"` (SGD with momentum), `"adam"` and `"adamw"`. Leave
# out the step counts: one integer per parameter tensor, not per number.

# %% question="q1_state_numbers"
def state_numbers(optimizer, n):
    """Numbers of optimizer state for n trainable numbers (step counts left out)."""
    ### BEGIN SOLUTION
    return {"sgd": 0, "momentum": n, "adam": 2 * n, "adamw": 2 * n}[optimizer]
    ### END SOLUTION


# %% test="q1_state_numbers" points=1
assert state_numbers("adam", 20) == 2 * state_numbers("adam", 10), "the state grows with the model"
### BEGIN HIDDEN TESTS
assert state_numbers("sgd", 1000) == 0
assert state_numbers("momentum", 1000) == 1000
assert state_numbers("adam", 1000) == 2000
assert state_numbers("adamw", 7) == 14
### END HIDDEN TESTS

# %% [markdown]
# ## Training the digits classifier
#
# `train` below is the loop of `scratchnn.train.fit_digits` with a loss curve: mini-batches of 64
# shuffled images, `zero_grad`, forward, loss, backward, `step`. After every epoch it measures the
# cross-entropy on the whole training set in eval mode. Each run starts from the same weights
# (`torch.manual_seed(seed)` right before building the model) and sees the batches in the same
# order, so two curves differ only in what the comparison changes. Dropout is off here.
#
# The learning rates are not the same for every optimizer, and should not be: plain SGD's step is
# $\eta g$, momentum's is up to ten times that, and Adam's is about $\eta$ per number whatever $g$ is.
# Each rate below is a reasonable one for its optimizer, not a tuned one.

# %%
OPTIMIZERS = {
    "SGD, lr=0.05": lambda params: scratchnn.SGD(params, lr=0.05),
    "SGD, lr=0.05, momentum 0.9": lambda params: scratchnn.SGD(params, lr=0.05, momentum=0.9),
    "Adam, lr=0.003": lambda params: scratchnn.Adam(params, lr=3e-3),
}


def train(make_optimizer, batchnorm=True, epochs=EPOCHS, seed=0):
    """Train MLP(DIMS); returns the training loss before and after each epoch, and the test accuracy."""
    torch.manual_seed(seed)  # the initial weights
    model = MLP(DIMS, batchnorm=batchnorm)
    optimizer = make_optimizer(model.parameters())
    loss_fn = SoftmaxCELoss()
    order = torch.Generator().manual_seed(seed + 1)  # the order of the batches
    curve = [evaluate(model.eval(), x_train, y_train)[0]]
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x_train), generator=order)
        for start in range(0, len(perm), BATCH_SIZE):
            batch = perm[start:start + BATCH_SIZE]
            if len(batch) < 2:  # batch statistics need two samples at least
                continue
            optimizer.zero_grad()
            loss_fn.forward(model.forward(x_train[batch]), y_train[batch])
            model.backward(loss_fn.backward())
            optimizer.step()
        curve.append(evaluate(model.eval(), x_train, y_train)[0])
    return curve, evaluate(model, x_test, y_test)[1]


def plot_curves(ax, runs, title):
    for label, (curve, _) in runs.items():
        ax.semilogy(range(len(curve)), curve, marker=".", label=label)
    ax.set(xlabel="epoch", ylabel="training cross-entropy", title=title)
    ax.grid(alpha=0.3)
    ax.legend()


def report(runs):
    for label, (curve, accuracy) in runs.items():
        print(f"{label:<36} training loss {curve[-1]:.4f}   test accuracy {accuracy:.3f}")

# %% [markdown]
# ### SGD, momentum and Adam
#
# The same network (with batch normalisation) trained by each optimizer. Plain SGD creeps down;
# momentum, which adds up the recent gradients, covers the same ground in a fraction of the epochs;
# Adam is nearly as quick. A lower training loss is not automatically a better classifier: compare
# the test accuracies too.

# %%
optimizer_runs = {label: train(make) for label, make in OPTIMIZERS.items()}
report(optimizer_runs)
fig, ax = plt.subplots(figsize=(7, 4.5))
plot_curves(ax, optimizer_runs, f"MLP({DIMS}), {EPOCHS} epochs, same seed")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Task 2: batch normalisation and dropout
#
# **BatchNorm1d** normalises each feature over the batch, $\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 +
# \epsilon}$ with the batch's mean and biased variance, then rescales it, $y = \gamma \hat x + \beta$,
# with two trained parameters per feature. Whatever the previous layer does to the scale of its
# outputs, the next layer sees inputs of mean $\beta$ and spread $\gamma$; that is what lets
# plain SGD take larger steps without diverging. In training mode it also keeps running averages
# of the batch statistics, which eval mode uses instead, so that a prediction does not depend on the
# other images in its batch. The backward pass has to account for $\mu_B$ and $\sigma_B$ depending
# on every sample of the batch.
#
# **Dropout** zeroes each number with probability $p$ in training mode and multiplies the survivors by
# $1/(1-p)$, so that the expected output equals the input and eval mode can be the identity.
#
# Below, the same runs with and without the BatchNorm1d layers (`MLP(DIMS, batchnorm=False)`), for
# plain SGD and for Adam.

# %% [markdown] question="q2_parameter_count"
# **Question 2.** Write `mlp_parameter_count(dims, batchnorm)`: the number of trainable numbers of
# `MLP(dims, batchnorm=batchnorm)` (see `model.py`: a Linear layer between each pair of widths, a
# BatchNorm1d after every hidden Linear when `batchnorm` is true).

# %% question="q2_parameter_count"
def mlp_parameter_count(dims, batchnorm=True):
    """Trainable numbers of MLP(dims, batchnorm=batchnorm): weights, biases, γ and β."""
    ### BEGIN SOLUTION
    linear = sum((m + 1) * n for m, n in zip(dims[:-1], dims[1:], strict=True))
    return linear + (2 * sum(dims[1:-1]) if batchnorm else 0)
    ### END SOLUTION


# %% test="q2_parameter_count" points=2
assert mlp_parameter_count([5, 3], batchnorm=True) == mlp_parameter_count([5, 3], batchnorm=False), \
    "a network without hidden layers has no BatchNorm1d"
### BEGIN HIDDEN TESTS
assert mlp_parameter_count([5, 3], batchnorm=False) == 18
assert mlp_parameter_count([64, 64, 64, 10], batchnorm=False) == 8970
assert mlp_parameter_count([64, 64, 64, 10], batchnorm=True) == 9226
assert mlp_parameter_count([2, 7, 1], batchnorm=True) == 43
### END HIDDEN TESTS

# %%
batchnorm_runs = {}
for label in ("SGD, lr=0.05", "Adam, lr=0.003"):
    for batchnorm in (True, False):
        name = f"{label}, batchnorm {'on' if batchnorm else 'off'}"
        batchnorm_runs[name] = train(OPTIMIZERS[label], batchnorm=batchnorm)
report(batchnorm_runs)
fig, ax = plt.subplots(figsize=(7, 4.5))
plot_curves(ax, batchnorm_runs, f"MLP({DIMS}) with and without BatchNorm1d, {EPOCHS} epochs")
fig.tight_layout()
plt.show()

# %% [markdown]
# Batch normalisation helps plain SGD the most: without it the loss falls slowly in the first epochs
# and ends the run several times higher. Adam, which already adapts its step to each weight's
# gradient, gains less, but gains too.
#
# ## What next
#
# When your optimizers agree with `torch.optim` to about $10^{-7}$ and the curves look like the
# ones described above, run the public tests (`pytest` in this folder) and submit `optim.py` and
# `layers.py`. The grader checks more than this notebook: float32 and float64, parameters without
# gradients, eval mode and the running statistics, Dropout's masks and scaling, and a training run
# like `fit_digits` whose training loss must stay under a threshold calibrated on the reference.
