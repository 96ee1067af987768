"""One preallocated boolean buffer per matrix filled with np.equal(..., out=), zeros summed into a running int."""
def measure_sparsity(model):
    zeros = 0
    total = 0
    for p in model.parameters():
        if p.ndim < 2:
            continue
        is_zero = np.empty(p.data.shape, dtype=bool)
        np.equal(p.data, 0.0, out=is_zero)
        zeros += int(np.add.reduce(is_zero, axis=None, dtype=np.int64))
        total += is_zero.size
    return 100.0 * zeros / total if total else 0.0
