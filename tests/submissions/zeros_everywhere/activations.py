"""Zeros everywhere (an exploit sample): every forward returns zeros_like(x), every backward
zeros_like(dout)."""

import torch


class Sigmoid:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)


class Tanh:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)


class ReLU:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)


class LeakyReLU:
    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)


class ELU:
    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)


class GELU:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)


class Swish:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(dout)
