"""Preallocates U, S, V of rank k with np.empty and fills them from the SVD with np.copyto."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    W = np.asarray(weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix)
    if W.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {W.shape}")
    if not 0.0 < rank_ratio <= 1.0:
        raise ValueError(f"rank_ratio must be in (0, 1], got {rank_ratio}")
    m, n = W.shape
    k = max(1, int(rank_ratio * min(m, n)))
    u, s, vt = np.linalg.svd(W.astype(np.float64), full_matrices=False)
    U, S, V = np.empty((m, k)), np.empty(k), np.empty((k, n))
    np.copyto(U, u[:, :k])
    np.copyto(S, s[:k])
    np.copyto(V, vt[:k])
    return U, S, V
