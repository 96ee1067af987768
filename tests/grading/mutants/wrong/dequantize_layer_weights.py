"""Plausible mistakes in dequantize_layer_weights, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "quantize_layer_weights"  # the cell holds quantize_layer_weights and dequantize_layer_weights
DECODE = 'return dequantize_weights(info["q"], info["scale"], info["zero_point"])'

MUTANTS = [
    Mistake(
        "ignores_zero_point",
        "Decodes q * scale, forgetting the zero point.",
        (DECODE, 'return (np.asarray(info["q"], dtype=np.float32) * info["scale"]).astype(np.float32)'),
    ),
    Mistake(
        "returns_weight_data",
        "Returns layer.weight.data instead of decoding layer.quantized.",
        ("    info = layer.quantized\n    " + DECODE, "    return layer.weight.data.copy()"),
    ),
]
