"""A _Factorisation helper class (u, s, vt, truncate(k)) around np.linalg.svd."""
class _Factorisation:
    def __init__(self, matrix):
        self.u, self.s, self.vt = np.linalg.svd(matrix, full_matrices=False)

    def truncate(self, k):
        return self.u[:, :k], self.s[:k], self.vt[:k]


def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    matrix = np.asarray(weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix)
    if matrix.ndim != 2:
        raise ValueError("need a 2-D weight matrix")
    if not (0 < rank_ratio <= 1):
        raise ValueError("rank_ratio must be in (0, 1]")
    k = max(1, int(rank_ratio * min(matrix.shape)))
    return _Factorisation(matrix).truncate(k)
