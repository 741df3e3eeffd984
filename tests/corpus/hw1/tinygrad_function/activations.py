"""Style: tinygrad ``mlops``: every primitive is a ``Function`` with ``forward`` / ``backward``
that saves ``self.ret`` (its output) or ``self.x``; the sigmoid is ``1 / (1 + exp2(x · -1/ln 2))``
and Exp is ``exp2(x · 1/ln 2)``; Relu's backward is ``(0 < ret) * grad_output``; a ``Cast``
function remembers ``input_dtype`` and casts the gradient back. The activations are then
composed as in tinygrad's Tensor methods: ``leakyrelu = relu(x) - relu(-slope·x)``,
``elu = relu(x) - alpha·relu(1 - exp(x))``, ``tanh = 2·sigmoid(2x) - 1``,
``swish = x · sigmoid(x)``, ``gelu = 0.5·x·(1 + tanh(x·0.7978845608·(1 + 0.044715·x·x)))``,
each backward walking its pieces in reverse. Everything is computed in float64 internally
(a Cast at both ends) and cast back to the input's dtype.

Ported from tinygrad/tinygrad:tinygrad/mlops.py (Function subclasses Relu, Exp, Sigmoid,
Cast) and the compositions of tinygrad/tensor.py. Changes for the contract: ELU's exp is
taken of min(x, 0) (a ``Minimum0`` primitive): exp(1e4) = inf would make the backward
inf · 0 = NaN; LeakyReLU and ELU take alpha; at x = 0 both relus of a composition have
derivative 0, which is not a subgradient of LeakyReLU or ELU there, so the positive part
passes the gradient at 0 (``Relu(at_zero=True)``).
"""

import math

import torch


class Function:
    def forward(self, x):
        raise NotImplementedError(f"forward not implemented for {type(self)}")

    def backward(self, grad_output):
        raise RuntimeError(f"backward not implemented for {type(self)}")


# ************* primitives *************

class Cast(Function):
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.input_dtype = x.dtype
        return x.to(self.dtype)

    def backward(self, grad_output):
        return grad_output.to(self.input_dtype)


# NOTE: maximum(x, 0) behaves differently where x=0
class Relu(Function):
    def __init__(self, at_zero=False):
        self.at_zero = at_zero  # pass the gradient at x == 0 too

    def forward(self, x):
        self.x = x
        self.ret = torch.maximum(x, torch.zeros_like(x))
        return self.ret

    def backward(self, grad_output):
        if self.at_zero:
            return torch.le(torch.zeros_like(self.x), self.x).to(grad_output.dtype) * grad_output
        return torch.lt(torch.zeros_like(self.ret), self.ret).to(grad_output.dtype) * grad_output


class Exp(Function):
    def forward(self, x):
        self.ret = torch.exp2(x * (1 / math.log(2)))
        return self.ret

    def backward(self, grad_output):
        return self.ret * grad_output


class Minimum0(Function):
    def forward(self, x):
        self.x = x
        return torch.minimum(x, torch.zeros_like(x))

    def backward(self, grad_output):
        return torch.lt(self.x, torch.zeros_like(self.x)).to(grad_output.dtype) * grad_output


# NOTE: the implicit derivative of sigmoid is not stable
class SigmoidFn(Function):
    def forward(self, x):
        self.ret = 1 / (1 + torch.exp2(x * (-1 / math.log(2))))
        return self.ret

    def backward(self, grad_output):
        return self.ret * (1 - self.ret) * grad_output


class Activation(Function):
    """Runs ``_forward`` / ``_backward`` between two Casts, in float64."""

    def forward(self, x):
        self.cast = Cast(torch.float64)
        ret = self._forward(self.cast.forward(x))
        return ret.to(x.dtype)

    def backward(self, grad_output):
        return self.cast.backward(self._backward(grad_output.to(torch.float64)))


# ************* the activations, composed *************

class ReLU(Activation):
    def _forward(self, x):
        self.relu = Relu()
        return self.relu.forward(x)

    def _backward(self, grad):
        return self.relu.backward(grad)


class Sigmoid(Activation):
    def _forward(self, x):
        self.sigmoid_fn = SigmoidFn()
        return self.sigmoid_fn.forward(x)

    def _backward(self, grad):
        return self.sigmoid_fn.backward(grad)


class Tanh(Activation):
    # tanh(x) = 2.0 * ((2.0 * x).sigmoid()) - 1.0
    def _forward(self, x):
        self.sigmoid_fn = SigmoidFn()
        return 2.0 * self.sigmoid_fn.forward(2.0 * x) - 1.0

    def _backward(self, grad):
        return 2.0 * self.sigmoid_fn.backward(2.0 * grad)


class LeakyReLU(Activation):
    # leakyrelu(x) = x.relu() - (-neg_slope * x).relu()
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def _forward(self, x):
        self.pos, self.neg = Relu(at_zero=True), Relu()
        return self.pos.forward(x) - self.neg.forward(-self.alpha * x)

    def _backward(self, grad):
        return self.pos.backward(grad) + (-self.alpha) * self.neg.backward(-grad)


class ELU(Activation):
    # elu(x) = x.relu() - alpha * (1 - x.exp()).relu(), with exp of min(x, 0)
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def _forward(self, x):
        self.pos, self.min0, self.exp, self.neg = Relu(at_zero=True), Minimum0(), Exp(), Relu()
        return self.pos.forward(x) - self.alpha * self.neg.forward(1 - self.exp.forward(self.min0.forward(x)))

    def _backward(self, grad):
        d_neg_in = self.neg.backward(-self.alpha * grad)
        d_x_neg = self.min0.backward(self.exp.backward(-d_neg_in))
        return self.pos.backward(grad) + d_x_neg


class Swish(Activation):
    # swish(x) = x * x.sigmoid()
    def _forward(self, x):
        self.x = x
        self.sigmoid_fn = SigmoidFn()
        self.s = self.sigmoid_fn.forward(x)
        return x * self.s

    def _backward(self, grad):
        return self.s * grad + self.sigmoid_fn.backward(self.x * grad)


class GELU(Activation):
    # gelu(x) = 0.5 * x * (1 + (x * 0.7978845608 * (1 + 0.044715 * x * x)).tanh())
    def _forward(self, x):
        self.x = x
        self.tanh = Tanh()
        self.u = x * 0.7978845608 * (1 + 0.044715 * x * x)
        self.t = self.tanh._forward(self.u)
        return 0.5 * x * (1 + self.t)

    def _backward(self, grad):
        x = self.x
        d_t = 0.5 * x * grad
        d_u = self.tanh._backward(d_t)
        du_dx = 0.7978845608 * (1 + 3 * 0.044715 * x * x)
        return 0.5 * (1 + self.t) * grad + du_dx * d_u
