"""Style: lincoln losses: a ``Loss`` base whose ``forward(prediction, target)`` asserts the
shapes, stores both and calls ``self._output()``, and whose ``backward()`` calls
``self._input_grad()`` and asserts the gradient's shape; subclasses only write the two
underscore methods, keeping intermediate values (``self.softmax_preds``) on self.

Ported from SethHWeidman/DLFS_code:lincoln/lincoln/losses.py (Loss, MeanSquaredError,
SoftmaxCrossEntropy). Changes for the contract: MeanSquaredError divides by numel (the
source divides by the batch size) and drops the ``normalize`` option; SoftmaxCrossEntropy
takes int64 labels (turned into a one-hot target before the base forward) and computes the
standard cross-entropy from the log-softmax (the source clips the softmax to [eps, 1-eps]
and adds (1 - target)·log(1 - p) terms, a different quantity and wrong for large logits).
"""

import torch


def assert_same_shape(array: torch.Tensor, array_grad: torch.Tensor):
    assert array.shape == array_grad.shape, \
        f"Two tensors should have the same shape; got {tuple(array.shape)} and {tuple(array_grad.shape)}"
    return None


class Loss(object):  # noqa: UP004

    def __init__(self):
        pass

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:

        # batch size x num_classes
        assert_same_shape(prediction, target)

        self.prediction = prediction
        self.target = target

        self.output = self._output()

        return self.output

    def backward(self) -> torch.Tensor:

        self.input_grad = self._input_grad()

        assert_same_shape(self.prediction, self.input_grad)

        return self.input_grad

    def _output(self) -> torch.Tensor:
        raise NotImplementedError()

    def _input_grad(self) -> torch.Tensor:
        raise NotImplementedError()


class MSELoss(Loss):

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:

        loss = torch.sum(torch.pow(self.prediction - self.target, 2)) / self.prediction.numel()

        return loss

    def _input_grad(self) -> torch.Tensor:

        return 2.0 * (self.prediction - self.target) / self.prediction.numel()


class MAELoss(Loss):

    def __init__(self) -> None:
        super().__init__()

    def _output(self) -> torch.Tensor:

        return torch.sum(torch.abs(self.prediction - self.target)) / self.prediction.numel()

    def _input_grad(self) -> torch.Tensor:

        return torch.sign(self.prediction - self.target) / self.prediction.numel()


class HuberLoss(Loss):

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        self.delta = delta

    def _output(self) -> torch.Tensor:

        error = self.prediction - self.target
        quadratic = torch.clip(torch.abs(error), None, self.delta)
        linear = torch.abs(error) - quadratic
        return torch.sum(0.5 * quadratic ** 2 + self.delta * linear) / self.prediction.numel()

    def _input_grad(self) -> torch.Tensor:

        error = self.prediction - self.target
        return torch.clip(error, -self.delta, self.delta) / self.prediction.numel()


class BCELoss(Loss):
    def __init__(self, eps: float = 1e-7) -> None:
        super().__init__()
        self.eps = eps

    def _output(self) -> torch.Tensor:

        # clipping the predictions to prevent numeric instability
        self.clipped_preds = torch.clip(self.prediction, self.eps, 1 - self.eps)

        bce_loss = -1.0 * self.target * torch.log(self.clipped_preds) - (
            1.0 - self.target
        ) * torch.log(1 - self.clipped_preds)

        return torch.sum(bce_loss) / self.prediction.numel()

    def _input_grad(self) -> torch.Tensor:

        return (self.clipped_preds - self.target) / (
            self.clipped_preds * (1 - self.clipped_preds)
        ) / self.prediction.numel()


class SoftmaxCELoss(Loss):
    def __init__(self) -> None:
        super().__init__()

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        one_hot = torch.zeros_like(prediction)
        one_hot[torch.arange(prediction.shape[0]), target] = 1.0
        return super().forward(prediction, one_hot)

    def _output(self) -> torch.Tensor:

        # applying the log-softmax function to each row (observation)
        shifted = self.prediction - torch.max(self.prediction, dim=1, keepdim=True).values
        log_softmax_preds = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))
        self.softmax_preds = torch.exp(log_softmax_preds)

        # actual loss computation
        softmax_cross_entropy_loss = -1.0 * self.target * log_softmax_preds

        return torch.sum(softmax_cross_entropy_loss) / self.prediction.shape[0]

    def _input_grad(self) -> torch.Tensor:

        return (self.softmax_preds - self.target) / self.prediction.shape[0]
