"""Prints each layer's norms and dropped neurons; warnings.warn when only the head is there (nothing to prune)."""
import warnings


def structured_prune(model, prune_ratio=0.5):
    if not (0 <= prune_ratio <= 1):
        raise ValueError(f"prune_ratio={prune_ratio} is not in [0, 1]")
    linears = [layer for layer in model.layers if isinstance(layer, Linear)]
    if len(linears) <= 1:
        warnings.warn("structured_prune: the only Linear is the head; nothing is pruned")
    for number, layer in enumerate(linears[:-1]):
        norms = np.linalg.norm(layer.weight.data.astype(np.float64), axis=0)
        n_drop = int(prune_ratio * layer.weight.shape[1])
        drop = np.argsort(norms)[:n_drop]
        print(f"[structured_prune] layer {number}: norms={np.round(norms, 3)} dropping {sorted(drop.tolist())}")
        layer.weight.data[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
