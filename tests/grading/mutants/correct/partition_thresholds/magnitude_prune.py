"""Threshold from np.partition (k-th smallest |w|), everything below it goes, then the LAST entries tied at it."""
def magnitude_prune(model, sparsity=0.9):
    if not 0 <= sparsity <= 1:
        raise ValueError(f"sparsity {sparsity} outside [0, 1]")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    if not weights:
        return model
    flat = np.concatenate([np.abs(w.data).ravel() for w in weights])
    k = math.floor(sparsity * flat.size)
    if k == 0:
        return model
    threshold = np.partition(flat, k - 1)[k - 1]
    below = flat < threshold
    tied = np.flatnonzero(flat == threshold)
    needed = k - int(below.sum())
    doomed = below.copy()
    doomed[tied[tied.size - needed:]] = True  # ties at the threshold: the last ones in model order go
    offset = 0
    for w in weights:
        w.data[doomed[offset:offset + w.size].reshape(w.shape)] = 0.0
        offset += w.size
    return model
