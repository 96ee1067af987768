"""All arithmetic in float64 with np.rint, zero point from the top of the range, dequantisation in float64."""
def quantize_weights(weights, bits=8):
    if bits not in range(2, 9):
        raise ValueError(f"bits={bits} not supported")
    w = np.array(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float64)
    qmin, qmax = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    lo, hi = min(w.min(), 0.0), max(w.max(), 0.0)
    scale = max((hi - lo) / (qmax - qmin), np.finfo(np.float32).eps)
    zero_point = int(np.clip(qmin - np.rint(lo / scale), qmin, qmax))
    q = np.clip(np.rint(w / scale) + zero_point, qmin, qmax).astype(np.int8)
    return q, float(scale), zero_point


def dequantize_weights(q, scale, zero_point):
    return ((np.asarray(q, dtype=np.float64) - zero_point) * scale).astype(np.float32)
