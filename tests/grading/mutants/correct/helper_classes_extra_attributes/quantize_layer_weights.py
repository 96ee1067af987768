"""Backs the float weights up in layer._float_weights (deleted afterwards) and keeps layer.quantization_report besides layer.quantized."""
def quantize_layer_weights(layer, bits=8):
    layer._float_weights = layer.weight.data.copy()
    q, scale, zero_point = quantize_weights(layer._float_weights, bits)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = dequantize_weights(q, scale, zero_point)
    n = layer._float_weights.size
    report = {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": 4 * n,
        "quantized_bytes": math.ceil(n * bits / 8),
        "max_abs_error": float(np.max(np.abs(layer._float_weights - layer.weight.data))),
    }
    del layer._float_weights
    layer.quantization_report = report
    return report


def dequantize_layer_weights(layer):
    info = layer.quantized
    return dequantize_weights(info["q"], info["scale"], info["zero_point"])
