""""Neural Networks from Scratch" (nnfs) style Dropout: the success rate `1 - p`, a scaled binomial
mask (`binary_mask`), `self.inputs` / `self.output` / `self.dinputs` kept on the layer.

Ported from Sentdex/nnfs_book:Chapter_15/Ch15_Final.py (Layer_Dropout) and the book's later
`forward(inputs, training)` (eval returns a copy of the inputs). Changes for the contract: torch
instead of numpy (`np.random.binomial(1, rate, size)` -> `torch.bernoulli` of a tensor of rate);
the constructor is the given one, so the rate is 1 - p computed in forward; p = 1 gives zeros instead
of 0/0; forward and backward return their results as well as storing them. BatchNorm1d is the
solution's (nnfs has none).
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
        
    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
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
        # Save input values
        self.inputs = x

        # If not in the training mode - return values
        if not self.training:
            self.binary_mask = None
            self.output = x.clone()
            return self.output

        # Store rate, we invert it as for example for dropout
        # of 0.1 we need success rate of 0.9
        rate = 1 - self.p
        # Generate and save scaled mask
        if rate == 0:
            self.binary_mask = torch.zeros_like(x)
        else:
            self.binary_mask = torch.bernoulli(
                torch.full(x.shape, rate, dtype=x.dtype, device=x.device)) / rate
        # Apply mask to output values
        self.output = x * self.binary_mask
        return self.output

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        # Gradient on values
        if self.binary_mask is None:
            self.dinputs = dout.clone()
        else:
            self.dinputs = dout * self.binary_mask
        return self.dinputs
