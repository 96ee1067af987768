"""Activation functions with an explicit backward pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.core.tensor import Tensor

__all__ = ["ReLU"]


class ReLU:
    """``max(0, x)``, remembering where the input was positive for backward."""

    def __init__(self) -> None:
        self._positive: np.ndarray | None = None

    def forward(self, x: Any) -> Tensor:
        data = x.data if isinstance(x, Tensor) else np.asarray(x, dtype=np.float32)
        self._positive = data > 0
        return Tensor(np.where(self._positive, data, 0.0))

    def __call__(self, x: Any) -> Tensor:
        return self.forward(x)

    def backward(self, grad_out: Any) -> np.ndarray:
        """Gradient w.r.t. the input of the last ``forward`` (0 where x <= 0)."""
        if self._positive is None:
            raise RuntimeError("ReLU.backward called before forward")
        grad = np.asarray(grad_out.data if isinstance(grad_out, Tensor) else grad_out)
        if grad.shape != self._positive.shape:
            raise ValueError(
                f"ReLU.backward: gradient shape {grad.shape} does not match "
                f"the last input's shape {self._positive.shape}"
            )
        return np.where(self._positive, grad, 0.0).astype(np.float32)

    def parameters(self) -> list[Tensor]:
        return []

    def __repr__(self) -> str:
        return "ReLU()"
