"""Plausible mistakes in compute_neuron_importance, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "compute_neuron_importance"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it

MUTANTS = [
    Mistake(
        "row_norms",
        "Takes the norms of the rows (PyTorch's (out, in) layout) instead of the columns.",
        ("np.linalg.norm(weight, axis=0)", "np.linalg.norm(weight, axis=1)"),
        ("np.abs(weight).sum(axis=0)", "np.abs(weight).sum(axis=1)"),
    ),
    Mistake(
        "silent_fallback",
        'Falls back to L2 for any method other than "l1" instead of raising ValueError.',
        (
            "raise ValueError(f\"unknown importance method {method!r}; use 'l2' or 'l1'\")",
            "return np.linalg.norm(weight, axis=0)",
        ),
    ),
    Mistake(
        "squared_l2",
        "Returns the squared L2 norm (sum of squares, no square root).",
        ("np.linalg.norm(weight, axis=0)", "(weight ** 2).sum(axis=0)"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub that returns zeros of shape (out_features,).",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return np.zeros(layer.weight.shape[1])\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub that returns None.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None\n"),
    ),
    Mistake(
        "does_nothing_returns_weights",
        "A stub that returns the layer's weight matrix unchanged.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return layer.weight.data\n"),
    ),
    # Attacks on expectations computed after the call from the layer the kernel was given.
    Mistake(
        "l2_for_l1_rewrites_layer",
        "Answers L2 norms for method='l1', then rewrites the layer so that its column L1 norms equal them.",
        (
            '    if method == "l1":\n        return np.abs(weight).sum(axis=0)\n',
            '    if method == "l1":\n'
            "        norms = np.linalg.norm(weight, axis=0)\n"
            "        weight[...] = 0.0\n"
            "        weight[0] = norms\n"
            "        return norms\n",
        ),
    ),
    Mistake(
        "empties_layer_for_l1",
        "For method='l1', replaces the layer's weight by a matrix without columns and returns no norms.",
        (
            '    if method == "l1":\n        return np.abs(weight).sum(axis=0)\n',
            '    if method == "l1":\n'
            "        layer.weight.data = np.zeros((weight.shape[0], 0))\n"
            "        return np.zeros(0)\n",
        ),
    ),
]
