"""Style: EPFL EE-559 mini-project 2 (another team): ``forward(self,inputs)`` /
``backward(self,grdwrtoutput)``, a ``self.back`` flag set by backward and checked by the
optimisation step, a string returned when backward comes before forward, ``@property params``
concatenating parameters, ``output += self.bias`` on the fresh product, ``(grdwrtoutput.T)@self.inputs``.

Ported from arnaudguibbert/Deep-learning-miniproject:Proj2/Linear.py.
Changes for the contract: W is (in, out) and b is (out,), so the products are transposed;
the gradients are computed afresh (the source accumulates ``+=`` into buffers that its
zero_grad, by a bug, never zeroes) and the bias gradient is summed over the batch (the
source adds the whole (B, out) gradient to a (out, 1) buffer).
"""

import torch


class Linear():  # noqa: UP039

    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)
        self.inputs = None
        self.back = False

    def forward(self,inputs):  # noqa: E231
        self.inputs = inputs
        output = inputs@(self.W)
        if self.b is not None:
            output += self.b
        return output

    def backward(self,grdwrtoutput):  # noqa: E231
        if self.inputs is None:
            return "Forward step has not been performed"
        grdwrtinput = grdwrtoutput@(self.W.T)
        self.dW = (self.inputs.T)@grdwrtoutput
        if self.b is not None:
            self.db = grdwrtoutput.sum(dim=0)
        self.back = True
        return grdwrtinput

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)

    def optimization_step(self,lr):  # noqa: E231
        if not self.back:
            return "Backward step has not been performed"
        self.step(lr)
        self.back = False

    @property
    def params(self):
        if self.b is None:
            param = self.W
            grdparam = self.dW
        else:
            param = torch.cat((self.W,self.b.reshape(1, -1)),dim=0)  # noqa: E231
            grdparam = torch.cat((self.dW,self.db.reshape(1, -1)),dim=0)  # noqa: E231
        return param, grdparam
