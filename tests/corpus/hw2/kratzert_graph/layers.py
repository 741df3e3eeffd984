"""Computational-graph batch norm: the forward in nine numbered steps, the backward walking the
same steps in reverse (step 9 to step 0), with every intermediate in the cache tuple.

Ported from Frederik Kratzert's "Understanding the backward pass through Batch Normalization Layer"
(kratzert.github.io, 2016), as reproduced in ForrestPi/ObjectDetection:syncbn/batchNorm.md
(batchnorm_forward, batchnorm_backward). Changes for the contract: torch instead of numpy
(`np.ones((N, D))` -> `torch.ones(..., dtype, device)`); the source has no running statistics and no
eval mode: the running mean and the unbiased running variance are updated from the step-1 mean and
step-4 variance with PyTorch's momentum, and eval mode normalises with them (its backward is the
gradient through constants). Dropout is the solution's.
"""

import torch

from .parameter import Parameter


def batchnorm_forward(x, gamma, beta, eps):
    N, D = x.shape

    #step1: calculate mean
    mu = 1./N * torch.sum(x, dim=0)

    #step2: subtract mean vector of every trainings example
    xmu = x - mu

    #step3: following the lower branch - calculation denominator
    sq = xmu ** 2

    #step4: calculate variance
    var = 1./N * torch.sum(sq, dim=0)

    #step5: add eps for numerical stability, then sqrt
    sqrtvar = torch.sqrt(var + eps)

    #step6: invert sqrtwar
    ivar = 1./sqrtvar

    #step7: execute normalization
    xhat = xmu * ivar

    #step8: Nor the two transformation steps
    gammax = gamma * xhat

    #step9
    out = gammax + beta

    #store intermediate
    cache = (xhat, gamma, xmu, ivar, sqrtvar, var, eps)

    return out, cache


def batchnorm_backward(dout, cache):
    #unfold the variables stored in cache
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache

    #get the dimensions of the input/output
    N, D = dout.shape

    #step9
    dbeta = torch.sum(dout, dim=0)
    dgammax = dout #not necessary, but more understandable

    #step8
    dgamma = torch.sum(dgammax*xhat, dim=0)
    dxhat = dgammax * gamma

    #step7
    divar = torch.sum(dxhat*xmu, dim=0)
    dxmu1 = dxhat * ivar

    #step6
    dsqrtvar = -1. /(sqrtvar**2) * divar

    #step5
    dvar = 0.5 * 1. /torch.sqrt(var+eps) * dsqrtvar

    #step4
    dsq = 1. /N * torch.ones((N, D), dtype=dout.dtype, device=dout.device) * dvar

    #step3
    dxmu2 = 2 * xmu * dsq

    #step2
    dx1 = (dxmu1 + dxmu2)
    dmu = -1 * torch.sum(dxmu1+dxmu2, dim=0)

    #step1
    dx2 = 1. /N * torch.ones((N, D), dtype=dout.dtype, device=dout.device) * dmu

    #step0
    dx = dx1 + dx2

    return dx, dgamma, dbeta

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
        gamma, beta = self.weight.data, self.bias.data
        if not self.training:
            # eval: the running statistics are constants, x̂ = (x - running_mean) / √(running_var + eps)
            self.ivar = 1. / torch.sqrt(self.running_var + self.eps)
            self.xhat = (x - self.running_mean) * self.ivar
            self.cache = None
            return gamma * self.xhat + beta
        out, self.cache = batchnorm_forward(x, gamma, beta, self.eps)
        N = x.shape[0]
        mu = x.mean(dim=0)
        var = self.cache[5]
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * N / (N - 1)
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        if self.cache is None:
            self.weight.grad = torch.sum(dout * self.xhat, dim=0)
            self.bias.grad = torch.sum(dout, dim=0)
            return dout * self.weight.data * self.ivar
        dx, self.weight.grad, self.bias.grad = batchnorm_backward(dout, self.cache)
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
        self._mask = None  # None: the identity
        if self.training and self.p > 0.0:
            keep = torch.rand(x.shape, dtype=x.dtype, device=x.device) >= self.p  # True with probability 1 - p
            scale = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
            self._mask = keep.to(x.dtype) * scale
        return x if self._mask is None else x * self._mask
        
    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        return dout if self._mask is None else dout * self._mask
        
