"""float64 column norms via np.sqrt(np.sum(w * w, axis=0)), the count as np.int64, mergesort order."""
def structured_prune(model, prune_ratio=0.5):
    prune_ratio = np.float64(prune_ratio)
    if prune_ratio < 0.0 or prune_ratio > 1.0:
        raise ValueError("prune_ratio must lie in [0, 1]")
    dense = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in dense[:-1]:
        w = layer.weight.data.astype(np.float64)
        count = np.int64(prune_ratio * np.float64(w.shape[1]))
        if count <= 0:
            continue
        norms = np.sqrt(np.sum(w * w, axis=0))
        drop = np.argsort(norms, kind="mergesort")[:count]
        layer.weight.data[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
