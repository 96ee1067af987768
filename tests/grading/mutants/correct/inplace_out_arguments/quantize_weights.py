"""One float32 work buffer: np.divide, np.rint, np.add, np.clip with out=, then a single astype(np.int8)."""
def quantize_weights(weights, bits=8):
    if not 2 <= bits <= 8:
        raise ValueError(f"bits must be in [2, 8], got {bits}")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    lo = np.minimum(w.min(), np.float32(0))
    hi = np.maximum(w.max(), np.float32(0))
    scale = np.maximum((hi - lo) / np.float32(qmax - qmin), np.finfo(np.float32).eps)
    zero_point = int(np.clip(qmin - np.rint(lo / scale), qmin, qmax))
    work = np.empty(w.shape, dtype=np.float32)
    np.divide(w, scale, out=work)
    np.rint(work, out=work)
    np.add(work, np.float32(zero_point), out=work)
    np.clip(work, qmin, qmax, out=work)
    return work.astype(np.int8), float(scale), zero_point


def dequantize_weights(q, scale, zero_point):
    levels = np.empty(np.shape(q), dtype=np.int32)
    np.subtract(np.asarray(q, dtype=np.int32), int(zero_point), out=levels)
    out = np.empty(levels.shape, dtype=np.float32)
    np.multiply(levels, scale, out=out, casting="same_kind")
    return out
