"""PyTorch's CPU kernels written out: batch_norm_cpu_update_stats (save_mean, save_invstd from a sum of
squares), batch_norm_cpu_transform_input (y = x·alpha + beta with alpha = invstd·w, beta = b − mean·alpha),
batch_norm_backward_cpu (dotp = Σ(x − mean)·dout, k = dotp·invstd²/N), and _dropout_impl (noise =
empty_like(x).bernoulli_(1 − p).div_(1 − p); p = 0 or eval returns the input, p = 1 multiplies by zero).

Ported from pytorch/pytorch:aten/src/ATen/native/Normalization.cpp (batch_norm_cpu_update_stats_template,
batch_norm_cpu_transform_input_template, batch_norm_backward_cpu_template) and
aten/src/ATen/native/Dropout.cpp (_dropout_impl). Changes for the contract: C++ loops over channels
become reductions over dim 0 of (B, C) tensors; the forward keeps the input, save_mean and save_invstd
for the backward (as autograd's saved tensors); the dropout noise is kept for the backward
(native_dropout's mask).
"""

import torch

from .parameter import Parameter


def batch_norm_cpu_update_stats(input, running_mean, running_var, momentum, eps):
    n = input.shape[0]
    save_mean = input.sum(dim=0) / n
    var_sum = ((input - save_mean) * (input - save_mean)).sum(dim=0)
    save_invstd = 1 / torch.sqrt(var_sum / n + eps)
    # update running_mean and running_var
    running_mean = momentum * save_mean + (1 - momentum) * running_mean
    unbiased_var = var_sum / (n - 1)
    running_var = momentum * unbiased_var + (1 - momentum) * running_var
    return save_mean, save_invstd, running_mean, running_var


def batch_norm_cpu_transform_input(input, weight, bias, save_mean, save_invstd, running_mean, running_var,
                                   train, eps):
    if train:
        mean, invstd = save_mean, save_invstd
    else:
        mean, invstd = running_mean, 1 / torch.sqrt(running_var + eps)
    # output = (input - mean) * invstd * weight + bias, as input * alpha + beta
    alpha = invstd * weight
    beta = bias - mean * alpha
    return input * alpha + beta


def batch_norm_backward_cpu(grad_out, input, weight, running_mean, running_var, save_mean, save_invstd,
                            train, eps):
    n = input.shape[0]
    if train:
        mean, invstd = save_mean, save_invstd
    else:
        mean, invstd = running_mean, 1 / torch.sqrt(running_var + eps)
    # sum over the batch of gradOutput, and the dot product of Q(X) and gradOutput
    sum = grad_out.sum(dim=0)
    dotp = ((input - mean) * grad_out).sum(dim=0)
    grad_weight = dotp * invstd
    grad_bias = sum
    if train:
        # when in training mode
        # Q(X) = X - E[x] ; i.e. input centered to zero mean
        # Y = Q(X) / sigma    ; i.e. BN output before weight and bias
        # dL/dX = (Q(dL/dY) - dot(Y, dL/dY) * Y) / sigma * w
        k = dotp * invstd * invstd / n
        grad_input = (input - mean) * k
        grad_mean = sum / n
        grad_input = (grad_out - grad_mean - grad_input) * invstd * weight
    else:
        # when in evaluation mode
        # Q(X) = X - running_mean  ; i.e. input centered to zero mean
        # Y = Q(X) / running_std    ; i.e. BN output before weight and bias
        # dL/dX = w / running_std
        grad_input = grad_out * invstd * weight
    return grad_input, grad_weight, grad_bias


def _dropout_impl(input, p, train):
    if p == 0 or not train or input.numel() == 0:
        return input, None
    if p == 1:
        zeros = torch.zeros((), dtype=input.dtype, device=input.device)
        return input * zeros, torch.zeros_like(input)
    noise = torch.empty_like(input)
    noise.bernoulli_(1 - p)
    noise.div_(1 - p)
    return input * noise, noise

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
        self.input = x
        self.train_flag = self.training
        if self.training:
            self.save_mean, self.save_invstd, self.running_mean, self.running_var = batch_norm_cpu_update_stats(
                x, self.running_mean, self.running_var, self.momentum, self.eps)
        else:
            self.save_mean, self.save_invstd = None, None
        return batch_norm_cpu_transform_input(x, self.weight.data, self.bias.data, self.save_mean, self.save_invstd,
                                              self.running_mean, self.running_var, self.training, self.eps)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        grad_input, self.weight.grad, self.bias.grad = batch_norm_backward_cpu(
            dout, self.input, self.weight.data, self.running_mean, self.running_var, self.save_mean,
            self.save_invstd, self.train_flag, self.eps)
        return grad_input


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
        output, self.mask = _dropout_impl(x, self.p, self.training)
        return output

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        # native_dropout_backward: grad_output * mask (the mask already holds the 1 / (1 - p) scale)
        return dout if self.mask is None else dout * self.mask
