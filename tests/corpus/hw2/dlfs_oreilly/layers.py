""""Deep Learning from Scratch" (O'Reilly Japan) style: BatchNormalization with name-mangled
`__forward` / `__backward`, `self.xc`, `self.xn`, `self.std`, `self.batch_size`, the backward through
std and var step by step; Dropout with `self.mask = rand > ratio`.

Ported from oreilly-japan/deep-learning-from-scratch:common/layers.py (BatchNormalization, Dropout).
Changes for the contract: torch instead of numpy; no reshape of conv inputs; PyTorch's momentum
convention (weight of the new batch; the source's 0.9 weights the old statistics), the unbiased
running variance and eps from the constructor (the source's is 10e-7); eval mode caches xn and its std
so that backward works in eval mode; the source's Dropout scales by (1 − ratio) in eval mode, here it
is inverted dropout (the mask scaled by 1/(1 − p), eval the identity), p = 1 gives zeros. The source's
`rand > ratio` keeps an element with probability 1 − p − 2⁻²⁴ (float32) rather than exactly 1 − p.
"""

import torch

from .parameter import Parameter


class BatchNorm1d:
    """Batch normalisation over a batch x (B, C): each of the C features is normalised on its own.

    Training mode (statistics of this batch, per feature c; B >= 2):
        μ = mean_i x[i, c]             σ² = mean_i (x[i, c] - μ)²      (biased: divided by B)
        x̂ = (x - μ) / √(σ² + eps)      y = γ·x̂ + β
        running_mean = (1 - momentum)·running_mean + momentum·μ
        running_var  = (1 - momentum)·running_var  + momentum·σ²·B/(B - 1)   (unbiased)
    Eval mode (the running statistics; nothing is updated):
        x̂ = (x - running_mean) / √(running_var + eps)      y = γ·x̂ + β

    Parameters (given): ``weight`` γ (C,) ones and ``bias`` β (C,) zeros, both Parameters.
    Buffers (given): ``running_mean`` (C,) zeros and ``running_var`` (C,) ones, plain tensors.
    ``backward`` returns dL/dx (B, C) and sets (overwrites) ``weight.grad`` and ``bias.grad`` (C,).

    Cost: forward and backward O(B·C) time each; forward caches x̂ (B·C numbers) and 1/√(σ² + eps) (C).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = Parameter(torch.ones(num_features))
        self.bias = Parameter(torch.zeros(num_features))
        self.running_mean = torch.zeros(num_features)
        self.running_var = torch.ones(num_features)
        self.training = True

    def train(self) -> "BatchNorm1d":
        self.training = True
        return self

    def eval(self) -> "BatchNorm1d":
        self.training = False
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C) -> y (B, C). In training mode also updates the running statistics."""
        self.gamma, self.beta = self.weight.data, self.bias.data
        out = self.__forward(x, self.training)
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        dx = self.__backward(dout)
        self.weight.grad, self.bias.grad = self.dgamma, self.dbeta
        return dx

    def __forward(self, x, train_flg):
        if train_flg:
            mu = x.mean(dim=0)
            xc = x - mu
            var = torch.mean(xc**2, dim=0)
            std = torch.sqrt(var + self.eps)
            xn = xc / std

            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            n = self.batch_size
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
            xc = x - self.running_mean
            xn = xc / ((torch.sqrt(self.running_var + self.eps)))
            self.xn = xn
            self.std = torch.sqrt(self.running_var + self.eps)
        self.train_flg = train_flg

        out = self.gamma * xn + self.beta
        return out

    def __backward(self, dout):
        dbeta = dout.sum(dim=0)
        dgamma = torch.sum(self.xn * dout, dim=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        if self.train_flg:
            dstd = -torch.sum((dxn * self.xc) / (self.std * self.std), dim=0)
            dvar = 0.5 * dstd / self.std
            dxc += (2.0 / self.batch_size) * self.xc * dvar
            dmu = torch.sum(dxc, dim=0)
            dx = dxc - dmu / self.batch_size
        else:
            dx = dxc

        self.dgamma = dgamma
        self.dbeta = dbeta

        return dx


class Dropout:
    """Dropout: in training mode each element is zeroed with probability p, the rest scaled by 1/(1 - p).

    Training mode: y = x·mask, mask[j] = 0 with probability p and 1/(1 - p) otherwise, drawn
    independently for every element at every forward, from PyTorch's default random generator
    (so ``torch.manual_seed`` makes it reproducible). E[y] = x. p = 0 gives y = x; p = 1 gives
    zeros (nothing survives, and nothing is divided by 0).
    Eval mode: y = x (identity).
    ``backward(dout)`` returns dout·mask with the mask of the latest forward (dout in eval mode).

    Any shape. Cost: O(numel) time; forward caches the mask (numel numbers) in training mode.
    """

    def __init__(self, p: float = 0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p
        self.training = True

    def train(self) -> "Dropout":
        self.training = True
        return self

    def eval(self) -> "Dropout":
        self.training = False
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (any shape) -> y (same shape)."""
        if self.training:
            self.mask = (torch.rand(x.shape, dtype=x.dtype, device=x.device) > self.p).to(x.dtype)
            if self.p < 1.0:
                self.mask /= 1.0 - self.p
            return x * self.mask
        else:
            self.mask = None
            return x

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        return dout if self.mask is None else dout * self.mask
