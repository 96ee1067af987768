"""A _QuantRange helper class computes qmin/qmax, scale and zero point; the functions use its attributes."""
class _QuantRange:
    def __init__(self, bits):
        if not 2 <= bits <= 8:
            raise ValueError(f"bits must be in [2, 8], got {bits}")
        self.qmin = -(2 ** (bits - 1))
        self.qmax = 2 ** (bits - 1) - 1

    def fit(self, w):
        lo = min(w.min(), np.float32(0))
        hi = max(w.max(), np.float32(0))
        self.scale = max((hi - lo) / np.float32(self.qmax - self.qmin), np.finfo(np.float32).eps)
        self.zero_point = int(np.clip(self.qmin - np.round(lo / self.scale), self.qmin, self.qmax))
        return self

    def encode(self, w):
        return np.clip(np.round(w / self.scale) + self.zero_point, self.qmin, self.qmax).astype(np.int8)


def quantize_weights(weights, bits=8):
    quant = _QuantRange(bits)
    w = np.asarray(getattr(weights, "data", weights), dtype=np.float32)
    quant.fit(w)
    return quant.encode(w), float(quant.scale), quant.zero_point


def dequantize_weights(q, scale, zero_point):
    return ((np.asarray(q).astype(np.int32) - int(zero_point)) * scale).astype(np.float32)
