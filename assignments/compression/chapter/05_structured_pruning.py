# %% [markdown]
# ## 5. Structured pruning (7 points)
#
# Now remove whole neurons. For each `Linear` in `model.layers` except the
# last one, compute the L2 norm of every weight column, and zero the
# `int(prune_ratio * out_features)` columns with the smallest norms together
# with their bias entries. The zeroed neurons output `ReLU(0) = 0`, so the
# next layer's matching rows no longer matter: the layer could be cut down to
# a smaller dense matrix (section 10 does exactly that).

# %% nbgrader={"grade": false, "grade_id": "structured_prune", "locked": false, "schema_version": 3, "solution": true, "task": false}
def structured_prune(model, prune_ratio=0.5):
    """Zero the least important output neurons of every Linear except the last one.

    Importance of neuron j = L2 norm of weight column W[:, j]. In each pruned
    layer, int(prune_ratio * out_features) columns and their bias entries
    are set to zero. The last Linear (the classifier head) is never touched.
    In place; returns the model. ValueError if prune_ratio is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if not 0.0 <= prune_ratio <= 1.0:
        raise ValueError(f"prune_ratio must be in [0, 1], got {prune_ratio}")
    dense_layers = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in dense_layers[:-1]:
        weight = layer.weight.data
        n_prune = int(prune_ratio * weight.shape[1])
        if n_prune == 0:
            continue
        importance = np.linalg.norm(weight, axis=0)
        drop = np.argsort(importance)[:n_prune]
        weight[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(2)
_layer1, _layer2 = Linear(4, 6), Linear(6, 2)
_layer1.weight.data = np.array([
    [1.0, 0.1, 2.0, 0.05, 3.0, 0.01],
    [1.1, 0.11, 2.1, 0.06, 3.1, 0.02],
    [1.2, 0.12, 2.2, 0.07, 3.2, 0.03],
    [1.3, 0.13, 2.3, 0.08, 3.3, 0.04],
])
_layer1.bias.data = np.arange(1.0, 7.0)
_head_before = _layer2.weight.data.copy()
_model = SimpleModel(_layer1, ReLU(), _layer2)
assert structured_prune(_model, prune_ratio=0.5) is _model
assert _layer1.weight.shape == (4, 6) and _layer1.bias.shape == (6,), "prune in place: the layer keeps its shapes"
_zero_columns = np.flatnonzero(np.all(_layer1.weight.data == 0, axis=0))
assert list(_zero_columns) == [1, 3, 5], f"the three weakest columns go, got {list(_zero_columns)}"
assert list(_layer1.bias.data) == [1.0, 0.0, 3.0, 0.0, 5.0, 0.0], "their bias entries go too"
assert np.array_equal(_layer2.weight.data, _head_before), "the classifier head is never pruned"
print("structured_prune: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_head", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: every Linear but the last is pruned; the head stays intact.
### BEGIN HIDDEN TESTS
_m = _model_of([6, 10, 8, 4], seed=31)
_m.layers[4].weight.data *= 0.001  # a head with tiny weights is still never pruned
_head = _m.layers[4].weight.data.copy()
_head_bias = _m.layers[4].bias.data.copy()
structured_prune(_m, prune_ratio=0.5)
assert _shapes(_m) == [(6, 10), (10,), (10, 8), (8,), (8, 4), (4,)], "prune in place: every parameter keeps its shape"
assert np.array_equal(_m.layers[4].weight.data, _head) and np.array_equal(_m.layers[4].bias.data, _head_bias)
assert int(np.all(_m.layers[0].weight.data == 0, axis=0).sum()) == 5
assert int(np.all(_m.layers[2].weight.data == 0, axis=0).sum()) == 4
_single = _model_of([5, 3], seed=32)
_w = _single.layers[0].weight.data.copy()
structured_prune(_single, prune_ratio=0.9)
assert_close(_single.layers[0].weight.data, _w, what="a lone Linear (it is the head)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_l2", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: importance is the L2 norm (not L1, not the max); exactly int(ratio * out) columns; the default ratio is 0.5.
### BEGIN HIDDEN TESTS
_m = _model_of([4, 5, 2], seed=33)
_m.layers[0].weight.data = np.array([
    [3.0, 0.9, 1.7, 4.0, 1.4],
    [0.0, 0.9, 0.0, 4.0, 1.4],
    [0.0, 0.9, 0.0, 4.0, 1.4],
    [0.0, 0.9, 0.0, 4.0, 1.4],
])  # L2: 3, 1.8, 1.7, 8, 2.8 -> {2, 1} ; L1 would pick {2, 0} ; the max would pick {1, 4}
structured_prune(_m, prune_ratio=0.5)  # int(2.5) = 2 neurons
assert _shapes(_m) == [(4, 5), (5,), (5, 2), (2,)], "prune in place: every parameter keeps its shape"
assert list(np.flatnonzero(np.all(_m.layers[0].weight.data == 0, axis=0))) == [1, 2]
_m = _model_of([3, 8, 2], seed=34)
structured_prune(_m, prune_ratio=0.6)  # int(4.8) = 4, not round(4.8) = 5
assert _m.layers[0].weight.shape == (3, 8), "prune in place: every parameter keeps its shape"
assert int(np.all(_m.layers[0].weight.data == 0, axis=0).sum()) == 4
_m = _model_of([3, 6, 2], seed=35)
_m.layers[0].weight.data = np.tile(np.array([[1.0, -1.0, 1.0, 2.0, -1.0, 1.0]]), (3, 1))  # five-way tie
structured_prune(_m, prune_ratio=0.5)
assert _m.layers[0].weight.shape == (3, 6), "prune in place: every parameter keeps its shape"
_zero_cols = np.all(_m.layers[0].weight.data == 0, axis=0)
assert int(_zero_cols.sum()) == 3 and not _zero_cols[3]
_m = _model_of([3, 10, 2], seed=39)
structured_prune(_m)  # prune_ratio=0.5: int(5.0) = 5 of 10 neurons
assert _m.layers[0].weight.shape == (3, 10), "prune in place: every parameter keeps its shape"
assert int(np.all(_m.layers[0].weight.data == 0, axis=0).sum()) == 5, "the default prune_ratio is 0.5"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_details", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: matching bias entries zeroed, other neurons and layers unchanged, in place.
### BEGIN HIDDEN TESTS
_m = _model_of([5, 8, 3], seed=36, bias_scale=1.0)
_layer = _m.layers[0]
_next = _m.layers[2].weight.data.copy()
_w_before, _b_before = _layer.weight.data.copy(), _layer.bias.data.copy()
structured_prune(_m, prune_ratio=0.25)
assert _shapes(_m) == [(5, 8), (8,), (8, 3), (3,)], "prune in place: every parameter keeps its shape"
_gone = np.all(_m.layers[0].weight.data == 0, axis=0)
assert int(_gone.sum()) == 2
assert np.all(_m.layers[0].bias.data[_gone] == 0)
assert np.array_equal(_m.layers[0].bias.data[~_gone], _b_before[~_gone])
assert np.array_equal(_m.layers[0].weight.data[:, ~_gone], _w_before[:, ~_gone])
assert np.array_equal(_m.layers[2].weight.data, _next)
assert _m.layers[0] is _layer, "prune the existing layers, do not replace them"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError outside [0, 1]; prune_ratio 0 changes nothing.
### BEGIN HIDDEN TESTS
for _bad in (-0.5, 1.01):
    _m = _model_of([4, 6, 2], seed=37)
    _before = _snapshot(_m)
    try:
        structured_prune(_m, prune_ratio=_bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"prune_ratio={_bad} must raise ValueError")
    _assert_parameters(_m, _before, what=f"the model after prune_ratio={_bad} (left as it was)")
_m = _model_of([4, 6, 2], seed=38)
_before = _snapshot(_m)
assert structured_prune(_m, prune_ratio=0.0) is _m
_assert_parameters(_m, _before, what="the model after prune_ratio=0 (unchanged)")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_pruning", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    levels = [0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95]
    rows = []
    for level in levels:
        unstructured = magnitude_prune(copy.deepcopy(teacher), sparsity=level)
        structured = structured_prune(copy.deepcopy(teacher), prune_ratio=level)
        rows.append((level, measure_sparsity(unstructured), accuracy(unstructured, X_test, y_test),
                     measure_sparsity(structured), accuracy(structured, X_test, y_test)))
    print(f"{'level':>5} | {'magnitude: sparsity, acc':>26} | {'structured: sparsity, acc':>26}")
    for level, s_mag, a_mag, s_str, a_str in rows:
        print(f"{level:5.2f} | {s_mag:12.1f}% {a_mag:12.3f} | {s_str:12.1f}% {a_str:12.3f}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r[1] for r in rows], [r[2] for r in rows], "o-", label="magnitude (unstructured)")
    ax.plot([r[3] for r in rows], [r[4] for r in rows], "s-", label="structured (neurons)")
    ax.set(xlabel="sparsity of the weight matrices (%)", ylabel="test accuracy",
           title="Accuracy vs sparsity on digits, no retraining")
    ax.legend()
    plt.show()

# %% [markdown]
# Read the plot at equal *sparsity*: magnitude pruning keeps its accuracy far
# longer, because it removes only the individually least useful weights.
# Structured pruning pays a higher accuracy price per zero, in exchange for
# zeros that a dense matrix multiply can actually skip (section 10 measures
# that). The head is never pruned, so structured sparsity tops out below 100%.
