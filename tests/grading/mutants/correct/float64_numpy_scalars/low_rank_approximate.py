"""SVD in float64 with k computed as np.int64 and numpy-scalar comparisons for the checks."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    raw = weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix
    W = np.array(raw, dtype=np.float64, copy=True)
    if W.ndim != 2:
        raise ValueError("low_rank_approximate needs a 2-D matrix")
    rank_ratio = np.float64(rank_ratio)
    if not (rank_ratio > 0.0 and rank_ratio <= 1.0):
        raise ValueError("rank_ratio must lie in (0, 1]")
    k = np.maximum(np.int64(1), np.int64(rank_ratio * np.float64(np.min(W.shape))))
    U, S, Vt = np.linalg.svd(W, full_matrices=False)
    return U[:, :k], S[:k], Vt[:k, :]
