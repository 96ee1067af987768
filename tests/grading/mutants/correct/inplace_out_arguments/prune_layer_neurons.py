"""Builds the new Linear layers at the final size and fills their arrays with np.copyto."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if not 0.0 < keep_ratio <= 1.0:
        raise ValueError(f"keep_ratio must be in (0, 1], got {keep_ratio}")
    if layer.out_features != next_layer.in_features:
        raise ValueError("layer.out_features != next_layer.in_features")
    n_keep = max(1, int(keep_ratio * layer.out_features))
    keep = np.sort(np.argsort(-compute_neuron_importance(layer, "l2"), kind="stable")[:n_keep])
    new_layer = Linear(layer.in_features, n_keep, bias=layer.bias is not None)
    np.copyto(new_layer.weight.data, layer.weight.data[:, keep])
    if layer.bias is not None:
        np.copyto(new_layer.bias.data, layer.bias.data[keep])
    new_next = Linear(n_keep, next_layer.out_features, bias=next_layer.bias is not None)
    np.copyto(new_next.weight.data, next_layer.weight.data[keep, :])
    if next_layer.bias is not None:
        np.copyto(new_next.bias.data, next_layer.bias.data)
    return new_layer, new_next
