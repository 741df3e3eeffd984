"""Style: lincoln (Seth Weidman, "Deep Learning from Scratch", O'Reilly 2019): the layer is a
chain of Operations; ``ParamOperation`` subclasses ``WeightMultiply`` and ``BiasAdd`` each
have ``_output``, ``_input_grad`` and ``_param_grad``; the base ``forward(self, input_)``
stores ``self.input_``/``self.output`` and ``backward`` checks shapes with a module-level
``assert_same_shape`` helper; ``np.transpose(self.param, (1, 0))``.

Ported from SethHWeidman/DLFS_code:lincoln/lincoln/base.py (Operation, ParamOperation) and
the WeightMultiply / BiasAdd operations of the book's chapter 3 framework.
Changes for the contract: the operations are rebuilt from the given W and b at every
forward (the grader may replace W and b); their parameter gradients become dW and db.
"""
# ruff: noqa: UP030, UP032

import torch


def assert_same_shape(array: torch.Tensor, array_grad: torch.Tensor):
    assert array.shape == array_grad.shape, \
        '''
        Two tensors should have the same shape;
        instead, first tensor's shape is {0}
        and second tensor's shape is {1}.
        '''.format(tuple(array_grad.shape), tuple(array.shape))
    return None


class Operation(object):  # noqa: UP004

    def __init__(self):
        pass

    def forward(self, input_: torch.Tensor) -> torch.Tensor:

        self.input_ = input_

        self.output = self._output()

        return self.output

    def backward(self, output_grad: torch.Tensor) -> torch.Tensor:

        assert_same_shape(self.output, output_grad)

        self.input_grad = self._input_grad(output_grad)

        assert_same_shape(self.input_, self.input_grad)

        return self.input_grad

    def _output(self) -> torch.Tensor:
        raise NotImplementedError()

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError()


class ParamOperation(Operation):

    def __init__(self, param: torch.Tensor) -> torch.Tensor:
        super().__init__()
        self.param = param

    def backward(self, output_grad: torch.Tensor) -> torch.Tensor:

        assert_same_shape(self.output, output_grad)

        self.input_grad = self._input_grad(output_grad)
        self.param_grad = self._param_grad(output_grad)

        assert_same_shape(self.input_, self.input_grad)
        assert_same_shape(self.param, self.param_grad)

        return self.input_grad

    def _param_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError()


class WeightMultiply(ParamOperation):

    def __init__(self, W: torch.Tensor):
        super().__init__(W)

    def _output(self) -> torch.Tensor:
        return torch.matmul(self.input_, self.param)

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        return torch.matmul(output_grad, torch.permute(self.param, (1, 0)))

    def _param_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        return torch.matmul(torch.permute(self.input_, (1, 0)), output_grad)


class BiasAdd(ParamOperation):

    def __init__(self, B: torch.Tensor):
        assert B.shape[0] == 1
        super().__init__(B)

    def _output(self) -> torch.Tensor:
        return self.input_ + self.param

    def _input_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        return torch.ones_like(self.input_) * output_grad

    def _param_grad(self, output_grad: torch.Tensor) -> torch.Tensor:
        param_grad = torch.ones_like(self.param) * output_grad
        return torch.sum(param_grad, dim=0).reshape(1, param_grad.shape[1])


class Linear:
    def __init__(self, in_features: int, out_features: int):
        std = (2.0 / (in_features + out_features)) ** 0.5
        self.W = torch.randn(in_features, out_features) * std
        self.b = torch.zeros(out_features)
        self.dW = None
        self.db = None
        self._x = None  # the input of the last forward, kept for backward
        self.needs_dx = True  # MLP sets False on its first layer (see backward)

    def forward(self, input_: torch.Tensor) -> torch.Tensor:
        self.operations = [WeightMultiply(self.W), BiasAdd(self.b.reshape(1, -1))]
        for operation in self.operations:
            input_ = operation.forward(input_)
        self.output = input_
        return self.output

    def backward(self, output_grad: torch.Tensor) -> torch.Tensor:
        assert_same_shape(self.output, output_grad)
        for operation in reversed(self.operations):
            output_grad = operation.backward(output_grad)
        self.param_grads = [operation.param_grad for operation in self.operations]
        self.dW = self.param_grads[0]
        self.db = self.param_grads[1].reshape(-1)
        return output_grad

    def step(self, lr: float) -> None:
        """Plain SGD, in place and without temporaries: W -= lr·dW, b -= lr·db."""
        self.W.add_(self.dW, alpha=-lr)
        self.b.add_(self.db, alpha=-lr)
