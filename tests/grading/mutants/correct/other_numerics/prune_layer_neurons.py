"""A boolean keep-mask from argpartition (order kept by the mask), layers built by deepcopy and slicing."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if not 0 < keep_ratio <= 1:
        raise ValueError("keep_ratio must be in (0, 1]")
    if layer.weight.shape[1] != next_layer.weight.shape[0]:
        raise ValueError("layer outputs and next_layer inputs differ")
    n_out = layer.weight.shape[1]
    n_keep = max(1, int(keep_ratio * n_out))
    importance = np.sqrt(np.sum(layer.weight.data.astype(np.float64) ** 2, axis=0))
    mask = np.zeros(n_out, dtype=bool)
    mask[np.argpartition(-importance, n_keep - 1)[:n_keep]] = True
    new_layer, new_next = copy.deepcopy(layer), copy.deepcopy(next_layer)
    new_layer.weight.data = layer.weight.data[:, mask]
    if layer.bias is not None:
        new_layer.bias.data = layer.bias.data[mask]
    new_next.weight.data = next_layer.weight.data[mask, :]
    return new_layer, new_next
