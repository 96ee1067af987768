"""Linear, LowRankLinear and ReLU: shapes, parameters and exact gradients."""

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, LowRankLinear
from tinytorch.core.tensor import Tensor


def numerical_grad(f, array, eps=1e-3):
    """Central differences of the scalar f() w.r.t. every entry of array (edited in place)."""
    grad = np.zeros(array.shape, dtype=np.float64)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + eps
        up = f()
        array[idx] = old - eps
        down = f()
        array[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def loss_and_upstream(layer, x, rng):
    """A scalar loss sum(out * R) whose upstream gradient is R."""
    r = rng.standard_normal(layer.forward(x).shape).astype(np.float32)
    return (lambda: float(np.sum(layer.forward(x).data.astype(np.float64) * r))), r


# ---------------------------------------------------------------- Linear


def test_linear_weight_is_in_by_out_and_bias_zero():
    layer = Linear(7, 3)
    assert layer.weight.shape == (7, 3)
    assert layer.bias.shape == (3,)
    np.testing.assert_array_equal(layer.bias.data, 0.0)
    assert (layer.in_features, layer.out_features) == (7, 3)


def test_linear_init_is_xavier_uniform_and_seedable():
    np.random.seed(3)
    a = Linear(200, 100)
    np.random.seed(3)
    b = Linear(200, 100)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    limit = np.sqrt(6 / 300)
    assert np.abs(a.weight.data).max() <= limit
    assert np.abs(a.weight.data).max() > 0.9 * limit
    assert abs(a.weight.data.std() - limit / np.sqrt(3)) < 0.01


def test_linear_forward_is_x_at_w_plus_b():
    layer = Linear(3, 2)
    layer.weight.data = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    layer.bias.data = np.array([0.5, -1.0])
    out = layer(Tensor([[1.0, 2.0, 3.0]]))
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, [[4.5, 6.0]])


def test_linear_forward_accepts_batches_of_any_rank():
    layer = Linear(4, 5)
    assert layer.forward(np.ones((2, 3, 4))).shape == (2, 3, 5)
    assert layer.forward(np.ones(4)).shape == (5,)


def test_linear_parameters_order_and_no_bias():
    layer = Linear(2, 3)
    assert layer.parameters() == [layer.weight, layer.bias]
    no_bias = Linear(2, 3, bias=False)
    assert no_bias.bias is None
    assert no_bias.parameters() == [no_bias.weight]
    np.testing.assert_allclose(no_bias.forward(np.zeros((1, 2))).data, 0.0)


def test_linear_sizes_follow_a_replaced_weight():
    layer = Linear(6, 4)
    layer.weight.data = layer.weight.data[:, :2]
    layer.bias.data = layer.bias.data[:2]
    assert layer.out_features == 2
    assert layer.forward(np.ones((1, 6))).shape == (1, 2)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_backward_matches_finite_differences(bias):
    rng = np.random.default_rng(0)
    np.random.seed(0)
    layer = Linear(4, 3, bias=bias)
    if bias:
        layer.bias.data = rng.standard_normal(3)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    loss, r = loss_and_upstream(layer, x, rng)
    layer.forward(x)
    grad_in = layer.backward(r)
    np.testing.assert_allclose(layer.weight.grad, numerical_grad(loss, layer.weight.data), rtol=1e-2, atol=1e-2)
    np.testing.assert_allclose(grad_in, numerical_grad(loss, x), rtol=1e-2, atol=1e-2)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, numerical_grad(loss, layer.bias.data), rtol=1e-2, atol=1e-2)


def test_linear_backward_with_leading_batch_dims():
    rng = np.random.default_rng(1)
    layer = Linear(3, 2)
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    g = rng.standard_normal((2, 4, 2)).astype(np.float32)
    layer.forward(x)
    grad_in = layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, x.reshape(-1, 3).T @ g.reshape(-1, 2), rtol=1e-5)
    np.testing.assert_allclose(layer.bias.grad, g.reshape(-1, 2).sum(0), rtol=1e-5)
    assert grad_in.shape == x.shape


def test_linear_backward_overwrites_grad():
    layer = Linear(2, 2)
    x = np.ones((1, 2), dtype=np.float32)
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    first = layer.weight.grad.copy()
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(layer.weight.grad, first)


def test_linear_rejects_bad_shapes_with_clear_messages():
    layer = Linear(4, 2)
    with pytest.raises(ValueError, match="last dimension is 4"):
        layer.forward(np.ones((3, 5)))
    with pytest.raises(RuntimeError, match="before forward"):
        Linear(4, 2).backward(np.ones((3, 2)))
    layer.forward(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"gradient of shape \(3, 2\)"):
        layer.backward(np.ones((3, 4)))
    with pytest.raises(ValueError, match="positive sizes"):
        Linear(0, 3)


# ----------------------------------------------------------- LowRankLinear


def test_low_rank_forward_matches_the_dense_product():
    rng = np.random.default_rng(2)
    first, second, bias = rng.standard_normal((5, 2)), rng.standard_normal((2, 3)), rng.standard_normal(3)
    layer = LowRankLinear(first, second, bias)
    x = rng.standard_normal((4, 5))
    np.testing.assert_allclose(layer(x).data, x @ first @ second + bias, rtol=1e-5, atol=1e-5)
    assert (layer.in_features, layer.rank, layer.out_features) == (5, 2, 3)
    assert layer.parameters() == [layer.first, layer.second, layer.bias]
    assert all(isinstance(p, Tensor) for p in layer.parameters())


def test_low_rank_without_bias_and_from_tensors():
    layer = LowRankLinear(Tensor(np.ones((3, 1))), Tensor(np.ones((1, 2))))
    assert layer.bias is None
    assert len(layer.parameters()) == 2
    np.testing.assert_allclose(layer.forward(np.ones((1, 3))).data, [[3.0, 3.0]])


def test_low_rank_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    layer = LowRankLinear(rng.standard_normal((4, 2)), rng.standard_normal((2, 3)), rng.standard_normal(3))
    x = rng.standard_normal((6, 4)).astype(np.float32)
    loss, r = loss_and_upstream(layer, x, rng)
    layer.forward(x)
    grad_in = layer.backward(r)
    for param in layer.parameters():
        np.testing.assert_allclose(param.grad, numerical_grad(loss, param.data), rtol=1e-2, atol=1e-2)
    np.testing.assert_allclose(grad_in, numerical_grad(loss, x), rtol=1e-2, atol=1e-2)


def test_low_rank_rejects_mismatched_factors():
    with pytest.raises(ValueError, match="first \\(in, k\\) and second \\(k, out\\)"):
        LowRankLinear(np.ones((4, 2)), np.ones((3, 5)))
    with pytest.raises(ValueError, match="bias must have shape"):
        LowRankLinear(np.ones((4, 2)), np.ones((2, 5)), np.ones(4))
    with pytest.raises(ValueError, match="last dimension is 4"):
        LowRankLinear(np.ones((4, 2)), np.ones((2, 5))).forward(np.ones((1, 5)))


# ------------------------------------------------------------------- ReLU


def test_relu_forward_backward():
    relu = ReLU()
    x = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu(x).data, [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])
    assert relu.parameters() == []


def test_relu_backward_matches_finite_differences():
    rng = np.random.default_rng(4)
    relu = ReLU()
    x = rng.standard_normal((3, 4)).astype(np.float32)
    x[np.abs(x) < 0.05] = 0.5  # keep away from the kink
    loss, r = loss_and_upstream(relu, x, rng)
    relu.forward(x)
    np.testing.assert_allclose(relu.backward(r), numerical_grad(loss, x), rtol=1e-2, atol=1e-2)


def test_relu_backward_checks_state_and_shape():
    with pytest.raises(RuntimeError, match="before forward"):
        ReLU().backward(np.ones(2))
    relu = ReLU()
    relu.forward(np.ones((2, 2)))
    with pytest.raises(ValueError, match="does not match"):
        relu.backward(np.ones((2, 3)))


def test_two_layer_chain_backward_matches_finite_differences():
    """The chain rule through Linear -> ReLU -> Linear, as a model's backward runs it."""
    rng = np.random.default_rng(5)
    np.random.seed(5)
    l1, act, l2 = Linear(3, 4), ReLU(), Linear(4, 2)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    r = rng.standard_normal((5, 2)).astype(np.float32)

    def loss():
        return float(np.sum(l2(act(l1(x))).data.astype(np.float64) * r))

    loss()
    l1.backward(act.backward(l2.backward(r)))
    np.testing.assert_allclose(l1.weight.grad, numerical_grad(loss, l1.weight.data), rtol=1e-2, atol=1e-2)
    np.testing.assert_allclose(l2.weight.grad, numerical_grad(loss, l2.weight.data), rtol=1e-2, atol=1e-2)
