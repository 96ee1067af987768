"""Prints which neurons are kept and the new shapes; warnings.warn when keep_ratio keeps just one neuron."""
import warnings


def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if not (0 < keep_ratio <= 1):
        raise ValueError(f"keep_ratio={keep_ratio} not in (0, 1]")
    if layer.weight.shape[1] != next_layer.weight.shape[0]:
        raise ValueError(f"shapes {layer.weight.shape} and {next_layer.weight.shape} do not connect")
    n = layer.weight.shape[1]
    n_keep = max(1, int(keep_ratio * n))
    if n_keep == 1 and n > 1:
        warnings.warn("prune_layer_neurons: only one neuron survives")
    importance = compute_neuron_importance(layer, "l2")
    keep = np.sort(np.argsort(importance)[::-1][:n_keep])
    print(f"[prune_layer_neurons] keeping {n_keep}/{n}: {keep.tolist()}")
    new_layer = Linear(layer.weight.shape[0], n_keep, bias=layer.bias is not None)
    new_layer.weight.data = layer.weight.data[:, keep]
    if layer.bias is not None:
        new_layer.bias.data = layer.bias.data[keep]
    new_next = Linear(n_keep, next_layer.weight.shape[1], bias=next_layer.bias is not None)
    new_next.weight.data = next_layer.weight.data[keep]
    if next_layer.bias is not None:
        new_next.bias.data = next_layer.bias.data.copy()
    print(f"[prune_layer_neurons] new shapes {new_layer.weight.shape} -> {new_next.weight.shape}")
    return new_layer, new_next
