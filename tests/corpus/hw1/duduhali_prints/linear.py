"""Style: duduhali/HasAI Dense: a loop over the batch (``np.array([np.dot(self.weights, xx) +
self.bias for xx in x])``), per-sample outer products for the weight gradient summed over
the batch, per-sample ``W.T @ dd`` for dx, Chinese comments, and the debug prints the source
leaves in (``print('y', y.shape)``, ``print('dx', dx.shape)``), plus shape asserts.

Ported from duduhali/HasAI:Layers/dense.py. Changes for the contract: W is (in, out) (the
source's is (units, in)), so each sample is ``xx @ W``; the source divides dw and db by the
batch size and updates the weights inside backward with its own lr: here the gradients are
the plain sums, stored in dW/db, and step() updates.
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
        self.x = x  # 把中间结果保存下来，以备反向传播时使用
        self.y = torch.stack([xx @ self.W + self.b for xx in x])  # 计算全连接层的输出
        print('y', self.y.shape)
        assert self.y.shape == (x.shape[0], self.W.shape[1])
        return self.y  # 将这一层计算的结果向前传递

    def backward(self, d):
        ddw = torch.stack([torch.outer(xx, dd) for dd, xx in zip(d, self.x)])  # noqa: B905
        self.dW = torch.sum(ddw, dim=0)
        self.db = torch.sum(d, dim=0)
        self.dx = torch.stack([self.W @ dd for dd in d])
        print('dx', self.dx.shape)
        assert self.dx.shape == self.x.shape
        return self.dx  # 反向传播梯度

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
