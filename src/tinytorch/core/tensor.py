"""A numpy-backed tensor whose shape can never disagree with its data.

Compression code rewrites ``tensor.data`` wholesale (pruning masks, quantised
copies, factorised replacements), so ``shape``/``size``/``ndim`` are read from
the array on every access instead of being cached at construction time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Tensor"]


def _as_float32(value: Any) -> np.ndarray:
    """Coerce anything array-like (or another Tensor) to a float32 ndarray.

    An array that is already float32 is kept as the same object, so that code
    holding a reference to ``tensor.data`` sees in-place edits.
    """
    if isinstance(value, Tensor):
        value = value.data
    return np.asarray(value, dtype=np.float32)


class Tensor:
    """An n-dimensional float32 array with an optional gradient slot.

    ``requires_grad`` is kept for API familiarity; gradients in tinytorch are
    computed by each layer's explicit ``backward`` and stored in ``.grad``.
    """

    __array_priority__ = 100  # make ``ndarray @ Tensor`` defer to Tensor

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        self.data = data
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None

    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = _as_float32(value)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def size(self) -> int:
        return int(self._data.size)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def numpy(self) -> np.ndarray:
        """The underlying array (not a copy)."""
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is None:
            return self._data
        return self._data.astype(dtype)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: Any) -> "Tensor":
        return Tensor(self._data[index])

    def __repr__(self) -> str:
        body = np.array2string(self._data, precision=4, threshold=20)
        return f"Tensor({body}, shape={self.shape})"

    # Arithmetic returns new Tensors; there is no autograd graph behind it.
    def _binary(self, other: Any, op: Any) -> "Tensor":
        other_data = other.data if isinstance(other, Tensor) else other
        return Tensor(op(self._data, other_data))

    def __add__(self, other: Any) -> "Tensor":
        return self._binary(other, np.add)

    def __radd__(self, other: Any) -> "Tensor":
        return self._binary(other, lambda a, b: np.add(b, a))

    def __sub__(self, other: Any) -> "Tensor":
        return self._binary(other, np.subtract)

    def __rsub__(self, other: Any) -> "Tensor":
        return self._binary(other, lambda a, b: np.subtract(b, a))

    def __mul__(self, other: Any) -> "Tensor":
        return self._binary(other, np.multiply)

    def __rmul__(self, other: Any) -> "Tensor":
        return self._binary(other, lambda a, b: np.multiply(b, a))

    def __truediv__(self, other: Any) -> "Tensor":
        return self._binary(other, np.divide)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return self._binary(other, lambda a, b: np.divide(b, a))

    def __matmul__(self, other: Any) -> "Tensor":
        return self._binary(other, np.matmul)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return self._binary(other, lambda a, b: np.matmul(b, a))

    def __neg__(self) -> "Tensor":
        return Tensor(-self._data)
