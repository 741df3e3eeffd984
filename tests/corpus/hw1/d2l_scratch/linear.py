"""Style: Dive into Deep Learning (d2l.ai) "from scratch" chapters: a module-level model
function ``linreg(X, w, b)`` (``torch.matmul(X, w) + b``) and the ``add_to_class`` decorator
that attaches methods to a class after its definition (``@add_to_class(Linear)``), ``#@save``
markers.

Ported from d2l-ai/d2l-en:chapter_linear-regression/linear-regression-scratch.md (linreg),
chapter_linear-regression/oo-design.md (add_to_class) and
chapter_linear-classification/softmax-regression-scratch.md.
Changes for the contract: d2l gets the gradients from autograd; here the backward of
linreg is written out and attached with add_to_class like the forward.
"""

import torch


def add_to_class(Class):  #@save
    """Register functions as methods in created class."""
    def wrapper(obj):
        setattr(Class, obj.__name__, obj)
    return wrapper


def linreg(X, w, b):  #@save
    """The linear regression model."""
    return torch.matmul(X, w) + b


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)


@add_to_class(Linear)
def forward(self, X):
    self.X = X
    return linreg(X, self.W, self.b)


@add_to_class(Linear)
def backward(self, dY):
    self.dW = torch.matmul(self.X.T, dY)
    self.db = dY.sum(0)
    return torch.matmul(dY, self.W.T)
