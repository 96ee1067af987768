"""Sorts |w| of all weight matrices and counts the zeros with np.searchsorted(side="right")."""
def measure_sparsity(model):
    weights = [p.data for p in model.parameters() if p.ndim >= 2]
    if not weights:
        return 0.0
    magnitudes = np.sort(np.abs(np.concatenate([w.ravel() for w in weights])))
    zeros = int(np.searchsorted(magnitudes, 0.0, side="right"))
    return float(100.0 * zeros / magnitudes.size)
