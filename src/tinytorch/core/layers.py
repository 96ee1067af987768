"""Fully connected layers with explicit forward and backward passes.

Weights are stored as (in_features, out_features) so that a forward pass is
``x @ W + b``: output neuron j owns weight column ``W[:, j]`` and ``b[j]``.
Structured pruning and neuron removal rely on that orientation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.core.tensor import Tensor

__all__ = ["Linear", "LowRankLinear"]


def _input_array(x: Any, in_features: int, layer: str) -> np.ndarray:
    """Validate a forward input early, with a message that names the layer."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x, dtype=np.float32)
    if data.ndim == 0 or data.shape[-1] != in_features:
        raise ValueError(
            f"{layer} expects inputs whose last dimension is {in_features}, "
            f"got shape {data.shape}"
        )
    return data


def _matmul_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``y = x @ w`` w.r.t. ``w`` and ``x``; leading batch dims are summed."""
    x2 = x.reshape(-1, x.shape[-1])
    g2 = grad_out.reshape(-1, grad_out.shape[-1])
    grad_w = (x2.T @ g2).astype(np.float32)
    grad_x = (grad_out @ w.T).astype(np.float32)
    return grad_w, grad_x


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


class _DenseBase:
    """Shared plumbing: callable layers, cached inputs, checked gradients."""

    bias: Tensor | None

    def __call__(self, x: Any) -> Tensor:
        return self.forward(x)

    def forward(self, x: Any) -> Tensor:  # pragma: no cover - overridden
        raise NotImplementedError

    def _grad_array(self, grad_out: Any) -> np.ndarray:
        if getattr(self, "_last_input", None) is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        grad = np.asarray(grad_out.data if isinstance(grad_out, Tensor) else grad_out, dtype=np.float32)
        expected = self._last_input.shape[:-1] + (self.out_features,)
        if grad.shape != expected:
            raise ValueError(
                f"{type(self).__name__}.backward expects a gradient of shape {expected}, got {grad.shape}"
            )
        return grad

    def _fill_bias_grad(self, grad: np.ndarray) -> None:
        if self.bias is not None:
            self.bias.grad = grad.reshape(-1, self.out_features).sum(axis=0).astype(np.float32)


class Linear(_DenseBase):
    """``y = x @ W + b`` with W of shape (in_features, out_features).

    Weights start Xavier-uniform (limit ``sqrt(6 / (in + out))``) from numpy's
    global random state, so ``np.random.seed`` makes a model reproducible;
    the bias starts at zero. ``backward`` overwrites ``.grad`` rather than
    accumulating, so a training loop needs no ``zero_grad``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        n_in, n_out = int(in_features), int(out_features)
        if n_in < 1 or n_out < 1:
            raise ValueError(f"Linear needs positive sizes, got in_features={in_features}, out_features={out_features}")
        limit = np.sqrt(6.0 / (n_in + n_out))
        self.weight = Tensor(np.random.uniform(-limit, limit, size=(n_in, n_out)), requires_grad=True)
        self.bias = Tensor(np.zeros(n_out), requires_grad=True) if bias else None
        self._last_input: np.ndarray | None = None

    # Sizes are read from the weight so that replacing ``weight.data`` keeps them true.
    @property
    def in_features(self) -> int:
        return self.weight.shape[0]

    @property
    def out_features(self) -> int:
        return self.weight.shape[1]

    def forward(self, x: Any) -> Tensor:
        data = _input_array(x, self.in_features, repr(self))
        self._last_input = data
        out = data @ self.weight.data
        if self.bias is not None:
            out = out + self.bias.data
        return Tensor(out)

    def backward(self, grad_out: Any) -> np.ndarray:
        """Fill ``weight.grad`` and ``bias.grad``; return the gradient w.r.t. the input."""
        grad = self._grad_array(grad_out)
        self.weight.grad, grad_in = _matmul_backward(self._last_input, self.weight.data, grad)
        self._fill_bias_grad(grad)
        return grad_in

    def parameters(self) -> list[Tensor]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self) -> str:
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None})"


class LowRankLinear(_DenseBase):
    """``y = x @ first @ second + bias``: a dense layer stored as two thin factors.

    With ``first`` (in, k) and ``second`` (k, out) it holds ``k * (in + out)``
    weights instead of ``in * out``, which is the point of low-rank compression.
    """

    def __init__(self, first: Any, second: Any, bias: Any = None) -> None:
        self.first = _as_tensor(first)
        self.second = _as_tensor(second)
        self.first.requires_grad = self.second.requires_grad = True
        if self.first.ndim != 2 or self.second.ndim != 2 or self.first.shape[1] != self.second.shape[0]:
            raise ValueError(
                "LowRankLinear needs first (in, k) and second (k, out), "
                f"got {self.first.shape} and {self.second.shape}"
            )
        self.bias = None if bias is None else _as_tensor(bias)
        if self.bias is not None and self.bias.shape != (self.out_features,):
            raise ValueError(f"LowRankLinear bias must have shape ({self.out_features},), got {self.bias.shape}")
        self._last_input: np.ndarray | None = None
        self._hidden: np.ndarray | None = None

    @property
    def in_features(self) -> int:
        return self.first.shape[0]

    @property
    def rank(self) -> int:
        return self.first.shape[1]

    @property
    def out_features(self) -> int:
        return self.second.shape[1]

    def forward(self, x: Any) -> Tensor:
        data = _input_array(x, self.in_features, repr(self))
        self._last_input = data
        self._hidden = data @ self.first.data
        out = self._hidden @ self.second.data
        if self.bias is not None:
            out = out + self.bias.data
        return Tensor(out)

    def backward(self, grad_out: Any) -> np.ndarray:
        """Fill the factors' and bias' ``.grad``; return the gradient w.r.t. the input."""
        grad = self._grad_array(grad_out)
        self.second.grad, grad_hidden = _matmul_backward(self._hidden, self.second.data, grad)
        self.first.grad, grad_in = _matmul_backward(self._last_input, self.first.data, grad_hidden)
        self._fill_bias_grad(grad)
        return grad_in

    def parameters(self) -> list[Tensor]:
        params = [self.first, self.second]
        return params if self.bias is None else params + [self.bias]

    def __repr__(self) -> str:
        return f"LowRankLinear(in_features={self.in_features}, rank={self.rank}, out_features={self.out_features})"
