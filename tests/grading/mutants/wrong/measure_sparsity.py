"""Plausible mistakes in measure_sparsity, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "measure_sparsity"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it

MUTANTS = [
    Mistake(
        "counts_biases",
        "Counts the zeros of every parameter, biases included, so a fresh model looks pruned.",
        ("[p.data for p in model.parameters() if p.ndim >= 2]", "[p.data for p in model.parameters()]"),
    ),
    Mistake(
        "empty_model_nan",
        "Forgets the model without weight matrices: 0 / 0 gives nan.",
        ("    if total == 0:\n        return 0.0\n", ""),
        (
            "    return 100.0 * zeros / total",
            '    with np.errstate(invalid="ignore"):\n        return float(100.0 * zeros / np.float64(total))',
        ),
    ),
    Mistake(
        "fraction",
        "Returns a fraction in [0, 1] instead of a percentage.",
        ("100.0 * zeros / total", "zeros / total"),
    ),
    Mistake(
        "layer_weight_only",
        "Reads `layer.weight` of each layer, missing weight matrices stored under other names (LowRankLinear).",
        (
            "[p.data for p in model.parameters() if p.ndim >= 2]",
            '[layer.weight.data for layer in model.layers if hasattr(layer, "weight")]',
        ),
    ),
    Mistake(
        "mean_of_layers",
        "Averages the per-layer percentages instead of counting over all weights together.",
        (
            "    zeros = sum(int(np.count_nonzero(w == 0)) for w in weights)\n    return 100.0 * zeros / total",
            "    return float(np.mean([100.0 * np.mean(w == 0) for w in weights]))",
        ),
    ),
    Mistake(
        "near_zero",
        "Counts weights with |w| < 1e-6 as zero instead of exactly zero.",
        ("np.count_nonzero(w == 0)", "np.count_nonzero(np.abs(w) < 1e-6)"),
    ),
    Mistake(
        "does_nothing_zero",
        "A stub that always returns 0.0.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return 0.0\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub that returns None.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None\n"),
    ),
]
