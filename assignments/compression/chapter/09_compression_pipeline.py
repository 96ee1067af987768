# %% [markdown]
# The student is about 40 times smaller than the teacher and sees only 300
# training examples. Compare the two curves: the distilled student learns
# faster (after 10 epochs it is well ahead) and ends higher on average over
# the three seeds, because the teacher's soft targets carry information
# about *how* the classes relate (a 7 that looks a bit like a 1), which
# plain labels do not. Try other temperatures and alphas; with very high `T`
# the soft targets become almost uniform and stop helping.
#
# ## 9. A compression pipeline (7 points)
#
# `compress_model` chains the techniques in a fixed order (magnitude pruning,
# structured pruning, low-rank factorisation, each only if configured) and
# reports what changed. Validate the whole configuration *before* touching
# the model: a typo in a key should not leave a half-compressed model behind.
#
# For `'low_rank'`, replace in `model.layers` every `Linear` except the head
# whose rank-k factors hold fewer numbers than its dense weight,
# `k·(in + out) < in·out`, by `LowRankLinear(U * S, V, layer.bias)`.

# %% nbgrader={"grade": false, "grade_id": "compress_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compress_model(model, compression_config):
    """Apply the configured techniques in order and return statistics.

    Keys: 'magnitude_prune' (sparsity in [0, 1]), 'structured_prune' (ratio in
    [0, 1]), 'low_rank' (rank ratio in (0, 1]). Unknown keys or values out of
    range raise ValueError before the model is modified. Returns a dict with
    original_params, final_params, original_sparsity, final_sparsity,
    sparsity_increase, applied_techniques and compression_ratio (nonzero
    parameters before / after).

    Use your own functions for each step (magnitude_prune, structured_prune,
    low_rank_approximate) and measure_sparsity for the sparsities.
    """
    ### BEGIN SOLUTION
    valid_ranges = {
        "magnitude_prune": lambda v: 0.0 <= v <= 1.0,
        "structured_prune": lambda v: 0.0 <= v <= 1.0,
        "low_rank": lambda v: 0.0 < v <= 1.0,
    }
    for key, value in compression_config.items():
        if key not in valid_ranges:
            raise ValueError(f"unknown compression technique {key!r}")
        if not valid_ranges[key](value):
            raise ValueError(f"{key}={value} is out of range")

    def nonzero(m):
        return sum(int(np.count_nonzero(p.data)) for p in m.parameters())

    original_params = sum(p.size for p in model.parameters())
    original_sparsity = measure_sparsity(model)
    original_nonzero = nonzero(model)
    applied = []
    if "magnitude_prune" in compression_config:
        magnitude_prune(model, compression_config["magnitude_prune"])
        applied.append("magnitude_prune")
    if "structured_prune" in compression_config:
        structured_prune(model, compression_config["structured_prune"])
        applied.append("structured_prune")
    if "low_rank" in compression_config:
        ratio = compression_config["low_rank"]
        dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
        for i in dense[:-1]:
            layer = model.layers[i]
            n_in, n_out = layer.weight.shape
            k = max(1, int(ratio * min(n_in, n_out)))
            if k * (n_in + n_out) < n_in * n_out:
                U, S, V = low_rank_approximate(layer.weight, ratio)
                model.layers[i] = LowRankLinear(U * S, V, layer.bias)
        applied.append("low_rank")
    final_sparsity = measure_sparsity(model)
    final_nonzero = nonzero(model)
    return {
        "original_params": original_params,
        "final_params": sum(p.size for p in model.parameters()),
        "original_sparsity": original_sparsity,
        "final_sparsity": final_sparsity,
        "sparsity_increase": final_sparsity - original_sparsity,
        "applied_techniques": applied,
        "compression_ratio": original_nonzero / final_nonzero if final_nonzero else float("inf"),
    }
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_compress_model_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Stand-ins for the functions compress_model calls, so that this test checks compress_model alone.
_calls = []


def _stand_in_magnitude(model, sparsity):
    _calls.append(("magnitude_prune", sparsity))
    model.layers[0].weight.data[0, :] = 0.0  # 15 zeros
    return model


def _stand_in_structured(model, prune_ratio):
    _calls.append(("structured_prune", prune_ratio))
    model.layers[2].weight.data[:, 0] = 0.0  # 15 more zeros
    return model


def _stand_in_sparsity(model):
    """Not a real sparsity: the number of zero weights in the first two layers, easy to predict."""
    return float(np.sum(model.layers[0].weight.data == 0) + np.sum(model.layers[2].weight.data == 0))


np.random.seed(5)
_model = SimpleModel(Linear(20, 15), ReLU(), Linear(15, 10), ReLU(), Linear(10, 5))
with replaced(magnitude_prune=_stand_in_magnitude, structured_prune=_stand_in_structured, measure_sparsity=_stand_in_sparsity):
    _stats = compress_model(_model, {"structured_prune": 0.2, "magnitude_prune": 0.7})
    for _key in ("original_params", "final_params", "original_sparsity", "final_sparsity",
                 "sparsity_increase", "applied_techniques", "compression_ratio"):
        assert _key in _stats, f"missing statistic {_key!r}"
    assert _calls == [("magnitude_prune", 0.7), ("structured_prune", 0.2)], f"fixed order, configured values: {_calls}"
    assert _stats["applied_techniques"] == ["magnitude_prune", "structured_prune"]
    assert _stats["original_params"] == _stats["final_params"] == 20 * 15 + 15 + 15 * 10 + 10 + 10 * 5 + 5
    assert (_stats["original_sparsity"], _stats["final_sparsity"], _stats["sparsity_increase"]) == (0.0, 30.0, 30.0), _stats
    assert_close(_stats["compression_ratio"], 500 / 470, atol=1e-9,
                 what="compression_ratio (500 nonzero weights before, the biases being 0, and 470 after)")
    try:
        compress_model(_model, {"magnitude_prun": 0.5})
    except ValueError:
        pass
    else:
        raise AssertionError("a misspelled technique must raise ValueError")
    assert len(_calls) == 2, "nothing runs when the configuration is invalid"
print("compress_model: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_statistics", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: every statistic against an independent computation.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
_m = _model_of([12, 10, 8, 4], seed=71, bias_scale=1.0)
_m.layers[0].weight.data[0, :] = 0.0  # 10 zeros before anything happens
_expected_model = copy.deepcopy(_m)
_nonzero_before = sum(int(np.count_nonzero(p.data)) for p in _m.parameters())
with replaced(**_refs):
    _stats = compress_model(_m, {"magnitude_prune": 0.6, "structured_prune": 0.25})
_oracle_magnitude_prune(_expected_model, 0.6)
_oracle_structured_prune(_expected_model, 0.25)
_nonzero_after = sum(int(np.count_nonzero(p.data)) for p in _expected_model.parameters())
_assert_parameters(_m, _snapshot(_expected_model), what="the caller's model (compressed in place)")
assert _stats["original_params"] == 12 * 10 + 10 + 10 * 8 + 8 + 8 * 4 + 4 == _stats["final_params"]
assert_close(_stats["original_sparsity"], 100 * 10 / 232, atol=1e-9, what="original_sparsity")
assert_close(_stats["final_sparsity"], _oracle_sparsity(_expected_model), atol=1e-9, what="final_sparsity")
assert_close(_stats["sparsity_increase"], _oracle_sparsity(_expected_model) - 100 * 10 / 232, atol=1e-9, what="sparsity_increase")
assert_close(_stats["compression_ratio"], _nonzero_before / _nonzero_after, atol=1e-9, what="compression_ratio")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_order", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fixed order whatever the dict order; only configured techniques run.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
_m = _model_of([6, 8, 3], seed=72)
_expected_model = copy.deepcopy(_m)
with replaced(**_refs):
    _stats = compress_model(_m, {"structured_prune": 0.5, "magnitude_prune": 0.3})
_oracle_structured_prune(_oracle_magnitude_prune(_expected_model, 0.3), 0.5)
assert _stats["applied_techniques"] == ["magnitude_prune", "structured_prune"]
_assert_parameters(_m, _snapshot(_expected_model), what="the caller's model (magnitude, then structured pruning)")
_m = _model_of([6, 8, 3], seed=73)
_before = _snapshot(_m)
with replaced(**_refs):
    _stats = compress_model(_m, {})
assert _stats["applied_techniques"] == []
_assert_parameters(_m, _before, what="the caller's model after an empty configuration (unchanged)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_low_rank", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: low_rank replaces the hidden Linear layers that get smaller, keeps the head and the biases.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
_m = _model_of([40, 30, 20, 5], seed=74)
_biases = [_m.layers[0].bias, _m.layers[2].bias]
_dense = [copy.deepcopy(_m.layers[0]), copy.deepcopy(_m.layers[2])]
_head = _m.layers[4]
with replaced(**_refs):
    _stats = compress_model(_m, {"low_rank": 0.2})  # k = 6 for 40x30, k = 4 for 30x20
assert _stats["applied_techniques"] == ["low_rank"]
assert isinstance(_m.layers[0], LowRankLinear) and isinstance(_m.layers[2], LowRankLinear)
assert _m.layers[4] is _head and isinstance(_m.layers[1], ReLU)
assert _m.layers[0].first.shape == (40, 6) and _m.layers[0].second.shape == (6, 30)
assert _m.layers[2].first.shape == (30, 4) and _m.layers[2].second.shape == (4, 20)
assert _m.layers[0].bias is _biases[0] and _m.layers[2].bias is _biases[1]
for _new, _old, _r in ((_m.layers[0], _dense[0], 0.2), (_m.layers[2], _dense[1], 0.2)):
    _U, _S, _V = _oracle_low_rank(_old.weight.data, _r)
    assert_close(_new.first.data @ _new.second.data, _U @ np.diag(_S) @ _V, rtol=1e-5, atol=1e-4, what="a factorised layer's product")
assert _stats["final_params"] == 40 * 6 + 6 * 30 + 30 + 30 * 4 + 4 * 20 + 20 + 20 * 5 + 5
_m = _model_of([40, 30, 5], seed=75)
with replaced(**_refs):
    compress_model(_m, {"low_rank": 1.0})  # k = 30: 30 * 70 > 1200, no saving
assert type(_m.layers[0]) is Linear, "a factorisation that does not save parameters is not applied"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_validation", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: unknown keys and out-of-range values raise ValueError before anything changes.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
for _config in ({"magnitude_prune": 0.5, "quantize": 8}, {"magnitude_prune": 0.5, "low_rank": 0.0},
                {"structured_prune": 1.5}, {"magnitude_prune": 0.5, "structured_prune": -0.2}):
    _m = _model_of([6, 8, 3], seed=76)
    _layers = list(_m.layers)
    _before = _snapshot(_m)
    with replaced(**_refs):
        try:
            compress_model(_m, _config)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{_config} must raise ValueError")
    assert _m.layers == _layers, _config
    _assert_parameters(_m, _before, what=f"the model after {_config} (left as it was)")
### END HIDDEN TESTS
