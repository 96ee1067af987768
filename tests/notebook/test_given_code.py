"""Given, read-only notebook code: SimpleModel and CompressionComplete."""

import numpy as np


def test_simple_model_backward_runs_layers_in_reverse(ref):
    np.random.seed(0)
    model = ref.SimpleModel(ref.Linear(3, 4), ref.ReLU(), ref.Linear(4, 2))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    model(x)
    grad_in = model.backward(np.ones((5, 2), dtype=np.float32))
    l1, relu, l2 = model.layers
    expected = l1.backward(relu.backward(l2.backward(np.ones((5, 2), dtype=np.float32))))
    np.testing.assert_allclose(grad_in, expected)
    assert model.parameters() == l1.parameters() + l2.parameters()


def test_compression_complete_delegates_with_identical_results(ref):
    def fresh():
        np.random.seed(1)
        return ref.SimpleModel(ref.Linear(6, 5), ref.ReLU(), ref.Linear(5, 3))

    a, b = fresh(), fresh()
    assert ref.CompressionComplete.magnitude_prune(a, 0.5) is a
    ref.magnitude_prune(b, 0.5)
    assert ref.CompressionComplete.measure_sparsity(a) == ref.measure_sparsity(b)
    assert ref.CompressionComplete.structured_prune(a, 0.4) is a
    ref.structured_prune(b, 0.4)
    np.testing.assert_array_equal(a.layers[0].weight.data, b.layers[0].weight.data)
    w = np.random.default_rng(2).standard_normal((6, 4))
    for x, y in zip(ref.CompressionComplete.low_rank_approximate(w, 0.5), ref.low_rank_approximate(w, 0.5)):
        np.testing.assert_array_equal(x, y)
    assert ref.CompressionComplete.compress_model(fresh(), {"low_rank": 0.5}) == ref.compress_model(fresh(), {"low_rank": 0.5})
