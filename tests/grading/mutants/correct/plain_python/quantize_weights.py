"""Element by element in Python floats (float64), Python's round() (half to even) and explicit clamping."""
def quantize_weights(weights, bits=8):
    if bits < 2 or bits > 8:
        raise ValueError("bits must be between 2 and 8")
    if isinstance(weights, Tensor):
        weights = weights.data
    w = np.asarray(weights, dtype=np.float32)
    qmin = -(2 ** (bits - 1))
    qmax = 2 ** (bits - 1) - 1
    lo = min(float(w.min()), 0.0)
    hi = max(float(w.max()), 0.0)
    scale = (hi - lo) / (qmax - qmin)
    if scale < float(np.finfo(np.float32).eps):
        scale = float(np.finfo(np.float32).eps)
    zero_point = min(max(qmin - round(lo / scale), qmin), qmax)
    q = np.empty(w.shape, dtype=np.int8)
    for index, value in np.ndenumerate(w):
        level = round(float(value) / scale) + zero_point
        q[index] = min(max(level, qmin), qmax)
    return q, scale, int(zero_point)


def dequantize_weights(q, scale, zero_point):
    out = np.empty(np.shape(q), dtype=np.float32)
    for index, level in np.ndenumerate(np.asarray(q)):
        out[index] = (int(level) - int(zero_point)) * scale
    return out
