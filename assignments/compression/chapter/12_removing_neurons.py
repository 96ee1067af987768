# %% [markdown]
# ## 12. Removing neurons for real (8 points)
#
# Structured pruning zeroed neurons but kept the matrices' shapes, so a
# forward pass costs as much as before. Removing a neuron `j` *physically*
# means deleting column `j` (and `b[j]`) from its layer and row `j` from the
# next layer's weight: both matrices shrink, and so does every matrix
# multiply. Because a zeroed neuron outputs `ReLU(0) = 0`, the network
# computes exactly what the zero-pruned network computed.

# %% nbgrader={"grade": false, "grade_id": "compute_neuron_importance", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compute_neuron_importance(layer, method="l2"):
    """Importance of each output neuron: the L2 ("l2") or L1 ("l1") norm of its weight column.

    Returns an array of shape (out_features,). Raise ValueError for another method.
    """
    ### BEGIN SOLUTION
    weight = layer.weight.data
    if method == "l2":
        return np.linalg.norm(weight, axis=0)
    if method == "l1":
        return np.abs(weight).sum(axis=0)
    raise ValueError(f"unknown importance method {method!r}; use 'l2' or 'l1'")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_compute_neuron_importance", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_layer = Linear(2, 3)
_layer.weight.data = np.array([[3.0, -1.0, 0.0], [4.0, 1.0, -2.0]])
assert_close(compute_neuron_importance(_layer), [5.0, np.sqrt(2), 2.0], rtol=1e-5, atol=1e-8,
             what="the L2 norms of the columns of [[3, -1, 0], [4, 1, -2]]")
print("compute_neuron_importance: visible tests passed")
# Hidden tests: L1 and L2 (the default) on random layers, ValueError for an unknown method.
### BEGIN HIDDEN TESTS
_layer = _model_of([7, 5], seed=85).layers[0]
_l2, _l1 = _oracle_importance(_layer, "l2"), _oracle_importance(_layer, "l1")
assert_close(compute_neuron_importance(copy.deepcopy(_layer)), _l2, rtol=1e-5, atol=1e-8, what="the importance by default (L2)")
assert_close(compute_neuron_importance(copy.deepcopy(_layer), "l2"), _l2, rtol=1e-5, atol=1e-8, what="the L2 importance")
assert_close(compute_neuron_importance(copy.deepcopy(_layer), method="l1"), _l1, rtol=1e-5, atol=1e-8, what="the L1 importance")
try:
    compute_neuron_importance(_layer, method="linf")
except ValueError:
    pass
else:
    raise AssertionError("method='linf' must raise ValueError")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "prune_layer_neurons", "locked": false, "schema_version": 3, "solution": true, "task": false}
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    """Remove the least important output neurons of layer, returning two new, smaller Linear layers.

    Keeps the max(1, int(keep_ratio * out_features)) neurons with the largest L2
    importance, in their original order: their weight columns and bias
    entries in the new layer, their input rows in the new next layer (whose
    bias is copied). The inputs are not modified. Raise ValueError if
    keep_ratio is outside (0, 1] or the two layers do not connect.
    """
    ### BEGIN SOLUTION
    if not 0.0 < keep_ratio <= 1.0:
        raise ValueError(f"keep_ratio must be in (0, 1], got {keep_ratio}")
    if layer.out_features != next_layer.in_features:
        raise ValueError(
            f"layer has {layer.out_features} outputs but next_layer expects {next_layer.in_features} inputs"
        )
    n_keep = max(1, int(keep_ratio * layer.out_features))
    importance = compute_neuron_importance(layer, "l2")
    keep = np.sort(np.argsort(-importance, kind="stable")[:n_keep])

    new_layer = Linear(layer.in_features, n_keep, bias=layer.bias is not None)
    new_layer.weight.data = layer.weight.data[:, keep].copy()
    if layer.bias is not None:
        new_layer.bias.data = layer.bias.data[keep].copy()

    new_next = Linear(n_keep, next_layer.out_features, bias=next_layer.bias is not None)
    new_next.weight.data = next_layer.weight.data[keep, :].copy()
    if next_layer.bias is not None:
        new_next.bias.data = next_layer.bias.data.copy()
    return new_layer, new_next
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(8)
_layer, _next = Linear(4, 6), Linear(6, 3)
with replaced(compute_neuron_importance=lambda layer, method="l2": np.arange(layer.weight.shape[1], dtype=float)):
    _new, _new_next = prune_layer_neurons(_layer, _next, keep_ratio=0.5)  # shapes do not depend on the ranking
assert isinstance(_new, Linear) and isinstance(_new_next, Linear)
assert _new.weight.shape == (4, 3) and _new.bias.shape == (3,) and _new_next.weight.shape == (3, 3), (_new.weight.shape, _new_next.weight.shape)
assert _layer.weight.shape == (4, 6), "the original layer is not modified"
print("prune_layer_neurons: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_equivalence", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the smaller network computes what the zero-pruned network computed.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(86)
for _sizes, _keep in (([5, 9, 4], 0.5), ([8, 12, 6], 0.3), ([3, 7, 2], 0.9)):
    _m = _model_of(_sizes, seed=int(_rng.integers(1000)), bias_scale=1.0)
    _n_keep = max(1, int(_keep * _sizes[1]))
    _kept = np.sort(np.argsort(-_oracle_importance(_m.layers[0]), kind="stable")[:_n_keep])
    _zeroed = copy.deepcopy(_m)
    _removed = np.setdiff1d(np.arange(_sizes[1]), _kept)
    _zeroed.layers[0].weight.data[:, _removed] = 0.0
    _zeroed.layers[0].bias.data[_removed] = 0.0
    with replaced(compute_neuron_importance=_oracle_importance):
        _new, _new_next = prune_layer_neurons(copy.deepcopy(_m.layers[0]), copy.deepcopy(_m.layers[2]), keep_ratio=_keep)
    _x = _rng.standard_normal((7, _sizes[0]))
    _small = _new_next.forward(ReLU().forward(_new.forward(Tensor(_x)))).data
    assert_close(_small, _zeroed.forward(Tensor(_x)).data, rtol=1e-5, atol=1e-5,
                 what=f"the outputs of the smaller layers ({_sizes}, keep_ratio={_keep})")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_selection", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the most important neurons are kept, in their original order; the next layer's bias is kept;
# the default keep_ratio is 0.7.
### BEGIN HIDDEN TESTS
_layer, _next = Linear(3, 5), Linear(5, 2)
_layer.weight.data = np.array([[5.0, 0.1, 3.0, 0.2, 4.0]] * 3)
_layer.bias.data = np.arange(5.0)
_next.weight.data = np.arange(10.0).reshape(5, 2)
_next.bias.data = np.array([7.0, -7.0])
_w, _w_next = _layer.weight.data.copy(), _next.weight.data.copy()
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(copy.deepcopy(_layer), copy.deepcopy(_next), keep_ratio=0.6)  # keep 3: neurons 0, 2, 4
assert_close(_new.weight.data, _w[:, [0, 2, 4]], what="the new layer's weight (columns 0, 2, 4)")
assert_close(_new.bias.data, [0.0, 2.0, 4.0], what="the new layer's bias (entries 0, 2, 4)")
assert_close(_new_next.weight.data, _w_next[[0, 2, 4]], what="the new next layer's weight (rows 0, 2, 4)")
assert_close(_new_next.bias.data, [7.0, -7.0], what="the new next layer's bias (the next layer's, whole)")
_wide, _wide_next = Linear(2, 10), Linear(10, 3)
_wide.weight.data = np.tile(np.array([[3.0, 9.0, 1.0, 8.0, 2.0, 7.0, 6.0, 0.5, 5.0, 4.0]]), (2, 1))
_w, _w_next = _wide.weight.data.copy(), _wide_next.weight.data.copy()
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(copy.deepcopy(_wide), copy.deepcopy(_wide_next))  # keep_ratio=0.7: the 7 strongest of 10
assert_close(_new.weight.data, _w[:, [0, 1, 3, 5, 6, 8, 9]], what="the new layer's weight by default (keep_ratio=0.7)")
assert_close(_new_next.weight.data, _w_next[[0, 1, 3, 5, 6, 8, 9]], what="the new next layer's weight by default (keep_ratio=0.7)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_inputs_untouched", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: new, smaller layer objects; the inputs keep their shapes and values.
### BEGIN HIDDEN TESTS
_m = _model_of([6, 10, 4], seed=87, bias_scale=1.0)
_layer, _next = _m.layers[0], _m.layers[2]
_before = _snapshot(_m)
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(_layer, _next, keep_ratio=0.4)
assert _new is not _layer and _new_next is not _next
assert _new.weight.shape == (6, 4) and _new_next.weight.shape == (4, 4), "keep_ratio=0.4 keeps 4 of the 10 neurons"
_assert_parameters(_m, _before, what="the given layers (they must not be modified)")
_new.weight.data[...] = 123.0
_new_next.bias.data[...] = 123.0
_assert_parameters(_m, _before, what="the given layers after changing the new ones (they must not share arrays)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: at least one neuron survives; ValueError for a bad keep_ratio or layers that do not connect.
### BEGIN HIDDEN TESTS
_m = _model_of([4, 6, 2], seed=88)
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(_m.layers[0], _m.layers[2], keep_ratio=0.01)
    assert _new.weight.shape == (4, 1) and _new_next.weight.shape == (1, 2)
    for _args in ((_m.layers[0], _m.layers[2], 0.0), (_m.layers[0], _m.layers[2], 1.5), (_m.layers[0], Linear(5, 2), 0.5)):
        try:
            prune_layer_neurons(*_args)
        except ValueError:
            pass
        else:
            raise AssertionError("must raise ValueError")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_speedup", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    def physically_pruned(model, keep_ratio):
        """A copy of the 3-layer teacher with both hidden layers physically shrunk."""
        l1, l2, l3 = (layer for layer in model.layers if isinstance(layer, Linear))
        l1, l2 = prune_layer_neurons(l1, l2, keep_ratio)
        l2, l3 = prune_layer_neurons(l2, l3, keep_ratio)
        return SimpleModel(l1, ReLU(), l2, ReLU(), l3)

    batch = Tensor(np.tile(X_test, (20, 1)))  # 9 000 digits
    keeps = (1.0, 0.75, 0.5, 0.25, 0.1)
    print(f"{'keep':>5} | {'params':>7} | {'mult-adds':>9} | {'zeroed ms':>9} | {'removed ms':>10} | "
          f"speed-up | fewer mult-adds | acc zeroed | acc removed")
    speedups, work_ratios = [], []
    for keep in keeps:
        zeroed = structured_prune(copy.deepcopy(teacher), prune_ratio=1 - keep)
        small = physically_pruned(teacher, keep)
        t_zero, t_small = cpu_ms([zeroed, small], batch)
        speedups.append(t_zero / t_small)
        work_ratios.append(multiply_adds(zeroed) / multiply_adds(small))
        print(f"{keep:5.2f} | {Profiler().count_parameters(small):7,} | {multiply_adds(small):9,} | {t_zero:9.2f} | "
              f"{t_small:10.2f} | {speedups[-1]:7.1f}x | {work_ratios[-1]:14.1f}x | "
              f"{accuracy(zeroed, X_test, y_test):10.3f} | {accuracy(small, X_test, y_test):.3f}")

    fig, ax = plt.subplots(figsize=(6.5, 3.5), layout="constrained")
    ax.plot(keeps, work_ratios, "s--", color="gray", label="fewer multiply-adds (the ideal)")
    ax.plot(keeps, speedups, "o-", label="measured speed-up (CPU time, fastest of 15 passes)")
    ax.set_yscale("log")
    ax.invert_xaxis()
    ax.set(title="Removing neurons: speed-up over the zeroed model, 9 000 digits",
           xlabel="keep_ratio (fraction of hidden neurons kept)", ylabel="times faster (log scale)")
    ax.legend()
    plt.show()

