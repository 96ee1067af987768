"""Reuses as_array from the first cell; both functions go through quantize_weights/dequantize_weights."""
def quantize_layer_weights(layer, bits=8):
    original = as_array(layer.weight).copy()
    q, scale, zero_point = quantize_weights(original, bits)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = dequantize_layer_weights(layer)
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": original.size * BYTES_PER_FLOAT32,
        "quantized_bytes": -(-original.size * bits // 8),
        "max_abs_error": float(np.max(np.abs(original - as_array(layer.weight)))),
    }


def dequantize_layer_weights(layer):
    info = layer.quantized
    return dequantize_weights(info["q"], info["scale"], info["zero_point"])
