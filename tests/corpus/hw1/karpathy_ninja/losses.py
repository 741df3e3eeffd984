"""Style: Karpathy's "Becoming a backprop ninja" cross-entropy: the forward in the notebook's
named steps (``logit_maxes``, ``norm_logits``, ``counts``, ``counts_sum``, ``counts_sum_inv``,
``probs``, ``logprobs``, ``loss = -logprobs[range(n), Yb].mean()``) and the backward walked
back one variable at a time (``dlogprobs = torch.zeros_like(logprobs);
dlogprobs[range(n), Yb] = -1.0/n`` ... ``dlogits += ...scatter_(1, logits.argmax(1,
keepdim=True), 1) * dlogit_maxes``). The regression losses use the same style.

Ported from karpathy/nn-zero-to-hero:lectures/makemore/makemore_part4_backprop.ipynb
(exercise 1). Changes for the contract: ``logprobs = probs.log()`` is -inf where a
probability underflows (logits 1e4 apart), so logprobs is ``norm_logits - counts_sum.log()``
and the backward goes through that expression instead of through ``1.0 / probs``; the
losses average over numel.
"""

import torch


class SoftmaxCELoss:
    def forward(self, logits, Yb):
        n = logits.shape[0]
        logit_maxes = logits.max(1, keepdim=True).values
        norm_logits = logits - logit_maxes  # subtract max for numerical stability
        counts = norm_logits.exp()
        counts_sum = counts.sum(1, keepdims=True)
        counts_sum_inv = counts_sum**-1
        probs = counts * counts_sum_inv
        logprobs = norm_logits - counts_sum.log()
        loss = -logprobs[range(n), Yb].mean()
        self.n, self.Yb, self.logits, self.probs, self.logprobs = n, Yb, logits, probs, logprobs
        return loss

    def backward(self):
        n, Yb, logits, probs, logprobs = self.n, self.Yb, self.logits, self.probs, self.logprobs
        dlogprobs = torch.zeros_like(logprobs)
        dlogprobs[range(n), Yb] = -1.0/n
        dnorm_logits = dlogprobs.clone()                                  # logprobs = norm_logits - ...
        dcounts_sum_log = -dlogprobs.sum(1, keepdim=True)                 # ... - counts_sum.log()
        dnorm_logits += probs * dcounts_sum_log                           # d log(sum exp) = softmax
        dlogits = dnorm_logits.clone()
        dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
        dlogits += torch.zeros_like(logits).scatter_(1, logits.argmax(1, keepdim=True), 1) * dlogit_maxes
        return dlogits


class MSELoss:
    def forward(self, y_pred, y_true):
        n = y_pred.numel()
        diff = y_pred - y_true
        diff2 = diff**2
        loss = diff2.sum() / n
        self.n, self.diff = n, diff
        return loss

    def backward(self):
        ddiff2 = torch.ones_like(self.diff) / self.n
        ddiff = 2 * self.diff * ddiff2
        dy_pred = ddiff.clone()
        return dy_pred


class MAELoss:
    def forward(self, y_pred, y_true):
        n = y_pred.numel()
        diff = y_pred - y_true
        adiff = diff.abs()
        loss = adiff.sum() / n
        self.n, self.diff = n, diff
        return loss

    def backward(self):
        dadiff = torch.ones_like(self.diff) / self.n
        ddiff = self.diff.sign() * dadiff
        return ddiff


class HuberLoss:
    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, y_pred, y_true):
        n = y_pred.numel()
        diff = y_pred - y_true
        adiff = diff.abs()
        small = (adiff <= self.delta).to(diff.dtype)
        quad = 0.5 * diff**2
        lin = self.delta * (adiff - 0.5 * self.delta)
        per = small * quad + (1.0 - small) * lin
        loss = per.sum() / n
        self.n, self.diff, self.small = n, diff, small
        return loss

    def backward(self):
        dper = torch.ones_like(self.diff) / self.n
        dquad = self.small * dper
        dlin = (1.0 - self.small) * dper
        dadiff = self.delta * dlin
        ddiff = self.diff * dquad + self.diff.sign() * dadiff
        return ddiff


class BCELoss:
    def forward(self, y_pred, y_true):
        n = y_pred.numel()
        p = y_pred.clamp(1e-7, 1 - 1e-7)
        logp = p.log()
        log1mp = (1 - p).log()
        per = -(y_true * logp + (1 - y_true) * log1mp)
        loss = per.sum() / n
        self.n, self.p, self.y = n, p, y_true
        return loss

    def backward(self):
        dper = torch.ones_like(self.p) / self.n
        dlogp = -self.y * dper
        dlog1mp = -(1 - self.y) * dper
        dp = (1.0 / self.p) * dlogp - (1.0 / (1 - self.p)) * dlog1mp
        return dp
