"""Prints the report dict before returning it and a line when dequantising a layer."""
def quantize_layer_weights(layer, bits=8):
    before = layer.weight.data.copy()
    q, scale, zero_point = quantize_weights(before, bits)
    after = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = after
    report = {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": before.size * 4,
        "quantized_bytes": math.ceil(before.size * bits / 8),
        "max_abs_error": float(np.abs(before - after).max()),
    }
    print(f"[quantize_layer_weights] {report}")
    return report


def dequantize_layer_weights(layer):
    print(f"[dequantize_layer_weights] bits={layer.quantized['bits']}")
    return dequantize_weights(layer.quantized["q"], layer.quantized["scale"], layer.quantized["zero_point"])
