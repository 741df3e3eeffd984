"""scratchnn: a neural network written by hand in raw PyTorch (no autograd, no torch.nn)."""

from .activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Swish, Tanh
from .linear import Linear
from .losses import BCELoss, HuberLoss, MAELoss, MSELoss, SoftmaxCELoss
from .mlp import MLP

__all__ = [
    "Linear",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Swish",
    "MSELoss", "MAELoss", "HuberLoss", "BCELoss", "SoftmaxCELoss",
    "MLP",
]
