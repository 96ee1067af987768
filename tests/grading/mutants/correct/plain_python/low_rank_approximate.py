"""Full SVD (full_matrices=True), then slices the first k columns, values and rows."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    if isinstance(weight_matrix, Tensor):
        weight_matrix = weight_matrix.data
    W = np.array(weight_matrix, dtype=np.float64)
    if len(W.shape) != 2:
        raise ValueError("weight_matrix must be 2-D")
    if rank_ratio <= 0 or rank_ratio > 1:
        raise ValueError("rank_ratio must be in (0, 1]")
    m, n = W.shape
    k = int(rank_ratio * min(m, n))
    if k < 1:
        k = 1
    U, S, Vt = np.linalg.svd(W, full_matrices=True)
    return U[:, 0:k], S[0:k], Vt[0:k, :]
