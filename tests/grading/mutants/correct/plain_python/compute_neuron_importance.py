"""Column norms with explicit loops and math.sqrt."""
def compute_neuron_importance(layer, method="l2"):
    if method not in ("l1", "l2"):
        raise ValueError("method must be 'l1' or 'l2'")
    W = layer.weight.data
    rows, cols = W.shape
    result = np.zeros(cols)
    for j in range(cols):
        if method == "l2":
            result[j] = math.sqrt(sum(float(W[i, j]) ** 2 for i in range(rows)))
        else:
            result[j] = sum(abs(float(W[i, j])) for i in range(rows))
    return result
