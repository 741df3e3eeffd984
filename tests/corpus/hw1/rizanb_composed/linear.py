"""Style: rizanB/from_scratch FCNN: a long backward docstring with the maths ("go backward for
z = wx + b, dz/dw = x, dz/db = 1"), the three gradients named ``loss_grad_wrt_w``,
``loss_grad_wrt_b``, ``loss_grad_wrt_x``, an outer product per sample, a ``verbose`` flag.

Ported from rizanB/from_scratch:layers/FCNN.py. Changes for the contract: the source works on
one sample with W of shape (out, in) and updates the weights inside backward; here x is a
batch (the per-sample outer products are summed: xᵀ·grad), W is (in, out), backward stores
the gradients as dW/db and returns dL/dx computed with the weights of the forward.
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

    def forward(self, x, verbose=False):
        """forward pass through fully connected nn

        Args:
            x (torch.Tensor): input

        Returns:
            z: logits
        """

        # refactor: store x for backprop
        self.x = x

        if verbose:
            print(f"FCNN forward - input shape: {self.x.shape}")

        return torch.matmul(x, self.W) + self.b

    def backward(self, grad_output, verbose=False):
        """
        stores fc weight and bias grads and returns loss grad wrt x

        maths: go backward for z = xw + b,
        dz/dw = x
        dz/db = 1

        computes three gradients : dLoss/dw, dLoss/db and dLoss/dx

        Loss grad wrt weight (dLoss/dw = (dLoss/dz) * (dz/dw) ), summed over the batch

        Loss grad wrt bias (dLoss/db = (dLoss/dz) * (dz/db) ), summed over the batch

        Loss grad wrt input (dLoss/dx) = (dLoss/dz) * w

        Args:
        grad_output (torch.Tensor): grad from layer after this

        Returns:
        loss_grad_wrt_x (torch.Tensor): loss grad wrt input
        """

        loss_grad_wrt_w = torch.matmul(self.x.T, grad_output)  # sum of np.outer(x_i, g_i)
        self.dW = loss_grad_wrt_w

        loss_grad_wrt_b = grad_output.sum(dim=0)
        self.db = loss_grad_wrt_b

        loss_grad_wrt_x = torch.matmul(grad_output, self.W.T)

        if verbose:
            print(f"FCNN backward - grad shapes: {loss_grad_wrt_w.shape} {loss_grad_wrt_b.shape}")

        return loss_grad_wrt_x

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
