"""Prints the method and the resulting importances."""
def compute_neuron_importance(layer, method="l2"):
    print(f"[importance] method={method}, weight {layer.weight.shape}")
    w = layer.weight.data.astype(np.float64)
    if method == "l2":
        result = np.sqrt(np.sum(w ** 2, axis=0))
    elif method == "l1":
        result = np.sum(np.abs(w), axis=0)
    else:
        raise ValueError(f"unknown method {method!r}")
    print(f"[importance] {np.round(result, 4)}")
    return result
