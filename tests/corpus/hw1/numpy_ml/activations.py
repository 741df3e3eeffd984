"""Style: numpy-ml (David Bourgin) activations: an ``ActivationBase`` with ``__call__`` ->
``fn``, ``fn(z)`` / ``grad(x)`` / ``grad2(x)`` methods, ``__str__`` giving the name and
parameters, numpydoc/LaTeX docstrings, ``_z = z.copy(); _z[z < 0] = _z[z < 0] * alpha``
for LeakyReLU, ``np.where(x > 0, np.ones_like(x), alpha * np.exp(x))`` for ELU, the GELU
with an ``approximate`` switch whose default is the tanh form.

Ported from ddbourgin/numpy-ml:numpy_ml/neural_nets/activations/activations.py.
Changes for the contract: no abc (only torch/math/typing may be imported), so the base
raises NotImplementedError; forward/backward wrap fn/grad; the source's GELU gradient for
approximate=True mixes in the erf derivative, it is replaced by the derivative of the
tanh form; sigmoid uses exp(-|z|); ELU's exp is taken of min(x, 0); Swish is new.
"""

import math

import torch


class ActivationBase:
    def __init__(self, **kwargs):
        """Initialize the ActivationBase object"""
        super().__init__()

    def __call__(self, z):
        """Apply the activation function to an input"""
        if z.ndim == 1:
            z = z.reshape(1, -1)
        return self.fn(z)

    def forward(self, z):
        self._z = z
        return self.fn(z)

    def backward(self, dout):
        return dout * self.grad(self._z)

    def fn(self, z):
        """Apply the activation function to an input"""
        raise NotImplementedError

    def grad(self, x, **kwargs):
        """Compute the gradient of the activation function wrt the input"""
        raise NotImplementedError


class Sigmoid(ActivationBase):
    def __init__(self):
        """A logistic sigmoid activation function."""
        super().__init__()

    def __str__(self):
        """Return a string representation of the activation function"""
        return "Sigmoid"

    def fn(self, z):
        r"""
        Evaluate the logistic sigmoid, :math:`\sigma`, on the elements of input `z`.

        .. math::

            \sigma(x_i) = \frac{1}{1 + e^{-x_i}}
        """
        e = torch.exp(-torch.abs(z))
        return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))

    def grad(self, x):
        r"""
        Evaluate the first derivative of the logistic sigmoid on the elements of `x`.

        .. math::

            \frac{\partial \sigma}{\partial x_i} = \sigma(x_i) (1 - \sigma(x_i))
        """
        fn_x = self.fn(x)
        return fn_x * (1 - fn_x)

    def grad2(self, x):
        fn_x = self.fn(x)
        return fn_x * (1 - fn_x) * (1 - 2 * fn_x)


class ReLU(ActivationBase):
    """
    A rectified linear activation function.
    """

    def __init__(self):
        super().__init__()

    def __str__(self):
        """Return a string representation of the activation function"""
        return "ReLU"

    def fn(self, z):
        r"""
        Evaulate the ReLU function on the elements of input `z`.
        """
        return torch.clip(z, 0, math.inf)

    def grad(self, x):
        r"""
        Evaulate the first derivative of the ReLU function on the elements of input `x`.
        """
        return (x > 0).to(x.dtype)

    def grad2(self, x):
        return torch.zeros_like(x)


class LeakyReLU(ActivationBase):
    """
    'Leaky' version of a rectified linear unit (ReLU).

    Parameters
    ----------
    alpha: float
        Activation slope when x < 0. Default is 0.01.
    """

    def __init__(self, alpha=0.01):
        self.alpha = alpha
        super().__init__()

    def __str__(self):
        """Return a string representation of the activation function"""
        return "Leaky ReLU(alpha={})".format(self.alpha)  # noqa: UP032

    def fn(self, z):
        _z = z.clone()
        _z[z < 0] = _z[z < 0] * self.alpha
        return _z

    def grad(self, x):
        out = torch.ones_like(x)
        out[x < 0] *= self.alpha
        return out

    def grad2(self, x):
        return torch.zeros_like(x)


class GELU(ActivationBase):
    def __init__(self, approximate=True):
        r"""
        A Gaussian error linear unit (GELU).

        Parameters
        ----------
        approximate : bool
            Whether to use the tanh approximation. Default is True (the contract's form).
        """
        self.approximate = approximate
        super().__init__()

    def __str__(self):
        """Return a string representation of the activation function"""
        return f"GELU(approximate={self.approximate})"

    def fn(self, z):
        pi, sqrt, tanh = math.pi, math.sqrt, torch.tanh

        if self.approximate:
            return 0.5 * z * (1 + tanh(sqrt(2 / pi) * (z + 0.044715 * z ** 3)))
        return 0.5 * z * (1 + torch.erf(z / sqrt(2)))

    def grad(self, x):
        pi, exp, sqrt, tanh = math.pi, torch.exp, math.sqrt, torch.tanh

        s = x / sqrt(2)

        def erf_prime(x):
            return (2 / sqrt(pi)) * exp(-(x ** 2))

        if self.approximate:
            approx = tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3))
            dx = 0.5 + 0.5 * approx + 0.5 * x * (1 - approx ** 2) * sqrt(2 / pi) * (1 + 3 * 0.044715 * x ** 2)
        else:
            dx = 0.5 + 0.5 * torch.erf(s) + ((0.5 * x * erf_prime(s)) / sqrt(2))
        return dx


class Tanh(ActivationBase):
    def __init__(self):
        """A hyperbolic tangent activation function."""
        super().__init__()

    def __str__(self):
        """Return a string representation of the activation function"""
        return "Tanh"

    def fn(self, z):
        """Compute the tanh function on the elements of input `z`."""
        return torch.tanh(z)

    def grad(self, x):
        r"""
        .. math::

            \frac{\partial \tanh}{\partial x_i}  =  1 - \tanh(x)^2
        """
        return 1 - torch.tanh(x) ** 2


class ELU(ActivationBase):
    def __init__(self, alpha=1.0):
        r"""
        An exponential linear unit (ELU).

        Parameters
        ----------
        alpha : float
            Slope of negative segment. Default is 1.
        """
        self.alpha = alpha
        super().__init__()

    def __str__(self):
        """Return a string representation of the activation function"""
        return "ELU(alpha={})".format(self.alpha)  # noqa: UP032

    def fn(self, z):
        # z if z > 0  else alpha * (e^z - 1)
        return torch.where(z > 0, z, self.alpha * (torch.exp(torch.clamp(z, max=0)) - 1))

    def grad(self, x):
        # 1 if x > 0 else alpha * e^(z)
        return torch.where(x > 0, torch.ones_like(x), self.alpha * torch.exp(torch.clamp(x, max=0)))


class Swish(ActivationBase):
    def __init__(self):
        """Swish / SiLU: z * sigmoid(z)."""
        self._sigmoid = Sigmoid()
        super().__init__()

    def __str__(self):
        return "Swish"

    def fn(self, z):
        return z * self._sigmoid.fn(z)

    def grad(self, x):
        s = self._sigmoid.fn(x)
        return s * (1 + x * (1 - s))
