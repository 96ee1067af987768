"""Counts zeros with explicit loops over every entry of every weight matrix."""
def measure_sparsity(model):
    zeros = 0
    total = 0
    for param in model.parameters():
        if len(param.shape) < 2:
            continue
        for value in param.data.flat:
            total += 1
            if value == 0:
                zeros += 1
    if total == 0:
        return 0.0
    return zeros / total * 100
