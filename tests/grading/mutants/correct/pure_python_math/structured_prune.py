"""Column norms as math.sqrt(math.fsum(...)) over .tolist() rows, sorted() by a key function, zeroing via lists."""
def structured_prune(model, prune_ratio=0.5):
    if not (0.0 <= prune_ratio <= 1.0):
        raise ValueError("prune_ratio has to be a fraction between 0 and 1")
    linear_layers = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in linear_layers[:-1]:
        matrix = layer.weight.data.tolist()
        n_out = len(matrix[0])
        norms = [math.sqrt(math.fsum(row[j] ** 2 for row in matrix)) for j in range(n_out)]
        weakest = sorted(range(n_out), key=lambda j: norms[j])[: int(prune_ratio * n_out)]
        if not weakest:
            continue
        for row in matrix:
            for j in weakest:
                row[j] = 0.0
        layer.weight.data[...] = np.array(matrix)
        if layer.bias is not None:
            bias = layer.bias.data.tolist()
            for j in weakest:
                bias[j] = 0.0
            layer.bias.data[...] = np.array(bias)
    return model
