"""Python floats from .tolist() (float32 values), min()/max(), Python round() (half to even), list comprehension clamping."""
def quantize_weights(weights, bits=8):
    if bits not in range(2, 9):
        raise ValueError("bits must be an integer from 2 to 8")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32)
    values = w.ravel().tolist()
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(min(values), 0.0), max(max(values), 0.0)
    scale = max((hi - lo) / (qmax - qmin), float(np.finfo(np.float32).eps))
    zero_point = min(qmax, max(qmin, qmin - round(lo / scale)))
    codes = [min(qmax, max(qmin, round(v / scale) + zero_point)) for v in values]
    return np.array(codes, dtype=np.int8).reshape(w.shape), scale, int(zero_point)


def dequantize_weights(q, scale, zero_point):
    q = np.asarray(q)
    values = [(int(code) - int(zero_point)) * scale for code in q.ravel().tolist()]
    return np.array(values, dtype=np.float32).reshape(q.shape)
