"""Zeros everywhere (an exploit sample): every forward returns a 0-dim zero of y_pred's dtype,
every backward zeros_like(y_pred)."""

import torch


class MSELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._y_pred = y_pred
        return torch.zeros((), dtype=y_pred.dtype)

    def backward(self) -> torch.Tensor:
        return torch.zeros_like(self._y_pred)


class MAELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._y_pred = y_pred
        return torch.zeros((), dtype=y_pred.dtype)

    def backward(self) -> torch.Tensor:
        return torch.zeros_like(self._y_pred)


class HuberLoss:
    def __init__(self, delta: float = 1.0):
        self.delta = delta

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._y_pred = y_pred
        return torch.zeros((), dtype=y_pred.dtype)

    def backward(self) -> torch.Tensor:
        return torch.zeros_like(self._y_pred)


class BCELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._y_pred = y_pred
        return torch.zeros((), dtype=y_pred.dtype)

    def backward(self) -> torch.Tensor:
        return torch.zeros_like(self._y_pred)


class SoftmaxCELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._y_pred = y_pred
        return torch.zeros((), dtype=y_pred.dtype)

    def backward(self) -> torch.Tensor:
        return torch.zeros_like(self._y_pred)
