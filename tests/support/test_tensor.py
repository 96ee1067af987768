"""Tensor: float32 storage and metadata that always follows the data."""

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor


def test_data_is_float32_whatever_goes_in():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.data.dtype == np.float32
    t.data = np.arange(4, dtype=np.float64)
    assert t.data.dtype == np.float32


@pytest.mark.parametrize("new_shape", [(5,), (2, 7), (3, 1, 4)])
def test_shape_size_ndim_follow_replaced_data(new_shape):
    t = Tensor(np.zeros((2, 3)))
    t.data = np.ones(new_shape)
    assert t.shape == new_shape
    assert t.size == int(np.prod(new_shape))
    assert t.ndim == len(new_shape)


def test_in_place_edits_of_float32_data_are_seen():
    arr = np.ones((2, 2), dtype=np.float32)
    t = Tensor(arr)
    arr[0, 0] = 0.0
    assert t.data[0, 0] == 0.0


def test_tensor_from_tensor_copies_values():
    t = Tensor(Tensor([1.0, 2.0]))
    np.testing.assert_array_equal(t.data, [1.0, 2.0])


def test_arithmetic_returns_tensors():
    a = Tensor([[1.0, 2.0]])
    b = Tensor([[3.0], [4.0]])
    assert isinstance(a @ b, Tensor)
    np.testing.assert_allclose((a @ b).data, [[11.0]])
    np.testing.assert_allclose((a + 1).data, [[2.0, 3.0]])
    np.testing.assert_allclose((2 * a).data, [[2.0, 4.0]])
    np.testing.assert_allclose((1 - a).data, [[0.0, -1.0]])
    np.testing.assert_allclose((a / 2).data, [[0.5, 1.0]])
    np.testing.assert_allclose((-a).data, [[-1.0, -2.0]])


def test_numpy_interop():
    t = Tensor([1.0, 2.0])
    assert np.asarray(t).dtype == np.float32
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert len(t) == 2
    assert isinstance(t[0:1], Tensor)
    assert "shape=(2,)" in repr(t)


def test_grad_slot_starts_empty():
    t = Tensor([1.0], requires_grad=True)
    assert t.requires_grad and t.grad is None
