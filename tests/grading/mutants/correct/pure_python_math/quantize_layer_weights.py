"""math.prod for the element count, math.ceil for the bytes, max() over a generator of abs() differences."""
def quantize_layer_weights(layer, bits=8):
    before = layer.weight.data.ravel().tolist()
    q, scale, zero_point = quantize_weights(layer.weight.data.copy(), bits)
    after = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = after
    n = math.prod(layer.weight.shape)
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": n * 4,
        "quantized_bytes": math.ceil(n * bits / 8),
        "max_abs_error": max((abs(a - b) for a, b in zip(before, np.asarray(after).ravel().tolist())), default=0.0),
    }


def dequantize_layer_weights(layer):
    return dequantize_weights(*(layer.quantized[key] for key in ("q", "scale", "zero_point")))
