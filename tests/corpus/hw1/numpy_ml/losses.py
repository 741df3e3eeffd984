"""Style: numpy-ml objectives: an ``ObjectiveBase`` with ``loss`` and ``grad``, subclasses
whose ``loss``/``grad`` are ``@staticmethod``s taking (y, y_pred), ``__call__`` -> loss,
``__str__``; the cross-entropy gradient with respect to the softmax input is
``y_pred - y`` on a one-hot y; ``eps`` clipping as in VAELoss (``np.clip(y_pred, eps, 1 - eps)``).

Ported from ddbourgin/numpy-ml:numpy_ml/neural_nets/losses/losses.py (ObjectiveBase,
SquaredError, CrossEntropy, the BCE part of VAELoss). Changes for the contract: no abc;
forward/backward keep (y, y_pred) and call the static methods; every loss is a mean over
numel (SquaredError was 0.5·‖·‖², CrossEntropy a sum); the cross-entropy takes logits and
int64 labels (one-hot built with zeros + scatter_) and its log is the log-softmax; eps is
1e-7; VAELoss's ``(N - N * y_pred)`` is written ``N * (1 - y_pred)``: in float32 the former
loses a quarter of its value at the clamp (N·(1 - 1e-7) rounds).
"""

import torch


class ObjectiveBase:
    def __init__(self):
        super().__init__()

    def loss(self, y_true, y_pred):
        raise NotImplementedError

    def grad(self, y_true, y_pred, **kwargs):
        raise NotImplementedError

    def forward(self, y_pred, y_true):
        self._y, self._y_pred = y_true, y_pred
        return self.loss(y_true, y_pred)

    def backward(self):
        return self.grad(self._y, self._y_pred)


class MSELoss(ObjectiveBase):
    """
    The squared-error / L2 loss, averaged. For target `y` and predictions `y_pred`::

            L(y, y_pred) = mean((y_pred - y)^2)
    """

    def __init__(self):
        super().__init__()

    def __call__(self, y, y_pred):
        return self.loss(y, y_pred)

    def __str__(self):
        return "SquaredError"

    @staticmethod
    def loss(y, y_pred):
        return torch.mean((y_pred - y) ** 2)

    @staticmethod
    def grad(y, y_pred):
        return 2 * (y_pred - y) / y_pred.numel()


class MAELoss(ObjectiveBase):
    def __init__(self):
        super().__init__()

    def __call__(self, y, y_pred):
        return self.loss(y, y_pred)

    def __str__(self):
        return "AbsoluteError"

    @staticmethod
    def loss(y, y_pred):
        return torch.mean(torch.abs(y_pred - y))

    @staticmethod
    def grad(y, y_pred):
        return torch.sign(y_pred - y) / y_pred.numel()


class HuberLoss(ObjectiveBase):
    def __init__(self, delta=1.0):
        self.delta = delta
        super().__init__()

    def __call__(self, y, y_pred):
        return self.loss(y, y_pred)

    def __str__(self):
        return "HuberLoss(delta={})".format(self.delta)  # noqa: UP032

    def loss(self, y, y_pred):
        r = y_pred - y
        quad = 0.5 * r ** 2
        lin = self.delta * (torch.abs(r) - 0.5 * self.delta)
        return torch.mean(torch.where(torch.abs(r) <= self.delta, quad, lin))

    def grad(self, y, y_pred):
        r = y_pred - y
        return torch.where(torch.abs(r) <= self.delta, r, self.delta * torch.sign(r)) / y_pred.numel()


class BCELoss(ObjectiveBase):
    def __init__(self):
        super().__init__()

    def __call__(self, y, y_pred):
        return self.loss(y, y_pred)

    def __str__(self):
        return "BinaryCrossEntropy"

    @staticmethod
    def loss(y, y_pred):
        # prevent nan on log(0)
        eps = 1e-7
        y_pred = torch.clip(y_pred, eps, 1 - eps)
        return -torch.mean(y * torch.log(y_pred) + (1 - y) * torch.log(1 - y_pred))

    @staticmethod
    def grad(y, y_pred):
        N = y_pred.numel()
        eps = 1e-7
        y_pred = torch.clip(y_pred, eps, 1 - eps)
        return -y / (N * y_pred) - (y - 1) / (N * (1 - y_pred))


class SoftmaxCELoss(ObjectiveBase):
    def __init__(self):
        super().__init__()

    def __call__(self, y, y_pred):
        return self.loss(y, y_pred)

    def __str__(self):
        return "CrossEntropy"

    @staticmethod
    def loss(y, y_pred):
        """
        Compute the cross-entropy (log) loss of the logits `y_pred` against the int64
        labels `y`, averaged over the examples.
        """
        z = y_pred - torch.max(y_pred, dim=1, keepdim=True).values
        log_softmax = z - torch.log(torch.sum(torch.exp(z), dim=1, keepdim=True))
        y_onehot = torch.zeros_like(y_pred).scatter_(1, y.reshape(-1, 1), 1)
        cross_entropy = -torch.sum(y_onehot * log_softmax)
        return cross_entropy / y_pred.shape[0]

    @staticmethod
    def grad(y, y_pred):
        """
        Notes
        -----
        The current method computes::

            df/dz = softmax(z) - y_true
                  = y_pred - y_true
        """
        z = y_pred - torch.max(y_pred, dim=1, keepdim=True).values
        probs = torch.exp(z) / torch.sum(torch.exp(z), dim=1, keepdim=True)
        y_onehot = torch.zeros_like(y_pred).scatter_(1, y.reshape(-1, 1), 1)

        # derivative of xe wrt z is y_pred - y_true
        grad = probs - y_onehot

        # scale the gradients by the number of examples in the batch
        n, m = y_pred.shape
        grad /= n
        return grad
