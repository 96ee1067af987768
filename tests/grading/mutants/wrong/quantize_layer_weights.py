"""Plausible mistakes in quantize_layer_weights, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "quantize_layer_weights"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it

MUTANTS = [
    Mistake(
        "error_after_overwrite",
        "Measures the error against layer.weight.data after overwriting it, so it is always 0.",
        ("np.abs(original - restored)", "np.abs(layer.weight.data - restored)"),
    ),
    Mistake(
        "floors_bytes",
        "Counts n * bits // 8 bytes, dropping the partly used last byte.",
        ("math.ceil(original.size * bits / 8)", "original.size * bits // 8"),
    ),
    Mistake(
        "keeps_float_weights",
        "Stores the quantisation but leaves layer.weight.data as it was.",
        ("    layer.weight.data = restored\n", ""),
    ),
    Mistake(
        "new_weight_tensor",
        "Replaces layer.weight by a new Tensor instead of its .data.",
        ("layer.weight.data = restored", "layer.weight = Tensor(restored)"),
    ),
    Mistake(
        "stores_dequantized",
        "Keeps the dequantised floats as layer.quantized['q'] instead of the integers.",
        ('{"q": q,', '{"q": restored,'),
    ),
    Mistake(
        "does_nothing_empty",
        "A stub that leaves the layer untouched and returns an empty dict.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return {}\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub that leaves the layer untouched and returns None.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None\n"),
    ),
]
