"""sorted() with key=importance and reverse=True, kept indices re-sorted, new layers filled from list comprehensions."""
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if not (0.0 < keep_ratio <= 1.0):
        raise ValueError("keep_ratio has to be in (0, 1]")
    W, W_next = layer.weight.data.tolist(), next_layer.weight.data.tolist()
    n_out = len(W[0])
    if n_out != len(W_next):
        raise ValueError("layer and next_layer do not connect")
    importance = compute_neuron_importance(layer, "l2").tolist()
    n_keep = max(1, int(keep_ratio * n_out))
    keep = sorted(sorted(range(n_out), key=lambda j: importance[j], reverse=True)[:n_keep])
    new_layer = Linear(len(W), n_keep, bias=layer.bias is not None)
    new_layer.weight.data = np.array([[row[j] for j in keep] for row in W])
    if layer.bias is not None:
        bias = layer.bias.data.tolist()
        new_layer.bias.data = np.array([bias[j] for j in keep])
    new_next = Linear(n_keep, len(W_next[0]), bias=next_layer.bias is not None)
    new_next.weight.data = np.array([W_next[j] for j in keep])
    if next_layer.bias is not None:
        new_next.bias.data = np.array(next_layer.bias.data.tolist())
    return new_layer, new_next
