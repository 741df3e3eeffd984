"""Style: ATen's loss kernels and their backward formulas, transcribed:
``mse_loss_backward``: ``norm = 2. / input.numel()``, ``norm * (input - target) * grad_output``;
``l1_loss`` via ``sgn``; ``huber_loss_backward`` with the three-way
``x < -delta ? -norm * grad * delta : (x > delta ? norm * grad * delta : norm * x * grad)``;
``binary_cross_entropy_backward``: ``grad * (input - target) / max((1 - input) * input, EPSILON)``;
the cross-entropy as ``log_softmax`` (``x - max - log(sum(exp(x - max)))``) followed by
``nll_loss``, and its backward as ``log_softmax_backward_data(nll_loss_backward(...))``:
``grad_input = grad_output - exp(output) * grad_output.sum(dim, keepdim=True)``; everything in
``opmath_t`` (float64) and cast back.

Ported from pytorch/pytorch:aten/src/ATen/native/Loss.cpp, aten/src/ATen/native/LossNLL.cpp,
aten/src/ATen/native/SoftMax.cpp and tools/autograd/derivatives.yaml. Changes for the
contract: BCE clamps the probabilities to [1e-7, 1 - 1e-7] (ATen clamps the log at -100)
in the input's dtype before anything else, so the formula sees exactly the clamped value.
"""

import torch

opmath_t = torch.float64
EPSILON = 1e-12


def static_cast(t, scalar_t):
    return t.to(scalar_t)


def mse_loss(input, target):
    diff = static_cast(input, opmath_t) - static_cast(target, opmath_t)
    return static_cast((diff * diff).mean(), input.dtype)


def mse_loss_backward(grad_output, input, target):
    norm = 2. / input.numel()
    out = norm * (static_cast(input, opmath_t) - static_cast(target, opmath_t)) * grad_output
    return static_cast(out, input.dtype)


def l1_loss(input, target):
    return static_cast((static_cast(input, opmath_t) - static_cast(target, opmath_t)).abs().mean(), input.dtype)


def l1_loss_backward(grad_output, input, target):
    norm = 1. / input.numel()
    out = torch.sgn(static_cast(input, opmath_t) - static_cast(target, opmath_t)) * grad_output * norm
    return static_cast(out, input.dtype)


def huber_loss(input, target, delta):
    z = (static_cast(input, opmath_t) - static_cast(target, opmath_t)).abs()
    out = torch.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    return static_cast(out.mean(), input.dtype)


def huber_loss_backward(grad_output, input, target, delta):
    norm = 1. / input.numel()
    x = static_cast(input, opmath_t) - static_cast(target, opmath_t)
    out = torch.where(x < -delta, -norm * grad_output * delta,
                      torch.where(x > delta, norm * grad_output * delta, norm * x * grad_output))
    return static_cast(out, input.dtype)


def binary_cross_entropy(input, target):
    p = static_cast(input, opmath_t)
    y = static_cast(target, opmath_t)
    out = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    return static_cast(out.mean(), input.dtype)


def binary_cross_entropy_backward(grad_output, input, target):
    norm = 1. / input.numel()
    p = static_cast(input, opmath_t)
    y = static_cast(target, opmath_t)
    out = grad_output * norm * (p - y) / torch.clamp((1 - p) * p, min=EPSILON)
    return static_cast(out, input.dtype)


def log_softmax(input, dim):
    a = static_cast(input, opmath_t)
    max_input = a.max(dim=dim, keepdim=True).values
    tmp_sum = torch.exp(a - max_input).sum(dim=dim, keepdim=True)
    return a - max_input - torch.log(tmp_sum)  # kept in opmath_t for the backward


def nll_loss(self, target):
    batch_size = self.shape[0]
    total_weight = batch_size
    return -self[torch.arange(batch_size), target].sum() / total_weight


def nll_loss_backward(grad_output, self, target):
    batch_size = self.shape[0]
    total_weight = batch_size
    grad_input = torch.zeros_like(self)
    grad_input[torch.arange(batch_size), target] = -grad_output / total_weight
    return grad_input


def log_softmax_backward_data(grad_output, output, dim):
    return grad_output - torch.exp(output) * grad_output.sum(dim, keepdim=True)


class MSELoss:
    def forward(self, input, target):
        self.input, self.target = input, target
        return mse_loss(input, target)

    def backward(self):
        return mse_loss_backward(1.0, self.input, self.target)


class MAELoss:
    def forward(self, input, target):
        self.input, self.target = input, target
        return l1_loss(input, target)

    def backward(self):
        return l1_loss_backward(1.0, self.input, self.target)


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, input, target):
        self.input, self.target = input, target
        return huber_loss(input, target, self.delta)

    def backward(self):
        return huber_loss_backward(1.0, self.input, self.target, self.delta)


class BCELoss:
    def forward(self, input, target):
        self.input = torch.clamp(input, 1e-7, 1 - 1e-7)
        self.target = target
        return binary_cross_entropy(self.input, target)

    def backward(self):
        return binary_cross_entropy_backward(1.0, self.input, self.target)


class SoftmaxCELoss:
    def forward(self, input, target):
        self.output = log_softmax(input, 1)
        self.target, self.dtype = target, input.dtype
        return static_cast(nll_loss(self.output, target), input.dtype)

    def backward(self):
        grad = nll_loss_backward(1.0, self.output, self.target)
        return static_cast(log_softmax_backward_data(grad, self.output, 1), self.dtype)
