"""Plausible mistakes in magnitude_prune, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "magnitude_prune"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
SELECTION = "pruned[np.argpartition(magnitudes, n_prune - 1)[:n_prune]] = True"

MUTANTS = [
    Mistake(
        "kth_value_strict",
        "Takes the k-th smallest magnitude as threshold and zeros |w| < t: too few zeros when magnitudes tie.",
        (SELECTION, "pruned[magnitudes < (np.sort(magnitudes)[n_prune] if n_prune < total else np.inf)] = True"),
    ),
    Mistake(
        "nan_passes_check",
        "Checks `sparsity < 0 or sparsity > 1`, which lets nan through (then prunes nothing).",
        ("if not 0.0 <= sparsity <= 1.0:", "if sparsity < 0 or sparsity > 1:"),
        # int(nan) would raise ValueError by accident; this student's count comes out as 0 instead
        ("int(np.floor(sparsity * total))", "int(np.floor(sparsity * total)) if sparsity == sparsity else 0"),
    ),
    Mistake(
        "per_layer",
        "Prunes the same fraction of every layer with a per-layer threshold instead of one global ranking.",
        (
            "        w.data[pruned[offset:offset + w.size].reshape(w.shape)] = 0.0\n        offset += w.size",
            "        k = int(np.floor(sparsity * w.size))\n"
            "        w.data.flat[np.argsort(np.abs(w.data), axis=None)[:k]] = 0.0",
        ),
    ),
    Mistake(
        "percentile_threshold",
        "Thresholds at np.percentile(|w|, 100 * sparsity) and zeros |w| <= t: the count is off on ties.",
        ("    if n_prune == 0:\n        return model\n", ""),
        (SELECTION, "pruned[magnitudes <= np.percentile(magnitudes, 100 * sparsity)] = True"),
    ),
    Mistake(
        "prunes_biases",
        "Ranks and prunes every parameter, biases included.",
        ("weights = [p for p in model.parameters() if p.ndim >= 2]", "weights = model.parameters()"),
    ),
    Mistake(
        "returns_copy",
        "Prunes and returns a deep copy, leaving the caller's model untouched.",
        ("    weights = [p for p", "    model = copy.deepcopy(model)\n    weights = [p for p"),
    ),
    Mistake(
        "rounds_count",
        "Rounds sparsity * N to the nearest integer instead of flooring it.",
        ("int(np.floor(sparsity * total))", "int(round(sparsity * total))"),
    ),
    Mistake(
        "signed_values",
        "Ranks the signed weights instead of their magnitudes, pruning large negative weights first.",
        ("np.abs(w.data).ravel()", "w.data.ravel()"),
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
