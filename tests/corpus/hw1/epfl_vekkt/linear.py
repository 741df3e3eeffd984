"""Style: EPFL EE-559 mini-project 2 (a PyTorch-without-autograd framework): a ``Module``
base with ``_parameters`` as (param, grad) pairs, ``__call__(self, input)`` -> forward, a
module-level functional ``linear(input, weight, bias=None)`` that does ``output += bias``,
``forward(self, input)`` caching ``self._input``, ``backward(self, gradwrtoutput)``,
``input.matmul(weight)`` and ``.t()``.

Ported from Vekkt/DL_projects:project2/linear.py, project2/module.py and project2/functional.py.
Changes for the contract: W is (in, out), so ``input.matmul(weight)`` without ``.t()``;
the bias gradient is the sum over the batch (the source adds ``gradwrtoutput.mean()``, one
number); the gradients are computed afresh in dW/db instead of ``add_``-accumulated into
buffers zeroed by ``zero_grad``; no ``set_grad_enabled(False)`` at import.
"""

import torch


def linear(input, weight, bias=None):
    output = input.matmul(weight)
    if bias is not None:
        output += bias
    return output


class Module:
    def __init__(self):
        self._parameters = []
        self._modules = []
        self._input = ()

    def forward(self, *input):
        return NotImplementedError

    def backward(self, *gradwrtoutput):
        return NotImplementedError

    def parameters(self):
        return self._parameters

    def __call__(self, input):
        return self.forward(input)


class Linear(Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def forward(self, input):
        self._input = input
        return linear(input, self.W, self.b)

    def backward(self, gradwrtoutput):
        self.db = gradwrtoutput.sum(0)

        if self._input.dim() == 1:  # if we process a single sample
            self.dW = self._input.outer(gradwrtoutput)
        else:  # if we process a batch
            self.dW = self._input.t().matmul(gradwrtoutput)
        self._parameters = [(self.W, self.dW), (self.b, self.db)]
        return gradwrtoutput.matmul(self.W.t())

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
