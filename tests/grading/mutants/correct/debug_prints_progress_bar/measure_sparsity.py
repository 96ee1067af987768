"""Prints a debug line per weight matrix (shape, zeros) and the total before returning the percentage."""
def measure_sparsity(model):
    zeros, total = 0, 0
    for i, p in enumerate(model.parameters()):
        if p.ndim < 2:
            continue
        z = int(np.sum(p.data == 0))
        print(f"[measure_sparsity] param {i} shape={p.shape} zeros={z}/{p.size}")
        zeros += z
        total += p.size
    result = 0.0 if total == 0 else zeros / total * 100.0
    print(f"[measure_sparsity] {zeros}/{total} -> {result:.2f}%")
    return result
