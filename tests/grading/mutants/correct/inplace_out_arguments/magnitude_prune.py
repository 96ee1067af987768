"""np.abs(..., out=) into slices of one preallocated buffer, then np.copyto(w.data, 0.0, where=mask) per matrix."""
def magnitude_prune(model, sparsity=0.9):
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    total = sum(w.size for w in weights)
    magnitudes = np.empty(total, dtype=np.float64)
    offset = 0
    for w in weights:
        np.abs(w.data.reshape(-1), out=magnitudes[offset:offset + w.size])
        offset += w.size
    n_prune = math.floor(sparsity * total)
    mask = np.zeros(total, dtype=bool)
    mask[np.argsort(magnitudes, kind="stable")[:n_prune]] = True
    offset = 0
    for w in weights:
        np.copyto(w.data, 0.0, where=mask[offset:offset + w.size].reshape(w.shape))
        offset += w.size
    return model
