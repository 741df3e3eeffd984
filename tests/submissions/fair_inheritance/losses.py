"""A fair sample: the losses share a base class; each subclass's forward returns the loss and
stores its gradient, which the shared backward returns."""

import torch


class Loss:
    def __init__(self):
        self.grad = None

    def __call__(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        return self.forward(y_pred, y_true)

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def backward(self) -> torch.Tensor:
        return self.grad


class ElementwiseLoss(Loss):
    """mean over every element of a function of the difference e = y_pred - y_true."""

    def forward(self, y_pred, y_true):
        e = y_pred - y_true
        values, slopes = self.pointwise(e)
        self.grad = slopes / e.numel()
        return values.mean()

    def pointwise(self, e):
        raise NotImplementedError


class MSELoss(ElementwiseLoss):
    def pointwise(self, e):
        return e * e, 2.0 * e


class MAELoss(ElementwiseLoss):
    def pointwise(self, e):
        return e.abs(), torch.sign(e)


class HuberLoss(ElementwiseLoss):
    def __init__(self, delta: float = 1.0):
        super().__init__()
        self.delta = delta

    def pointwise(self, e):
        a = e.abs()
        values = torch.where(a <= self.delta, 0.5 * e * e, self.delta * (a - 0.5 * self.delta))
        return values, e.clamp(-self.delta, self.delta)


class BCELoss(Loss):
    EPS = 1e-7

    def forward(self, y_pred, y_true):
        p = y_pred.clamp(self.EPS, 1.0 - self.EPS)
        self.grad = (p - y_true) / (p * (1.0 - p)) / p.numel()
        return -(y_true * torch.log(p) + (1.0 - y_true) * torch.log(1.0 - p)).mean()


class SoftmaxCELoss(Loss):
    def forward(self, logits, labels):
        z = logits - logits.max(dim=1, keepdim=True).values
        log_p = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))
        rows = torch.arange(logits.shape[0], device=logits.device)
        grad = torch.exp(log_p)
        grad[rows, labels] -= 1.0
        self.grad = grad / logits.shape[0]
        return -log_p[rows, labels].mean()
