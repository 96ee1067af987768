"""Python sorting of neuron indices by importance, then rebuilds both layers column by column."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if keep_ratio <= 0 or keep_ratio > 1:
        raise ValueError("keep_ratio must be in (0, 1]")
    if layer.weight.shape[1] != next_layer.weight.shape[0]:
        raise ValueError("layer and next_layer do not fit together")
    n_out = layer.weight.shape[1]
    n_keep = max(1, int(keep_ratio * n_out))
    norms = [math.sqrt(sum(float(v) ** 2 for v in layer.weight.data[:, j])) for j in range(n_out)]
    by_importance = sorted(range(n_out), key=lambda j: norms[j], reverse=True)
    keep = sorted(by_importance[:n_keep])
    new_layer = Linear(layer.weight.shape[0], n_keep, bias=layer.bias is not None)
    new_next = Linear(n_keep, next_layer.weight.shape[1], bias=next_layer.bias is not None)
    for new_j, j in enumerate(keep):
        new_layer.weight.data[:, new_j] = layer.weight.data[:, j]
        new_next.weight.data[new_j, :] = next_layer.weight.data[j, :]
        if layer.bias is not None:
            new_layer.bias.data[new_j] = layer.bias.data[j]
    if next_layer.bias is not None:
        new_next.bias.data[:] = next_layer.bias.data
    return new_layer, new_next
