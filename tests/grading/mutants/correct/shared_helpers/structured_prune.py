"""Reuses check_fraction, linear_layers and column_norms from the first cell."""
def structured_prune(model, prune_ratio=0.5):
    check_fraction("prune_ratio", prune_ratio)
    for i in linear_layers(model)[:-1]:
        layer = model.layers[i]
        n_prune = int(prune_ratio * layer.weight.shape[1])
        drop = np.argsort(column_norms(layer.weight), kind="stable")[:n_prune]
        layer.weight.data[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
