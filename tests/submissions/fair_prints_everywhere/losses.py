"""A fair sample: prints, reprs, f-strings, logging and asserts on tensors in every method."""

import logging

import torch

_log = logging.getLogger(__name__)


class MSELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._diff = y_pred - y_true
        out = (self._diff * self._diff).mean()
        print(y_pred)
        print(f"{y_true} -> {out}")
        repr(y_pred)
        str(out)
        _log.info("MSELoss.forward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == (), f"{out.shape}"
        return out

    def backward(self) -> torch.Tensor:
        out = self._diff * (2.0 / self._diff.numel())
        print(out)
        print(f"{out!r}")
        repr(out)
        str(out)
        _log.debug("MSELoss.backward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == self._diff.shape, f"{out.shape}"
        return out


class MAELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._diff = y_pred - y_true
        out = self._diff.abs().mean()
        print(y_pred)
        print(f"{y_true} -> {out}")
        repr(y_pred)
        str(out)
        _log.info("MAELoss.forward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == (), f"{out.shape}"
        return out

    def backward(self) -> torch.Tensor:
        out = torch.sign(self._diff) / self._diff.numel()
        print(out)
        print(f"{out!r}")
        repr(out)
        str(out)
        _log.debug("MAELoss.backward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == self._diff.shape, f"{out.shape}"
        return out


class HuberLoss:
    def __init__(self, delta: float = 1.0):
        self.delta = delta

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._diff = y_pred - y_true
        a = self._diff.abs()
        quadratic = 0.5 * self._diff * self._diff
        linear = self.delta * (a - 0.5 * self.delta)
        out = torch.where(a <= self.delta, quadratic, linear).mean()
        print(y_pred)
        print(f"{y_true} -> {out}")
        repr(y_pred)
        str(out)
        _log.info("HuberLoss.forward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == (), f"{out.shape}"
        return out

    def backward(self) -> torch.Tensor:
        out = self._diff.clamp(-self.delta, self.delta) / self._diff.numel()
        print(out)
        print(f"{out!r}")
        repr(out)
        str(out)
        _log.debug("HuberLoss.backward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == self._diff.shape, f"{out.shape}"
        return out


class BCELoss:
    EPS = 1e-7

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        self._p = y_pred.clamp(self.EPS, 1.0 - self.EPS)
        self._y = y_true
        p, y = self._p, y_true
        out = -(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)).mean()
        print(y_pred)
        print(f"{y_true} -> {out}")
        repr(y_pred)
        str(out)
        _log.info("BCELoss.forward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == (), f"{out.shape}"
        return out

    def backward(self) -> torch.Tensor:
        p, y = self._p, self._y
        out = (p - y) / (p * (1.0 - p)) / p.numel()
        print(out)
        print(f"{out!r}")
        repr(out)
        str(out)
        _log.debug("BCELoss.backward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == self._p.shape, f"{out.shape}"
        return out


class SoftmaxCELoss:
    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        z = y_pred - y_pred.max(dim=1, keepdim=True).values
        log_p = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))
        self._p = torch.exp(log_p)
        self._labels = y_true
        rows = torch.arange(y_pred.shape[0], device=y_pred.device)
        out = -log_p[rows, y_true].mean()
        print(y_pred)
        print(f"{y_true} -> {out}")
        repr(y_pred)
        str(out)
        _log.info("SoftmaxCELoss.forward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == (), f"{out.shape}"
        return out

    def backward(self) -> torch.Tensor:
        B = self._p.shape[0]
        grad = self._p.clone()
        grad[torch.arange(B, device=grad.device), self._labels] -= 1.0
        out = grad / B
        print(out)
        print(f"{out!r}")
        repr(out)
        str(out)
        _log.debug("SoftmaxCELoss.backward: %s", out)
        assert torch.isfinite(out).all()
        assert out.shape == self._p.shape, f"{out.shape}"
        return out
