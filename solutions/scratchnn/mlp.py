"""The multi-layer perceptron, built from your Linear layer and activations (given, complete)."""

import torch

from .activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Swish, Tanh
from .linear import Linear

ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "swish": Swish,
}


class MLP:
    """Linear layers of widths dims[0] -> dims[1] -> ... -> dims[-1], an activation between each two.

    Example: MLP([1, 64, 64, 1], "relu") is Linear(1,64), ReLU, Linear(64,64), ReLU, Linear(64,1).
    forward x (B, dims[0]) -> (B, dims[-1]); cost 2·B·Σ d_l·d_(l+1) FLOPs.
    backward costs about twice the forward: two matrix products per layer, one for the first
    (dL/dx of the input data is not needed, so the first Linear gets needs_dx = False).
    """

    def __init__(self, dims: list[int], activation: str = "relu"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, not {activation!r}")
        if len(dims) < 2:
            raise ValueError(f"dims needs an input and an output width at least, not {dims!r}")
        self.layers = []
        for i, (m, n) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
            self.layers.append(Linear(m, n))
            if i < len(dims) - 2:  # no activation after the output layer
                self.layers.append(ACTIVATIONS[activation]())
        self.layers[0].needs_dx = False

    def linears(self) -> list[Linear]:
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: torch.Tensor) -> None:
        """Back-propagates dL/d(output) (B, dims[-1]); every Linear stores its dW and db."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)

    def step(self, lr: float) -> None:
        for layer in self.linears():
            layer.step(lr)
