"""Style: The Independent Code's "Neural Network from scratch" (Omar Aflak): a ``Layer`` base
with ``self.input`` / ``self.output``, ``forward(self, input)`` keeping ``self.input = input``,
``np.dot`` everywhere, the gradient names ``weights_gradient`` / ``input_gradient`` /
``output_gradient``.

Ported from TheIndependentCode/Neural-Network:dense.py and layer.py.
Changes for the contract: the source's Dense stores W as (out, in) and works on column
vectors; here W is (in, out) and rows are samples, so the products are transposed; the
source updates the weights inside backward (``backward(output_gradient, learning_rate)``),
here backward stores dW/db and step() updates.
"""

import torch


class Layer:
    def __init__(self):
        self.input = None
        self.output = None

    def forward(self, input):
        # TODO: return output
        pass

    def backward(self, output_gradient):
        # TODO: return input gradient
        pass


class Linear(Layer):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def forward(self, input):
        self.input = input
        return torch.matmul(self.input, self.W) + self.b

    def backward(self, output_gradient):
        weights_gradient = torch.matmul(self.input.T, output_gradient)
        input_gradient = torch.matmul(output_gradient, self.W.T)
        self.dW = weights_gradient
        self.db = torch.sum(output_gradient, dim=0)
        return input_gradient

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
