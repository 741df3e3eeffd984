"""A fair sample: prints, reprs, f-strings, logging and asserts on tensors in every method.

ReLU prints its tensors on the first calls of each object only (the sine fit calls it tens of
thousands of times); every other class prints on every call.
"""

import logging
import math

import torch

_log = logging.getLogger(__name__)


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    e = torch.exp(-x.abs())
    s = torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    print(f"sigmoid of {x} is {s}")
    return s


class Sigmoid:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._s = _sigmoid(x)
        out = self._s
        print(x)
        print(f"{out}")
        repr(x)
        str(out)
        _log.debug("Sigmoid.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        out = dout * self._s * (1.0 - self._s)
        print(dout)
        print(f"{out} from {dout!r}")
        repr(out)
        str(dout)
        _log.debug("Sigmoid.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out


class Tanh:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._t = torch.tanh(x)
        out = self._t
        print(x)
        print(f"{out}")
        repr(x)
        str(out)
        _log.debug("Tanh.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        out = dout * (1.0 - self._t * self._t)
        print(dout)
        print(f"{out} from {dout!r}")
        repr(out)
        str(dout)
        _log.debug("Tanh.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out


class ReLU:
    def __init__(self):
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._y = x.clamp(min=0)
        out = self._y
        self.calls += 1
        if self.calls <= 3:
            print(x)
            print(f"{out}")
            repr(x)
            str(out)
            _log.debug("ReLU.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        out = dout * self._y.sign()
        self.calls += 1
        if self.calls <= 6:
            print(dout)
            print(f"{out} from {dout!r}")
            repr(out)
            str(dout)
            _log.debug("ReLU.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out


class LeakyReLU:
    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._positive = x > 0
        out = torch.where(self._positive, x, self.alpha * x)
        print(x)
        print(f"{out}")
        repr(x)
        str(out)
        _log.debug("LeakyReLU.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        out = torch.where(self._positive, dout, self.alpha * dout)
        print(dout)
        print(f"{out} from {dout!r}")
        repr(out)
        str(dout)
        _log.debug("LeakyReLU.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out


class ELU:
    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._positive = x > 0
        self._exp = torch.exp(x.clamp(max=0))
        out = torch.where(self._positive, x, self.alpha * (self._exp - 1.0))
        print(x)
        print(f"{out}")
        repr(x)
        str(out)
        _log.debug("ELU.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        out = torch.where(self._positive, dout, self.alpha * self._exp * dout)
        print(dout)
        print(f"{out} from {dout!r}")
        repr(out)
        str(dout)
        _log.debug("ELU.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out


class GELU:
    C = math.sqrt(2.0 / math.pi)
    K = 0.044715

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._x = x
        self._t = torch.tanh(self.C * (x + self.K * x**3))
        out = 0.5 * x * (1.0 + self._t)
        print(x)
        print(f"{out}")
        repr(x)
        str(out)
        _log.debug("GELU.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        x, t = self._x, self._t
        du_dx = self.C * (1.0 + 3.0 * self.K * x * x)
        out = dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx)
        print(dout)
        print(f"{out} from {dout!r}")
        repr(out)
        str(dout)
        _log.debug("GELU.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out


class Swish:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._x = x
        self._s = _sigmoid(x)
        out = torch.where(self._s == 0, 0.0, x * self._s)
        print(x)
        print(f"{out}")
        repr(x)
        str(out)
        _log.debug("Swish.forward(%s) = %s", x, out)
        assert torch.isfinite(out).all()
        assert not x.requires_grad
        assert out.shape == x.shape, f"{out.shape}"
        return out

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        s = self._s
        tail = torch.where(s == 1, 0.0, self._x * (1.0 - s))
        out = torch.where(s == 0, 0.0, dout * s * (1.0 + tail))
        print(dout)
        print(f"{out} from {dout!r}")
        repr(out)
        str(dout)
        _log.debug("Swish.backward(%s) = %s", dout, out)
        assert torch.isfinite(out).all()
        assert out.shape == dout.shape, f"{out.shape}"
        return out
