"""SVD of the transpose, W.T = A S B, transposed back: U = B.T, V = A.T, then the first k."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    W = np.asarray(weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix)
    if W.ndim != 2:
        raise ValueError(f"weight_matrix must be 2-D, got shape {W.shape}")
    if not 0 < rank_ratio <= 1:
        raise ValueError(f"rank_ratio {rank_ratio} outside (0, 1]")
    k = max(1, int(rank_ratio * min(W.shape)))
    A, S, B = np.linalg.svd(W.T, full_matrices=False)
    U, V = B.T, A.T
    return U[:, :k].copy(), S[:k].copy(), V[:k, :].copy()
