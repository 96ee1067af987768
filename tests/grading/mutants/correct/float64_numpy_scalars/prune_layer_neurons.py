"""float64 importances from compute_neuron_importance, count as np.int64, kept indices by boolean mask."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    keep_ratio = np.float64(keep_ratio)
    if not (keep_ratio > 0.0 and keep_ratio <= 1.0):
        raise ValueError("keep_ratio must lie in (0, 1]")
    n_in, n_out = layer.weight.shape
    if n_out != next_layer.weight.shape[0]:
        raise ValueError("layer outputs do not match next_layer inputs")
    n_keep = np.maximum(np.int64(1), np.int64(keep_ratio * np.float64(n_out)))
    importance = np.asarray(compute_neuron_importance(layer, "l2"), dtype=np.float64)
    mask = np.zeros(n_out, dtype=bool)
    mask[np.argsort(-importance, kind="stable")[:n_keep]] = True
    new_layer = Linear(n_in, int(n_keep), bias=layer.bias is not None)
    new_layer.weight.data = np.array(layer.weight.data[:, mask], dtype=np.float64)
    if layer.bias is not None:
        new_layer.bias.data = np.array(layer.bias.data[mask], dtype=np.float64)
    new_next = Linear(int(n_keep), next_layer.weight.shape[1], bias=next_layer.bias is not None)
    new_next.weight.data = np.array(next_layer.weight.data[mask, :], dtype=np.float64)
    if next_layer.bias is not None:
        new_next.bias.data = np.array(next_layer.bias.data, dtype=np.float64)
    return new_layer, new_next
