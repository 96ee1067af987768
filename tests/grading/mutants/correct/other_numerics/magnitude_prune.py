"""Exact selection by value: prune |w| < t for the k-th smallest t, then just enough of the ties at t."""
def magnitude_prune(model, sparsity=0.9):
    if not 0 <= sparsity <= 1:
        raise ValueError(f"bad sparsity {sparsity}")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    magnitudes = [np.abs(w.data) for w in weights]
    k = int(sparsity * sum(m.size for m in magnitudes) // 1)
    if k == 0:
        return model
    threshold = np.sort(np.concatenate([m.ravel() for m in magnitudes]))[k - 1]
    ties_left = k - sum(int((m < threshold).sum()) for m in magnitudes)
    for w, m in zip(weights, magnitudes):
        tied = np.flatnonzero(m.ravel() == threshold)[:ties_left]
        ties_left -= tied.size
        w.data[m < threshold] = 0.0
        w.data.flat[tied] = 0.0
    return model
