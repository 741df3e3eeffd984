"""Welford style: the batch statistics of each feature from Welford's online update, one row at a
time (`welford_online_update(x, count, s, a)` returning the new M2 `s` and average `b`,
`calculate_mean_and_var` returning `(a, s / n)`), in float64 whatever the input's dtype, the layer's
cache a dict (`self.cache["x_hat"]`, `["inv_std"]`, `["batch_stats"]`) and the backward in float64
too, cast back to the input's dtype at the end.

Ported from li-weihua/DevelopNotes:python/welford.py (welford_online_update, calculate_mean_and_var);
the layer around it is written for the contract. Changes for the contract: torch instead of numpy,
and the update runs on a whole row (C,) at once, one Welford state per feature, instead of on one
float; the source's `arr.size` is the batch size B; the unbiased running variance is s / (B − 1);
the backward (the source has none) is the compact form dx = (dx̂ − mean dx̂ − x̂·mean(dx̂·x̂))·inv_std
with dx̂ = dout·γ, and eval mode's the gradient through constants. Dropout is the solution's.
"""

from typing import Tuple

import torch

from .parameter import Parameter


def welford_online_update(
    x: torch.Tensor, count: int, s: torch.Tensor, a: torch.Tensor
) -> Tuple[torch.Tensor, torch.Tensor]:
    """
    a: average of x_i
    s: M_{2,n}
    """
    b = a + (x - a) / count
    s = s + (x - b) * (x - a)

    return s, b


def calculate_mean_and_var(arr: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = torch.zeros(arr.shape[1:], dtype=arr.dtype, device=arr.device)
    s = torch.zeros(arr.shape[1:], dtype=arr.dtype, device=arr.device)

    for i in range(arr.shape[0]):
        s, a = welford_online_update(arr[i], i + 1, s, a)

    return a, s / arr.shape[0], s


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
        arr = x.to(torch.float64)
        gamma = self.weight.data.to(torch.float64)
        beta = self.bias.data.to(torch.float64)
        if self.training:
            n = arr.shape[0]
            a, var, s = calculate_mean_and_var(arr)
            m = self.momentum
            running_mean = (1 - m) * self.running_mean.to(torch.float64) + m * a
            running_var = (1 - m) * self.running_var.to(torch.float64) + m * s / (n - 1)
            self.running_mean = running_mean.to(torch.promote_types(x.dtype, self.running_mean.dtype))
            self.running_var = running_var.to(torch.promote_types(x.dtype, self.running_var.dtype))
        else:
            a, var = self.running_mean.to(torch.float64), self.running_var.to(torch.float64)
        inv_std = 1.0 / torch.sqrt(var + self.eps)
        x_hat = (arr - a) * inv_std
        self.cache = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "batch_stats": self.training}
        return (gamma * x_hat + beta).to(x.dtype)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        x_hat, inv_std = self.cache["x_hat"], self.cache["inv_std"]
        dy = dout.to(torch.float64)
        self.weight.grad = (dy * x_hat).sum(dim=0).to(dout.dtype)
        self.bias.grad = dy.sum(dim=0).to(dout.dtype)
        dx_hat = dy * self.cache["gamma"]
        if not self.cache["batch_stats"]:
            return (dx_hat * inv_std).to(dout.dtype)
        dx = (dx_hat - dx_hat.mean(dim=0) - x_hat * (dx_hat * x_hat).mean(dim=0)) * inv_std
        return dx.to(dout.dtype)


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
