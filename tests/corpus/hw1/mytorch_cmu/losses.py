"""Style: CMU 11-785 "mytorch" losses: ``forward(self, A, Y)`` keeping ``self.A``, ``self.Y``,
``self.N``, ``self.C``; sums written as products with columns of ones (``Ones_C``, ``Ones_N``);
the softmax kept in an attribute named ``self.softmax``; ``L = sum_crossentropy / N``.

Ported from skandvj/HW1P1:mytorch/nn/loss.py (MSELoss, CrossEntropyLoss).
Changes for the contract: the cross-entropy takes int64 labels, so the one-hot Y is built
with torch.zeros + scatter_; the log of the softmax is the log-softmax (row max
subtracted) instead of log(softmax + 1e-12); MSE divides by numel (shapes of any rank);
the ones get the input's dtype. MAE, Huber and BCE follow the MSE pattern.
"""

import torch


class MSELoss:

    def forward(self, A, Y):
        """
        Calculate the Mean Squared error
        :param A: Output of the model of shape (N, C)
        :param Y: Ground-truth values of shape (N, C)
        :Return: MSE Loss(scalar)

        """

        self.A = A
        self.Y = Y
        self.N, self.C = A.shape[0], A.numel() // max(A.shape[0], 1)
        se = (A - Y) ** 2
        sse = torch.sum(se)
        mse = sse / (self.N * self.C)

        return mse

    def backward(self):

        dLdA = (2 / (self.N * self.C)) * (self.A - self.Y)

        return dLdA


class MAELoss:

    def forward(self, A, Y):
        self.A = A
        self.Y = Y
        self.N, self.C = A.shape[0], A.numel() // max(A.shape[0], 1)
        ae = torch.abs(A - Y)
        sae = torch.sum(ae)
        mae = sae / (self.N * self.C)

        return mae

    def backward(self):

        dLdA = torch.sign(self.A - self.Y) / (self.N * self.C)

        return dLdA


class HuberLoss:

    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, A, Y):
        self.A = A
        self.Y = Y
        self.N, self.C = A.shape[0], A.numel() // max(A.shape[0], 1)
        E = A - Y
        he = torch.where(torch.abs(E) <= self.delta, 0.5 * E * E, self.delta * (torch.abs(E) - 0.5 * self.delta))
        she = torch.sum(he)

        return she / (self.N * self.C)

    def backward(self):

        E = self.A - self.Y
        dLdA = torch.where(torch.abs(E) <= self.delta, E, self.delta * torch.sign(E)) / (self.N * self.C)

        return dLdA


class BCELoss:

    def forward(self, A, Y):
        self.A = torch.clamp(A, 1e-7, 1 - 1e-7)
        self.Y = Y
        self.N, self.C = A.shape[0], A.numel() // max(A.shape[0], 1)
        bce = -(Y * torch.log(self.A) + (1 - Y) * torch.log(1 - self.A))

        return torch.sum(bce) / (self.N * self.C)

    def backward(self):

        dLdA = (self.A - self.Y) / (self.A * (1 - self.A)) / (self.N * self.C)

        return dLdA


class SoftmaxCELoss:

    def forward(self, A, Y):
        """
        Calculate the Cross Entropy Loss
        :param A: Output of the model of shape (N, C)
        :param Y: Ground-truth class indices of shape (N,)
        :Return: CrossEntropyLoss(scalar)

        Refer the the writeup to determine the shapes of all the variables.
        Use dtype ='f' whenever initializing with np.zeros()
        """
        self.A = A
        N, C = A.shape
        self.Y = torch.zeros((N, C), dtype=A.dtype, device=A.device).scatter_(1, Y.reshape(-1, 1), 1.0)

        Ones_C = torch.ones((1, C), dtype=A.dtype, device=A.device)
        Ones_N = torch.ones((N, 1), dtype=A.dtype, device=A.device)

        shifted = A - torch.max(A, dim=1, keepdim=True).values
        expA = torch.exp(shifted)
        sum_expA = expA @ Ones_C.T
        self.softmax = expA / (sum_expA @ Ones_C)
        log_softmax = shifted - torch.log(sum_expA) @ Ones_C
        crossentropy = -(self.Y * log_softmax) @ Ones_C.T
        sum_crossentropy = Ones_N.T @ crossentropy
        L = sum_crossentropy / N

        return L[0, 0]

    def backward(self):
        N, C = self.A.shape
        dLdA = (self.softmax - self.Y) / N

        return dLdA
