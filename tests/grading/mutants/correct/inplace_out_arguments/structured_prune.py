"""Norms with np.square/np.sum/np.sqrt into out= buffers, columns cleared by np.copyto(..., where=) with a broadcast mask."""
def structured_prune(model, prune_ratio=0.5):
    if not 0.0 <= prune_ratio <= 1.0:
        raise ValueError(f"prune_ratio must be in [0, 1], got {prune_ratio}")
    dense = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in dense[:-1]:
        w = layer.weight.data
        squares = np.empty(w.shape, dtype=np.float64)
        np.square(w, out=squares)
        norms = np.empty(w.shape[1], dtype=np.float64)
        np.sum(squares, axis=0, out=norms)
        np.sqrt(norms, out=norms)
        drop = np.zeros(w.shape[1], dtype=bool)
        drop[np.argsort(norms)[: int(prune_ratio * w.shape[1])]] = True
        np.copyto(w, 0.0, where=drop[np.newaxis, :])
        if layer.bias is not None:
            np.copyto(layer.bias.data, 0.0, where=drop)
    return model
