"""Prints the shape, k and the kept energy fraction of the SVD it truncates."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    W = weight_matrix.data if isinstance(weight_matrix, Tensor) else np.asarray(weight_matrix)
    print(f"[low_rank_approximate] input shape {W.shape}, rank_ratio {rank_ratio}")
    if W.ndim != 2:
        raise ValueError("weight_matrix must be 2-D")
    if not (0 < rank_ratio <= 1):
        raise ValueError("rank_ratio must be in (0, 1]")
    k = max(1, int(rank_ratio * min(W.shape)))
    U, S, Vt = np.linalg.svd(W, full_matrices=False)
    energy = float(np.sum(S[:k] ** 2) / np.sum(S ** 2)) if np.any(S) else 1.0
    print(f"[low_rank_approximate] k={k}, energy kept {energy:.1%}")
    return U[:, :k], S[:k], Vt[:k]
