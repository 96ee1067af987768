"""L2 from the diagonal of the Gram matrix W.T @ W, L1 as |W|.T @ ones."""
def compute_neuron_importance(layer, method="l2"):
    W = layer.weight.data.astype(np.float64)
    if method == "l2":
        return np.sqrt(np.clip(np.diagonal(W.T @ W), 0.0, None))
    if method == "l1":
        return np.abs(W).T @ np.ones(W.shape[0])
    raise ValueError(f"unknown method {method!r}")
