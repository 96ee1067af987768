"""float64 magnitudes, the count as np.int64(np.floor(...)), a stable argsort over all weights."""
def magnitude_prune(model, sparsity=0.9):
    sparsity = np.float64(sparsity)
    if not (np.float64(0.0) <= sparsity <= np.float64(1.0)):
        raise ValueError("sparsity must lie in [0, 1]")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    sizes = np.array([w.size for w in weights], dtype=np.int64)
    total = np.sum(sizes, dtype=np.int64)
    count = np.int64(np.floor(sparsity * np.float64(total)))
    if count == 0:
        return model
    magnitudes = np.concatenate([np.abs(w.data.astype(np.float64)).ravel() for w in weights])
    doomed = np.zeros(total, dtype=bool)
    doomed[np.argsort(magnitudes, kind="stable")[:count]] = True
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for w, start, stop in zip(weights, bounds[:-1], bounds[1:]):
        w.data[doomed[start:stop].reshape(w.shape)] = 0.0
    return model
