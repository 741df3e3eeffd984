"""Style: PyTorch's own ATen kernels and ``derivatives.yaml`` formulas, transcribed: one
``*_backward`` function per op with ATen's signature and argument names
(``sigmoid_backward(grad_output, output)``, ``tanh_backward(grad_output, output)``,
``threshold_backward(grad_output, self, threshold)`` for relu,
``leaky_relu_backward(grad_output, self, negative_slope, self_is_result)``,
``elu_backward(grad_output, alpha, scale, input_scale, is_result, self_or_result)``,
``gelu_tanh_backward(dy, x)`` with ``kBeta = M_SQRT2 * M_2_SQRTPI * 0.5``, ``kKappa``,
``x_sq``, ``x_cube``, ``inner``, ``tanh_inner``, ``left``, ``right``, ``left_derivative``,
``right_derivative``); the arithmetic runs in ``opmath_t`` (here float64) and the result is
``static_cast`` back to the input's scalar type.

Ported from pytorch/pytorch:aten/src/ATen/native/cuda/ActivationGeluKernel.cu
(GeluBackwardCUDAKernelImpl, tanh branch), aten/src/ATen/native/cpu/Activation.cpp (elu,
silu, leaky_relu kernels) and tools/autograd/derivatives.yaml. Changes for the contract: the
kernels' ``x <= 0 ? exp(...) : ...`` becomes a where, so ELU's exp is taken of min(x, 0)
(a where evaluates both branches); the sigmoid takes exp of -|x| for the same reason.
"""

import math

import torch

opmath_t = torch.float64
M_SQRT2 = math.sqrt(2.0)
M_2_SQRTPI = 2.0 / math.sqrt(math.pi)


def static_cast(t, scalar_t):
    return t.to(scalar_t)


# ---------------------------------------------------------------- kernels
def sigmoid_kernel(x):
    a = static_cast(x, opmath_t)
    e = torch.exp(-torch.abs(a))
    return static_cast(torch.where(a >= 0, 1 / (1 + e), e / (1 + e)), x.dtype)


def sigmoid_backward(grad_output, output):
    # self: sigmoid_backward(grad, result) -> grad * (1 - y) * y
    y = static_cast(output, opmath_t)
    return static_cast(static_cast(grad_output, opmath_t) * (1 - y) * y, grad_output.dtype)


def tanh_kernel(x):
    return static_cast(torch.tanh(static_cast(x, opmath_t)), x.dtype)


def tanh_backward(grad_output, output):
    # self: tanh_backward(grad, result) -> grad * (1 - y * y)
    y = static_cast(output, opmath_t)
    return static_cast(static_cast(grad_output, opmath_t) * (1 - y * y), grad_output.dtype)


def threshold_backward(grad_output, self, threshold):
    # self: threshold_backward(grad, result, 0)
    return torch.where(self <= threshold, torch.zeros_like(grad_output), grad_output)


def leaky_relu_kernel(self, negval):
    a = static_cast(self, opmath_t)
    return static_cast(torch.where(a > 0, a, a * negval), self.dtype)


def leaky_relu_backward(grad_output, self, negative_slope, self_is_result):
    a = static_cast(self, opmath_t)
    g = static_cast(grad_output, opmath_t)
    return static_cast(torch.where(a > 0, g, g * negative_slope), grad_output.dtype)


def elu_kernel(self, alpha, scale, input_scale):
    negcoef = alpha * scale
    poscoef = scale
    negiptcoef = input_scale
    a = static_cast(self, opmath_t)
    neg = (torch.exp(torch.clamp(a, max=0) * negiptcoef) - 1) * negcoef
    return static_cast(torch.where(a <= 0, neg, a * poscoef), self.dtype)


def elu_backward(grad_output, alpha, scale, input_scale, is_result, self_or_result):
    negcoef = alpha * scale
    poscoef = scale
    negiptcoef = input_scale
    a = static_cast(self_or_result, opmath_t)
    g = static_cast(grad_output, opmath_t)
    if is_result:
        out = torch.where(a <= 0, g * negiptcoef * (a + negcoef), g * poscoef)
    else:
        out = torch.where(a <= 0, g * negiptcoef * negcoef * torch.exp(torch.clamp(a, max=0) * negiptcoef),
                          g * poscoef)
    return static_cast(out, grad_output.dtype)


def gelu_tanh_kernel(x):
    kBeta = M_SQRT2 * M_2_SQRTPI * 0.5
    kKappa = 0.044715
    a = static_cast(x, opmath_t)
    x_cube = a * a * a
    inner = kBeta * (a + kKappa * x_cube)
    return static_cast(0.5 * a * (1 + torch.tanh(inner)), x.dtype)


def gelu_tanh_backward(dy, x):
    kBeta = M_SQRT2 * M_2_SQRTPI * 0.5
    kKappa = 0.044715
    a = static_cast(x, opmath_t)
    x_sq = a * a
    x_cube = x_sq * a
    inner = kBeta * (a + kKappa * x_cube)
    tanh_inner = torch.tanh(inner)

    left = 0.5 * a
    right = 1 + tanh_inner

    left_derivative = 0.5 * right

    tanh_derivative = 1 - tanh_inner * tanh_inner
    inner_derivative = kBeta * (1 + 3 * kKappa * x_sq)
    right_derivative = left * tanh_derivative * inner_derivative

    return static_cast(static_cast(dy, opmath_t) * (left_derivative + right_derivative), dy.dtype)


def silu_kernel(x):
    a = static_cast(x, opmath_t)
    return static_cast(a * static_cast(sigmoid_kernel(a), opmath_t), x.dtype)


def silu_backward(dy, x):
    a = static_cast(x, opmath_t)
    sigmoid = sigmoid_kernel(a)
    return static_cast(static_cast(dy, opmath_t) * sigmoid * (1 + a * (1 - sigmoid)), dy.dtype)


# ---------------------------------------------------------------- modules
class Sigmoid:
    def forward(self, input):
        self.result = sigmoid_kernel(input)
        return self.result

    def backward(self, grad):
        return sigmoid_backward(grad, self.result)


class Tanh:
    def forward(self, input):
        self.result = tanh_kernel(input)
        return self.result

    def backward(self, grad):
        return tanh_backward(grad, self.result)


class ReLU:
    def forward(self, input):
        self.result = torch.clamp_min(input, 0)
        return self.result

    def backward(self, grad):
        return threshold_backward(grad, self.result, 0)


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.negative_slope = alpha

    def forward(self, input):
        self.self_ = input
        return leaky_relu_kernel(input, self.negative_slope)

    def backward(self, grad):
        return leaky_relu_backward(grad, self.self_, self.negative_slope, False)


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, input):
        self.result = elu_kernel(input, self.alpha, 1.0, 1.0)
        self.self_ = input
        return self.result

    def backward(self, grad):
        # derivatives.yaml, elu: elu_backward(grad, alpha, scale, input_scale, /* is_result */ false, self)
        return elu_backward(grad, self.alpha, 1.0, 1.0, False, self.self_)


class GELU:
    approximate = "tanh"

    def forward(self, input):
        self.self_ = input
        return gelu_tanh_kernel(input)

    def backward(self, grad):
        return gelu_tanh_backward(grad, self.self_)


class Swish:
    def forward(self, input):
        self.self_ = input
        return silu_kernel(input)

    def backward(self, grad):
        return silu_backward(grad, self.self_)
