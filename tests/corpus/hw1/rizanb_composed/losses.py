"""Style: rizanB/from_scratch losses: ``__init__`` that does ``pass``, forward with an Args /
Returns docstring ("calculates mean square error loss between predicted and actual output"),
``(y_pred, y)`` naming.

Ported from rizanB/from_scratch:loss/MSELoss.py, loss/BCELoss.py and loss/SquaredErrorLoss.py
(the source's MSELoss/BCELoss are stubs raising NotImplementedError). Changes for the
contract: the stubs are filled in, in their style; backward() takes no arguments (the pair
from forward is kept); the softmax cross-entropy is new (log-sum-exp).
"""

import torch


class MSELoss:
    def __init__(self):
        pass

    def forward(self, y_pred, y):
        """calculates mean square error loss between predicted and actual output

        Args:
            y_pred (torch.Tensor): predicted output
            y (torch.Tensor): true output

        Returns:
            (torch.Tensor): loss
        """
        self.y_pred, self.y = y_pred, y
        return torch.mean((y_pred - y) ** 2)

    def backward(self) -> torch.Tensor:
        return 2 * (self.y_pred - self.y) / self.y_pred.numel()


class MAELoss:
    def __init__(self):
        pass

    def forward(self, y_pred, y):
        """calculates mean absolute error loss between predicted and actual output"""
        self.y_pred, self.y = y_pred, y
        return torch.mean(torch.abs(y_pred - y))

    def backward(self) -> torch.Tensor:
        return torch.sign(self.y_pred - self.y) / self.y_pred.numel()


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, y_pred, y):
        """calculates huber loss: squared near 0, absolute past delta"""
        self.err = y_pred - y
        small = torch.abs(self.err) <= self.delta
        linear = self.delta * (torch.abs(self.err) - 0.5 * self.delta)
        return torch.mean(torch.where(small, 0.5 * self.err ** 2, linear))

    def backward(self) -> torch.Tensor:
        grad = torch.where(torch.abs(self.err) <= self.delta, self.err, self.delta * torch.sign(self.err))
        return grad / self.err.numel()


class BCELoss:
    def __init__(self):
        pass

    def forward(self, y_pred, y):
        """calculates binary cross entropy error loss between predicted and actual output

        Args:
            y_pred (torch.Tensor): predicted output
            y (torch.Tensor): true output

        Returns:
            (torch.Tensor): loss
        """
        self.y_pred, self.y = torch.clamp(y_pred, 1e-7, 1 - 1e-7), y
        return -torch.mean(y * torch.log(self.y_pred) + (1 - y) * torch.log(1 - self.y_pred))

    def backward(self) -> torch.Tensor:
        return (self.y_pred - self.y) / (self.y_pred * (1 - self.y_pred)) / self.y_pred.numel()


class SoftmaxCELoss:
    def __init__(self):
        pass

    def forward(self, y_pred, y):
        """calculates softmax cross entropy between logits and class labels"""
        z = y_pred - torch.max(y_pred, dim=1, keepdim=True).values
        self.log_probs = z - torch.log(torch.sum(torch.exp(z), dim=1, keepdim=True))
        self.y = y
        return -torch.mean(self.log_probs[torch.arange(len(y)), y])

    def backward(self) -> torch.Tensor:
        grad = torch.exp(self.log_probs)
        grad[torch.arange(len(self.y)), self.y] -= 1
        return grad / len(self.y)
