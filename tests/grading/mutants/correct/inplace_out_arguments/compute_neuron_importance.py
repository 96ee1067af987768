"""np.square or np.abs into a work buffer, np.sum(axis=0, out=result), np.sqrt in place."""
def compute_neuron_importance(layer, method="l2"):
    if method not in ("l2", "l1"):
        raise ValueError(f"unknown method {method!r}")
    w = layer.weight.data
    work = np.empty(w.shape, dtype=np.float64)
    result = np.empty(w.shape[1], dtype=np.float64)
    if method == "l2":
        np.square(w, out=work)
        np.sum(work, axis=0, out=result)
        np.sqrt(result, out=result)
    else:
        np.abs(w, out=work)
        np.sum(work, axis=0, out=result)
    return result
