"""Defines module-level helpers in its first solution cell (as_array, weight_tensors, linear_layers, column_norms, check_fraction, parameter counts) and reuses them in later cells."""
def as_array(x, dtype=None):
    """The ndarray behind a Tensor, or x itself as an array."""
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=dtype)


def weight_tensors(model):
    """The weight matrices of a model: its parameters with at least two dimensions."""
    return [p for p in model.parameters() if p.ndim >= 2]


def linear_layers(model):
    """Positions of the Linear layers in model.layers, in order."""
    return [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]


def column_norms(weight, order=2):
    """Norm of every column of a weight matrix (one per output neuron), in float64."""
    w = as_array(weight, np.float64)
    return np.abs(w).sum(axis=0) if order == 1 else np.sqrt((w * w).sum(axis=0))


def check_fraction(name, value, include_zero=True):
    """ValueError unless value is in [0, 1] (or (0, 1] when include_zero is False)."""
    ok = (0 <= value <= 1) if include_zero else (0 < value <= 1)
    if not ok:
        raise ValueError(f"{name} must be in {'[' if include_zero else '('}0, 1], got {value}")


def parameter_count(model):
    return sum(p.size for p in model.parameters())


def nonzero_count(model):
    return sum(int(np.count_nonzero(p.data)) for p in model.parameters())


def measure_sparsity(model):
    weights = weight_tensors(model)
    total = sum(w.size for w in weights)
    if total == 0:
        return 0.0
    return 100.0 * sum(w.size - int(np.count_nonzero(w.data)) for w in weights) / total
