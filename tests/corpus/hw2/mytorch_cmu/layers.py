"""CMU 11-785 mytorch style: BatchNorm1d with Z, N, M, V, NZ, BZ, BW, Bb, running_M / running_V,
dLdBW / dLdBb, `forward(Z, eval=False)`, and the writeup's backward through dLdNZ, dLdV and dLdM
(`(V + eps) ** -1.5`, `np.mean(-2 * (Z - M))`).

Ported from skandvj/HW1P1:mytorch/nn/batchnorm.py. Changes for the contract: torch instead of numpy;
`forward(x)` calls the source's `forward(Z, eval)` as `forward_Z(Z, eval=not self.training)`; BW / Bb
are weight.data / bias.data of shape (C,), the (1, C) sums squeezed into weight.grad / bias.grad and
running_mean / running_var (the given names and shapes); mytorch's alpha (0.9, weight of the old
statistics) becomes PyTorch's momentum, eps comes from the constructor (mytorch's is 1e-8), the running
variance is the unbiased one; eval mode keeps NZ and uses the running variance in backward (the source's
backward always uses the batch statistics). Dropout is the solution's.
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
        return self.forward_Z(x, eval=not self.training)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        return self.backward_dLdBZ(dout)

    def forward_Z(self, Z, eval=False):
        """
        The eval parameter is to indicate whether we are in the
        training phase of the problem or the inference phase.
        So see what values you need to recompute when eval is False.
        """
        self.BW, self.Bb = self.weight.data, self.bias.data
        self.alpha = 1 - self.momentum
        self.eval_mode = eval
        self.Z = Z
        self.N = Z.shape[0]
        self.M = torch.mean(Z, dim=0, keepdim=True)
        self.V = torch.var(Z, dim=0, keepdim=True, unbiased=False)

        if eval == False:
            # training mode
            self.NZ = (Z - self.M) / torch.sqrt(self.V + self.eps)
            self.BZ = self.BW * self.NZ + self.Bb

            self.running_M = self.alpha * self.running_mean + (1 - self.alpha) * self.M.squeeze(0)
            self.running_V = self.alpha * self.running_var + (1 - self.alpha) * self.V.squeeze(0) * self.N / (self.N - 1)
            self.running_mean, self.running_var = self.running_M, self.running_V

            return self.BZ
        else:
            # inference mode
            self.NZ = (Z - self.running_mean) / torch.sqrt(self.running_var + self.eps)
            BZ = self.BW * self.NZ + self.Bb

        return BZ

    def backward_dLdBZ(self, dLdBZ):

        self.dLdBW = torch.sum(dLdBZ * self.NZ, dim=0, keepdim=True)
        self.dLdBb = torch.sum(dLdBZ, dim=0, keepdim=True)
        self.weight.grad, self.bias.grad = self.dLdBW.squeeze(0), self.dLdBb.squeeze(0)

        dLdNZ = dLdBZ * self.BW

        if self.eval_mode:
            return dLdNZ / torch.sqrt(self.running_var + self.eps)

        dLdV = torch.sum(
            dLdNZ * (self.Z - self.M) * -0.5 * (self.V + self.eps) ** -1.5,
            dim=0,
            keepdim=True,
        )
        dLdM = torch.sum(
            dLdNZ * -1 / torch.sqrt(self.V + self.eps), dim=0, keepdim=True
        ) + dLdV * torch.mean(-2 * (self.Z - self.M), dim=0, keepdim=True)

        dLdZ = (
            dLdNZ / torch.sqrt(self.V + self.eps)
            + dLdV * 2 * (self.Z - self.M) / self.N
            + dLdM / self.N
        )

        return dLdZ


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
        
