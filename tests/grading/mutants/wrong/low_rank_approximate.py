"""Plausible mistakes in low_rank_approximate, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "low_rank_approximate"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
FACTORS = "return U[:, :k], S[:k], Vt[:k, :]"

MUTANTS = [
    Mistake(
        "diag_matrix",
        "Returns S as the (k, k) diagonal matrix instead of the vector of singular values.",
        (FACTORS, "return U[:, :k], np.diag(S[:k]), Vt[:k, :]"),
    ),
    Mistake(
        "no_shape_check",
        "Validates only rank_ratio; a 3-D array goes through np.linalg.svd as a stack of matrices.",
        (
            "    if weights.ndim != 2:\n"
            '        raise ValueError(f"expected a 2-D weight matrix, got shape {weights.shape}")\n',
            "",
        ),
        ("min(weights.shape)", "min(weights.shape[-2:])"),
        (FACTORS, "return U[..., :k], S[..., :k], Vt[..., :k, :]"),
    ),
    Mistake(
        "returns_v_transposed",
        "Returns V transposed, shape (n, k), as if numpy's Vt were V^T.",
        (FACTORS, "return U[:, :k], S[:k], Vt[:k, :].T"),
    ),
    Mistake(
        "rounds_rank",
        "Rounds rank_ratio * min(m, n) instead of truncating it.",
        ("max(1, int(rank_ratio * min(weights.shape)))", "max(1, round(rank_ratio * min(weights.shape)))"),
    ),
    Mistake(
        "smallest_eigenvalues",
        "Uses np.linalg.eigh of W^T W and keeps its first k eigenpairs, which eigh sorts ascending.",
        (
            "    U, S, Vt = np.linalg.svd(weights, full_matrices=False)\n    " + FACTORS,
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    eigenvalues, eigenvectors = np.linalg.eigh(w.T @ w)\n"
            "    S = np.sqrt(np.clip(eigenvalues[:k], 0, None))\n"
            "    V = eigenvectors[:, :k].T\n"
            "    return (w @ V.T) / np.where(S > 0, S, 1.0), S, V",
        ),
    ),
    Mistake(
        "does_nothing_nones",
        "A stub that returns (None, None, None).",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None, None, None\n"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub that returns zero factors of the right shapes.",
        (
            END_OF_DOCSTRING,
            END_OF_DOCSTRING + '    m, n = np.shape(getattr(weight_matrix, "data", weight_matrix))\n'
            "    k = max(1, int(rank_ratio * min(m, n)))\n"
            "    return np.zeros((m, k)), np.zeros(k), np.zeros((k, n))\n",
        ),
    ),
    # An attack on expectations computed after the call: the input is made to agree with the answer.
    Mistake(
        "smallest_directions_written_into_input",
        "Keeps the k smallest singular directions, then overwrites the input with their product so that it agrees.",
        (FACTORS, "U, S, Vt = U[:, -k:], S[-k:], Vt[-k:, :]\n    weights[...] = (U * S) @ Vt\n    return U, S, Vt"),
    ),
]
