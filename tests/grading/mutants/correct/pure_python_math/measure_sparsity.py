"""Flattens every weight matrix with .tolist() into one Python list and counts zeros with a generator."""
def measure_sparsity(model):
    def flatten(rows):
        return [x for row in rows for x in (flatten(row) if isinstance(row, list) else [row])]

    values = [x for p in model.parameters() if p.ndim >= 2 for x in flatten(p.data.tolist())]
    if not values:
        return 0.0
    return 100.0 * sum(1 for x in values if x == 0.0) / len(values)
