"""Prints range, scale and zero point; warnings.warn for constant-zero input (scale falls back to eps)."""
import warnings


def quantize_weights(weights, bits=8):
    if bits < 2 or bits > 8:
        raise ValueError(f"bits={bits} not in [2, 8]")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    lo, hi = min(w.min(), np.float32(0)), max(w.max(), np.float32(0))
    scale = max((hi - lo) / np.float32(qmax - qmin), np.finfo(np.float32).eps)
    if hi == lo:
        warnings.warn("quantize_weights: all weights are zero, using scale = eps")
    zero_point = int(np.clip(qmin - np.round(lo / scale), qmin, qmax))
    q = np.clip(np.round(w / scale) + zero_point, qmin, qmax).astype(np.int8)
    print(f"[quantize_weights] bits={bits} range=[{lo:.4g}, {hi:.4g}] scale={float(scale):.6g} zero_point={zero_point}")
    return q, float(scale), zero_point


def dequantize_weights(q, scale, zero_point):
    out = ((np.asarray(q, dtype=np.int32) - int(zero_point)) * scale).astype(np.float32)
    print(f"[dequantize_weights] {out.size} values, scale={scale}, zero_point={zero_point}")
    return out
