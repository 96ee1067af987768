"""Plausible mistakes in compress_model, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "compress_model"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
ALL_PARAMS = "sum(p.size for p in model.parameters())"

MUTANTS = [
    Mistake(
        "always_factorises",
        "Replaces layers by their factorisation even when it has more parameters.",
        ("if k * (n_in + n_out) < n_in * n_out:", "if True:"),
    ),
    Mistake(
        "config_order",
        "Applies the techniques in the order of the configuration dict.",
        (
            '    if "magnitude_prune" in compression_config:\n'
            '        magnitude_prune(model, compression_config["magnitude_prune"])\n'
            '        applied.append("magnitude_prune")\n'
            '    if "structured_prune" in compression_config:\n'
            '        structured_prune(model, compression_config["structured_prune"])\n'
            '        applied.append("structured_prune")\n'
            '    if "low_rank" in compression_config:\n'
            '        ratio = compression_config["low_rank"]\n',
            "    for key, ratio in compression_config.items():\n"
            '        if key == "magnitude_prune":\n'
            "            magnitude_prune(model, ratio)\n"
            '        if key == "structured_prune":\n'
            "            structured_prune(model, ratio)\n"
            "        applied.append(key)\n"
            '        if key != "low_rank":\n'
            "            continue\n",
        ),
        ('        applied.append("low_rank")\n', ""),
    ),
    Mistake(
        "counts_only_weights",
        "Counts only the weight matrices in original_params and final_params.",
        ("original_params = " + ALL_PARAMS, "original_params = sum(p.size for p in model.parameters() if p.ndim >= 2)"),
        ('"final_params": ' + ALL_PARAMS, '"final_params": sum(p.size for p in model.parameters() if p.ndim >= 2)'),
    ),
    Mistake(
        "factorises_head",
        "Factorises every Linear, the classifier head included.",
        ("for i in dense[:-1]:", "for i in dense:"),
    ),
    Mistake(
        "ignores_unknown_key",
        "Skips configuration keys it does not know instead of rejecting them.",
        ('raise ValueError(f"unknown compression technique {key!r}")', "continue"),
    ),
    Mistake(
        "inverted_ratio",
        "Reports nonzero parameters after / before as the compression ratio.",
        ('original_nonzero / final_nonzero if final_nonzero else float("inf")', "final_nonzero / original_nonzero"),
    ),
    Mistake(
        "relative_increase",
        "Reports the sparsity increase relative to the original sparsity instead of in percentage points.",
        (
            '"sparsity_increase": final_sparsity - original_sparsity,',
            '"sparsity_increase": (final_sparsity - original_sparsity) / max(original_sparsity, 1e-12),',
        ),
    ),
    Mistake(
        "sparsity_measured_late",
        "Measures the original sparsity after the first technique has already run.",
        ("    original_sparsity = measure_sparsity(model)\n", ""),
        (
            '        applied.append("magnitude_prune")\n',
            '        applied.append("magnitude_prune")\n    original_sparsity = measure_sparsity(model)\n',
        ),
    ),
    Mistake(
        "validates_while_applying",
        "Checks each value only when its technique runs, after earlier ones changed the model.",
        # upfront it rejects unknown keys only; the values are left to the techniques' own checks
        (
            "        if not valid_ranges[key](value):\n"
            '            raise ValueError(f"{key}={value} is out of range")\n',
            "",
        ),
    ),
    Mistake(
        "does_nothing_empty",
        "A stub that compresses nothing and returns an empty dict.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return {}\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub that compresses nothing and returns None.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None\n"),
    ),
    Mistake(
        "does_nothing_returns_model",
        "A stub that returns its input model untouched instead of statistics.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return model\n"),
    ),
    # An attack on comparisons that pass when there is nothing to compare.
    Mistake(
        "compresses_a_copy_empties_caller",
        "Compresses a copy and reports its statistics, leaving the caller's model without layers.",
        (
            "    original_params = sum(p.size for p in model.parameters())",
            "    caller, model = model, copy.deepcopy(model)\n"
            "    caller.layers = []\n"
            "    original_params = sum(p.size for p in model.parameters())",
        ),
    ),
]
