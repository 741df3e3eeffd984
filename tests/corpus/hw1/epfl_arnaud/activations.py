"""Style: EPFL EE-559 mini-project 2 (another team): activations keep their inputs on a
stack (``self.inputs = []``, ``append`` in forward, ``pop`` in backward), ReLU via
``output = inputs.clone(); output[inputs <= 0] = 0`` and a derivative tensor built with
``empty(...).fill_(0)`` then ``grdphi[inputs > 0] = 1``, tanh written with exponentials as a
helper method, ``grdwrtoutput`` / ``grdwrtinput`` naming, ``@property params`` returning [].

Ported from arnaudguibbert/Deep-learning-miniproject:Proj2/ReLU.py and Proj2/Tanh.py.
Changes for the contract: the stack is popped from the end (the source's ReLU pops index 0,
the oldest input: with two forwards before a backward it would use the wrong one) and
cleared after each backward (so forwards without backward do not pile up); the derivative
buffer takes the input's dtype (``empty(shape)`` is float32); tanh from exponentials
overflows to inf/inf = NaN for large |x|, so the helper uses exp(-2|x|). The other
activations are written the same way.
"""

import math

import torch
from torch import empty


class Tanh():  # noqa: UP039

    def __init__(self):
        self.inputs = []

    def tanh(self,x):  # noqa: E231
        e = torch.exp(-2 * x.abs())
        return torch.sign(x) * (1 - e)/(1 + e)

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        output = self.tanh(inputs)
        return output

    def backward(self,grdwrtoutput):  # noqa: E231
        if len(self.inputs) == 0:
            return "Forward step has not been performed"
        inputs = self.inputs.pop()
        self.inputs.clear()
        grdwrtinput = (1 - self.tanh(inputs)**2)*grdwrtoutput
        return grdwrtinput

    @property
    def params(self):
        return []


class ReLU():  # noqa: UP039

    def __init__(self):
        self.inputs = []

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        output = inputs.clone()
        output[inputs <= 0] = 0
        return output

    def backward(self,grdwrtoutput):  # noqa: E231
        inputs = self.inputs.pop()
        self.inputs.clear()
        grdphi = empty(inputs.shape, dtype=inputs.dtype).fill_(0)
        grdphi[inputs > 0] = 1
        grdwrtinput = grdphi*grdwrtoutput
        return grdwrtinput

    @property
    def params(self):
        return []


class LeakyReLU():  # noqa: UP039

    def __init__(self, alpha=0.01):
        self.alpha = alpha
        self.inputs = []

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        output = inputs.clone()
        output[inputs <= 0] = self.alpha*inputs[inputs <= 0]
        return output

    def backward(self,grdwrtoutput):  # noqa: E231
        inputs = self.inputs.pop()
        self.inputs.clear()
        grdphi = empty(inputs.shape, dtype=inputs.dtype).fill_(self.alpha)
        grdphi[inputs > 0] = 1
        grdwrtinput = grdphi*grdwrtoutput
        return grdwrtinput

    @property
    def params(self):
        return []


class ELU():  # noqa: UP039

    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.inputs = []

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        output = inputs.clone()
        negative = inputs <= 0
        output[negative] = self.alpha*(torch.exp(inputs[negative]) - 1)
        return output

    def backward(self,grdwrtoutput):  # noqa: E231
        inputs = self.inputs.pop()
        self.inputs.clear()
        grdphi = empty(inputs.shape, dtype=inputs.dtype).fill_(1)
        negative = inputs <= 0
        grdphi[negative] = self.alpha*torch.exp(inputs[negative])
        grdwrtinput = grdphi*grdwrtoutput
        return grdwrtinput

    @property
    def params(self):
        return []


class Sigmoid():  # noqa: UP039

    def __init__(self):
        self.inputs = []

    def sigmoid(self,x):  # noqa: E231
        e = torch.exp(-x.abs())
        return torch.where(x >= 0, 1/(1 + e), e/(1 + e))

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        return self.sigmoid(inputs)

    def backward(self,grdwrtoutput):  # noqa: E231
        inputs = self.inputs.pop()
        self.inputs.clear()
        s = self.sigmoid(inputs)
        grdwrtinput = s*(1 - s)*grdwrtoutput
        return grdwrtinput

    @property
    def params(self):
        return []


class GELU():  # noqa: UP039

    def __init__(self):
        self.inputs = []

    def inner(self,x):  # noqa: E231
        return math.sqrt(2/math.pi)*(x + 0.044715*x**3)

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        return 0.5*inputs*(1 + torch.tanh(self.inner(inputs)))

    def backward(self,grdwrtoutput):  # noqa: E231
        inputs = self.inputs.pop()
        self.inputs.clear()
        t = torch.tanh(self.inner(inputs))
        grdphi = 0.5*(1 + t) + 0.5*inputs*(1 - t**2)*math.sqrt(2/math.pi)*(1 + 3*0.044715*inputs**2)
        return grdphi*grdwrtoutput

    @property
    def params(self):
        return []


class Swish():  # noqa: UP039

    def __init__(self):
        self.inputs = []

    def sigmoid(self,x):  # noqa: E231
        e = torch.exp(-x.abs())
        return torch.where(x >= 0, 1/(1 + e), e/(1 + e))

    def forward(self,inputs):  # noqa: E231
        self.inputs.append(inputs)
        return inputs*self.sigmoid(inputs)

    def backward(self,grdwrtoutput):  # noqa: E231
        inputs = self.inputs.pop()
        self.inputs.clear()
        s = self.sigmoid(inputs)
        grdphi = s*(1 + inputs*(1 - s))
        return grdphi*grdwrtoutput

    @property
    def params(self):
        return []
