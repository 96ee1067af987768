"""A _KeptNeurons helper class holds the kept indices and slices weights with them; stores new_layer.kept_neurons on the new layer."""
class _KeptNeurons:
    def __init__(self, importance, n_keep):
        self.indices = np.sort(np.argsort(-np.asarray(importance), kind="stable")[:n_keep])

    def columns(self, a):
        return a[:, self.indices].copy()

    def rows(self, a):
        return a[self.indices].copy()


def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    if not (0 < keep_ratio <= 1):
        raise ValueError("keep_ratio must be in (0, 1]")
    if layer.out_features != next_layer.in_features:
        raise ValueError("the layers do not connect")
    n_keep = max(1, int(keep_ratio * layer.out_features))
    kept = _KeptNeurons(compute_neuron_importance(layer, "l2"), n_keep)
    new_layer = Linear(layer.in_features, n_keep, bias=layer.bias is not None)
    new_layer.weight.data = kept.columns(layer.weight.data)
    if layer.bias is not None:
        new_layer.bias.data = kept.rows(layer.bias.data)
    new_layer.kept_neurons = kept.indices.tolist()
    new_next = Linear(n_keep, next_layer.out_features, bias=next_layer.bias is not None)
    new_next.weight.data = kept.rows(next_layer.weight.data)
    if next_layer.bias is not None:
        new_next.bias.data = next_layer.bias.data.copy()
    return new_layer, new_next
