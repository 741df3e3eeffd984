"""Style: joelnet losses: a ``Loss`` base with ``loss(predicted, actual)`` and
``grad(predicted, actual)``; forward/backward of the contract only store the pair and call
them.

Ported from joelgrus/joelnet:joelnet/loss.py (Loss, MSE). joelnet's MSE is the total
squared error; the contract wants the mean over all elements, so both the loss and the
gradient are divided by numel. The other losses follow the same two-method pattern.
"""

import torch

Tensor = torch.Tensor


class Loss:
    def loss(self, predicted: Tensor, actual: Tensor) -> Tensor:
        raise NotImplementedError

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, predicted: Tensor, actual: Tensor) -> Tensor:
        self.predicted, self.actual = predicted, actual
        return self.loss(predicted, actual)

    def backward(self) -> Tensor:
        return self.grad(self.predicted, self.actual)


class MSELoss(Loss):
    """
    MSE is mean squared error (joelnet returned the total; here it is the mean)
    """
    def loss(self, predicted: Tensor, actual: Tensor) -> Tensor:
        return torch.sum((predicted - actual) ** 2) / predicted.numel()

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        return 2 * (predicted - actual) / predicted.numel()


class MAELoss(Loss):
    def loss(self, predicted: Tensor, actual: Tensor) -> Tensor:
        return torch.sum(torch.abs(predicted - actual)) / predicted.numel()

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        return torch.sign(predicted - actual) / predicted.numel()


class HuberLoss(Loss):
    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    def loss(self, predicted: Tensor, actual: Tensor) -> Tensor:
        e = predicted - actual
        small = torch.abs(e) <= self.delta
        per = torch.where(small, 0.5 * e ** 2, self.delta * (torch.abs(e) - 0.5 * self.delta))
        return torch.sum(per) / predicted.numel()

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        e = predicted - actual
        return torch.clamp(e, -self.delta, self.delta) / predicted.numel()


class BCELoss(Loss):
    eps = 1e-7

    def loss(self, predicted: Tensor, actual: Tensor) -> Tensor:
        p = torch.clamp(predicted, self.eps, 1 - self.eps)
        return -torch.sum(actual * torch.log(p) + (1 - actual) * torch.log(1 - p)) / predicted.numel()

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        p = torch.clamp(predicted, self.eps, 1 - self.eps)
        return (p - actual) / (p * (1 - p)) / predicted.numel()


class SoftmaxCELoss(Loss):
    def loss(self, predicted: Tensor, actual: Tensor) -> Tensor:
        shifted = predicted - torch.max(predicted, dim=1, keepdim=True).values
        log_probs = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))
        return -torch.sum(log_probs[torch.arange(len(actual)), actual]) / len(actual)

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        shifted = predicted - torch.max(predicted, dim=1, keepdim=True).values
        probs = torch.exp(shifted) / torch.sum(torch.exp(shifted), dim=1, keepdim=True)
        one_hot = torch.zeros_like(probs)
        one_hot[torch.arange(len(actual)), actual] = 1
        return (probs - one_hot) / len(actual)
