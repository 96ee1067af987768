# %% [markdown]
# ## 3. Measuring sparsity (4 points)
#
# Before removing anything we need a meter. `measure_sparsity` reports the
# percentage of weight-matrix entries that are exactly zero. Biases are left
# out on purpose: they are few, they start at zero in a fresh `Linear`, and
# counting them would make an untouched model look pruned.

# %% nbgrader={"grade": false, "grade_id": "measure_sparsity", "locked": false, "schema_version": 3, "solution": true, "task": false}
def measure_sparsity(model) -> float:
    """Percentage (0-100) of weight-matrix entries that are exactly zero.

    Weight matrices are the parameters with ndim >= 2; biases are excluded.
    Return 0.0 for a model without any weight matrix.

    Example: a model whose only weight matrix is [[0, 1], [2, 0]] has
    sparsity 50.0.
    """
    ### BEGIN SOLUTION
    weights = [p.data for p in model.parameters() if p.ndim >= 2]
    total = sum(w.size for w in weights)
    if total == 0:
        return 0.0
    zeros = sum(int(np.count_nonzero(w == 0)) for w in weights)
    return 100.0 * zeros / total
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(0)
_layer1, _layer2 = Linear(4, 3), Linear(3, 2)
_model = SimpleModel(_layer1, ReLU(), _layer2)
assert_close(measure_sparsity(_model), 0.0, what="a fresh model (no zero weights; its zero biases do not count)")
_layer1.weight.data[0, 0] = 0.0
_layer1.weight.data[1, 1] = 0.0
assert_close(measure_sparsity(_model), 100 * 2 / 18, atol=1e-9, what="2 of the 18 weights zero (11.11%)")
print("measure_sparsity: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_percent", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the result is a percentage, from 0 to 100, over all layers together.
### BEGIN HIDDEN TESTS
_m = _model_of([5, 4, 3], seed=11)
for _p in _weights_of(_m):
    _p.data[...] = 0.0
assert_close(measure_sparsity(_m), 100.0, atol=1e-9, what="all weights zero")
_m = _model_of([2, 5, 2], seed=12)  # 10 + 10 weights
_m.layers[0].weight.data[0, :] = 0.0  # 5 zeros in layer 1
_m.layers[2].weight.data[:, 1] = 0.0  # 5 zeros in layer 2
assert_close(measure_sparsity(_m), 50.0, atol=1e-9, what="10 of 20 weights zero, across two layers")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_biases", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: biases never count, whatever their values; only exact zeros count.
### BEGIN HIDDEN TESTS
_m = _model_of([3, 7, 2], seed=13, bias_scale=0.0)  # all biases exactly zero
_m.layers[0].weight.data[1, 2] = 0.0
assert_close(measure_sparsity(_m), 100 * 1 / 35, atol=1e-9, what="zero biases do not count")
_m.layers[0].bias.data[:] = 5.0
assert_close(measure_sparsity(_m), 100 * 1 / 35, atol=1e-9, what="nonzero biases do not count")
_m.layers[2].weight.data[0, 0] = 1e-8  # tiny is not zero
_m.layers[2].weight.data[1, 1] = -1e-30
assert_close(measure_sparsity(_m), 100 * 1 / 35, atol=1e-9, what="only entries exactly equal to 0 count")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: a model with no weight matrix; factorised layers count their factors.
### BEGIN HIDDEN TESTS
assert_close(measure_sparsity(SimpleModel(ReLU())), 0.0, what="a model without weight matrices")
assert_close(measure_sparsity(SimpleModel()), 0.0, what="a model without layers")
_lr = LowRankLinear(np.array([[0.0], [1.0], [2.0]]), np.array([[0.0, 0.0, 3.0]]), np.zeros(3))
assert_close(measure_sparsity(SimpleModel(_lr)), 50.0, atol=1e-9, what="a LowRankLinear's factors")
### END HIDDEN TESTS

