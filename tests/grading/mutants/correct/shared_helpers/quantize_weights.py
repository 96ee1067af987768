"""Reuses as_array from the first cell; defines signed_range(bits), reused by both functions of the cell."""
def signed_range(bits):
    if not 2 <= bits <= 8:
        raise ValueError(f"bits must be in [2, 8], got {bits}")
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def quantize_weights(weights, bits=8):
    qmin, qmax = signed_range(bits)
    w = as_array(weights, np.float32)
    lo, hi = min(w.min(), np.float32(0)), max(w.max(), np.float32(0))
    scale = max((hi - lo) / np.float32(qmax - qmin), np.finfo(np.float32).eps)
    zero_point = int(np.clip(qmin - np.round(lo / scale), qmin, qmax))
    q = np.clip(np.round(w / scale) + zero_point, qmin, qmax).astype(np.int8)
    return q, float(scale), zero_point


def dequantize_weights(q, scale, zero_point):
    return ((as_array(q).astype(np.int32) - int(zero_point)) * scale).astype(np.float32)
