"""np.linalg.norm with ord=1 or ord=2 per column, via a dict of norms."""
def compute_neuron_importance(layer, method="l2"):
    orders = {"l1": 1, "l2": 2}
    if method not in orders:
        raise ValueError(f"method must be one of {sorted(orders)}")
    w = layer.weight.data.astype(np.float64)
    return np.array([np.linalg.norm(w[:, j], ord=orders[method]) for j in range(w.shape[1])])
