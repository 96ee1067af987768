"""Computes each column's L2 norm with loops and sorts neuron indices by it."""
def structured_prune(model, prune_ratio=0.5):
    if prune_ratio < 0 or prune_ratio > 1:
        raise ValueError("prune_ratio must be between 0 and 1")
    linears = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in linears[:-1]:
        n_in, n_out = layer.weight.shape
        norms = []
        for j in range(n_out):
            total = 0.0
            for i in range(n_in):
                total += float(layer.weight.data[i, j]) ** 2
            norms.append(math.sqrt(total))
        order = sorted(range(n_out), key=lambda j: norms[j])
        for j in order[: int(prune_ratio * n_out)]:
            for i in range(n_in):
                layer.weight.data[i, j] = 0.0
            if layer.bias is not None:
                layer.bias.data[j] = 0.0
    return model
