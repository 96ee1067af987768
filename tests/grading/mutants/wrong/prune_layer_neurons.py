"""Plausible mistakes in prune_layer_neurons, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "prune_layer_neurons"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
N_KEEP = "max(1, int(keep_ratio * layer.out_features))"

MUTANTS = [
    Mistake(
        "importance_order",
        "Keeps the neurons in order of importance instead of their original order.",
        ('np.sort(np.argsort(-importance, kind="stable")[:n_keep])', 'np.argsort(-importance, kind="stable")[:n_keep]'),
    ),
    Mistake(
        "keeps_next_layer",
        "Returns the next layer unchanged, forgetting to drop its rows for the removed neurons.",
        ("return new_layer, new_next", "return new_layer, next_layer"),
    ),
    Mistake(
        "l1_importance",
        "Ranks neurons by the L1 norm of their column.",
        ('compute_neuron_importance(layer, "l2")', 'compute_neuron_importance(layer, "l1")'),
    ),
    Mistake(
        "no_minimum_neuron",
        "Forgets max(1, ...): a small keep_ratio asks for a layer with zero neurons.",
        (N_KEEP, "int(keep_ratio * layer.out_features)"),
    ),
    Mistake(
        "rounds_count",
        "Rounds keep_ratio * out_features instead of truncating it.",
        (N_KEEP, "max(1, round(keep_ratio * layer.out_features))"),
    ),
    Mistake(
        "shares_next_bias",
        "Hands the next layer's bias Tensor to the new layer instead of a copy.",
        ("new_next.bias.data = next_layer.bias.data.copy()", "new_next.bias = next_layer.bias"),
    ),
    Mistake(
        "zeroes_in_place",
        "Zeros the dropped columns of the given layers and returns them instead of smaller new ones.",
        # returns before the new layers are built
        (
            "\n    new_layer = Linear(",
            "\n    drop = np.setdiff1d(np.arange(layer.out_features), keep)\n"
            "    layer.weight.data[:, drop] = 0.0\n"
            "    if layer.bias is not None:\n"
            "        layer.bias.data[drop] = 0.0\n"
            "    return layer, next_layer\n"
            "\n    new_layer = Linear(",
        ),
    ),
    Mistake(
        "does_nothing_returns_inputs",
        "A stub that returns the two given layers unchanged.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return layer, next_layer\n"),
    ),
    Mistake(
        "does_nothing_nones",
        "A stub that returns (None, None).",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None, None\n"),
    ),
    Mistake(
        "does_nothing_returns_copies",
        "A stub that returns unpruned copies of the two layers.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return copy.deepcopy(layer), copy.deepcopy(next_layer)\n"),
    ),
    # Attacks on expectations computed after the call from the layers the kernel was given.
    Mistake(
        "keeps_first_zeroes_rest_of_input",
        "Keeps the first neurons whatever their importance, and zeroes the others in the input layer so that they look weakest.",
        (
            '    importance = compute_neuron_importance(layer, "l2")\n'
            '    keep = np.sort(np.argsort(-importance, kind="stable")[:n_keep])\n',
            "    keep = np.arange(n_keep)\n"
            "    layer.weight.data[:, n_keep:] = 0.0\n"
            "    if layer.bias is not None:\n"
            "        layer.bias.data[n_keep:] = 0.0\n",
        ),
    ),
    Mistake(
        "no_outputs_left",
        "Returns a next layer without outputs, after removing every output of the given next layer too.",
        (
            "    return new_layer, new_next",
            "    next_layer.weight.data, next_layer.bias.data = next_layer.weight.data[:, :0], next_layer.bias.data[:0]\n"
            "    new_next.weight.data, new_next.bias.data = new_next.weight.data[:, :0], new_next.bias.data[:0]\n"
            "    return new_layer, new_next",
        ),
    ),
]
