"""Style: "Deep Learning from Scratch" (Saito) Affine layer: the input shape is remembered in
``original_x_shape``, x is flattened to rows, np.dot becomes torch.matmul, dx is reshaped back.

Ported from oreilly-japan/deep-learning-from-scratch:common/layers.py (class Affine).
Changes for the contract: W and b are the given attributes (not constructor arguments).
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

    def forward(self, x):
        # テンソル対応
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x

        out = torch.matmul(self.x, self.W) + self.b

        return out

    def backward(self, dout):
        dx = torch.matmul(dout, self.W.T)
        self.dW = torch.matmul(self.x.T, dout)
        self.db = torch.sum(dout, dim=0)

        dx = dx.reshape(*self.original_x_shape)  # 入力データの形状に戻す（テンソル対応）
        return dx

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
