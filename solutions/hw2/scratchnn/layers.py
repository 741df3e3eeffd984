"""Task 2: BatchNorm1d and Dropout, forward and backward by hand, with PyTorch's semantics.

Both layers have two modes, set by ``train()`` and ``eval()`` (given): a layer starts in
training mode; ``self.training`` tells which mode it is in. ``backward(dout)`` belongs to the
latest ``forward`` (and to the mode that forward ran in). Inputs and ``dout`` are never
changed in place; results keep the dtype and device of the input.

The constructors, ``train`` and ``eval`` are given; you write ``forward`` and ``backward``.
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
        ### BEGIN SOLUTION
        if self.training:
            B = x.shape[0]
            if B < 2:
                raise ValueError(f"BatchNorm1d in training mode needs a batch of 2 or more, got {B}")
            mean = x.mean(dim=0)
            centered = x - mean
            var = (centered * centered).mean(dim=0)  # biased: divided by B (torch.var_mean along dim 0 is slower)
            m = self.momentum
            self.running_mean = (1.0 - m) * self.running_mean + m * mean
            self.running_var = (1.0 - m) * self.running_var + m * var * (B / (B - 1))
        else:
            centered, var = x - self.running_mean, self.running_var
        self._inv_std = torch.rsqrt(var + self.eps)
        self._x_hat = centered.mul_(self._inv_std)
        self._batch_stats = self.training
        return torch.addcmul(self.bias.data, self._x_hat, self.weight.data)  # x̂·γ + β in one pass
        ### END SOLUTION

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        ### BEGIN SOLUTION
        x_hat = self._x_hat
        self.weight.grad = (dout * x_hat).sum(dim=0)
        self.bias.grad = dout.sum(dim=0)
        scale = self.weight.data * self._inv_std  # γ / √(σ² + eps), (C,)
        if not self._batch_stats:
            return dout * scale
        # dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂) with dx̂ = dout·γ is γ·(dout − Σdout/B − x̂·Σ(dout·x̂)/B):
        # the two sums are bias.grad and weight.grad, already computed.
        B = dout.shape[0]
        dx = dout - self.bias.grad / B
        return dx.addcmul_(x_hat, self.weight.grad / B, value=-1.0).mul_(scale)
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        self._mask = None  # None: the identity
        if self.training and self.p > 0.0:
            keep = torch.rand(x.shape, dtype=x.dtype, device=x.device) >= self.p  # True with probability 1 - p
            scale = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
            self._mask = keep.to(x.dtype) * scale
        return x if self._mask is None else x * self._mask
        ### END SOLUTION

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        ### BEGIN SOLUTION
        return dout if self._mask is None else dout * self._mask
        ### END SOLUTION
