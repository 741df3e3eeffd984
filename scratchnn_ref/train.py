# Generated from solutions/scratchnn/train.py by `make generate`: edit that file, not this one.
"""Fit sin(2πx) on [-1, 1] with an MLP of your layers and plain SGD (given, complete).

Run it from the folder above ``scratchnn``:  python -m scratchnn.train --activation relu
The grader trains the same way, with the same settings, and then measures the
mean squared error of your trained network itself on a fine grid of [-1, 1].
"""

import argparse
import math

import torch

from .mlp import MLP

DIMS = [1, 64, 64, 1]
N_TRAIN = 1000
GRID_POINTS = 1001

# Settings per activation, chosen by a calibration over 50 seeds (see the README).
# The article's lr = 1e-3 does not converge in 200 epochs (grid MSE about 0.37).
# relu reaches a grid MSE of at most 0.0013 at every seed; tanh is not graded: with
# plain SGD some seeds stay near 0.42 (a straight line) even with these settings.
SETTINGS = {
    "relu": {"lr": 0.2, "epochs": 300, "batch_size": 64},
    "tanh": {"lr": 0.1, "epochs": 400, "batch_size": 64},
}


def sine_data(n: int = N_TRAIN, seed: int = 0, dtype=torch.float32):
    """n points x ~ U[-1, 1] and targets sin(2πx), both (n, 1)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=gen, dtype=dtype) * 2 - 1
    return x, torch.sin(2 * math.pi * x)


def sine_grid(n: int = GRID_POINTS, dtype=torch.float64):
    """n evenly spaced x in [-1, 1] and sin(2πx), both (n, 1): where the fit is measured."""
    x = torch.linspace(-1.0, 1.0, n, dtype=dtype).reshape(n, 1)
    return x, torch.sin(2 * math.pi * x)


def fit_sine(activation: str = "relu", seed: int = 0, lr=None, epochs=None, batch_size=None,
             log_every: int = 0, loss_fn=None) -> MLP:
    """Train MLP(DIMS, activation) on sine_data(seed) with mini-batch SGD; returns the model.

    ``loss_fn`` defaults to your MSELoss; the grader passes its own, so that the fit
    grades your layers and not your loss (and works even while losses.py does not).

    Cost: epochs · N_TRAIN · (6 · Σ d_l·d_(l+1)) FLOPs, about 0.1 GFLOP for the defaults.
    """
    settings = {**SETTINGS.get(activation, SETTINGS["relu"])}
    for key, value in (("lr", lr), ("epochs", epochs), ("batch_size", batch_size)):
        if value is not None:
            settings[key] = value
    torch.manual_seed(seed)  # the weights' initialisation
    model = MLP(DIMS, activation)
    x, y = sine_data(seed=seed)
    order = torch.Generator().manual_seed(seed + 1)
    if loss_fn is None:
        from .losses import MSELoss

        loss_fn = MSELoss()
    for epoch in range(settings["epochs"]):
        perm = torch.randperm(len(x), generator=order)
        total = 0.0
        for start in range(0, len(x), settings["batch_size"]):
            idx = perm[start:start + settings["batch_size"]]
            loss = loss_fn.forward(model.forward(x[idx]), y[idx])
            model.backward(loss_fn.backward())
            model.step(settings["lr"])
            total += loss.item() * len(idx)
        if log_every and (epoch + 1) % log_every == 0:
            print(f"epoch {epoch + 1:4d}  train MSE {total / len(x):.6f}")
    return model


def grid_mse(model: MLP) -> float:
    """Mean squared error of the model against sin(2πx) on sine_grid() (computed in float32)."""
    x, y = sine_grid(dtype=torch.float32)
    return float(((model.forward(x) - y) ** 2).mean())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activation", default="relu", choices=sorted(SETTINGS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    model = fit_sine(args.activation, args.seed, log_every=20)
    print(f"grid MSE after training: {grid_mse(model):.6f}")


if __name__ == "__main__":
    main()
