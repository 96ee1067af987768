"""argsort of the negated reversed importances (ties keep the LAST neurons), kept indices sorted back into order, np.take."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if not 0 < keep_ratio <= 1:
        raise ValueError(f"keep_ratio {keep_ratio} outside (0, 1]")
    n_out = layer.weight.shape[1]
    if n_out != next_layer.weight.shape[0]:
        raise ValueError("layer and next_layer do not connect")
    n_keep = max(1, int(keep_ratio * n_out))
    reversed_importance = np.asarray(compute_neuron_importance(layer, "l2"), dtype=np.float64)[::-1]
    order = np.argsort(-reversed_importance, kind="stable")  # ties: the later neuron ranks first
    keep = np.sort(n_out - 1 - order[:n_keep])
    new_layer = Linear(layer.weight.shape[0], n_keep, bias=layer.bias is not None)
    new_layer.weight.data = np.take(layer.weight.data, keep, axis=1)
    if layer.bias is not None:
        new_layer.bias.data = np.take(layer.bias.data, keep)
    new_next = Linear(n_keep, next_layer.weight.shape[1], bias=next_layer.bias is not None)
    new_next.weight.data = np.take(next_layer.weight.data, keep, axis=0)
    if next_layer.bias is not None:
        new_next.bias.data = np.array(next_layer.bias.data, copy=True)
    return new_layer, new_next
