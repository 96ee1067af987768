"""Stores each layer's column norms as layer.importance and the pruned indices as layer.pruned_neurons, via a _NeuronRanking helper."""
class _NeuronRanking:
    def __init__(self, weight):
        self.norms = np.sqrt(np.sum(np.square(weight.astype(np.float64)), axis=0))

    def weakest(self, count):
        return np.argsort(self.norms, kind="stable")[:count]


def structured_prune(model, prune_ratio=0.5):
    if not (0 <= prune_ratio <= 1):
        raise ValueError(f"prune_ratio must be in [0, 1], got {prune_ratio}")
    linears = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in linears[:-1]:
        ranking = _NeuronRanking(layer.weight.data)
        layer.importance = ranking.norms
        drop = ranking.weakest(int(prune_ratio * layer.weight.shape[1]))
        layer.pruned_neurons = drop.tolist()
        layer.weight.data[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
