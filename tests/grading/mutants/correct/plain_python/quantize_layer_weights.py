"""Counts elements and bytes by hand and assigns the decoded values element by element into weight.data."""
def quantize_layer_weights(layer, bits=8):
    before = np.array(layer.weight.data, copy=True)
    q, scale, zero_point = quantize_weights(before, bits=bits)
    decoded = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data[...] = decoded
    n = 1
    for dim in before.shape:
        n *= dim
    quantized_bytes = (n * bits + 7) // 8
    worst = 0.0
    for a, b in zip(before.flat, decoded.flat):
        worst = max(worst, abs(float(a) - float(b)))
    return {"scale": scale, "zero_point": zero_point, "bits": bits,
            "original_bytes": 4 * n, "quantized_bytes": quantized_bytes, "max_abs_error": worst}


def dequantize_layer_weights(layer):
    stored = layer.quantized
    return dequantize_weights(stored["q"], stored["scale"], stored["zero_point"])
