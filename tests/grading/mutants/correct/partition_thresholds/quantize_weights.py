"""Minimum and maximum from one np.partition(flat, [0, -1]), float32 arithmetic, np.round for half to even."""
def quantize_weights(weights, bits=8):
    if bits < 2 or bits > 8:
        raise ValueError(f"bits={bits} outside [2, 8]")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32)
    ends = np.partition(w.ravel(), [0, w.size - 1])
    lo, hi = min(ends[0], np.float32(0)), max(ends[-1], np.float32(0))
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    scale = max(np.float32(hi - lo) / np.float32(qmax - qmin), np.finfo(np.float32).eps)
    zero_point = int(min(qmax, max(qmin, qmin - int(np.round(lo / scale)))))
    q = np.clip(np.round(w / scale) + zero_point, qmin, qmax).astype(np.int8)
    return q, float(scale), zero_point


def dequantize_weights(q, scale, zero_point):
    return (np.subtract(q, zero_point, dtype=np.int64) * scale).astype(np.float32)
