"""Style: The Independent Code's losses: module-level function pairs ``mse(y_true, y_pred)`` /
``mse_prime(y_true, y_pred)`` (note the (y_true, y_pred) order), ``np.mean(np.power(y_true -
y_pred, 2))`` and ``2 * (y_pred - y_true) / np.size(y_true)``; ``binary_cross_entropy`` /
``binary_cross_entropy_prime`` as in the follow-up video.

Ported from TheIndependentCode/Neural-Network:losses.py (mse, mse_prime; the
binary_cross_entropy pair of its later version). Changes for the contract: the classes the
contract needs only store the pair and call the functions; BCE clips to [1e-7, 1 - 1e-7];
the absolute error, Huber and softmax cross-entropy pairs are new, in the same style
(log-sum-exp for the cross-entropy).
"""

import torch


def mse(y_true, y_pred):
    return torch.mean(torch.pow(y_true - y_pred, 2))


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / torch.numel(y_true)


def mae(y_true, y_pred):
    return torch.mean(torch.abs(y_true - y_pred))


def mae_prime(y_true, y_pred):
    return torch.sign(y_pred - y_true) / torch.numel(y_true)


def huber(y_true, y_pred, delta):
    error = y_pred - y_true
    return torch.mean(torch.where(torch.abs(error) <= delta, 0.5 * error ** 2, delta * (torch.abs(error) - delta / 2)))


def huber_prime(y_true, y_pred, delta):
    return torch.clamp(y_pred - y_true, -delta, delta) / torch.numel(y_true)


def binary_cross_entropy(y_true, y_pred):
    y_pred = torch.clamp(y_pred, 1e-7, 1 - 1e-7)
    return torch.mean(-y_true * torch.log(y_pred) - (1 - y_true) * torch.log(1 - y_pred))


def binary_cross_entropy_prime(y_true, y_pred):
    y_pred = torch.clamp(y_pred, 1e-7, 1 - 1e-7)
    return ((1 - y_true) / (1 - y_pred) - y_true / y_pred) / torch.numel(y_true)


def softmax_cross_entropy(y_true, y_pred):
    shifted = y_pred - torch.max(y_pred, dim=1, keepdim=True).values
    log_probs = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))
    return -torch.mean(log_probs[torch.arange(len(y_true)), y_true])


def softmax_cross_entropy_prime(y_true, y_pred):
    shifted = y_pred - torch.max(y_pred, dim=1, keepdim=True).values
    tmp = torch.exp(shifted)
    output = tmp / torch.sum(tmp, dim=1, keepdim=True)
    output[torch.arange(len(y_true)), y_true] -= 1
    return output / len(y_true)


class MSELoss:
    def forward(self, y_pred, y_true):
        self.y_true, self.y_pred = y_true, y_pred
        return mse(y_true, y_pred)

    def backward(self):
        return mse_prime(self.y_true, self.y_pred)


class MAELoss:
    def forward(self, y_pred, y_true):
        self.y_true, self.y_pred = y_true, y_pred
        return mae(y_true, y_pred)

    def backward(self):
        return mae_prime(self.y_true, self.y_pred)


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, y_pred, y_true):
        self.y_true, self.y_pred = y_true, y_pred
        return huber(y_true, y_pred, self.delta)

    def backward(self):
        return huber_prime(self.y_true, self.y_pred, self.delta)


class BCELoss:
    def forward(self, y_pred, y_true):
        self.y_true, self.y_pred = y_true, y_pred
        return binary_cross_entropy(y_true, y_pred)

    def backward(self):
        return binary_cross_entropy_prime(self.y_true, self.y_pred)


class SoftmaxCELoss:
    def forward(self, y_pred, y_true):
        self.y_true, self.y_pred = y_true, y_pred
        return softmax_cross_entropy(y_true, y_pred)

    def backward(self):
        return softmax_cross_entropy_prime(self.y_true, self.y_pred)
