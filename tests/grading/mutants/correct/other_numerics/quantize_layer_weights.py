"""Keeps the original as float64, stores the Tensor's new data by assignment, errors via np.abs(...).max()."""
def quantize_layer_weights(layer, bits=8):
    original = layer.weight.data.astype(np.float64)
    q, scale, zero_point = quantize_weights(layer.weight.data, bits)
    layer.quantized = dict(q=q, scale=scale, zero_point=zero_point, bits=bits)
    layer.weight.data = dequantize_layer_weights(layer)
    return dict(
        scale=scale,
        zero_point=zero_point,
        bits=bits,
        original_bytes=int(original.size * np.dtype(np.float32).itemsize),
        quantized_bytes=-(-original.size * bits // 8),
        max_abs_error=float(np.abs(original - layer.weight.data).max()),
    )


def dequantize_layer_weights(layer):
    q, scale, zero_point = (layer.quantized[key] for key in ("q", "scale", "zero_point"))
    return dequantize_weights(q, scale, zero_point)
