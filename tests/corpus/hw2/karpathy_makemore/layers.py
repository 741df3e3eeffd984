"""Karpathy makemore style: BatchNorm1d with `__call__`, `self.out`, `xmean` / `xvar` with keepdim=True, the
running buffers updated after the output, and the one-line backward of "becoming a backprop ninja"
(`dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - bnraw*(dhpreact*bnraw).sum(0))`) with
its names bngain, bnvar_inv, bnraw, dhpreact.

Ported from karpathy/nn-zero-to-hero:lectures/makemore/makemore_part3_bn.ipynb (class BatchNorm1d)
and lectures/makemore/makemore_part4_backprop.ipynb (exercise 3). Changes for the contract: no
`torch.no_grad()` (no autograd), forward / backward methods (`__call__` kept as forward); gamma / beta are
weight.data / bias.data; the source normalises with the unbiased batch variance (`x.var(0)`, Bessel's
correction, hence its backward's n/(n-1)); PyTorch normalises with the biased one, so here xvar is biased,
the n/(n-1) factor leaves the backward, and the running variance gets the unbiased one; running
statistics keep shape (C,) (squeezed); eval mode's backward is bngain*bnvar_inv*dhpreact. Dropout is the
solution's.
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
        # calculate the forward pass
        if self.training:
            xmean = x.mean(0, keepdim=True) # batch mean
            xvar = x.var(0, keepdim=True, unbiased=False) # batch variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        self.bnvar_inv = (xvar + self.eps)**-0.5
        xhat = (x - xmean) * self.bnvar_inv # normalize to unit variance
        self.xhat = xhat
        self.out = self.weight.data * xhat + self.bias.data
        # update the buffers
        if self.training:
            n = x.shape[0]
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean.squeeze(0)
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar.squeeze(0) * n / (n - 1)
        self.batch_stats = self.training
        return self.out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        n = dout.shape[0]
        bngain, bnvar_inv, bnraw = self.weight.data, self.bnvar_inv, self.xhat
        dhpreact = dout
        self.weight.grad = (bnraw * dhpreact).sum(0) # dbngain
        self.bias.grad = dhpreact.sum(0) # dbnbias
        if not self.batch_stats:
            return bngain * bnvar_inv * dhpreact
        dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - bnraw*(dhpreact*bnraw).sum(0))
        return dhprebn

    def __call__(self, x):
        return self.forward(x)


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
        self._mask = None  # None: the identity
        if self.training and self.p > 0.0:
            keep = torch.rand(x.shape, dtype=x.dtype, device=x.device) >= self.p  # True with probability 1 - p
            scale = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
            self._mask = keep.to(x.dtype) * scale
        return x if self._mask is None else x * self._mask
        
    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        return dout if self._mask is None else dout * self._mask
        
