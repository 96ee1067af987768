"""One concatenated vector, 100 * mean(w == 0)."""
def measure_sparsity(model):
    weights = [p.data.ravel() for p in model.parameters() if p.ndim >= 2]
    if not weights:
        return 0.0
    return float(np.mean(np.concatenate(weights) == 0) * 100)
