"""np.lexsort by (norm, then descending index): among equal norms the LAST neuron goes first."""
def structured_prune(model, prune_ratio=0.5):
    if not 0 <= prune_ratio <= 1:
        raise ValueError(f"prune_ratio {prune_ratio} outside [0, 1]")
    dense = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in dense[:-1]:
        w = layer.weight.data
        n_out = w.shape[1]
        norms = np.linalg.norm(w.astype(np.float64), ord=2, axis=0)
        order = np.lexsort((-np.arange(n_out), norms))  # primary key: norm; ties: higher index first
        drop = order[: int(prune_ratio * n_out)]
        w[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
