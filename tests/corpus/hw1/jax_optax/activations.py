"""Style: JAX ``jax.nn`` functions: module-level, pure, each doing ``x_arr = asarray(x)`` first;
softplus as ``logaddexp(x, 0)`` written with log1p(exp(-|x|)); ``log_sigmoid = -softplus(-x)``
and the sigmoid from it; ELU as ``where(x > 0, x, alpha * expm1(where(x > 0, 0., x)))`` (the
"safe x" trick); ``leaky_relu = where(x >= 0, x, negative_slope * x)``; ``silu = x * sigmoid(x)``
with the alias ``swish = silu``; the tanh GELU as ``x * cdf``. Each function has a hand-written
JVP rule next to it (``relu.defjvps(lambda g, ans, x: select(x > 0, g, zeros))`` in JAX), and
the classes only call the pair.

Ported from jax-ml/jax:jax/_src/nn/functions.py (softplus, log_sigmoid, silu/swish, elu,
leaky_relu, gelu(approximate=True), relu's custom_jvp). Changes for the contract: JAX
differentiates these automatically; here each function's derivative is written out as a
``*_jvp(g, ans, x)`` function in the same style.
"""

import math

import torch


def asarray(x):
    return torch.as_tensor(x)


def softplus(x):
    x_arr = asarray(x)
    # logaddexp(x, 0) = max(x, 0) + log1p(exp(-|x|))
    return torch.clamp(x_arr, min=0) + torch.log1p(torch.exp(-torch.abs(x_arr)))


def log_sigmoid(x):
    x_arr = asarray(x)
    return -softplus(-x_arr)


def sigmoid(x):
    return torch.exp(log_sigmoid(x))


def sigmoid_jvp(g, ans, x):
    return g * ans * (1 - ans)


def relu(x):
    x_arr = asarray(x)
    return torch.maximum(x_arr, torch.zeros_like(x_arr))


# For behavior at 0, see https://jax.readthedocs.io/en/latest/faq.html#gradients-contain-nan-where-using-where
def relu_jvp(g, ans, x):
    return torch.where(x > 0, g, torch.zeros_like(g))


def tanh(x):
    return torch.tanh(asarray(x))


def tanh_jvp(g, ans, x):
    return g * (1 - ans * ans)


def leaky_relu(x, negative_slope=1e-2):
    x_arr = asarray(x)
    return torch.where(x_arr >= 0, x_arr, negative_slope * x_arr)


def leaky_relu_jvp(g, ans, x, negative_slope=1e-2):
    return torch.where(x >= 0, g, negative_slope * g)


def elu(x, alpha=1.0):
    x_arr = asarray(x)
    safe_x = torch.where(x_arr > 0, torch.zeros_like(x_arr), x_arr)
    return torch.where(x_arr > 0, x_arr, alpha * torch.expm1(safe_x))


def elu_jvp(g, ans, x, alpha=1.0):
    # d/dx alpha * expm1(x) = alpha * exp(x) = ans + alpha where x <= 0
    return torch.where(x > 0, g, g * (ans + alpha))


def silu(x):
    x_arr = asarray(x)
    return x_arr * sigmoid(x_arr)


def silu_jvp(g, ans, x):
    s = sigmoid(x)
    return g * (s + ans * (1 - s))


swish = silu
swish_jvp = silu_jvp


def gelu(x, approximate=True):
    x_arr = asarray(x)
    if approximate:
        sqrt_2_over_pi = math.sqrt(2 / math.pi)
        cdf = 0.5 * (1.0 + torch.tanh(sqrt_2_over_pi * (x_arr + 0.044715 * (x_arr ** 3))))
        return x_arr * cdf
    raise NotImplementedError("only the tanh approximation is used here")


def gelu_jvp(g, ans, x):
    sqrt_2_over_pi = math.sqrt(2 / math.pi)
    t = torch.tanh(sqrt_2_over_pi * (x + 0.044715 * (x ** 3)))
    cdf = 0.5 * (1.0 + t)
    dcdf = 0.5 * (1.0 - t * t) * sqrt_2_over_pi * (1.0 + 3 * 0.044715 * x ** 2)
    return g * (cdf + x * dcdf)


class _Elementwise:
    fn = None
    jvp = None

    def forward(self, x):
        self.x = x
        self.ans = type(self).fn(x)
        return self.ans

    def backward(self, dout):
        return type(self).jvp(dout, self.ans, self.x)


class Sigmoid(_Elementwise):
    fn, jvp = staticmethod(sigmoid), staticmethod(sigmoid_jvp)


class Tanh(_Elementwise):
    fn, jvp = staticmethod(tanh), staticmethod(tanh_jvp)


class ReLU(_Elementwise):
    fn, jvp = staticmethod(relu), staticmethod(relu_jvp)


class GELU(_Elementwise):
    fn, jvp = staticmethod(gelu), staticmethod(gelu_jvp)


class Swish(_Elementwise):
    fn, jvp = staticmethod(swish), staticmethod(swish_jvp)


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        return leaky_relu(x, negative_slope=self.alpha)

    def backward(self, dout):
        return leaky_relu_jvp(dout, None, self.x, negative_slope=self.alpha)


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        self.ans = elu(x, alpha=self.alpha)
        return self.ans

    def backward(self, dout):
        return elu_jvp(dout, self.ans, self.x, alpha=self.alpha)
