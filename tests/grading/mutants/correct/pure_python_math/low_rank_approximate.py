"""Python shape checks on .tolist() data, the rank with int() and max(), one SVD, factors sliced as lists then arrays."""
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    data = weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix
    rows = np.asarray(data).tolist()
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows) \
            or any(isinstance(x, list) for r in rows for x in r):
        raise ValueError("weight_matrix must be a 2-D matrix")
    if not (0.0 < rank_ratio <= 1.0):
        raise ValueError("rank_ratio has to be in (0, 1]")
    m, n = len(rows), len(rows[0])
    k = max(1, int(rank_ratio * min(m, n)))
    U, S, Vt = np.linalg.svd(np.array(rows, dtype=float), full_matrices=False)
    U_list = [row[:k] for row in U.tolist()]
    S_list = S.tolist()[:k]
    V_list = Vt.tolist()[:k]
    return np.array(U_list), np.array(S_list), np.array(V_list)
