"""Property tests (hypothesis) of the reference solutions against the contract.

Inputs are generated freely: arbitrary float32 arrays, heavily tied
magnitudes, pre-existing zeros, random shapes and ratios. Each property is a
sentence of /work/shared/CONTRACT.md.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TIED_VALUES = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0]
NONZERO_TIED_VALUES = [0.5, -0.5, 1.0, -1.0, 2.0]
# Any float32 of moderate size, subnormals included: enough for code that only compares |w|.
finite32 = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=32)
# Magnitudes in [2**-20, 1e3] or exactly 0: for code that squares weights (norms, SVD) in float32,
# where |w| < 1e-19 underflows; the contract says nothing about such weights.
moderate32 = st.one_of(st.just(0.0), st.floats(2**-20, 1e3, width=32), st.floats(-1e3, -(2**-20), width=32))
fraction = st.floats(0.0, 1.0, allow_nan=False)
positive_fraction = st.floats(0.0, 1.0, exclude_min=True, allow_nan=False)
above_one = st.floats(1.0, 1e3, exclude_min=True)
below_zero = st.floats(-1e3, 0.0, exclude_max=True)
outside_unit_interval = st.one_of(above_one, below_zero, st.just(float("nan")))
outside_zero_one = st.one_of(above_one, st.floats(-1e3, 0.0), st.just(float("nan")))  # (0, 1] excludes 0


def _matrix(shape, tied, full_range=False):
    elements = st.sampled_from(TIED_VALUES) if tied else finite32 if full_range else moderate32
    return arrays(np.float32, shape, elements=elements)


small_matrices = st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(lambda shape: _matrix(shape, tied=False))


@st.composite
def layer_stacks(draw, min_layers=1, max_layers=3, max_size=6, nonzero_ties=False, full_range=False):
    """Weight matrices and biases of a Linear chain: [(W (in, out), b (out,)), ...]."""
    sizes = draw(st.lists(st.integers(1, max_size), min_size=min_layers + 1, max_size=max_layers + 1))
    stack = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        style = draw(st.sampled_from(["tied", "floats", "nonzero-tied"] if nonzero_ties else ["tied", "floats"]))
        if style == "nonzero-tied":
            w = draw(arrays(np.float32, (n_in, n_out), elements=st.sampled_from(NONZERO_TIED_VALUES)))
        else:
            w = draw(_matrix((n_in, n_out), tied=style == "tied", full_range=full_range))
        b = draw(_matrix((n_out,), tied=False))
        stack.append((w, b))
    return stack


def _build(ref, stack):
    layers = []
    for w, b in stack:
        layer = ref.Linear(*w.shape)
        layer.weight.data = w.copy()
        layer.bias.data = b.copy()
        layers += [layer, ref.ReLU()]
    return ref.SimpleModel(*layers[:-1])


def _dense(ref, model):
    return [layer for layer in model.layers if isinstance(layer, ref.Linear)]


def _flat_weights(model):
    return np.concatenate([p.data.ravel() for p in model.parameters() if p.ndim >= 2])


def _snapshot(model):
    return [p.data.copy() for p in model.parameters()]


def _unchanged(model, snapshot):
    params = model.parameters()
    return len(params) == len(snapshot) and all(np.array_equal(p.data, s) for p, s in zip(params, snapshot))


# -------------------------------------------------------- measure_sparsity


@SETTINGS
@given(stack=layer_stacks(full_range=True))
def test_measure_sparsity_is_the_percentage_of_zero_weights(ref, stack):
    model = _build(ref, stack)
    weights = _flat_weights(model)
    sparsity = ref.measure_sparsity(model)
    assert 0.0 <= sparsity <= 100.0
    assert math.isclose(sparsity, 100.0 * np.count_nonzero(weights == 0) / weights.size, rel_tol=1e-12, abs_tol=1e-12)


# --------------------------------------------------------- magnitude_prune


@SETTINGS
@given(stack=layer_stacks(full_range=True), sparsity=fraction)
def test_magnitude_prune_zeroes_exactly_floor_s_n_smallest_magnitudes(ref, stack, sparsity):
    model = _build(ref, stack)
    before = _flat_weights(model).copy()
    k = math.floor(sparsity * before.size)

    assert ref.magnitude_prune(model, sparsity) is model

    after = _flat_weights(model)
    # exactly k entries are chosen; exact zeros already there are the smallest, so they go first
    assert np.count_nonzero(after == 0) == max(k, np.count_nonzero(before == 0))
    zeroed, kept = np.abs(before[after == 0]), np.abs(before[after != 0])
    if zeroed.size and kept.size:
        assert zeroed.max() <= kept.min()
    np.testing.assert_array_equal(after[after != 0], before[after != 0])


@SETTINGS
@given(stack=layer_stacks(full_range=True), sparsity=fraction)
def test_magnitude_prune_never_touches_biases(ref, stack, sparsity):
    model = _build(ref, stack)
    biases = [layer.bias.data.copy() for layer in _dense(ref, model)]
    ref.magnitude_prune(model, sparsity)
    for layer, bias in zip(_dense(ref, model), biases):
        np.testing.assert_array_equal(layer.bias.data, bias)


@SETTINGS
@given(stack=layer_stacks(full_range=True), first=fraction, second=fraction)
def test_magnitude_prune_twice_reaches_the_larger_count(ref, stack, first, second):
    model = _build(ref, stack)
    n = _flat_weights(model).size
    zeros_before = np.count_nonzero(_flat_weights(model) == 0)
    ref.magnitude_prune(model, first)
    ref.magnitude_prune(model, second)
    expected = max(math.floor(first * n), math.floor(second * n), zeros_before)
    assert np.count_nonzero(_flat_weights(model) == 0) == expected


@SETTINGS
@given(stack=layer_stacks(max_layers=2), bad=outside_unit_interval)
def test_magnitude_prune_rejects_sparsity_outside_unit_interval_without_changes(ref, stack, bad):
    _assert_rejected_without_changes(_build(ref, stack), ref.magnitude_prune, "sparsity", bad)


def _assert_rejected_without_changes(model, prune, argument, bad):
    """``prune(model, bad)`` raises ValueError and leaves every parameter as it was."""
    snapshot = _snapshot(model)
    with pytest.raises(ValueError):
        prune(model, bad)
    assert _unchanged(model, snapshot), f"{argument}={bad!r} changed the model before raising"


# -------------------------------------------------------- structured_prune


@SETTINGS
@given(stack=layer_stacks(min_layers=2, max_layers=3, max_size=8, nonzero_ties=True), ratio=fraction)
def test_structured_prune_zeroes_int_r_out_weakest_columns_per_hidden_layer(ref, stack, ratio):
    model = _build(ref, stack)
    dense = _dense(ref, model)
    before = [(layer.weight.data.copy(), layer.bias.data.copy()) for layer in dense]

    assert ref.structured_prune(model, ratio) is model

    for layer, (w, b) in zip(dense[:-1], before):
        already_zero = np.all(w == 0, axis=0)
        now_zero = np.all(layer.weight.data == 0, axis=0)
        newly = now_zero & ~already_zero
        n_prune = int(ratio * layer.out_features)
        # every column of norm 0 ranks first, so the count is n_prune unless more were already zero
        assert np.count_nonzero(now_zero) == max(n_prune, np.count_nonzero(already_zero))
        norms = np.linalg.norm(w.astype(np.float64), axis=0)
        if newly.any() and (~now_zero).any():
            assert norms[newly].max() <= norms[~now_zero].min() * (1 + 1e-6)
        np.testing.assert_array_equal(layer.weight.data[:, ~now_zero], w[:, ~now_zero])
        np.testing.assert_array_equal(layer.bias.data[newly], 0.0)
        np.testing.assert_array_equal(layer.bias.data[~now_zero], b[~now_zero])
    np.testing.assert_array_equal(dense[-1].weight.data, before[-1][0])
    np.testing.assert_array_equal(dense[-1].bias.data, before[-1][1])


@SETTINGS
@given(stack=layer_stacks(min_layers=2, max_layers=2), bad=outside_unit_interval)
def test_structured_prune_rejects_ratio_outside_unit_interval_without_changes(ref, stack, bad):
    _assert_rejected_without_changes(_build(ref, stack), ref.structured_prune, "prune_ratio", bad)


# ---------------------------------------------------- low_rank_approximate


def _reconstruction_error(ref, w, ratio):
    u, s, v = ref.low_rank_approximate(w, ratio)
    approx = np.asarray(u, np.float64) @ np.diag(np.asarray(s, np.float64)) @ np.asarray(v, np.float64)
    return float(np.linalg.norm(w.astype(np.float64) - approx)), np.asarray(s, np.float64)


@SETTINGS
@given(
    w=st.tuples(st.integers(1, 8), st.integers(1, 8)).flatmap(lambda shape: _matrix(shape, tied=False)),
    ratios=st.lists(positive_fraction, min_size=2, max_size=4),
)
def test_low_rank_error_does_not_grow_with_rank_ratio_and_s_is_descending(ref, w, ratios):
    scale = float(np.linalg.norm(w.astype(np.float64)))
    errors = []
    for ratio in sorted(ratios):
        error, s = _reconstruction_error(ref, w, ratio)
        assert s.shape == (max(1, int(ratio * min(w.shape))),)
        assert np.all(s >= -1e-6 * scale) and np.all(np.diff(s) <= 1e-6 * scale)
        errors.append(error)
    assert all(later <= earlier + 1e-5 * scale + 1e-30 for earlier, later in zip(errors, errors[1:]))


@SETTINGS
@given(
    w=st.tuples(st.integers(1, 8), st.integers(1, 8)).flatmap(lambda shape: _matrix(shape, tied=False)),
    ratio=positive_fraction,
)
def test_low_rank_error_is_the_discarded_singular_values(ref, w, ratio):
    exact = np.linalg.svd(w.astype(np.float64), compute_uv=False)
    k = max(1, int(ratio * min(w.shape)))
    error, _ = _reconstruction_error(ref, w, ratio)
    assert abs(error - math.sqrt(float(np.sum(exact[k:] ** 2)))) <= 1e-5 * (exact[0] if exact.size else 0.0) + 1e-30


@SETTINGS
@given(
    bad_ratio=outside_zero_one,
    shape=st.sampled_from([(3, 4), (5, 2)]),
)
def test_low_rank_rejects_ratio_outside_zero_one(ref, bad_ratio, shape):
    try:
        ref.low_rank_approximate(np.ones(shape, dtype=np.float32), bad_ratio)
    except ValueError:
        return
    raise AssertionError(f"rank_ratio={bad_ratio!r} must raise ValueError")


@SETTINGS
@given(shape=st.sampled_from([(4,), (2, 3, 4), ()]))
def test_low_rank_rejects_arrays_that_are_not_2d(ref, shape):
    try:
        ref.low_rank_approximate(np.ones(shape, dtype=np.float32), 0.5)
    except ValueError:
        return
    raise AssertionError(f"an array of shape {shape} must raise ValueError")


# ------------------------------------------------------------ quantisation

weights_1d = arrays(
    np.float32,
    st.integers(1, 40),
    elements=st.one_of(st.floats(-1e4, 1e4, allow_nan=False, width=32), st.sampled_from([0.0, 1.0, -1.0, 0.5])),
)


@SETTINGS
@given(w=weights_1d, bits=st.integers(2, 8))
def test_quantize_round_trip_error_is_at_most_half_a_step(ref, w, bits):
    q, scale, zero_point = ref.quantize_weights(w, bits=bits)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    assert q.dtype == np.int8 and q.shape == w.shape
    assert q.min() >= qmin and q.max() <= qmax
    assert qmin <= int(zero_point) <= qmax and float(scale) > 0
    restored = ref.dequantize_weights(q, scale, zero_point)
    assert restored.dtype == np.float32
    error = np.abs(restored.astype(np.float64) - w.astype(np.float64)).max()
    assert error <= float(scale) * (0.5 + 1e-4) + 1e-6 * float(np.abs(w).max())


@SETTINGS
@given(w=weights_1d, bits=st.integers(2, 8))
def test_quantize_parameters_follow_the_contract_formula(ref, w, bits):
    _, scale, zero_point = ref.quantize_weights(w, bits=bits)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    lo, hi = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
    expected_scale = max((hi - lo) / (qmax - qmin), float(np.finfo(np.float32).eps))
    assert math.isclose(float(scale), expected_scale, rel_tol=1e-6)
    # lo / scale can be a rounding tie (e.g. w = [-1, 1]): float32 (PyTorch) and float64 arithmetic may
    # land on either side of it, so both readings of the formula are accepted here
    candidates = {
        int(np.clip(qmin - np.round(lo / float(scale)), qmin, qmax)),
        int(np.clip(qmin - np.round(np.float32(lo) / np.float32(scale)), qmin, qmax)),
    }
    assert int(zero_point) in candidates


@SETTINGS
@given(w=weights_1d, bits=st.integers(2, 8), where=st.integers(0, 1000))
def test_zero_survives_quantisation_exactly(ref, w, bits, where):
    w = w.copy()
    w[where % w.size] = 0.0
    q, scale, zero_point = ref.quantize_weights(w, bits=bits)
    restored = ref.dequantize_weights(q, scale, zero_point)
    assert np.all(restored[w == 0] == 0.0)


@SETTINGS
@given(bits=st.one_of(st.integers(-3, 1), st.integers(9, 32)))
def test_quantize_rejects_bits_outside_2_to_8(ref, bits):
    try:
        ref.quantize_weights(np.linspace(-1, 1, 5, dtype=np.float32), bits=bits)
    except ValueError:
        return
    raise AssertionError(f"bits={bits} must raise ValueError")


@SETTINGS
@given(w=small_matrices, bits=st.integers(2, 8))
def test_quantize_layer_weights_simulates_quantisation_in_place(ref, w, bits):
    layer = ref.Linear(*w.shape)
    layer.weight.data = w.copy()
    info = ref.quantize_layer_weights(layer, bits=bits)
    q, scale, zero_point = ref.quantize_weights(w, bits=bits)
    expected = ref.dequantize_weights(q, scale, zero_point)
    np.testing.assert_array_equal(layer.weight.data, expected)
    np.testing.assert_array_equal(ref.dequantize_layer_weights(layer), expected)
    assert set(layer.quantized) >= {"q", "scale", "zero_point", "bits"}
    np.testing.assert_array_equal(layer.quantized["q"], q)
    assert info["bits"] == bits and info["original_bytes"] == 4 * w.size
    assert info["quantized_bytes"] == math.ceil(w.size * bits / 8)
    max_error = float(np.abs(expected.astype(np.float64) - w).max())
    assert math.isclose(info["max_abs_error"], max_error, rel_tol=1e-6, abs_tol=1e-12)


# ------------------------------------------ neuron importance and removal


@SETTINGS
@given(w=small_matrices)
def test_compute_neuron_importance_is_the_column_norm(ref, w):
    layer = ref.Linear(*w.shape)
    layer.weight.data = w.copy()
    w64 = w.astype(np.float64)
    np.testing.assert_allclose(ref.compute_neuron_importance(layer, "l2"), np.sqrt((w64**2).sum(axis=0)), rtol=1e-6)
    np.testing.assert_allclose(ref.compute_neuron_importance(layer, "l1"), np.abs(w64).sum(axis=0), rtol=1e-6)


@SETTINGS
@given(method=st.sampled_from(["L2", "linf", "max", "", "l3"]))
def test_compute_neuron_importance_rejects_unknown_methods(ref, method):
    try:
        ref.compute_neuron_importance(ref.Linear(3, 2), method=method)
    except ValueError:
        return
    raise AssertionError(f"method={method!r} must raise ValueError")


def _kept_indices(layer, next_layer, new_layer, new_next):
    """Map every neuron of the new layers to an original one, in increasing order."""
    originals = [
        (layer.weight.data[:, j], layer.bias.data[j], next_layer.weight.data[j, :]) for j in range(layer.out_features)
    ]
    kept, start = [], 0
    for j in range(new_layer.out_features):
        neuron = (new_layer.weight.data[:, j], new_layer.bias.data[j], new_next.weight.data[j, :])
        for i in range(start, len(originals)):
            if all(np.array_equal(a, b) for a, b in zip(neuron, originals[i])):
                kept.append(i)
                start = i + 1
                break
        else:
            raise AssertionError(f"new neuron {j} is not an original neuron kept in order")
    return np.array(kept, dtype=int)


@SETTINGS
@given(
    stack=layer_stacks(min_layers=2, max_layers=2, max_size=8),
    keep=positive_fraction,
    seed=st.integers(0, 2**32 - 1),
)
def test_prune_layer_neurons_equals_zeroing_the_removed_neurons(ref, stack, keep, seed):
    model = _build(ref, stack)
    layer, next_layer = _dense(ref, model)
    snapshot = _snapshot(model)

    new_layer, new_next = ref.prune_layer_neurons(layer, next_layer, keep_ratio=keep)

    assert _unchanged(model, snapshot), "the input layers must not be modified"
    assert isinstance(new_layer, ref.Linear) and isinstance(new_next, ref.Linear)
    n_keep = max(1, int(keep * layer.out_features))
    assert new_layer.weight.shape == (layer.in_features, n_keep)
    assert new_next.weight.shape == (n_keep, next_layer.out_features)
    np.testing.assert_array_equal(new_next.bias.data, next_layer.bias.data)
    kept = _kept_indices(layer, next_layer, new_layer, new_next)
    removed = np.setdiff1d(np.arange(layer.out_features), kept)
    norms = np.linalg.norm(layer.weight.data.astype(np.float64), axis=0)
    if removed.size:
        assert norms[removed].max() <= norms[kept].min() * (1 + 1e-6)

    x = np.random.default_rng(seed).standard_normal((4, layer.in_features)).astype(np.float32)
    w_zeroed, b_zeroed = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
    w_zeroed[:, removed] = 0.0
    b_zeroed[removed] = 0.0
    w_next, b_next = next_layer.weight.data.astype(np.float64), next_layer.bias.data.astype(np.float64)
    expected = np.maximum(x @ w_zeroed + b_zeroed, 0.0) @ w_next + b_next
    got = new_next(ref.ReLU()(new_layer(x))).data
    # float32 rounding is relative to the magnitudes summed, not to the (possibly cancelling) result
    bound = (np.abs(x) @ np.abs(w_zeroed) + np.abs(b_zeroed)) @ np.abs(w_next) + np.abs(b_next)
    assert np.all(np.abs(got - expected) <= 1e-5 * (1.0 + bound))


@SETTINGS
@given(keep=outside_zero_one)
def test_prune_layer_neurons_rejects_keep_ratio_outside_zero_one(ref, keep):
    layer, next_layer = ref.Linear(4, 5), ref.Linear(5, 3)
    try:
        ref.prune_layer_neurons(layer, next_layer, keep_ratio=keep)
    except ValueError:
        return
    raise AssertionError(f"keep_ratio={keep!r} must raise ValueError")


@SETTINGS
@given(out=st.integers(1, 6), other=st.integers(1, 6))
def test_prune_layer_neurons_rejects_mismatched_layers(ref, out, other):
    if out == other:
        other += 1
    try:
        ref.prune_layer_neurons(ref.Linear(4, out), ref.Linear(other, 3), keep_ratio=0.5)
    except ValueError:
        return
    raise AssertionError(f"out_features {out} vs in_features {other} must raise ValueError")


# ------------------------------------------------------------ compress_model

KEYS = ["magnitude_prune", "structured_prune", "low_rank"]
valid_value = {
    "magnitude_prune": fraction,
    "structured_prune": fraction,
    "low_rank": positive_fraction,
}
bad_value = {
    "magnitude_prune": outside_unit_interval,
    "structured_prune": outside_unit_interval,
    "low_rank": outside_zero_one,
}


@st.composite
def valid_configs(draw):
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True))
    return {key: draw(valid_value[key]) for key in keys}


@st.composite
def bad_configs(draw):
    """A valid config followed (last, so valid steps come first) by one bad entry."""
    config = draw(valid_configs())
    if draw(st.booleans()):
        key = draw(st.sampled_from(["quantize", "prune", "Magnitude_prune", "lowrank", "distill", "low_rank "]))
        value = draw(fraction)
    else:
        key = draw(st.sampled_from(KEYS))
        value = draw(bad_value[key])
    config.pop(key, None)
    config[key] = value
    return config


def _compress_target(ref):
    rng = np.random.default_rng(0)
    layers = []
    for n_in, n_out in [(12, 10), (10, 8), (8, 3)]:
        layer = ref.Linear(n_in, n_out)
        layer.weight.data = rng.standard_normal((n_in, n_out))
        layer.bias.data = rng.standard_normal(n_out)
        layers += [layer, ref.ReLU()]
    return ref.SimpleModel(*layers[:-1])


@SETTINGS
@given(config=bad_configs())
def test_compress_model_rejects_bad_configs_before_touching_the_model(ref, config):
    model = _compress_target(ref)
    layers = list(model.layers)
    snapshot = _snapshot(model)
    try:
        ref.compress_model(model, config)
    except ValueError:
        pass
    else:
        raise AssertionError(f"config {config!r} must raise ValueError")
    assert len(model.layers) == len(layers) and all(a is b for a, b in zip(model.layers, layers))
    assert _unchanged(model, snapshot)


@SETTINGS
@given(config=valid_configs())
def test_compress_model_reports_consistent_statistics(ref, config):
    model = _compress_target(ref)
    before = model.parameters()
    n_before = sum(p.size for p in before)
    nonzero_before = sum(int(np.count_nonzero(p.data)) for p in before)
    sparsity_before = ref.measure_sparsity(model)

    stats = ref.compress_model(model, config)

    after = model.parameters()
    nonzero_after = sum(int(np.count_nonzero(p.data)) for p in after)
    assert stats["applied_techniques"] == [key for key in KEYS if key in config]
    assert stats["original_params"] == n_before
    assert stats["final_params"] == sum(p.size for p in after)
    assert math.isclose(stats["original_sparsity"], sparsity_before, abs_tol=1e-9)
    assert math.isclose(stats["final_sparsity"], ref.measure_sparsity(model), abs_tol=1e-9)
    assert math.isclose(stats["sparsity_increase"], stats["final_sparsity"] - stats["original_sparsity"], abs_tol=1e-9)
    if nonzero_after:
        assert math.isclose(stats["compression_ratio"], nonzero_before / nonzero_after, rel_tol=1e-9)


@SETTINGS
@given(ratio=positive_fraction)
def test_compress_model_low_rank_replaces_exactly_the_layers_it_shrinks(ref, ratio):
    model = _compress_target(ref)
    dense = _dense(ref, model)
    expected = []
    for layer in dense[:-1]:
        m, n = layer.weight.shape
        k = max(1, int(ratio * min(m, n)))
        expected.append(k * (m + n) < m * n)

    ref.compress_model(model, {"low_rank": ratio})

    hidden = [layer for layer in model.layers[:-1] if not isinstance(layer, ref.ReLU)]
    assert [isinstance(layer, ref.LowRankLinear) for layer in hidden] == expected
    assert model.layers[-1] is dense[-1]
    for layer, original in zip(hidden, dense[:-1]):
        if isinstance(layer, ref.LowRankLinear):
            u, s, v = ref.low_rank_approximate(original.weight.data, ratio)
            np.testing.assert_allclose(layer.first.data, np.asarray(u) * np.asarray(s), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(layer.second.data, v, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(layer.bias.data, original.bias.data)
        else:
            assert layer is original


# ------------------------------------------------- metrics and distillation


@SETTINGS
@given(stack=layer_stacks(), dtype=st.sampled_from(["float32", "float16", "int8"]))
def test_compression_metrics_are_consistent(ref, stack, dtype):
    model = _build(ref, stack)
    params = model.parameters()
    counts = ref.CompressionMetrics.count_parameters(model)
    assert counts["total_parameters"] == sum(p.size for p in params)
    assert counts["total_weights"] == sum(p.size for p in params if p.ndim >= 2)
    assert counts["total_bias"] == sum(p.size for p in params if p.ndim < 2)
    assert counts["nonzero_parameters"] == sum(int(np.count_nonzero(p.data)) for p in params)
    size = ref.CompressionMetrics.calculate_model_size(model, dtype=dtype)
    per = {"float32": 4, "float16": 2, "int8": 1}[dtype]
    assert size["total_bytes"] == counts["total_parameters"] * per and size["bytes_per_parameter"] == per
    assert math.isclose(size["size_kb"], size["total_bytes"] / 1024)
    assert math.isclose(size["size_mb"], size["total_bytes"] / 1024**2)


@SETTINGS
@given(dtype=st.sampled_from(["float64", "int4", "bfloat16", "", "FLOAT32"]))
def test_calculate_model_size_rejects_unknown_dtypes(ref, dtype):
    try:
        ref.CompressionMetrics.calculate_model_size(_compress_target(ref), dtype=dtype)
    except ValueError:
        return
    raise AssertionError(f"dtype={dtype!r} must raise ValueError")


def _kd(ref, temperature, alpha):
    return ref.KnowledgeDistillation(_compress_target(ref), _compress_target(ref), temperature=temperature, alpha=alpha)


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 6), st.integers(2, 6)),
    temperature=st.floats(0.1, 20.0),
    alpha=fraction,
    magnitude=st.sampled_from([1.0, 30.0, 1e3]),
    seed=st.integers(0, 2**32 - 1),
    prob_labels=st.booleans(),
)
def test_distillation_loss_is_finite_nonnegative_and_grad_rows_sum_to_zero(
    ref, shape, temperature, alpha, magnitude, seed, prob_labels
):
    rng = np.random.default_rng(seed)
    s, t = magnitude * rng.standard_normal(shape), magnitude * rng.standard_normal(shape)
    y = rng.dirichlet(np.ones(shape[1]), size=shape[0]) if prob_labels else rng.integers(0, shape[1], size=shape[0])
    kd = _kd(ref, temperature, alpha)
    loss = kd.distillation_loss(s, t, y)
    grad = kd.distillation_grad(s, t, y)
    assert isinstance(loss, float) and math.isfinite(loss) and loss >= -1e-6 * max(1.0, magnitude)
    assert grad.shape == shape and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-6)


@SETTINGS
@given(temperature=st.floats(-10.0, 0.0), alpha=fraction)
def test_knowledge_distillation_rejects_nonpositive_temperature(ref, temperature, alpha):
    try:
        _kd(ref, temperature, alpha)
    except ValueError:
        return
    raise AssertionError(f"temperature={temperature!r} must raise ValueError")


@SETTINGS
@given(alpha=outside_unit_interval)
def test_knowledge_distillation_rejects_alpha_outside_unit_interval(ref, alpha):
    try:
        _kd(ref, 3.0, alpha)
    except ValueError:
        return
    raise AssertionError(f"alpha={alpha!r} must raise ValueError")


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 1000), batch_size=st.integers(1, 40))
def test_train_with_distillation_is_deterministic_and_keeps_the_teacher(ref, seed, batch_size):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((30, 12)).astype(np.float32)
    y = rng.integers(0, 3, size=30)
    runs = []
    for _ in range(2):
        kd = _kd(ref, 3.0, 0.7)
        teacher = _snapshot(kd.teacher_model)
        losses = ref.train_with_distillation(kd, x, y, epochs=3, learning_rate=0.05, batch_size=batch_size, seed=seed)
        assert _unchanged(kd.teacher_model, teacher), "the teacher is frozen"
        assert len(losses) == 3 and all(isinstance(v, float) and math.isfinite(v) for v in losses)
        runs.append((losses, _snapshot(kd.student_model)))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
