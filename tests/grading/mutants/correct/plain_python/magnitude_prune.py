"""Sorts (|w|, layer, position) tuples in plain Python and zeros the first floor(s * N)."""
def magnitude_prune(model, sparsity=0.9):
    if not (0 <= sparsity <= 1):
        raise ValueError("sparsity must be between 0 and 1")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    entries = []
    for layer_index, w in enumerate(weights):
        for position, value in enumerate(w.data.flat):
            entries.append((abs(value), layer_index, position))
    entries.sort()
    n_prune = math.floor(sparsity * len(entries))
    for _, layer_index, position in entries[:n_prune]:
        weights[layer_index].data.flat[position] = 0.0
    return model
