"""Plausible mistakes in quantize_weights, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "quantize_weights"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
CODES = "np.round(w * (np.float32(1) / scale))"
ZERO_POINT = "zero_point = int(np.clip(qmin - np.round(lo / scale), qmin, qmax))"

MUTANTS = [
    Mistake(
        "levels_not_steps",
        "Divides the range by the number of levels 2**bits instead of the number of steps 2**bits - 1.",
        ("np.float32(qmax - qmin)", "np.float32(2**bits)"),
    ),
    Mistake(
        "modifies_input",
        "Divides the caller's float32 array by the scale in place (np.asarray made no copy).",
        ("    q = np.clip(" + CODES, "    w *= np.float32(1) / scale\n    q = np.clip(np.round(w)"),
    ),
    Mistake(
        "no_bits_check",
        "Never validates bits.",
        ('    if not 2 <= bits <= 8:\n        raise ValueError(f"bits must be between 2 and 8, got {bits}")\n', ""),
    ),
    Mistake(
        "range_without_zero",
        "Uses [w.min(), w.max()] without widening it to include 0.",
        ("lo, hi = min(w.min(), np.float32(0)), max(w.max(), np.float32(0))", "lo, hi = w.min(), w.max()"),
    ),
    Mistake(
        "round_half_away",
        "Rounds halves away from zero (floor(x + 0.5) style) instead of to even.",
        (CODES, "np.sign(w) * np.floor(np.abs(w * (np.float32(1) / scale)) + 0.5)"),
    ),
    Mistake(
        "symmetric",
        "Quantises symmetrically (scale = max|w| / qmax, zero point 0) instead of asymmetrically.",
        ("(hi - lo) / np.float32(qmax - qmin)", "max(-lo, hi) / np.float32(qmax)"),
        (ZERO_POINT, "zero_point = 0"),
    ),
    Mistake(
        "unclipped_q",
        "Forgets to clip q to [qmin, qmax] before the int8 cast, so overflowing codes wrap around.",
        (f"np.clip({CODES} + zero_point, qmin, qmax)", f"({CODES} + zero_point)"),
    ),
    Mistake(
        "unrounded_zero_point",
        "Uses the exact real zero point qmin - lo / scale without rounding it to an integer.",
        (ZERO_POINT, "zero_point = float(np.clip(qmin - lo / scale, qmin, qmax))"),
    ),
    Mistake(
        "does_nothing_nones",
        "A stub that returns (None, None, None).",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None, None, None\n"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub that returns all-zero int8 codes with scale 0.0 and zero point 0.",
        (
            END_OF_DOCSTRING,
            END_OF_DOCSTRING + '    return np.zeros(np.shape(getattr(weights, "data", weights)), dtype=np.int8), 0.0, 0\n',
        ),
    ),
    Mistake(
        "does_nothing_returns_input",
        "A stub that returns the weights themselves as the codes, with scale 1.0 and zero point 0.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return weights, 1.0, 0\n"),
    ),
    Mistake(
        "does_nothing_zeroes_input",
        "A stub that zeroes the weights it is given in place and returns the quantisation of all zeros.",
        (
            END_OF_DOCSTRING,
            END_OF_DOCSTRING + '    w = np.asarray(getattr(weights, "data", weights))\n'
            "    w[...] = 0\n"
            "    qmin = -(2 ** (bits - 1))\n"
            "    return np.full(w.shape, qmin, dtype=np.int8), float(np.finfo(np.float32).eps), qmin\n",
        ),
    ),
]
