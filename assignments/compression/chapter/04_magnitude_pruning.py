# %% [markdown]
# ## 4. Magnitude pruning (8 points)
#
# One global ranking, an exact count. Three details decide whether an
# implementation is right:
#
# * **Exactly `⌊s·N⌋` zeros.** A threshold such as `np.percentile` followed by
#   `|w| < t` is off whenever several weights share the threshold's value
#   (after a first pruning, thousands of weights are exactly 0). Select
#   *positions*, not values: `np.argsort` or `np.argpartition` on the
#   magnitudes give you the indices of the `⌊s·N⌋` smallest.
# * **Global, not per layer.** Concatenate all weight matrices first.
# * **In place.** Write zeros into each `param.data` and return the same
#   model object; leave biases alone.

# %% nbgrader={"grade": false, "grade_id": "magnitude_prune", "locked": false, "schema_version": 3, "solution": true, "task": false}
def magnitude_prune(model, sparsity=0.9):
    """Zero the floor(sparsity * N) smallest-magnitude weights of the whole model.

    N counts the entries of all weight matrices (ndim >= 2) together; one
    global ranking decides. Biases are untouched. The model is modified in
    place and returned. Raise ValueError if sparsity is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    total = sum(w.size for w in weights)
    n_prune = int(np.floor(sparsity * total))
    if n_prune == 0:
        return model
    magnitudes = np.concatenate([np.abs(w.data).ravel() for w in weights])
    pruned = np.zeros(total, dtype=bool)
    pruned[np.argpartition(magnitudes, n_prune - 1)[:n_prune]] = True
    offset = 0
    for w in weights:
        w.data[pruned[offset:offset + w.size].reshape(w.shape)] = 0.0
        offset += w.size
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(1)
_layer1, _layer2 = Linear(4, 3), Linear(3, 2)
_layer1.weight.data = np.array([[1.0, 2.0, 3.0], [0.1, 0.2, 0.3], [4.0, 5.0, 6.0], [0.01, 0.02, 0.03]])
_layer2.weight.data = np.array([[0.5, -7.0], [0.05, 8.0], [-0.6, 0.9]])
_model = SimpleModel(_layer1, ReLU(), _layer2)
_result = magnitude_prune(_model, sparsity=0.5)
assert _result is _model, "magnitude_prune returns the same model object"
assert _layer1.weight.shape == (4, 3) and _layer2.weight.shape == (3, 2), "prune in place: the weight matrices keep their shapes"
_zeros = sum(int((p.data == 0).sum()) for p in _model.parameters() if p.ndim >= 2)
assert _zeros == 9, f"50% of 18 weights is exactly 9 zeros, got {_zeros}"
assert np.all(_layer1.weight.data[2] != 0), "the largest weights survive"
assert _layer2.weight.data[0, 1] == -7.0, "magnitude means |w|: large negative weights survive"
print("magnitude_prune: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_exact_count", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: exactly floor(sparsity * N) zeros, also when many magnitudes tie.
### BEGIN HIDDEN TESTS
_m = _model_of([6, 5, 4], seed=21)  # 30 + 20 = 50 weights
_rng = np.random.default_rng(21)
for _p in _weights_of(_m):  # magnitudes from {1, 2, 3} only: ties everywhere
    _p.data = _rng.choice([1.0, 2.0, 3.0], size=_p.shape) * _rng.choice([-1.0, 1.0], size=_p.shape)
_before = np.concatenate([np.abs(p.data).ravel() for p in _weights_of(_m)])
_shapes_before = _shapes(_m)
magnitude_prune(_m, sparsity=0.37)  # floor(18.5) = 18
assert _shapes(_m) == _shapes_before, "prune in place: every parameter keeps its shape"
_after = np.concatenate([p.data.ravel() for p in _weights_of(_m)])
assert int((_after == 0).sum()) == 18, int((_after == 0).sum())
assert _before[_after == 0].max() <= _before[_after != 0].min()
_m2 = _model_of([8, 6, 3], seed=22)  # 48 + 18 = 66 weights
magnitude_prune(_m2, sparsity=0.9)
magnitude_prune(_m2, sparsity=0.95)  # a second pass starts from 59 exact zeros
assert _shapes(_m2) == [(8, 6), (6,), (6, 3), (3,)], "prune in place: every parameter keeps its shape"
assert sum(int((p.data == 0).sum()) for p in _weights_of(_m2)) == math.floor(0.95 * 66)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_floor", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the count is floored, never rounded; sparsity 0 and 1 are allowed; the default sparsity is 0.9.
### BEGIN HIDDEN TESTS
for _s, _expected in ((0.55, 9), (0.3, 5), (0.0, 0), (1.0, 18)):  # N = 18: 9.9 -> 9, 5.4 -> 5
    _m = _model_of([4, 3, 2], seed=23)
    magnitude_prune(_m, sparsity=_s)
    assert _shapes(_m) == [(4, 3), (3,), (3, 2), (2,)], "prune in place: every parameter keeps its shape"
    _zeros = sum(int((p.data == 0).sum()) for p in _weights_of(_m))
    assert _zeros == _expected, (_s, _zeros)
_m = _model_of([4, 3, 2], seed=23)
magnitude_prune(_m)  # sparsity=0.9: floor(16.2) = 16
assert _shapes(_m) == [(4, 3), (3,), (3, 2), (2,)], "prune in place: every parameter keeps its shape"
_zeros = sum(int((p.data == 0).sum()) for p in _weights_of(_m))
assert _zeros == 16, f"the default sparsity is 0.9: 16 of 18 weights go, got {_zeros}"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_global", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: one global threshold across layers, not one per layer.
### BEGIN HIDDEN TESTS
_m = _model_of([5, 4, 5], seed=24)  # 20 + 20 weights
_m.layers[0].weight.data = 10.0 + np.abs(_m.layers[0].weight.data)  # every weight of layer 1 is large
_m.layers[2].weight.data = 0.01 * _m.layers[2].weight.data
_big = _m.layers[0].weight.data.copy()
magnitude_prune(_m, sparsity=0.5)
assert_close(_m.layers[0].weight.data, _big, what="layer 1 (only large weights: none may go)")
assert_close(_m.layers[2].weight.data, np.zeros((4, 5)), what="layer 2 (all 20 pruned weights come from it)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_in_place", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: in place (the caller's model is pruned), same objects, biases untouched, kept weights unchanged.
### BEGIN HIDDEN TESTS
_m = _model_of([7, 6, 3], seed=25, bias_scale=0.001)  # tiny biases would be pruned if counted
_params = _m.parameters()
_before = _snapshot(_m)
assert magnitude_prune(_m, sparsity=0.6) is _m
_after = _m.parameters()
assert len(_after) == len(_params) and all(a is b for a, b in zip(_params, _after)), "the same parameter objects"
for _p, _old in zip(_after, _before):
    assert _p.shape == _old.shape, "prune in place: every parameter keeps its shape"
    if _p.ndim < 2:
        assert_close(_p.data, _old, what="a bias (biases must not change)")
    else:
        _kept = _p.data != 0
        assert_close(_p.data[_kept], _old[_kept], what="the surviving weights (they keep their values)")
_zeros = sum(int((p.data == 0).sum()) for p in _weights_of(_m))  # 42 + 18 = 60 weights
assert _zeros == math.floor(0.6 * 60), f"the caller's model must be pruned in place: {_zeros} zero weights"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError outside [0, 1], and the model is left as it was.
### BEGIN HIDDEN TESTS
for _bad in (-0.1, 1.5, float("nan")):
    _m = _model_of([4, 3, 2], seed=26)
    _before = _snapshot(_m)
    try:
        magnitude_prune(_m, sparsity=_bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"sparsity={_bad} must raise ValueError")
    _assert_parameters(_m, _before, what=f"the model after sparsity={_bad} (left as it was)")
### END HIDDEN TESTS

