"""Synchronized-BatchNorm style: the statistics from a sum and a sum of squares per channel
(`sum_`, `sum_of_square`, `sumvar = sum_of_square - sum_ * mean`, `unbias_var = sumvar / (numel - 1)`,
`bias_var = sumvar / numel`), the input laid out channels first (`permute(1, 0).contiguous()`), the
output fused as `(input_ - mean.unsqueeze(1)) * inv_std.unsqueeze(1) * weight.unsqueeze(1) + bias`;
the backward is the computational graph of that forward walked in reverse, through inv_std,
bias_var, sumvar, mean and the two sums (`d_sum_`, `d_sum_of_square`); Dropout with
`(torch.rand(x.shape) > self.dropout).float()` and `mask * x / (1.0 - self.dropout)`.

Ported from vacancy/Synchronized-BatchNorm-PyTorch:sync_batchnorm/batchnorm_reimpl.py
(BatchNorm2dReimpl, the numerically checked re-implementation of sync_batchnorm/batchnorm.py's
_compute_mean_std) and RashikShahjahan/micrograd-extented:micrograd/layers/dropout.py (Dropout, the
torch version). Changes for the contract: no nn.Module / nn.Parameter / register_buffer (the given
constructors); (B, C) input instead of (N, C, H, W), so numel = B; the source relies on autograd: the
backward is written out by hand, in the forward's own variables; eval mode (the source has none)
normalises with the running statistics and its backward is the gradient through constants; the
Dropout mask is drawn in x's dtype and device and kept for the backward (autograd's in the source),
an eval mode and a `dropout` of 0 return the input.
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

    def forward(self, input_: torch.Tensor) -> torch.Tensor:
        """x (B, C) -> y (B, C). In training mode also updates the running statistics."""
        batchsize, channels = input_.size()
        numel = batchsize
        input_ = input_.permute(1, 0).contiguous().view(channels, numel)
        if not self.training:
            mean = self.running_mean
            inv_std = 1 / (self.running_var + self.eps).pow(0.5)
            self._saved = (input_, mean, inv_std, None, None, None)
            output = (
                    (input_ - mean.unsqueeze(1)) * inv_std.unsqueeze(1) *
                    self.weight.data.unsqueeze(1) + self.bias.data.unsqueeze(1))
            return output.permute(1, 0).contiguous().view(batchsize, channels)

        sum_ = input_.sum(1)
        sum_of_square = input_.pow(2).sum(1)
        mean = sum_ / numel
        sumvar = sum_of_square - sum_ * mean

        self.running_mean = (
                (1 - self.momentum) * self.running_mean
                + self.momentum * mean.detach()
        )
        unbias_var = sumvar / (numel - 1)
        self.running_var = (
                (1 - self.momentum) * self.running_var
                + self.momentum * unbias_var.detach()
        )

        bias_var = sumvar / numel
        inv_std = 1 / (bias_var + self.eps).pow(0.5)
        self._saved = (input_, mean, inv_std, sum_, bias_var, numel)
        output = (
                (input_ - mean.unsqueeze(1)) * inv_std.unsqueeze(1) *
                self.weight.data.unsqueeze(1) + self.bias.data.unsqueeze(1))

        return output.permute(1, 0).contiguous().view(batchsize, channels)

    def backward(self, grad_output: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        input_, mean, inv_std, sum_, bias_var, numel = self._saved
        batchsize, channels = grad_output.size()
        grad_output = grad_output.permute(1, 0).contiguous().view(channels, batchsize)

        # output = centered * inv_std * weight + bias, centered = input_ - mean
        centered = input_ - mean.unsqueeze(1)
        self.bias.grad = grad_output.sum(1)
        self.weight.grad = (grad_output * centered).sum(1) * inv_std
        d_centered = grad_output * (inv_std * self.weight.data).unsqueeze(1)
        if sum_ is None:
            return d_centered.permute(1, 0).contiguous().view(batchsize, channels)

        # inv_std = (bias_var + eps) ** -0.5
        d_inv_std = (grad_output * centered).sum(1) * self.weight.data
        d_bias_var = d_inv_std * -0.5 * (bias_var + self.eps).pow(-1.5)
        # bias_var = sumvar / numel
        d_sumvar = d_bias_var / numel
        # sumvar = sum_of_square - sum_ * mean
        d_sum_of_square = d_sumvar
        d_sum_ = -d_sumvar * mean
        d_mean = -d_sumvar * sum_ - d_centered.sum(1)
        # mean = sum_ / numel
        d_sum_ = d_sum_ + d_mean / numel
        # sum_ = input_.sum(1), sum_of_square = input_.pow(2).sum(1)
        grad_input = d_centered + d_sum_.unsqueeze(1) + 2 * input_ * d_sum_of_square.unsqueeze(1)

        return grad_input.permute(1, 0).contiguous().view(batchsize, channels)


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

    @property
    def dropout(self):
        return self.p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (any shape) -> y (same shape)."""
        self.mask = None
        if not self.training or self.dropout == 0:
            return x
        if self.dropout == 1:
            self.mask = torch.zeros_like(x)
            return torch.zeros_like(x)
        self.mask = (torch.rand(x.shape, dtype=x.dtype, device=x.device) > self.dropout).to(x.dtype)
        return self.mask * x / (1.0 - self.dropout)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        if self.mask is None:
            return dout
        if self.dropout == 1:
            return self.mask * dout
        return self.mask * dout / (1.0 - self.dropout)
