"""Plausible mistakes in dequantize_layer_weights, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "quantize_layer_weights"  # the cell holds quantize_layer_weights and dequantize_layer_weights
DOCSTRING = '    """The float32 weights recovered from layer.quantized."""\n'  # a stub's body goes right after it
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
    Mistake(
        "does_nothing_returns_weights",
        "A stub that returns layer.weight.data as it is.",
        (DOCSTRING, DOCSTRING + "    return layer.weight.data\n"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub that returns float32 zeros of the weight's shape.",
        (DOCSTRING, DOCSTRING + "    return np.zeros(layer.weight.shape, dtype=np.float32)\n"),
    ),
    Mistake("does_nothing_none", "A stub that returns None.", (DOCSTRING, DOCSTRING + "    return None\n")),
]
