"""Style: rizanB/from_scratch activations: one class per file in the source, forward with a
``verbose=False`` flag and an f-string debug line of the input shape, a
``ValueError("forward method hasn't been called before backward")`` guard, the sigmoid as
``np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))``, and a Swish that
composes a ``Sigmoid`` object kept in ``self.sigmoid`` (its backward runs
``self.sigmoid.backward(...)``).

Ported from rizanB/from_scratch:activations/Sigmoid.py, activations/Swish.py,
activations/LeakyReLU.py and activations/ReLU.py. Changes for the contract: the source's
logger becomes a print behind ``verbose`` (only torch/math/typing may be imported); the
backward passes the source leaves as NotImplementedError are written, in its style;
LeakyReLU's ``forward(z, alpha=0.01)`` (a method without self) becomes a method with alpha
set in __init__; Tanh, ELU and GELU are new, in the same style. The where-sigmoid is kept: its
unused branch may be inf/inf, but where does not propagate it.
"""

import math

import torch


class Sigmoid:
    def __init__(self):
        self.sigmoid_out = None

    def forward(self, z: torch.Tensor, verbose=False):
        """
        applies sigmoid activation fn

        Args:
        z (torch.Tensor): output from the layer before
        verbose (bool): flag

        Returns:
        sigmoid (torch.Tensor): sigmoid of z, with values between 0 and 1
        """
        if verbose:
            print(f"Sigmoid forward - input shape: {z.shape}")

        self.sigmoid_out = torch.where(
            z >= 0, 1 / (1 + torch.exp(-z)), torch.exp(z) / (1 + torch.exp(z))
        )
        return self.sigmoid_out

    def backward(self, grad_output) -> torch.Tensor:
        """back pass through sigmoid

        Args:
            grad_output: loss grad wrt the output

        Returns:
            Loss gradient wrt z
        """
        if self.sigmoid_out is None:
            raise ValueError("forward method hasn't been called before backward")

        return grad_output * self.sigmoid_out * (1 - self.sigmoid_out)


class Swish:
    def __init__(self):
        self.sigmoid = Sigmoid()
        self.z = None

    def forward(self, z: torch.Tensor, verbose=False) -> torch.Tensor:
        """
        swish activation function

        Args:
        z (torch.Tensor): input array

        Returns:
        swish (torch.Tensor): swish activated array
        """
        if verbose:
            print(f"Swish forward - input shape: {z.shape}")
        self.z = z
        return z * self.sigmoid.forward(z)

    def backward(self, grad_output) -> torch.Tensor:
        """
            back prop for swish activation fn: d(z s(z)) = s(z) dz + z ds(z)

        Args:
            grad_output: loss grad wrt the output

        Returns:
            Loss gradient wrt z
        """
        if self.z is None:
            raise ValueError("forward method hasn't been called before backward")

        return grad_output * self.sigmoid.sigmoid_out + self.sigmoid.backward(grad_output * self.z)


class ReLU:
    def __init__(self):
        self.z = None

    def forward(self, z: torch.Tensor, verbose=False) -> torch.Tensor:
        """applies relu activation fn

        Args:
            z (torch.Tensor): input array

        Returns:
            (torch.Tensor)
        """
        if verbose:
            print(f"Relu forward - input shape: {z.shape}")
        self.z = z
        return torch.where(z < 0, torch.zeros_like(z), z)

    def backward(self, grad_output) -> torch.Tensor:
        if self.z is None:
            raise ValueError("forward method hasn't been called before backward")
        return torch.where(self.z < 0, torch.zeros_like(grad_output), grad_output)


class LeakyReLU:
    def __init__(self, alpha=0.01):
        self.alpha = alpha
        self.z = None

    def forward(self, z: torch.Tensor, verbose=False) -> torch.Tensor:
        """applies leaky relu activation fn

        Args:
            z (torch.Tensor): input array
            alpha (float): slope of neg section of fn

        Returns:
            (torch.Tensor)
        """
        if verbose:
            print(f"Leakyrelu forward - input shape: {z.shape}")
        self.z = z
        return torch.where(z < 0, self.alpha * z, z)

    def backward(self, grad_output) -> torch.Tensor:
        if self.z is None:
            raise ValueError("forward method hasn't been called before backward")
        return torch.where(self.z < 0, self.alpha * grad_output, grad_output)


class Tanh:
    def __init__(self):
        self.tanh_out = None

    def forward(self, z: torch.Tensor, verbose=False) -> torch.Tensor:
        if verbose:
            print(f"Tanh forward - input shape: {z.shape}")
        self.tanh_out = torch.tanh(z)
        return self.tanh_out

    def backward(self, grad_output) -> torch.Tensor:
        if self.tanh_out is None:
            raise ValueError("forward method hasn't been called before backward")
        return grad_output * (1 - self.tanh_out ** 2)


class ELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.z = None
        self.elu_out = None

    def forward(self, z: torch.Tensor, verbose=False) -> torch.Tensor:
        if verbose:
            print(f"ELU forward - input shape: {z.shape}")
        self.z = z
        self.elu_out = torch.where(z < 0, self.alpha * (torch.exp(torch.clamp(z, max=0)) - 1), z)
        return self.elu_out

    def backward(self, grad_output) -> torch.Tensor:
        if self.z is None:
            raise ValueError("forward method hasn't been called before backward")
        return torch.where(self.z < 0, grad_output * (self.elu_out + self.alpha), grad_output)


class GELU:
    def __init__(self):
        self.z = None
        self.tanh_out = None

    def forward(self, z: torch.Tensor, verbose=False) -> torch.Tensor:
        if verbose:
            print(f"GELU forward - input shape: {z.shape}")
        self.z = z
        self.tanh_out = torch.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3))
        return 0.5 * z * (1 + self.tanh_out)

    def backward(self, grad_output) -> torch.Tensor:
        if self.z is None:
            raise ValueError("forward method hasn't been called before backward")
        dtanh = (1 - self.tanh_out ** 2) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * self.z ** 2)
        return grad_output * (0.5 * (1 + self.tanh_out) + 0.5 * self.z * dtanh)
