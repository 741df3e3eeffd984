"""DeZero style ("Deep Learning from Scratch 3"): batch norm as a `BatchNorm` Function object holding
`avg_mean` / `avg_var`, `decay` and `inv_std`, `forward(x, gamma, beta)` returning y and
`backward(gy)` returning `(gx, ggamma, gbeta)`, the backward recomputing `xc` from the saved inputs
(`gx = gy - gbeta / batch_size - xc * ggamma / batch_size; gx *= gamma * inv_std`), the unbiased
running variance by `adjust = m / s`; a `dropout(x, dropout_ratio)` function with the mask
`rand > dropout_ratio` and `y = x * mask / scale`.

Ported from oreilly-japan/deep-learning-from-scratch-3:dezero/functions.py (BatchNorm, dropout).
Changes for the contract: torch instead of numpy/cupy (numpy's biased `x.var(axis=0)` is
`x.var(dim=0, unbiased=False)`), no Variable/Function graph (the layer keeps
its BatchNorm function object and calls forward/backward itself, the inputs kept in `self.inputs`);
`dezero.Config.train` is the layer's `training`; PyTorch's momentum (the source's decay = 0.9 weights
the old statistics: decay = 1 - momentum here) and eps = 1e-5 (the source's 2e-5); the running
statistics are rebound, not updated in place, so they take x's dtype as PyTorch's do; only 2-D
input (no (N, C, H, W) reshapes); in eval mode the source's backward still used the batch formula:
here it is the gradient through constants (gx = gy * gamma * inv_std); the dropout's backward
(DeZero's autograd in the source) is written out, `gy * mask / scale`, and p = 1 gives zeros
(the source divides by scale = 0).
"""

import torch

from .parameter import Parameter


class BatchNormFunction:
    def __init__(self, mean, var, decay, eps):
        self.avg_mean = mean
        self.avg_var = var
        self.decay = decay
        self.eps = eps
        self.inv_std = None
        self.train = True

    def forward(self, x, gamma, beta):
        assert x.ndim == 2
        self.inputs = (x, gamma, beta)

        if self.train:
            mean = x.mean(dim=0)
            var = x.var(dim=0, unbiased=False)
            inv_std = 1 / torch.sqrt(var + self.eps)
            xc = (x - mean) * inv_std

            m = x.numel() // gamma.numel()
            s = m - 1. if m - 1. > 1. else 1.
            adjust = m / s  # unbiased estimation
            self.avg_mean = self.avg_mean * self.decay
            self.avg_mean = self.avg_mean + (1 - self.decay) * mean
            self.avg_var = self.avg_var * self.decay
            self.avg_var = self.avg_var + (1 - self.decay) * adjust * var
            self.inv_std = inv_std
        else:
            inv_std = 1 / torch.sqrt(self.avg_var + self.eps)
            xc = (x - self.avg_mean) * inv_std
            self.inv_std = inv_std
        y = gamma * xc + beta
        return y

    def backward(self, gy):
        x, gamma, beta = self.inputs
        batch_size = len(gy)

        if self.train:
            mean = x.sum(dim=0) / batch_size
        else:
            mean = self.avg_mean
        xc = (x - mean) * self.inv_std

        gbeta = torch.sum(gy, dim=0)
        ggamma = torch.sum(xc * gy, dim=0)
        if self.train:
            gx = gy - gbeta / batch_size - xc * ggamma / batch_size
            gx *= gamma * self.inv_std
        else:
            gx = gy * gamma * self.inv_std
        return gx, ggamma, gbeta


def dropout(x, dropout_ratio=0.5, train=True):
    if train:
        mask = torch.rand(x.shape, dtype=x.dtype, device=x.device) > dropout_ratio
        scale = torch.tensor(1.0 - dropout_ratio, dtype=x.dtype, device=x.device)
        if dropout_ratio == 1.0:
            return x * mask, mask, scale
        y = x * mask / scale
        return y, mask, scale
    else:
        return x, None, None


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
        self.f = BatchNormFunction(self.running_mean, self.running_var, 1 - self.momentum, self.eps)
        self.f.train = self.training
        y = self.f.forward(x, self.weight.data, self.bias.data)
        self.running_mean, self.running_var = self.f.avg_mean, self.f.avg_var
        return y

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        gx, self.weight.grad, self.bias.grad = self.f.backward(dout)
        return gx


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
        y, self.mask, self.scale = dropout(x, self.p, self.training)
        return y

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        gy = dout
        if self.mask is None:
            return gy
        if self.p == 1.0:
            return gy * self.mask
        return gy * self.mask / self.scale
