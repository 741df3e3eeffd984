"""Style: numpitron activations: each layer keeps what it needs in ``self.ctx`` under a name
(``self.ctx["inputs"] = inputs``) and its backward pops it (``self.ctx.pop("inputs") > 0) * d_out``);
a module-level ``softmax(inputs, axis=-1)`` function next to the layers; short class docstrings
("Has no associated weights.").

Ported from lweitkamp/numpitron:src/numpitron/nn/activation.py (softmax, ReLU).
Changes for the contract: the other activations are written the same way (the backward
pops the cached tensors); the sigmoid takes exp of -|x|; ELU's exp of min(x, 0).
"""

import math

import torch


def softmax(inputs: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Return the softmax of x along the given axis."""
    x_ = torch.exp(inputs - torch.max(inputs, dim=axis, keepdim=True).values)
    return x_ / x_.sum(dim=axis, keepdim=True)


def sigmoid(inputs: torch.Tensor) -> torch.Tensor:
    """Return the logistic sigmoid of x, elementwise."""
    # sigmoid(x) is the first entry of softmax([x, 0]); exp(-|x|) never overflows
    z = torch.exp(-torch.abs(inputs))
    return torch.where(inputs >= 0, 1 / (1 + z), z / (1 + z))


class Layer:
    def __init__(self):
        self.ctx: dict = {}


class ReLU(Layer):
    """ReLU non-linear activation function. Has no associated weights."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        self.ctx["inputs"] = inputs
        return torch.maximum(torch.zeros_like(inputs), inputs)

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        return (self.ctx.pop("inputs") > 0) * d_out


class LeakyReLU(Layer):
    """Leaky ReLU activation function. Has no associated weights."""

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.alpha = alpha

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        self.ctx["inputs"] = inputs
        return torch.where(inputs > 0, inputs, self.alpha * inputs)

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        return torch.where(self.ctx.pop("inputs") > 0, d_out, self.alpha * d_out)


class ELU(Layer):
    """ELU activation function. Has no associated weights."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        exp = torch.exp(torch.clamp(inputs, max=0.0))
        self.ctx["inputs"], self.ctx["exp"] = inputs, exp
        return torch.where(inputs > 0, inputs, self.alpha * (exp - 1))

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        inputs, exp = self.ctx.pop("inputs"), self.ctx.pop("exp")
        return torch.where(inputs > 0, d_out, self.alpha * exp * d_out)


class Sigmoid(Layer):
    """Sigmoid activation function. Has no associated weights."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        outputs = sigmoid(inputs)
        self.ctx["outputs"] = outputs
        return outputs

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        outputs = self.ctx.pop("outputs")
        return outputs * (1 - outputs) * d_out


class Tanh(Layer):
    """Tanh activation function. Has no associated weights."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        outputs = torch.tanh(inputs)
        self.ctx["outputs"] = outputs
        return outputs

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        outputs = self.ctx.pop("outputs")
        return (1 - outputs ** 2) * d_out


class GELU(Layer):
    """GELU activation function (tanh approximation). Has no associated weights."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        tanh = torch.tanh(math.sqrt(2 / math.pi) * (inputs + 0.044715 * inputs ** 3))
        self.ctx["inputs"], self.ctx["tanh"] = inputs, tanh
        return 0.5 * inputs * (1 + tanh)

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        inputs, tanh = self.ctx.pop("inputs"), self.ctx.pop("tanh")
        d_tanh = (1 - tanh ** 2) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * inputs ** 2)
        return (0.5 * (1 + tanh) + 0.5 * inputs * d_tanh) * d_out


class Swish(Layer):
    """Swish / SiLU activation function. Has no associated weights."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        gate = sigmoid(inputs)
        self.ctx["inputs"], self.ctx["gate"] = inputs, gate
        return inputs * gate

    def backward(self, d_out: torch.Tensor) -> torch.Tensor:
        inputs, gate = self.ctx.pop("inputs"), self.ctx.pop("gate")
        return (gate + inputs * gate * (1 - gate)) * d_out
