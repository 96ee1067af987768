"""sorted() of (layer, row, col) keys by abs() with a key function, math.floor for the count, writes back through .data."""
def magnitude_prune(model, sparsity=0.9):
    if not (0.0 <= sparsity <= 1.0):
        raise ValueError("sparsity has to be a fraction between 0 and 1")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    rows = [w.data.reshape(w.data.shape[0], -1).tolist() for w in weights]
    keys = [(l, i, j) for l, matrix in enumerate(rows) for i, row in enumerate(matrix) for j in range(len(row))]
    count = math.floor(sparsity * len(keys))
    ranked = sorted(keys, key=lambda key: abs(rows[key[0]][key[1]][key[2]]))
    for l, i, j in ranked[:count]:
        rows[l][i][j] = 0.0
    for w, matrix in zip(weights, rows):
        w.data[...] = np.array(matrix, dtype=w.data.dtype).reshape(w.data.shape)
    return model
