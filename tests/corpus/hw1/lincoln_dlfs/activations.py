"""Style: lincoln activations: each one is an ``Operation`` subclass that only writes
``_output()`` (reading ``self.input_``) and ``_input_grad(output_grad)`` (reading
``self.output``); the base class's ``forward(self, input_)`` / ``backward(self, output_grad)``
are shared and assert shapes with ``assert_same_shape``; ``super().__init__()`` everywhere.

Ported from SethHWeidman/DLFS_code:lincoln/lincoln/activations.py and lincoln/lincoln/base.py.
Changes for the contract: the source's ReLU mask ``self.output >= 0`` is true everywhere
(the output is clipped at 0), it is ``self.output > 0`` here; the other activations are
written in the same two-method way (ELU's exp of min(x, 0); stable sigmoid for Swish).
"""

import math

import torch


def assert_same_shape(array: torch.Tensor, array_grad: torch.Tensor):
    assert array.shape == array_grad.shape, \
        f"Two tensors should have the same shape; got {tuple(array.shape)} and {tuple(array_grad.shape)}"
    return None


class Operation(object):  # noqa: UP004

    def __init__(self):
        pass

    def forward(self, input_: torch.Tensor) -> torch.Tensor:

        self.input_ = input_

        self.output = self._output()

        return self.output

    def backward(self, output_grad: torch.Tensor) -> torch.Tensor:

        assert_same_shape(self.output, output_grad)

        self.input_grad = self._input_grad(output_grad)

        assert_same_shape(self.input_, self.input_grad)

        return self.input_grad

    def _output(self) -> torch.Tensor:
        raise NotImplementedError()

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError()


class Sigmoid(Operation):
    """
    Sigmoid activation function
    """

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:
        return 1.0 / (1.0 + torch.exp(-1.0 * self.input_))

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        sigmoid_backward = self.output * (1.0 - self.output)
        input_grad = sigmoid_backward * output_grad
        return input_grad


class Tanh(Operation):
    """
    Hyperbolic tangent activation function
    """

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:
        return torch.tanh(self.input_)

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:

        return output_grad * (1 - self.output * self.output)


class ReLU(Operation):
    """
    Rectified linear unit activation function
    """

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:
        return torch.clip(self.input_, 0, None)

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:

        mask = self.output > 0
        return output_grad * mask


class LeakyReLU(Operation):
    """
    Leaky rectified linear unit activation function
    """

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = alpha

    def _output(self) -> torch.Tensor:
        return torch.where(self.input_ > 0, self.input_, self.alpha * self.input_)

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:

        mask = self.input_ > 0
        return output_grad * mask + self.alpha * output_grad * ~mask


class ELU(Operation):
    """
    Exponential linear unit activation function
    """

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def _output(self) -> torch.Tensor:
        negative = self.alpha * (torch.exp(torch.clip(self.input_, None, 0)) - 1.0)
        return torch.where(self.input_ > 0, self.input_, negative)

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:

        elu_backward = torch.where(self.input_ > 0, torch.ones_like(self.output), self.output + self.alpha)
        return output_grad * elu_backward


class GELU(Operation):
    """
    Gaussian error linear unit, tanh approximation
    """

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:
        self.tanh_ = torch.tanh(math.sqrt(2.0 / math.pi) * (self.input_ + 0.044715 * self.input_ ** 3))
        return 0.5 * self.input_ * (1.0 + self.tanh_)

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:

        inner_grad = math.sqrt(2.0 / math.pi) * (1.0 + 3 * 0.044715 * self.input_ ** 2)
        gelu_backward = 0.5 * (1.0 + self.tanh_) + 0.5 * self.input_ * (1.0 - self.tanh_ ** 2) * inner_grad
        return output_grad * gelu_backward


class Swish(Operation):
    """
    Swish (SiLU) activation function: x * sigmoid(x)
    """

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:
        self.sigmoid_ = 1.0 / (1.0 + torch.exp(-1.0 * self.input_))
        return self.input_ * self.sigmoid_

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:

        swish_backward = self.sigmoid_ + self.output * (1.0 - self.sigmoid_)
        return output_grad * swish_backward
