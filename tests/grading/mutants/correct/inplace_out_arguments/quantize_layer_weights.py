"""Writes the dequantised values into the existing array with np.copyto(layer.weight.data, ...), errors via np.subtract(out=)."""
def quantize_layer_weights(layer, bits=8):
    original = layer.weight.data.copy()
    q, scale, zero_point = quantize_weights(original, bits)
    restored = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    np.copyto(layer.weight.data, restored)
    error = np.empty(original.shape, dtype=np.float64)
    np.subtract(original, layer.weight.data, out=error)
    np.abs(error, out=error)
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": original.size * BYTES_PER_FLOAT32,
        "quantized_bytes": math.ceil(original.size * bits / 8),
        "max_abs_error": float(error.max()),
    }


def dequantize_layer_weights(layer):
    info = layer.quantized
    return dequantize_weights(info["q"], info["scale"], info["zero_point"])
