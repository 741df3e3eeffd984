"""Style: numpitron's ``softmax_cross_entropy(inputs, labels)``: one function returning
``(loss, gradient)``; the max subtracted without keepdims then re-expanded with
``expand_dims(logits_max, -1)``; ``predicted_logits`` gathered at the labels; the log-sum-exp
``-predicted_logits + log(sum_exp_logits)``; a local variable named ``softmax`` that becomes
the gradient in place (``softmax[arange(n), labels] -= 1``).

Ported from lweitkamp/numpitron:src/numpitron/nn/loss.py (softmax_cross_entropy, without the
tensor-parallel label masking and all-reduces). Changes for the contract: inputs are
(batch, classes), the loss is averaged over the batch (numpitron returns it per token) and
so is the gradient; the regression losses are written as the same (loss, gradient)
functions and average over numel.
"""

import torch


def softmax_cross_entropy(inputs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    batch_size, vocab_size = inputs.shape
    logits = inputs

    # Subtract max for stability - dont use keepdims for (B, S) comm.
    logits_max = logits.max(dim=-1).values
    logits = logits - torch.unsqueeze(logits_max, -1)

    predicted_logits = logits[torch.arange(batch_size), labels]

    # Calculate log-sum-exp.
    exp_logits = torch.exp(logits)
    sum_exp_logits = torch.sum(exp_logits, dim=-1)

    loss = -predicted_logits + torch.log(sum_exp_logits)

    softmax = exp_logits / torch.unsqueeze(sum_exp_logits, -1)
    softmax[torch.arange(batch_size), labels] -= 1

    return loss.mean(), softmax / batch_size


def mean_squared_error(inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    diff = inputs - targets
    return (diff ** 2).mean(), 2 * diff / diff.numel()


def mean_absolute_error(inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    diff = inputs - targets
    return diff.abs().mean(), diff.sign() / diff.numel()


def huber(inputs: torch.Tensor, targets: torch.Tensor, delta: float) -> tuple[torch.Tensor, torch.Tensor]:
    diff = inputs - targets
    abs_diff = diff.abs()
    loss = torch.where(abs_diff <= delta, 0.5 * diff ** 2, delta * (abs_diff - 0.5 * delta))
    return loss.mean(), diff.clamp(-delta, delta) / diff.numel()


def binary_cross_entropy(inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    probs = inputs.clamp(1e-7, 1 - 1e-7)
    loss = -(targets * probs.log() + (1 - targets) * (1 - probs).log())
    return loss.mean(), (probs - targets) / (probs * (1 - probs)) / probs.numel()


class _Loss:
    fn = None

    def __init__(self):
        self.ctx: dict = {}

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss, self.ctx["d_inputs"] = type(self).fn(inputs, targets)
        return loss

    def backward(self) -> torch.Tensor:
        return self.ctx.pop("d_inputs")


class SoftmaxCELoss(_Loss):
    fn = staticmethod(softmax_cross_entropy)


class MSELoss(_Loss):
    fn = staticmethod(mean_squared_error)


class MAELoss(_Loss):
    fn = staticmethod(mean_absolute_error)


class BCELoss(_Loss):
    fn = staticmethod(binary_cross_entropy)


class HuberLoss(_Loss):
    def __init__(self, delta: float = 1.0):
        super().__init__()
        self.delta = delta

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss, self.ctx["d_inputs"] = huber(inputs, targets, self.delta)
        return loss
