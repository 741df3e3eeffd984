# Generated from solutions/hw2/scratchnn/train.py by `make generate`: edit that file, not this one.
"""Train the digits classifier with your optimizer and layers (given, complete).

Run it from the folder above ``scratchnn``:  python -m scratchnn.train --optimizer adam
The grader trains the same way, with the same settings, and measures the training loss
of the trained network itself (eval mode, the whole training set at once).
"""

import argparse

import torch

from .data import load_digits, train_test_split
from .model import MLP, SoftmaxCELoss
from .optim import SGD, Adam, AdamW

DIMS = [64, 64, 64, 10]
DROPOUT = 0.1
EPOCHS = 20
BATCH_SIZE = 64

OPTIMIZERS = {
    "sgd": lambda params: SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "adam": lambda params: Adam(params, lr=3e-3),
    "adamw": lambda params: AdamW(params, lr=3e-3, weight_decay=1e-2),
}


def fit_digits(optimizer: str = "adam", seed: int = 0, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
               dropout: float = DROPOUT, batchnorm: bool = True, log_every: int = 0):
    """Train MLP(DIMS) on the training part of the digits split by ``seed``.

    Returns the model (left in eval mode) and the split (x_train, y_train, x_test, y_test).
    Cost: epochs · 1438 samples · about 6 · Σ d_l·d_(l+1) FLOPs, under a second on a laptop CPU.
    """
    x, y = load_digits()
    split = train_test_split(x, y, seed=seed)
    x_train, y_train = split[0], split[1]
    torch.manual_seed(seed)  # the weights' initialisation and the dropout masks
    model = MLP(DIMS, dropout=dropout, batchnorm=batchnorm)
    opt = OPTIMIZERS[optimizer](model.parameters())
    loss_fn = SoftmaxCELoss()
    order = torch.Generator().manual_seed(seed + 1)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x_train), generator=order)
        for start in range(0, len(perm), batch_size):
            idx = perm[start:start + batch_size]
            if len(idx) < 2:  # BatchNorm1d needs two samples in training mode
                continue
            opt.zero_grad()
            loss_fn.forward(model.forward(x_train[idx]), y_train[idx])
            model.backward(loss_fn.backward())
            opt.step()
        if log_every and (epoch + 1) % log_every == 0:
            model.eval()
            print(f"epoch {epoch + 1:3d}  train loss {evaluate(model, x_train, y_train)[0]:.4f}")
    model.eval()
    return model, split


def evaluate(model: MLP, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of the model on x (n, 64), y (n,), in the mode it is in."""
    logits = model.forward(x)
    loss = SoftmaxCELoss().forward(logits, y)
    return float(loss), float((logits.argmax(dim=1) == y).float().mean())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    model, (x_train, y_train, x_test, y_test) = fit_digits(args.optimizer, args.seed, log_every=5)
    train_loss, train_acc = evaluate(model, x_train, y_train)
    test_loss, test_acc = evaluate(model, x_test, y_test)
    print(f"train loss {train_loss:.4f} (accuracy {train_acc:.3f}), test loss {test_loss:.4f} "
          f"(accuracy {test_acc:.3f})")


if __name__ == "__main__":
    main()
