"""Plausible mistakes in dequantize_weights, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "quantize_weights"  # the cell holds quantize_weights and dequantize_weights

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
]
