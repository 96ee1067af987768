"""Steps ordered by np.argsort of their fixed rank, ranges checked against a (low, high, low_inclusive) table."""
def compress_model(model, compression_config):
    rank = {"magnitude_prune": 0, "structured_prune": 1, "low_rank": 2}
    bounds = {"magnitude_prune": (0.0, 1.0, True), "structured_prune": (0.0, 1.0, True), "low_rank": (0.0, 1.0, False)}
    for key, value in compression_config.items():
        if key not in rank:
            raise ValueError(f"unknown compression technique {key!r}")
        low, high, inclusive = bounds[key]
        if not ((low <= value if inclusive else low < value) and value <= high):
            raise ValueError(f"{key}={value} out of range")
    keys = list(compression_config)
    steps = [keys[i] for i in np.argsort([rank[k] for k in keys], kind="stable")]

    def totals(m):
        params = m.parameters()
        return sum(p.size for p in params), sum(int(np.count_nonzero(p.data)) for p in params)

    params_before, nonzero_before = totals(model)
    sparsity_before = measure_sparsity(model)
    for key in steps:
        value = compression_config[key]
        if key == "magnitude_prune":
            magnitude_prune(model, value)
        elif key == "structured_prune":
            structured_prune(model, value)
        else:
            positions = np.flatnonzero([isinstance(layer, Linear) for layer in model.layers])
            for i in positions[:-1].tolist():
                layer = model.layers[i]
                m, n = layer.weight.shape
                k = max(1, int(value * min(m, n)))
                if k * (m + n) < m * n:
                    U, S, V = low_rank_approximate(layer.weight, value)
                    model.layers[i] = LowRankLinear(U * S, V, layer.bias)
    params_after, nonzero_after = totals(model)
    sparsity_after = measure_sparsity(model)
    return {
        "original_params": params_before,
        "final_params": params_after,
        "original_sparsity": sparsity_before,
        "final_sparsity": sparsity_after,
        "sparsity_increase": sparsity_after - sparsity_before,
        "applied_techniques": steps,
        "compression_ratio": nonzero_before / nonzero_after if nonzero_after else float("inf"),
    }
