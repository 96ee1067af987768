"""float64 column norms: np.sqrt(np.einsum) for L2, np.sum(np.abs) for L1."""
def compute_neuron_importance(layer, method="l2"):
    w = np.asarray(layer.weight.data, dtype=np.float64)
    if method == "l2":
        return np.sqrt(np.einsum("ij,ij->j", w, w))
    elif method == "l1":
        return np.sum(np.abs(w), axis=0)
    raise ValueError(f"method must be 'l2' or 'l1', not {method!r}")
