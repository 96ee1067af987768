"""Transposes the .tolist() matrix with zip(*rows), math.hypot for L2 and math.fsum of abs() for L1."""
def compute_neuron_importance(layer, method="l2"):
    norms = {"l2": lambda column: math.hypot(*column), "l1": lambda column: math.fsum(abs(x) for x in column)}
    if method not in norms:
        raise ValueError("method must be 'l2' or 'l1'")
    columns = zip(*layer.weight.data.tolist())
    return np.array([norms[method](column) for column in columns])
