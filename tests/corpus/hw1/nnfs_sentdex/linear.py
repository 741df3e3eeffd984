"""Style: "Neural Networks from Scratch in Python" (Kinsley & Kukieła) Layer_Dense: comment
lines before every step ("# Remember input values"), forward stores ``self.inputs`` and
``self.output``, backward sets ``self.dweights``, ``self.dbiases`` (``keepdims=True``) and
``self.dinputs`` from ``dvalues``.

Ported from Sentdex/nnfs_book:Chapter_15/Ch15_Final.py (Layer_Dense, without regularisation).
Changes for the contract: the given W/b are the weights/biases (b is (N,), so the bias
gradient is flattened for db); forward and backward also return their results.
"""

import torch


# Dense layer
class Linear:

    # Layer initialization
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs, weights and biases
        self.output = torch.matmul(inputs, self.W) + self.b
        return self.output

    # Backward pass
    def backward(self, dvalues):
        # Gradients on parameters
        self.dweights = torch.matmul(self.inputs.T, dvalues)
        self.dbiases = torch.sum(dvalues, dim=0, keepdim=True)
        self.dW, self.db = self.dweights, self.dbiases.reshape(-1)

        # Gradient on values
        self.dinputs = torch.matmul(dvalues, self.W.T)
        return self.dinputs

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
