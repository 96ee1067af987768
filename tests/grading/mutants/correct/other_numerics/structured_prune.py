"""Squared norms via einsum (same order as L2) and argpartition for the smallest."""
def structured_prune(model, prune_ratio=0.5):
    if not 0 <= prune_ratio <= 1:
        raise ValueError("prune_ratio must be in [0, 1]")
    linears = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in linears[:-1]:
        w = layer.weight.data
        n = int(prune_ratio * w.shape[1])
        if n == 0:
            continue
        squared = np.einsum("ij,ij->j", w.astype(np.float64), w.astype(np.float64))
        drop = np.argpartition(squared, n - 1)[:n]
        w[:, drop] = 0
        if layer.bias is not None:
            layer.bias.data[drop] = 0
    return model
