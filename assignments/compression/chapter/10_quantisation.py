# %% [markdown]
# ## 10. Quantisation (12 points)
#
# Per-tensor *asymmetric affine* quantisation to `bits` bits, the scheme of
# PyTorch's `MinMaxObserver` with `torch.per_tensor_affine`:
#
# ```
# qmin, qmax = -2**(bits-1), 2**(bits-1) - 1
# lo, hi     = min(w.min(), 0), max(w.max(), 0)        # the range always contains 0
# scale      = max((hi - lo) / (qmax - qmin), float32 eps)
# zero_point = clip(qmin - round(lo / scale), qmin, qmax)   as a Python int
# q          = clip(round(w / scale) + zero_point, qmin, qmax)   as np.int8
# w'         = (q - zero_point) * scale               as float32
# ```
#
# `np.round` rounds halves to the nearest even integer, as PyTorch does.
# PyTorch does this arithmetic in float32; in float64 a value that lands
# exactly on a half can round the other way. The tests avoid such ties, but
# if you want to match PyTorch bit for bit, stay in float32.
# One trap: `q` is `int8`, and `q - zero_point` in `int8` arithmetic
# overflows (127 − (−128) does not fit). Widen to a larger integer first.

# %% nbgrader={"grade": false, "grade_id": "quantize_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def quantize_weights(weights, bits=8):
    """Asymmetric per-tensor quantisation: returns (q as np.int8, scale, zero_point).

    Raise ValueError if bits is outside [2, 8].
    """
    ### BEGIN SOLUTION
    if not 2 <= bits <= 8:
        raise ValueError(f"bits must be between 2 and 8, got {bits}")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    # float32 arithmetic throughout, as PyTorch's observer and quantiser do it
    lo, hi = min(w.min(), np.float32(0)), max(w.max(), np.float32(0))
    scale = max((hi - lo) / np.float32(qmax - qmin), np.finfo(np.float32).eps)
    zero_point = int(np.clip(qmin - np.round(lo / scale), qmin, qmax))
    q = np.clip(np.round(w * (np.float32(1) / scale)) + zero_point, qmin, qmax).astype(np.int8)
    return q, float(scale), zero_point
    ### END SOLUTION


def dequantize_weights(q, scale, zero_point):
    """Recover float32 weights: (q - zero_point) * scale."""
    ### BEGIN SOLUTION
    return ((np.asarray(q, dtype=np.int32) - int(zero_point)) * scale).astype(np.float32)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_w = np.array([-2.0, 0.0, 1.5, 3.1], dtype=np.float32)
_q, _scale, _zp = quantize_weights(_w, bits=8)
assert _q.dtype == np.int8, _q.dtype
assert_close(_scale, 5.1 / 255, atol=1e-7, what="the scale (5.1 / 255, about 0.02)")
assert_close(_zp, -28, what="the zero point (-128 - round(-2 / 0.02))")
assert_close(_q, [-128, -28, 47, 127], dtype=np.int8, what="q")
print("quantize_weights: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_parameters", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: scale, zero point and q for 8, 6 and 4 bits on random weights; 8 bits by default.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(81)
for _bits, _w in ((8, _rng.standard_normal((20, 7))), (4, 0.3 * _rng.standard_normal((9, 9)) + 0.2), (6, _rng.uniform(-3, 1, 50))):
    _w = _w.astype(np.float32)
    _qo, _so, _zo = _oracle_quantize(_w, _bits)
    _q, _scale, _zp = quantize_weights(_w.copy(), bits=_bits)
    assert_close(_scale, _so, rtol=1e-6, what=f"the scale for {_bits} bits")
    assert_close(_zp, _zo, what=f"the zero point for {_bits} bits")
    assert_close(_q, _qo, dtype=np.int8, what=f"q for {_bits} bits")
_w = _rng.standard_normal((6, 5)).astype(np.float32)
_qo, _so, _zo = _oracle_quantize(_w, 8)
_q, _scale, _zp = quantize_weights(_w.copy())  # bits=8
assert_close(_scale, _so, rtol=1e-6, what="the scale by default (8 bits)")
assert_close(_zp, _zo, what="the zero point by default (8 bits)")
assert_close(_q, _qo, dtype=np.int8, what="q by default (8 bits)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_rounding", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: halves round to even, values beyond the range clip.
### BEGIN HIDDEN TESTS
_q, _scale, _zp = quantize_weights(np.array([-1.5, -0.5, 0.5, 1.5], dtype=np.float32), bits=2)  # scale 1, zero point 0
assert_close(_scale, 1.0, what="the scale of [-1.5, 1.5] in 2 bits")
assert_close(_zp, 0, what="the zero point of [-1.5, 1.5] in 2 bits")
assert_close(_q, [-2, 0, 0, 1], what="q of [-1.5, -0.5, 0.5, 1.5] in 2 bits (halves to even, clipped)")
_q, _scale, _zp = quantize_weights(np.array([-64.0, -0.75, -0.25, 0.25, 0.75, 63.5], dtype=np.float32), bits=8)
assert_close(_scale, 0.5, what="the scale of [-64, 63.5] in 8 bits")
assert_close(_zp, 0, what="the zero point of [-64, 63.5] in 8 bits")
assert_close(_q, [-128, -2, 0, 0, 2, 127], what="q of [-64, -0.75, -0.25, 0.25, 0.75, 63.5] in 8 bits (halves to even)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_zero", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the range always contains 0, which is represented exactly; all-zero weights work.
### BEGIN HIDDEN TESTS
for _w in (np.array([2.0, 3.0, 5.0]), np.array([-4.0, -1.0, -0.5]), np.zeros((3, 2)), np.array([0.0, 7.0, -0.1])):
    _w = _w.astype(np.float32)
    _qo, _so, _zo = _oracle_quantize(_w, 8)
    _q, _scale, _zp = quantize_weights(_w.copy(), bits=8)
    assert_close(_scale, _so, rtol=1e-6, what=f"the scale of {_w.ravel()}")
    assert_close(_zp, _zo, what=f"the zero point of {_w.ravel()}")
    assert_close(_q, _qo, what=f"q of {_w.ravel()}")
    _back = _oracle_dequantize(_q, _scale, _zp)
    assert np.all(_back[_w == 0] == 0.0), "zero must survive the round trip exactly"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError for bits outside [2, 8]; the input array is not modified.
### BEGIN HIDDEN TESTS
_w = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
_copy = _w.copy()
quantize_weights(_w, bits=3)
assert np.array_equal(_w, _copy)
for _bits in (1, 9, 16, 0):
    try:
        quantize_weights(_w, bits=_bits)
    except ValueError:
        pass
    else:
        raise AssertionError(f"bits={_bits} must raise ValueError")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dequantize_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_back = dequantize_weights(np.array([-128, -28, 47, 127], dtype=np.int8), 0.02, -28)
assert _back.dtype == np.float32, _back.dtype
assert_close(_back, [-2.0, 0.0, 1.5, 3.1], rtol=1e-5, atol=1e-6, what=f"the weights {_back} (does 127 - (-28) overflow in int8?)")
print("dequantize_weights: visible tests passed")
# Hidden tests: float32 result, no int8 overflow in q - zero_point.
### BEGIN HIDDEN TESTS
_back = dequantize_weights(np.array([127, -128, 0], dtype=np.int8), 0.5, -128)
assert_close(_back, [127.5, 0.0, 64.0], rtol=1e-5, atol=1e-8, dtype=np.float32, what="the weights of the int8 extremes")
_q = np.array([[-8, 7], [0, 3]], dtype=np.int8)
_expected = (_q.astype(int) - 3) * 0.25
assert_close(dequantize_weights(_q.copy(), 0.25, 3), _expected, rtol=1e-5, atol=1e-8, dtype=np.float32, what="a 2x2 matrix")
### END HIDDEN TESTS

# %% [markdown]
# Now apply it to a layer. `quantize_layer_weights` keeps the integer form in
# `layer.quantized` (what you would store or ship) and puts the dequantised
# values back into `layer.weight.data`, so the layer runs as before, with the
# rounding error it would have on integer hardware (*simulated quantisation*).

# %% nbgrader={"grade": false, "grade_id": "quantize_layer_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def quantize_layer_weights(layer, bits=8):
    """Quantise layer.weight in place (simulated) and report the saving and the error.

    Use quantize_weights and dequantize_weights. Sets layer.quantized =
    {"q", "scale", "zero_point", "bits"}, replaces layer.weight.data with the
    dequantised values, and returns a dict with scale, zero_point, bits,
    original_bytes (float32), quantized_bytes (ceil(n * bits / 8)) and
    max_abs_error.
    """
    ### BEGIN SOLUTION
    original = layer.weight.data.copy()
    q, scale, zero_point = quantize_weights(original, bits)
    restored = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = restored
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": original.size * BYTES_PER_FLOAT32,
        "quantized_bytes": math.ceil(original.size * bits / 8),
        "max_abs_error": float(np.max(np.abs(original - restored))),
    }
    ### END SOLUTION


def dequantize_layer_weights(layer):
    """The float32 weights recovered from layer.quantized."""
    ### BEGIN SOLUTION
    info = layer.quantized
    return dequantize_weights(info["q"], info["scale"], info["zero_point"])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_quantize_layer_weights_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Stand-ins with recognisable results, so that this test checks quantize_layer_weights alone.
def _stand_in_quantize(weights, bits=8):
    return np.zeros(np.shape(weights), dtype=np.int8), 0.5, 0


def _stand_in_dequantize(q, scale, zero_point):
    return np.full(np.shape(q), 0.25, dtype=np.float32)


np.random.seed(6)
_layer = Linear(16, 8)
_original = _layer.weight.data.copy()
with replaced(quantize_weights=_stand_in_quantize, dequantize_weights=_stand_in_dequantize):
    _info = quantize_layer_weights(_layer, bits=8)
assert _info["original_bytes"] == 16 * 8 * 4 and _info["quantized_bytes"] == 16 * 8, _info
assert (_info["scale"], _info["zero_point"], _info["bits"]) == (0.5, 0, 8), _info
assert set(_layer.quantized) >= {"q", "scale", "zero_point", "bits"} and _layer.quantized["scale"] == 0.5
assert_close(_layer.weight.data, np.full((16, 8), 0.25), what="weight.data (what dequantize_weights returned)")
assert_close(_info["max_abs_error"], np.max(np.abs(_original - 0.25)), atol=1e-6, what="max_abs_error")
print("quantize_layer_weights: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_quantize_layer_weights_report", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the returned figures, for an odd number of 4-bit weights; 8 bits by default.
### BEGIN HIDDEN TESTS
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = _model_of([5, 3], seed=82).layers[0]
    _w = _layer.weight.data.copy()
    _info = quantize_layer_weights(_layer, bits=4)
_qo, _so, _zo = _oracle_quantize(_w, 4)
assert_close(_info["scale"], _so, rtol=1e-6, what="scale")
assert_close(_info["zero_point"], _zo, what="zero_point")
assert _info["bits"] == 4, _info
assert _info["original_bytes"] == 60 and _info["quantized_bytes"] == 8, _info  # ceil(15 * 4 / 8)
_err = float(np.max(np.abs(_w - _oracle_dequantize(_qo, _so, _zo))))
assert _err <= _so / 2 + 1e-6
assert_close(_info["max_abs_error"], _err, atol=1e-6, what="max_abs_error")
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = _model_of([5, 3], seed=89).layers[0]
    _info = quantize_layer_weights(_layer)  # bits=8
assert _info["bits"] == 8 and _info["quantized_bytes"] == 15 and _layer.quantized["bits"] == 8, "the default is 8 bits"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_layer_weights_state", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: layer.quantized holds the integers; weight.data the dequantised floats; the bias is untouched.
### BEGIN HIDDEN TESTS
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = _model_of([6, 4], seed=83, bias_scale=1.0).layers[0]
    _w, _b, _tensor = _layer.weight.data.copy(), _layer.bias.data.copy(), _layer.weight
    quantize_layer_weights(_layer, bits=3)
_qo, _so, _zo = _oracle_quantize(_w, 3)
assert _layer.weight is _tensor and np.array_equal(_layer.bias.data, _b)
assert_close(_layer.quantized["q"], _qo, what='layer.quantized["q"]')
assert_close(_layer.quantized["zero_point"], _zo, what='layer.quantized["zero_point"]')
assert_close(_layer.quantized["scale"], _so, rtol=1e-6, what='layer.quantized["scale"]')
assert _layer.quantized["bits"] == 3, _layer.quantized["bits"]
assert_close(_layer.weight.data, _oracle_dequantize(_qo, _so, _zo), rtol=1e-5, atol=1e-6, what="weight.data (the dequantised weights)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dequantize_layer_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: recover float32 weights from a stored quantisation.
### BEGIN HIDDEN TESTS
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = Linear(2, 2)
    _layer.quantized = {"q": np.array([[127, -128], [0, 5]], dtype=np.int8), "scale": 0.1, "zero_point": -3, "bits": 8}
    _got = dequantize_layer_weights(_layer)
assert_close(_got, [[13.0, -12.5], [0.3, 0.8]], rtol=1e-5, atol=1e-5, dtype=np.float32, what="the recovered weights")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_quantization", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    median_w = analyze_weight_distribution(teacher, percentiles=(50,))["percentiles"][50]
    print(f"{'bits':>4} | {'weight bytes':>12} | {'saving':>6} | {'max |error|':>11} | accuracy")
    table = []
    for bits in (8, 6, 4, 3, 2):
        clone = copy.deepcopy(teacher)
        reports = [quantize_layer_weights(layer, bits) for layer in clone.layers if isinstance(layer, Linear)]
        stored = sum(r["quantized_bytes"] for r in reports)
        original = sum(r["original_bytes"] for r in reports)
        worst = max(r["max_abs_error"] for r in reports)
        table.append((bits, worst, accuracy(clone, X_test, y_test)))
        print(f"{bits:4d} | {stored:12,} | {1 - stored / original:6.1%} | {worst:11.4f} | {table[-1][2]:.3f}")
    teacher_acc = accuracy(teacher, X_test, y_test)
    print(f"float32 teacher: {original:,} weight bytes, accuracy {teacher_acc:.3f}; median |w| {median_w:.4f}")

    bits_, errors, accs = zip(*table)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.3), layout="constrained")
    ax1.semilogy(bits_, errors, "o-", label="largest rounding error")
    ax1.axhline(median_w, color="gray", linestyle="--", label="median |w| of the teacher")
    ax1.set(title="Rounding error vs bits", xlabel="bits per weight", ylabel="max |w - dequantised w|")
    ax1.legend()
    ax2.plot(bits_, accs, "o-", label="quantised teacher")
    ax2.axhline(teacher_acc, color="gray", linestyle="--", label="float32 teacher")
    ax2.set(title="Accuracy vs bits", xlabel="bits per weight", ylabel="test accuracy")
    ax2.legend(loc="lower right")
    for ax in (ax1, ax2):
        ax.set_xticks(bits_)
    plt.show()

