"""Style: joelnet (Joel Grus, "Livecoding an NN library"): a Layer base class holding
``params`` and ``grads`` dicts, ``forward(self, inputs)`` keeping ``self.inputs``,
``backward(self, grad)`` with the chain-rule docstring, ``inputs @ w + b``.

Ported from joelgrus/joelnet:joelnet/layers.py (Layer, Linear).
Changes for the contract: the parameters live in the given W and b (the dicts point at
them for the layer's own bookkeeping), the gradients are also stored as dW and db.
"""

from typing import Dict  # noqa: UP035 - joelnet spells it this way

import torch

Tensor = torch.Tensor


class Layer:
    def __init__(self) -> None:
        self.params: Dict[str, Tensor] = {}  # noqa: UP006 - joelnet spells it this way
        self.grads: Dict[str, Tensor] = {}  # noqa: UP006

    def forward(self, inputs: Tensor) -> Tensor:
        """
        Produce the outputs corresponding to these inputs
        """
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor:
        """
        Backpropagate this gradient through the layer
        """
        raise NotImplementedError


class Linear(Layer):
    """
    computes output = inputs @ w + b
    """
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def forward(self, inputs: Tensor) -> Tensor:
        """
        outputs = inputs @ w + b
        """
        self.params["w"] = self.W
        self.params["b"] = self.b
        self.inputs = inputs
        return inputs @ self.params["w"] + self.params["b"]

    def backward(self, grad: Tensor) -> Tensor:
        """
        if y = f(x) and x = a * b + c
        then dy/da = f'(x) * b
        and dy/db = f'(x) * a
        and dy/dc = f'(x)

        if y = f(x) and x = a @ b + c
        then dy/da = f'(x) @ b.T
        and dy/db = a.T @ f'(x)
        and dy/dc = f'(x)
        """
        self.grads["b"] = torch.sum(grad, dim=0)
        self.grads["w"] = self.inputs.T @ grad
        self.dW, self.db = self.grads["w"], self.grads["b"]
        return grad @ self.params["w"].T

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
