"""Assignment 2's training check, the grader side: the settings, the job's inputs, and the measure.

The sandbox trains (training.py, with the student's optimizer and layers); the grader builds
the job and its inputs here and measures what comes back itself, with the reference layers:
the given MLP in eval mode with the returned weights and running statistics, in float64, on
the whole training split at once. The grade rests on that training loss (cross-entropy), never
on a number the student's code reports. Test accuracy is measured too, for the student's
information: it cannot tell a broken update from a correct one (CALIBRATION.md).

Everything follows scratchnn.train.fit_digits (the script students run), so that a student's
own run at the grader's seed shows the figure the grader measures:
    split          train_test_split(load_digits(), seed=seed): 1438 training and 359 test images
    initial weights torch.manual_seed(seed), then MLP(DIMS, dropout=DROPOUT)
    training       SETTINGS[name] (training.py: batch order, Dropout masks)

The reference is the package scratchnn_ref.hw2 (generated from solutions/hw2/scratchnn), so it
never meets another package called ``scratchnn`` in the grader's process; the data file is its
data/digits.csv.gz.
"""

import functools
import importlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import torch

from . import config

REFERENCE = "scratchnn_ref.hw2"

DIMS = [64, 64, 64, 10]  # scratchnn.train.DIMS
DROPOUT = 0.1            # scratchnn.train.DROPOUT


@dataclass(frozen=True)
class Setting:
    """One way of training: an optimizer of optim.py with its keyword arguments, epochs and batch size."""

    optimizer: str  # "SGD", "Adam" or "AdamW"
    kwargs: dict = field(hash=False)
    epochs: int = 20
    batch_size: int = 64

    def job(self, seed: int, dims: list = DIMS, dropout: float = DROPOUT) -> dict:
        """The settings training.run reads (see its docstring)."""
        return {"optimizer": self.optimizer, "kwargs": dict(self.kwargs), "dims": list(dims),
                "dropout": dropout, "epochs": self.epochs, "batch_size": self.batch_size, "seed": seed}

    def steps(self, n_train: int) -> int:
        """Optimizer steps of one run: what its cost is proportional to (batches of one row are skipped)."""
        full, rest = divmod(n_train, self.batch_size)
        return self.epochs * (full + (rest >= 2))


# scratchnn.train.OPTIMIZERS, epochs and batch size: the settings students train with.
SETTINGS = {
    "sgd": Setting("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}),
    "adam": Setting("Adam", {"lr": 3e-3}),
    "adamw": Setting("AdamW", {"lr": 3e-3, "weight_decay": 1e-2}),
}


@dataclass(frozen=True)
class Graded:
    """A graded training run: the setting, the grader's seed and the threshold on the training loss."""

    setting: str  # a key of SETTINGS
    seed: int
    threshold: float  # the training loss must be at most this (calibration.json, CALIBRATION.md)


# The graded trainings: config.TRAINING, from `python -m autograder.hw2.calibrate`'s output.
GRADED = {name: Graded(name, **rule) for name, rule in config.TRAINING.items()}


# ---------------------------------------------------------------- the reference, the data, the inputs
def reference(module: str) -> ModuleType:
    """A module of the reference package, e.g. reference("model")."""
    return importlib.import_module(f"{REFERENCE}.{module}")


def reference_dir() -> Path:
    """The reference package's folder (its data file is data/digits.csv.gz there)."""
    return Path(importlib.import_module(REFERENCE).__file__).resolve().parent


@dataclass(frozen=True)
class Split:
    """The digits split by a seed: x (n, 64) float32 in [0, 1], y (n,) int64 in 0..9."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.cache
def _digits() -> tuple:
    return reference("data").load_digits(reference_dir() / "data" / "digits.csv.gz")


@functools.lru_cache(maxsize=64)
def split(seed: int) -> Split:
    """scratchnn.data.train_test_split(load_digits(), seed=seed). Cost: one read of the CSV (cached), then O(n)."""
    return Split(*reference("data").train_test_split(*_digits(), seed=seed))


def weight_names(dims: list = DIMS) -> list[str]:
    """The names of the tensors a run starts from and returns: W{i}, b{i} per Linear, then per BatchNorm1d k
    gamma{k}, beta{k}, running_mean{k}, running_var{k}."""
    names = [f"{w}{i}" for i in range(len(dims) - 1) for w in ("W", "b")]
    return names + [f"{s}{k}" for k in range(len(dims) - 2) for s in ("gamma", "beta", "running_mean", "running_var")]


def make_inputs(seed: int, dims: list = DIMS, dropout: float = DROPOUT) -> dict:
    """training.run's inputs: the training split and the initial weights (the reference MLP built right
    after torch.manual_seed(seed), as fit_digits builds it). The grader's own random state is left as it was."""
    data = split(seed)
    model = reference("model")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = model.MLP(list(dims), dropout=dropout)
    inputs = {"x_train": data.x_train.clone(), "y_train": data.y_train.clone()}
    linears = [layer for layer in net.layers if isinstance(layer, model.Linear)]
    norms = [layer for layer in net.layers if isinstance(layer, model.BatchNorm1d)]
    for i, layer in enumerate(linears):
        inputs[f"W{i}"], inputs[f"b{i}"] = layer.W.data.clone(), layer.b.data.clone()
    for k, bn in enumerate(norms):
        inputs[f"gamma{k}"], inputs[f"beta{k}"] = bn.weight.data.clone(), bn.bias.data.clone()
        inputs[f"running_mean{k}"], inputs[f"running_var{k}"] = bn.running_mean.clone(), bn.running_var.clone()
    return inputs


# ---------------------------------------------------------------- the measure
@dataclass(frozen=True)
class Evaluation:
    """What the grader measures of one trained network (eval mode, float64)."""

    train_loss: float  # mean cross-entropy over the training split; inf if any weight is NaN or inf
    train_accuracy: float
    test_accuracy: float

    def passes(self, threshold: float) -> bool:
        return self.train_loss <= threshold  # inf (and NaN) fail

    def as_dict(self) -> dict:
        """JSON-safe (a non-finite loss is None)."""
        loss = self.train_loss if math.isfinite(self.train_loss) else None
        return {"train_loss": loss, "train_accuracy": self.train_accuracy, "test_accuracy": self.test_accuracy}


def evaluate(outputs: dict, seed: int, dims: list = DIMS) -> Evaluation:
    """Measure training.run's outputs for the split of `seed`.

    outputs: name -> tensor, at least weight_names(dims) with the shapes of make_inputs' (any float dtype).
    The given MLP (no Dropout: eval mode is the identity) gets them as float64 copies, goes to eval mode
    and classifies the whole training and test splits. Raises ValueError if a tensor is missing or of
    the wrong shape. Cost: 2·n·Σ dims[i]·dims[i+1] FLOPs for n = 1797 images, about 20 MFLOP.
    """
    model = reference("model")
    with torch.random.fork_rng(devices=[]):
        net = model.MLP(list(dims), dropout=0.0)
    linears = [layer for layer in net.layers if isinstance(layer, model.Linear)]
    norms = [layer for layer in net.layers if isinstance(layer, model.BatchNorm1d)]
    targets = [(f"W{i}", layer.W, "data") for i, layer in enumerate(linears)]
    targets += [(f"b{i}", layer.b, "data") for i, layer in enumerate(linears)]
    for k, bn in enumerate(norms):
        targets += [(f"gamma{k}", bn.weight, "data"), (f"beta{k}", bn.bias, "data"),
                    (f"running_mean{k}", bn, "running_mean"), (f"running_var{k}", bn, "running_var")]
    finite = True
    for name, owner, attr in targets:
        value, shape = outputs.get(name), tuple(getattr(owner, attr).shape)
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != shape or not value.dtype.is_floating_point:
            raise ValueError(f"the training returned no float tensor {name} of shape {shape}")
        value = value.detach().to(torch.float64).clone()
        finite = finite and bool(torch.isfinite(value).all())
        setattr(owner, attr, value)
    if not finite:
        return Evaluation(math.inf, 0.0, 0.0)
    net.eval()
    data = split(seed)
    logits = net.forward(data.x_train.double())
    loss = float(model.SoftmaxCELoss().forward(logits, data.y_train))
    train_accuracy = float((logits.argmax(dim=1) == data.y_train).double().mean())
    test_accuracy = float((net.forward(data.x_test.double()).argmax(dim=1) == data.y_test).double().mean())
    return Evaluation(loss if math.isfinite(loss) else math.inf, train_accuracy, test_accuracy)
