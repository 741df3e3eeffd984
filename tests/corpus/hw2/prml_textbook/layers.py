"""prml_python style: `Batch_norm_Layer` / `Dropout_Layer` classes, `forward(x, is_training)`, the batch
statistics in a cache tuple `(n_sample, x_mu, var, X_norm)`, moving statistics `mov_mean` / `mov_var`,
and the textbook backward, the chain rule through dvar and dmu one line each:
`dvar = -0.5 * sum(dX_norm * x_mu) * std_inv**3`, `dmu = sum(dX_norm * -std_inv) + dvar * mean(-2 x_mu)`,
`dx = dX_norm * std_inv + 2 dvar x_mu / N + dmu / N`; Dropout's mask `rand > rate` (strictly).

Ported from oilneck/prml_python:prml/deepL_module/nn/layers/hipstar_tech.py (Batch_norm_Layer,
Dropout_Layer). Changes for the contract: torch instead of numpy; gamma / beta are weight.data /
bias.data and dgamma / dbeta are written to weight.grad / bias.grad; the layers' `training` flag is
passed as `is_training`; eps is the constructor's (the source's constant 1e-8); PyTorch's momentum
(the source's 0.9 weights the old statistics), the moving statistics are the given running_mean /
running_var (the source starts mov_var at zeros) and the moving variance is the unbiased one
(var·N/(N − 1)); the source's backward always used the batch cache: in eval mode it is the gradient
through the moving statistics (dX_norm · std_inv); the source's Dropout is not inverted (it scales by
1 − rate in eval mode): here the kept elements are scaled by 1/(1 − rate) in training, forward and
backward alike, eval is the identity, and rate = 1 gives zeros.
"""

import torch

from .parameter import Parameter


class Batch_norm_Layer():

    def __init__(self, gamma, beta, momentum:float = 0.1, eps:float = 1e-5):
        self.gamma = gamma
        self.beta = beta
        self.moment = momentum
        self.eps = eps
        self.n_param = 0
        self.dgamma = None
        self.dbeta = None
        self.out = None
        self.mov_mean = None
        self.mov_var = None

    def forward(self, x, is_training:bool):

        if self.mov_mean is None:
            N, D = x.shape
            self.n_param = 4 * D
            '''gamma weight, beta weight, moving_mean, moving_var'''
            self.mov_mean = torch.zeros(D)
            self.mov_var = torch.ones(D)

        if is_training:
            n_sample = x.shape[0]
            mu = torch.mean(x, dim=0)
            x_mu = x - mu
            var = torch.var(x, dim=0, unbiased=False)

            X_norm = x_mu / torch.sqrt(var + self.eps)

            self.cache = (n_sample, x_mu, var, X_norm)

            self.mov_mean = (1-self.moment) * self.mov_mean + self.moment * mu
            self.mov_var = (1-self.moment) * self.mov_var + self.moment * var * n_sample / (n_sample - 1)
        else:
            x_mu = x - self.mov_mean
            X_norm = x_mu / torch.sqrt(self.mov_var + self.eps)

            self.cache = (None, x_mu, self.mov_var, X_norm)

        out = self.gamma * X_norm + self.beta
        self.out = out
        return out

    def backward(self, delta):
        N, x_mu, var, X_norm = self.cache

        std_inv = 1. / torch.sqrt(var + self.eps)

        dX_norm = delta * self.gamma
        if N is None:
            dx = dX_norm * std_inv
        else:
            dvar = -0.5 * torch.sum(dX_norm * x_mu, dim=0) * torch.pow(std_inv, 3)
            dmu = torch.sum(dX_norm * -std_inv, dim=0) \
                + dvar * torch.mean(-2. * x_mu, dim=0)

            dx = (dX_norm * std_inv) + (2. * dvar * x_mu / N) + (dmu / N)

        # update param beta & gamma
        self.dgamma = torch.sum(delta * X_norm, dim=0)
        self.dbeta = torch.sum(delta, dim=0)

        return dx


class Dropout_Layer():

    def __init__(self, rate=0.5):
        self.rate = rate
        self.mask = None
        self.n_param = 0
        self.out = None

    def forward(self, x, is_training:bool):

        if is_training:
            self.mask = torch.rand(x.shape, dtype=x.dtype, device=x.device) > self.rate
            out = x * self.mask
            if self.rate < 1.:
                out = out / (1. - self.rate)
        else:
            self.mask = None
            out = x

        self.out = out
        return out

    def backward(self, delta):
        if self.mask is None:
            return delta
        if self.rate == 1.:
            return delta * self.mask
        return delta * self.mask / (1. - self.rate)


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
        self.layer = Batch_norm_Layer(self.weight.data, self.bias.data, self.momentum, self.eps)
        self.layer.mov_mean, self.layer.mov_var = self.running_mean, self.running_var
        out = self.layer.forward(x, is_training=self.training)
        self.running_mean, self.running_var = self.layer.mov_mean, self.layer.mov_var
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        dx = self.layer.backward(dout)
        self.weight.grad, self.bias.grad = self.layer.dgamma, self.layer.dbeta
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
        self.layer = Dropout_Layer(self.p)
        return self.layer.forward(x, is_training=self.training)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        return self.layer.backward(dout)
