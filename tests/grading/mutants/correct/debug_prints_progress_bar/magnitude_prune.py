"""Prints the threshold and counts while pruning; warnings.warn when asked to prune every weight."""
import warnings


def magnitude_prune(model, sparsity=0.9):
    if not (0 <= sparsity <= 1):
        raise ValueError(f"sparsity={sparsity} is not in [0, 1]")
    if sparsity == 1:
        warnings.warn("magnitude_prune: sparsity=1 zeroes every weight")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    flat = np.concatenate([np.abs(w.data).ravel() for w in weights]) if weights else np.zeros(0)
    n_prune = math.floor(sparsity * flat.size)
    print(f"[magnitude_prune] N={flat.size} sparsity={sparsity} -> pruning {n_prune}")
    if n_prune == 0:
        return model
    order = np.argsort(flat, kind="stable")
    print(f"[magnitude_prune] threshold |w| = {flat[order[n_prune - 1]]:.6g}")
    mask = np.zeros(flat.size, dtype=bool)
    mask[order[:n_prune]] = True
    start = 0
    for w in weights:
        w.data[mask[start:start + w.size].reshape(w.shape)] = 0
        start += w.size
    print(f"[magnitude_prune] zeros now: {sum(int((w.data == 0).sum()) for w in weights)}")
    return model
