# %% [markdown]
# Eight bits cost nothing measurable here and save 75% of the weight memory;
# four bits still hold up (within a point of the float32 accuracy); below
# that the largest rounding error grows past the median weight itself, and
# accuracy falls with every bit removed. One outlier weight stretches the
# range for the whole tensor, which is why production systems quantise per
# output channel.
#
# ## 11. Measuring a model: parameters and bytes (3 points)
#
# A compact set of meters for the comparisons that follow. `count_parameters`
# splits the total into weight-matrix entries and bias entries and counts the
# nonzero ones; `calculate_model_size` converts a parameter count into bytes
# for a storage type (`float32`: 4 bytes, `float16`: 2, `int8`: 1).

# %% nbgrader={"grade": false, "grade_id": "CompressionMetrics", "locked": false, "schema_version": 3, "solution": true, "task": false}
class CompressionMetrics:
    """Parameter counts and storage sizes of a model (static methods)."""

    @staticmethod
    def count_parameters(model):
        """Dict with total_parameters, total_weights, total_bias and nonzero_parameters."""
        ### BEGIN SOLUTION
        params = model.parameters()
        weights = sum(p.size for p in params if p.ndim >= 2)
        biases = sum(p.size for p in params if p.ndim < 2)
        return {
            "total_parameters": weights + biases,
            "total_weights": weights,
            "total_bias": biases,
            "nonzero_parameters": sum(int(np.count_nonzero(p.data)) for p in params),
        }
        ### END SOLUTION

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        """Dict with total_parameters, bytes_per_parameter, total_bytes, size_kb, size_mb and dtype.

        Supported dtypes: float32, float16, int8; anything else raises ValueError.
        """
        ### BEGIN SOLUTION
        bytes_per_parameter = {"float32": 4, "float16": 2, "int8": 1}
        if dtype not in bytes_per_parameter:
            raise ValueError(f"unsupported dtype {dtype!r}")
        total = sum(p.size for p in model.parameters())
        total_bytes = total * bytes_per_parameter[dtype]
        return {
            "total_parameters": total,
            "bytes_per_parameter": bytes_per_parameter[dtype],
            "total_bytes": total_bytes,
            "size_kb": total_bytes / 1024,
            "size_mb": total_bytes / 1024**2,
            "dtype": dtype,
        }
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_CompressionMetrics_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(7)
_model = SimpleModel(Linear(10, 5), ReLU(), Linear(5, 2))
_counts = CompressionMetrics.count_parameters(_model)
_expected = {"total_parameters": 67, "total_weights": 60, "total_bias": 7, "nonzero_parameters": 60}
assert {k: _counts.get(k) for k in _expected} == _expected, _counts  # fresh biases are zero
_size = CompressionMetrics.calculate_model_size(_model, dtype="int8")
assert _size["total_bytes"] == 67 and _size["bytes_per_parameter"] == 1 and _size["dtype"] == "int8"
print("CompressionMetrics: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_CompressionMetrics_counts", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: counts with factorised layers, layers without bias and pruned weights.
### BEGIN HIDDEN TESTS
_m = SimpleModel(LowRankLinear(np.ones((6, 2)), np.zeros((2, 4)), np.ones(4)), ReLU(), Linear(4, 3, bias=False))
_m.layers[2].weight.data[0, :] = 0.0
_nonzero = 12 + 0 + 4 + int(np.count_nonzero(_m.layers[2].weight.data))  # counted before the call
_counts = CompressionMetrics.count_parameters(_m)
assert _counts["total_parameters"] == 12 + 8 + 4 + 12 and _counts["total_weights"] == 32 and _counts["total_bias"] == 4
assert _counts["nonzero_parameters"] == _nonzero, _counts
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_CompressionMetrics_size", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: bytes, KB and MB for each dtype; ValueError for others.
### BEGIN HIDDEN TESTS
_m = _model_of([256, 512, 10], seed=84)
_n = 256 * 512 + 512 + 512 * 10 + 10
for _dtype, _bytes in (("float32", 4), ("float16", 2), ("int8", 1)):
    _size = CompressionMetrics.calculate_model_size(_m, dtype=_dtype)
    assert _size["total_parameters"] == _n and _size["bytes_per_parameter"] == _bytes and _size["total_bytes"] == _n * _bytes
    assert_close(_size["size_kb"], _n * _bytes / 1024, atol=1e-9, what=f"size_kb for {_dtype}")
    assert_close(_size["size_mb"], _n * _bytes / 1024**2, atol=1e-12, what=f"size_mb for {_dtype}")
    assert _size["dtype"] == _dtype
assert CompressionMetrics.calculate_model_size(_m)["bytes_per_parameter"] == 4
assert CompressionMetrics.calculate_model_size(_m)["dtype"] == "float32", "the default dtype is float32"
for _bad in ("float64", "int4", "FLOAT32"):
    try:
        CompressionMetrics.calculate_model_size(_m, dtype=_bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"dtype={_bad!r} must raise ValueError")
### END HIDDEN TESTS

