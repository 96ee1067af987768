# %% [markdown]
# ## 6. Low-rank approximation (6 points)
#
# `np.linalg.svd(W, full_matrices=False)` returns `U`, the singular values
# `S` (already in descending order) and `Vt` such that
# `W = U @ np.diag(S) @ Vt`. Keep the first `k = max(1, int(rank_ratio · min(m, n)))`
# of each. Your function returns the three factors, not their product: the
# factors *are* the compressed layer.

# %% nbgrader={"grade": false, "grade_id": "low_rank_approximate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    """Best rank-k factors (U, S, V) of a 2-D matrix, k = max(1, int(rank_ratio * min(m, n))).

    U has shape (m, k), S (k,) in descending order, V (k, n), and
    U @ np.diag(S) @ V is the closest rank-k matrix to the input in the
    Frobenius norm. Accepts an ndarray or a Tensor. Raise ValueError if the
    input is not 2-D or rank_ratio is outside (0, 1].
    """
    ### BEGIN SOLUTION
    weights = weight_matrix.data if isinstance(weight_matrix, Tensor) else np.asarray(weight_matrix)
    if weights.ndim != 2:
        raise ValueError(f"expected a 2-D weight matrix, got shape {weights.shape}")
    if not 0.0 < rank_ratio <= 1.0:
        raise ValueError(f"rank_ratio must be in (0, 1], got {rank_ratio}")
    k = max(1, int(rank_ratio * min(weights.shape)))
    U, S, Vt = np.linalg.svd(weights, full_matrices=False)
    return U[:, :k], S[:k], Vt[:k, :]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_W = np.random.default_rng(3).standard_normal((20, 15))
_sigma = np.linalg.svd(_W, compute_uv=False)
_U, _S, _V = low_rank_approximate(_W.copy(), rank_ratio=0.4)  # k = int(0.4 * 15) = 6; the test keeps _W for itself
assert _U.shape == (20, 6) and _S.shape == (6,) and _V.shape == (6, 15), (_U.shape, _S.shape, _V.shape)
_error = np.linalg.norm(_W - _U @ np.diag(_S) @ _V)
assert_close(_error, np.sqrt(np.sum(_sigma[6:] ** 2)), atol=1e-8,
             what="the error of the rank-6 approximation (Eckart-Young: that of the discarded singular values)")
print(f"rank 6 of 15 keeps {np.sum(_S**2) / np.sum(_sigma**2):.1%} of the energy; low_rank_approximate: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: k = max(1, int(rank_ratio * min(m, n))) for tall, wide and tiny ratios (default 0.5); Tensors accepted;
# input untouched; factors of the input itself (at full rank they rebuild it).
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(41)
for (_m, _n), _r, _k in (((7, 30), 0.5, 3), ((30, 7), 0.99, 6), ((12, 9), 0.01, 1), ((6, 6), 1.0, 6), ((9, 25), 0.35, 3)):
    _W = _rng.standard_normal((_m, _n))
    _copy = _W.copy()
    _U, _S, _V = low_rank_approximate(_W, rank_ratio=_r)
    assert np.shape(_U) == (_m, _k) and np.shape(_S) == (_k,) and np.shape(_V) == (_k, _n), (_m, _n, _r)
    assert_close(_W, _copy, what="the input matrix (it must not be modified)")
    if _k == min(_m, _n):
        _rebuilt = np.asarray(_U, dtype=np.float64) @ np.diag(np.asarray(_S, dtype=np.float64)) @ np.asarray(_V, dtype=np.float64)
        assert_close(_rebuilt, _copy, rtol=1e-5, atol=1e-6, what="the product of the factors at k = min(m, n) (the matrix itself)")
_T = Tensor(_rng.standard_normal((10, 8)))
_U, _S, _V = low_rank_approximate(_T, rank_ratio=0.5)
assert np.shape(_U) == (10, 4) and np.shape(_V) == (4, 8)
_U, _S, _V = low_rank_approximate(_rng.standard_normal((9, 13)))  # rank_ratio=0.5: k = int(4.5) = 4
assert np.shape(_U) == (9, 4) and np.shape(_S) == (4,) and np.shape(_V) == (4, 13), "the default rank_ratio is 0.5"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_optimal", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the reconstruction is the optimal rank-k matrix (Eckart-Young), for float64 and float32 inputs.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(42)
for _shape, _r in (((16, 11), 0.3), ((9, 24), 0.5), ((13, 13), 0.8)):
    _W = _rng.standard_normal(_shape) @ np.diag(np.linspace(3, 0.1, _shape[1]))
    _Uo, _So, _Vo = _oracle_low_rank(_W, _r)
    _U, _S, _V = (np.asarray(a, dtype=np.float64) for a in low_rank_approximate(_W.copy(), rank_ratio=_r))
    assert_close(_U @ np.diag(_S) @ _V, _Uo @ np.diag(_So) @ _Vo, rtol=1e-5, atol=1e-8, what=f"the rank-k approximation of a {_shape} matrix")
_W32 = Tensor(_rng.standard_normal((20, 12)))
_Uo, _So, _Vo = _oracle_low_rank(_W32, 0.25)
_scale = np.linalg.norm(_W32.data)
_U, _S, _V = (np.asarray(a, dtype=np.float64) for a in low_rank_approximate(copy.deepcopy(_W32), rank_ratio=0.25))
_product, _best = _U @ np.diag(_S) @ _V, _Uo @ np.diag(_So) @ _Vo
assert_close(_product, _best, atol=1e-4 * _scale, what="the rank-3 approximation of a float32 Tensor")
assert np.linalg.norm(_product - _best) < 1e-4 * _scale
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_singular_values", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: S holds the k largest singular values in descending order.
### BEGIN HIDDEN TESTS
_W = np.random.default_rng(43).standard_normal((14, 10))
_sigma = np.linalg.svd(_W, compute_uv=False)
_U, _S, _V = low_rank_approximate(_W.copy(), rank_ratio=0.6)
assert_close(_S, _sigma[:6], rtol=1e-6, atol=1e-8, what="S (the 6 largest singular values)")
assert np.all(np.diff(np.asarray(_S)) <= 0)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError for inputs that are not 2-D and for rank_ratio outside (0, 1].
### BEGIN HIDDEN TESTS
for _arg, _r in ((np.ones(5), 0.5), (np.ones((2, 3, 4)), 0.5), (np.ones((4, 4)), 0.0), (np.ones((4, 4)), 1.2), (np.ones((4, 4)), -0.3)):
    try:
        low_rank_approximate(_arg, rank_ratio=_r)
    except ValueError:
        pass
    else:
        raise AssertionError(f"shape {np.shape(_arg)}, rank_ratio={_r} must raise ValueError")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_low_rank", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    def factorised(model, rank_ratio):
        """A copy of model whose hidden Linear layers are replaced by their rank-k factors."""
        clone = copy.deepcopy(model)
        dense = [i for i, layer in enumerate(clone.layers) if isinstance(layer, Linear)]
        for i in dense[:-1]:
            U, S, V = low_rank_approximate(clone.layers[i].weight, rank_ratio)
            clone.layers[i] = LowRankLinear(U * S, V, clone.layers[i].bias)
        return clone

    def top_energy(weight, fraction=0.1):
        """Share of the squared singular values held by the top `fraction` of the directions."""
        sigma2 = np.linalg.svd(weight, compute_uv=False) ** 2
        return sigma2[: max(1, int(fraction * len(sigma2)))].sum() / sigma2.sum()

    rng = np.random.default_rng(0)
    for number, layer in enumerate([l for l in teacher.layers if isinstance(l, Linear)][:-1], start=1):
        W = layer.weight.data
        random_w = rng.standard_normal(W.shape) * W.std()
        print(f"hidden layer {number}: top 10% of directions hold {top_energy(W):.0%} of the energy "
              f"(random, same scale: {top_energy(random_w):.0%})")

    dense_params, dense_acc = Profiler().count_parameters(teacher), accuracy(teacher, X_test, y_test)
    ratios = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
    models = [factorised(teacher, r) for r in ratios]
    params = [Profiler().count_parameters(m) for m in models]
    accs = [accuracy(m, X_test, y_test) for m in models]
    print(f"{'rank_ratio':>10} | {'params':>7} | {'of dense':>8} | accuracy")
    for r, p_, a in zip(ratios, params, accs):
        print(f"{r:10.2f} | {p_:7,} | {p_ / dense_params:8.0%} | {a:.3f}")
    print(f"dense teacher: {dense_params:,} parameters, accuracy {dense_acc:.3f}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    W1 = teacher.layers[0].weight.data
    ax1.semilogy(np.linalg.svd(W1, compute_uv=False), label="trained layer 1")
    ax1.semilogy(np.linalg.svd(rng.standard_normal(W1.shape) * W1.std(), compute_uv=False), label="random, same scale")
    ax1.set(title="Singular values", xlabel="index")
    ax1.legend()
    ax2.semilogx(ratios, accs, "o-", label="factorised hidden layers")
    ax2.axhline(dense_acc, color="gray", linestyle="--", label="dense teacher")
    for r, p_, a in zip(ratios, params, accs):
        ax2.annotate(f"{p_ / dense_params:.0%}", (r, a), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax2.set(title="Accuracy vs rank (labels: parameters kept)", xlabel="rank_ratio (log scale)", ylabel="test accuracy",
            xlim=(0.015, 1.6), ylim=(0, 1.05))
    ax2.legend(loc="lower right")
    plt.show()

