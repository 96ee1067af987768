"""Reuses check_fraction and weight_tensors from the first cell; stable argsort of the magnitudes."""
def magnitude_prune(model, sparsity=0.9):
    check_fraction("sparsity", sparsity)
    weights = weight_tensors(model)
    if not weights:
        return model
    magnitudes = np.concatenate([np.abs(as_array(w)).ravel() for w in weights])
    n_prune = math.floor(sparsity * magnitudes.size)
    prune = np.zeros(magnitudes.size, dtype=bool)
    prune[np.argsort(magnitudes, kind="stable")[:n_prune]] = True
    for w, part in zip(weights, np.split(prune, np.cumsum([w.size for w in weights])[:-1])):
        w.data[part.reshape(w.shape)] = 0.0
    return model
