"""Reuses check_fraction and as_array; a local helper copies a Linear's chosen columns or rows."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    check_fraction("keep_ratio", keep_ratio, include_zero=False)
    if layer.weight.shape[1] != next_layer.weight.shape[0]:
        raise ValueError("layer's outputs and next_layer's inputs differ")
    n_keep = max(1, int(keep_ratio * layer.weight.shape[1]))
    keep = np.sort(np.argsort(-as_array(compute_neuron_importance(layer, "l2")), kind="stable")[:n_keep])

    def rebuilt(source, weight, bias):
        new = Linear(*weight.shape, bias=source.bias is not None)
        new.weight.data = weight.copy()
        if source.bias is not None:
            new.bias.data = bias.copy()
        return new

    new_layer = rebuilt(layer, as_array(layer.weight)[:, keep], None if layer.bias is None else as_array(layer.bias)[keep])
    new_next = rebuilt(next_layer, as_array(next_layer.weight)[keep], None if next_layer.bias is None else as_array(next_layer.bias))
    return new_layer, new_next
