"""Largest error via np.partition(errors, -1)[-1], byte count by integer ceiling division."""
def quantize_layer_weights(layer, bits=8):
    original = np.array(layer.weight.data)
    q, scale, zero_point = quantize_weights(original, bits)
    restored = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = restored
    errors = np.abs(original - restored).ravel()
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": original.size * 4,
        "quantized_bytes": (original.size * bits + 7) // 8,
        "max_abs_error": float(np.partition(errors, errors.size - 1)[-1]),
    }


def dequantize_layer_weights(layer):
    stored = layer.quantized
    return dequantize_weights(stored["q"], stored["scale"], stored["zero_point"])
