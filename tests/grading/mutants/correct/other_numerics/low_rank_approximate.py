"""Eigendecomposition of the smaller Gram matrix (W^T W or W W^T), sorted descending, instead of an SVD."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    W = np.asarray(weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"need a matrix, got {W.ndim} dimensions")
    if not 0 < rank_ratio <= 1:
        raise ValueError(f"rank_ratio {rank_ratio} outside (0, 1]")
    m, n = W.shape
    k = max(1, int(rank_ratio * min(m, n)))
    wide = m < n
    gram = W @ W.T if wide else W.T @ W
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    order = np.argsort(eigenvalues)[::-1][:k]
    S = np.sqrt(np.clip(eigenvalues[order], 0.0, None))
    vectors = eigenvectors[:, order]
    safe = np.where(S > 0, S, 1.0)
    if wide:
        U, V = vectors, (W.T @ vectors / safe).T
    else:
        U, V = W @ vectors / safe, vectors.T
    return U, S, V
