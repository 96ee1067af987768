"""Plausible mistakes in structured_prune, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "structured_prune"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
ZERO_BIAS = "        if layer.bias is not None:\n            layer.bias.data[drop] = 0.0\n"

MUTANTS = [
    Mistake(
        "keeps_bias",
        "Zeros the weight columns but forgets their bias entries, so the neurons still fire.",
        (ZERO_BIAS, ""),
    ),
    Mistake(
        "l1_norm",
        "Ranks neurons by the L1 norm of their column instead of the L2 norm.",
        ("np.linalg.norm(weight, axis=0)", "np.abs(weight).sum(axis=0)"),
    ),
    Mistake(
        "max_abs",
        "Ranks neurons by their largest |weight| instead of the L2 norm of the column.",
        ("np.linalg.norm(weight, axis=0)", "np.abs(weight).max(axis=0)"),
    ),
    Mistake(
        "no_range_check",
        "Never validates prune_ratio: a ratio above 1 silently prunes everything.",
        (
            "    if not 0.0 <= prune_ratio <= 1.0:\n"
            '        raise ValueError(f"prune_ratio must be in [0, 1], got {prune_ratio}")\n',
            "",
        ),
    ),
    Mistake(
        "prunes_head",
        "Prunes every Linear, the classifier head included.",
        ("for layer in dense_layers[:-1]:", "for layer in dense_layers:"),
    ),
    Mistake(
        "returns_copy",
        "Prunes and returns a deep copy, leaving the caller's model untouched.",
        ("    dense_layers = ", "    model = copy.deepcopy(model)\n    dense_layers = "),
    ),
    Mistake(
        "rounds_count",
        "Rounds prune_ratio * out_features instead of truncating it with int().",
        ("int(prune_ratio * weight.shape[1])", "round(prune_ratio * weight.shape[1])"),
    ),
    Mistake(
        "rows_not_columns",
        "Uses PyTorch's (out, in) layout: ranks and zeros rows (input neurons) instead of columns.",
        ("prune_ratio * weight.shape[1]", "prune_ratio * weight.shape[0]"),
        ("np.linalg.norm(weight, axis=0)", "np.linalg.norm(weight, axis=1)"),
        ("        weight[:, drop] = 0.0\n" + ZERO_BIAS, "        weight[drop, :] = 0.0\n"),
    ),
    Mistake(
        "does_nothing_returns_model",
        "A stub that returns the model untouched, pruning nothing.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return model\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub that prunes nothing and returns None.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None\n"),
    ),
]
