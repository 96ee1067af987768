"""float64 range and scale, np.round (half to even); returns np.float64 scale and np.int64 zero point."""
def quantize_weights(weights, bits=8):
    if not (2 <= bits <= 8):
        raise ValueError("bits must lie in [2, 8]")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32).astype(np.float64)
    qmin = np.int64(-(2 ** (bits - 1)))
    qmax = np.int64(2 ** (bits - 1) - 1)
    lo = np.minimum(np.min(w), np.float64(0.0))
    hi = np.maximum(np.max(w), np.float64(0.0))
    scale = np.maximum((hi - lo) / np.float64(qmax - qmin), np.float64(np.finfo(np.float32).eps))
    zero_point = np.int64(np.clip(qmin - np.round(lo / scale), qmin, qmax))
    q = np.clip(np.round(w / scale) + zero_point, qmin, qmax).astype(np.int8)
    return q, scale, zero_point


def dequantize_weights(q, scale, zero_point):
    return ((np.asarray(q).astype(np.int64) - np.int64(zero_point)) * np.float64(scale)).astype(np.float32)
