"""scratchnn, assignment 2: optimizers, batch normalisation and dropout, by hand in raw PyTorch."""

from .layers import BatchNorm1d, Dropout
from .optim import SGD, Adam, AdamW
from .parameter import Parameter

__all__ = ["Parameter", "SGD", "Adam", "AdamW", "BatchNorm1d", "Dropout"]
