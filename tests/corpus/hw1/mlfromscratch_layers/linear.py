"""Style: ML-From-Scratch Dense layer: ``self.layer_input`` cached by ``forward_pass``;
``backward_pass(accum_grad)`` first saves ``W = self.W`` ("Save weights used during forwards
pass"), computes ``grad_w = self.layer_input.T.dot(accum_grad)`` and ``grad_w0`` with
``keepdims=True``, and returns ``accum_grad.dot(W.T)`` "based on the weights used during the
forward pass"; ``trainable`` flag; ``parameters()`` counting weights.

Ported from eriklindernoren/ML-From-Scratch:mlfromscratch/deep_learning/layers.py (Dense).
Changes for the contract: the source updates W and w0 with its optimizer inside
backward_pass; here the gradients are stored (dW, and db flattened from grad_w0) and step()
updates; the bias is the given b (the source's w0 is (1, n_units)).
"""

import torch


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)
        self.layer_input = None
        self.trainable = True

    def parameters(self):
        return self.W.numel() + self.b.numel()

    def forward_pass(self, X, training=True):
        self.layer_input = X
        return X.matmul(self.W) + self.b

    def backward_pass(self, accum_grad):
        # Save weights used during forwards pass
        W = self.W

        if self.trainable:
            # Calculate gradient w.r.t layer weights
            grad_w = self.layer_input.T.matmul(accum_grad)
            grad_w0 = torch.sum(accum_grad, dim=0, keepdim=True)

            # Keep the gradients (step() updates the layer weights)
            self.dW = grad_w
            self.db = grad_w0.reshape(-1)

        # Return accumulated gradient for next layer
        # Calculated based on the weights used during the forward pass
        accum_grad = accum_grad.matmul(W.T)
        return accum_grad

    def forward(self, X):
        return self.forward_pass(X)

    def backward(self, accum_grad):
        return self.backward_pass(accum_grad)

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
