"""Plausible mistakes in dequantize_weights, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "quantize_weights"  # the cell holds quantize_weights and dequantize_weights
DOCSTRING = '    """Recover float32 weights: (q - zero_point) * scale."""\n'  # a stub's body goes right after it

MUTANTS = [
    Mistake("adds_zero_point", "Computes (q + zero_point) * scale.", ("- int(zero_point)", "+ int(zero_point)")),
    Mistake(
        "int8_overflow",
        "Subtracts the zero point in int8 arithmetic, which wraps around for q - zero_point > 127.",
        ("np.asarray(q, dtype=np.int32) - int(zero_point)", "np.asarray(q).astype(np.int8) - np.int8(zero_point)"),
    ),
    Mistake(
        "returns_float64",
        "Returns the float64 product without casting to float32.",
        (
            "return ((np.asarray(q, dtype=np.int32) - int(zero_point)) * scale).astype(np.float32)",
            "return (np.asarray(q, dtype=np.int32) - int(zero_point)) * float(scale)",
        ),
    ),
    Mistake(
        "does_nothing_returns_input",
        "A stub that returns the integer codes q unchanged.",
        (DOCSTRING, DOCSTRING + "    return q\n"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub that returns float32 zeros of q's shape.",
        (DOCSTRING, DOCSTRING + "    return np.zeros(np.shape(q), dtype=np.float32)\n"),
    ),
    Mistake("does_nothing_none", "A stub that returns None.", (DOCSTRING, DOCSTRING + "    return None\n")),
]
