"""numpy-ml style: BatchNorm1D with `retain_derived` / `retain_grads` flags, the inputs kept in a list
`self.X`, backward looping over `zip(dLdy, X)` and calling `_bwd(dLdy, X)`, which recomputes the batch
statistics from X; names `scaler`, `intercept`, `N`, `dN`, `n_ex`; the Dropout wrapper's
`_wrapper_derived_variables` dict holding the mask.

Ported from ddbourgin/numpy-ml:numpy_ml/neural_nets/layers/layers.py (BatchNorm1D) and
numpy_ml/neural_nets/wrappers/wrappers.py (Dropout). Changes for the contract: torch instead of
numpy; scaler / intercept are weight.data / bias.data, gradients set (not accumulated) on
weight.grad / bias.grad; PyTorch's momentum convention (weight of the new batch; numpy-ml's 0.9 weights
the old statistics) and the unbiased running variance; `self.X` holds the latest forward only; eval
mode's backward uses the running statistics (the source's _bwd always recomputes batch statistics);
Dropout is a layer, not a wrapper, its backward multiplies by the mask and the scale (the source scaled
dLdy in place and dropped the mask), and p = 1 gives zeros instead of 0·inf.
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
        return self.forward_X(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy (B, C) -> dL/dx (B, C); sets weight.grad = Σ_i dout·x̂ and bias.grad = Σ_i dout.

        With batch statistics μ and σ² depend on x too; with dx̂ = dout·γ the result is
            dx = (dx̂ - mean_i dx̂ - x̂·mean_i(dx̂·x̂)) / √(σ² + eps).
        With running statistics (eval mode) they are constants: dx = dx̂ / √(running_var + eps).
        """
        return self.backward_dLdy(dout)

    @property
    def hyperparameters(self):
        """Return a dictionary containing the layer hyperparameters."""
        return {
            "layer": "BatchNorm1D",
            "n_in": self.num_features,
            "n_out": self.num_features,
            "epsilon": self.eps,
            "momentum": self.momentum,
        }

    def forward_X(self, X, retain_derived=True):
        """
        Compute the layer output on a single minibatch.

        Parameters
        ----------
        X : tensor of shape `(n_ex, n_in)`
            Layer input, representing the `n_in`-dimensional features for a
            minibatch of `n_ex` examples.
        retain_derived : bool
            Whether to use the current intput to adjust the running mean and
            running_var computations. Default is True.

        Returns
        -------
        Y : tensor of shape `(n_ex, n_in)`
            Layer output for each of the `n_ex` examples
        """
        ep = self.hyperparameters["epsilon"]
        mm = self.hyperparameters["momentum"]
        rm = self.running_mean
        rv = self.running_var

        scaler = self.weight.data
        intercept = self.bias.data

        # in eval mode, use our running mean/std values rather
        # than the mean/std values for the new batch
        X_mean = self.running_mean
        X_var = self.running_var

        if self.training and retain_derived:
            n_ex = X.shape[0]
            X_mean, X_var = X.mean(dim=0), X.var(dim=0, unbiased=False)
            self.running_mean = (1.0 - mm) * rm + mm * X_mean
            self.running_var = (1.0 - mm) * rv + mm * X_var * n_ex / (n_ex - 1)

        if retain_derived:
            self.X = [X]
            self.batch_stats = self.training

        N = (X - X_mean) / torch.sqrt(X_var + ep)
        y = scaler * N + intercept
        return y

    def backward_dLdy(self, dLdy, retain_grads=True):
        """
        Backprop from layer outputs to inputs.

        Parameters
        ----------
        dLdY : tensor of shape `(n_ex, n_in)`
            The gradient of the loss wrt. the layer output `Y`.
        retain_grads : bool
            Whether to set the parameter gradients computed during the backward pass. Default is True.

        Returns
        -------
        dX : tensor of shape `(n_ex, n_in)`
            The gradient of the loss wrt. the layer input `X`.
        """
        if not isinstance(dLdy, list):
            dLdy = [dLdy]

        dX = []
        X = self.X
        for dy, x in zip(dLdy, X):
            dx, dScaler, dIntercept = self._bwd(dy, x)
            dX.append(dx)

            if retain_grads:
                self.weight.grad = dScaler
                self.bias.grad = dIntercept

        return dX[0] if len(X) == 1 else dX

    def _bwd(self, dLdy, X):
        """Computation of gradient of loss wrt X, scaler, and intercept"""
        scaler = self.weight.data
        ep = self.hyperparameters["epsilon"]

        n_ex, n_in = X.shape
        if self.batch_stats:
            X_mean, X_var = X.mean(dim=0), X.var(dim=0, unbiased=False)
        else:
            X_mean, X_var = self.running_mean, self.running_var

        N = (X - X_mean) / torch.sqrt(X_var + ep)
        dIntercept = dLdy.sum(dim=0)
        dScaler = torch.sum(dLdy * N, dim=0)

        dN = dLdy * scaler
        if not self.batch_stats:
            return dN / torch.sqrt(X_var + ep), dScaler, dIntercept
        dX = (n_ex * dN - dN.sum(dim=0) - N * (dN * N).sum(dim=0)) / (
            n_ex * torch.sqrt(X_var + ep)
        )

        return dX, dScaler, dIntercept


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
        X = x
        scaler, mask = 1.0, torch.ones(X.shape, dtype=torch.bool, device=X.device)
        if self.training:
            scaler = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
            mask = torch.rand(X.shape, dtype=X.dtype, device=X.device) >= self.p
            X = mask * X
        self._wrapper_derived_variables = {"dropout_mask": mask, "scaler": scaler}
        return scaler * X

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        """dout = dL/dy -> dL/dx = dout·mask (same shape)."""
        mask = self._wrapper_derived_variables["dropout_mask"]
        scaler = self._wrapper_derived_variables["scaler"]
        return scaler * (mask * dout)
