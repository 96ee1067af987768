"""Byte counts as np.int64 (np.ceil on float64), max error as np.float64 via np.max."""
def quantize_layer_weights(layer, bits=8):
    original = np.array(layer.weight.data, dtype=np.float32)
    q, scale, zero_point = quantize_weights(original, bits)
    restored = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = restored
    n = np.int64(original.size)
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": n * np.int64(4),
        "quantized_bytes": np.int64(np.ceil(np.float64(n) * np.float64(bits) / np.float64(8))),
        "max_abs_error": np.max(np.abs(original.astype(np.float64) - np.asarray(restored, dtype=np.float64))),
    }


def dequantize_layer_weights(layer):
    stored = layer.quantized
    return dequantize_weights(stored["q"], stored["scale"], stored["zero_point"])
