"""float64 throughout: 100.0 * np.sum(w == 0) / total, returned as the np.float64 it computes."""
def measure_sparsity(model):
    weights = [np.asarray(p.data, dtype=np.float64) for p in model.parameters() if p.ndim >= 2]
    total = np.int64(sum(w.size for w in weights))
    if total == 0:
        return np.float64(0.0)
    zeros = np.sum([np.sum(w == 0) for w in weights], dtype=np.int64)
    return 100.0 * zeros / total
