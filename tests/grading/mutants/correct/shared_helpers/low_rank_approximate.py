"""Reuses as_array and check_fraction (include_zero=False) from the first cell; defines rank_for, reused by compress_model."""
def rank_for(shape, rank_ratio):
    """k = max(1, int(rank_ratio * min(m, n)))."""
    return max(1, int(rank_ratio * min(shape)))


def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    W = as_array(weight_matrix)
    if W.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got {W.ndim}-D")
    check_fraction("rank_ratio", rank_ratio, include_zero=False)
    k = rank_for(W.shape, rank_ratio)
    U, S, Vt = np.linalg.svd(W, full_matrices=False)
    return U[:, :k], S[:k], Vt[:k]
