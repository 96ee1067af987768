"""Counts as np.int64 via np.sum over parameter sizes; every statistic a numpy scalar."""
def compress_model(model, compression_config):
    limits = {"magnitude_prune": (0.0, True), "structured_prune": (0.0, True), "low_rank": (0.0, False)}
    for key, value in compression_config.items():
        if key not in limits:
            raise ValueError(f"unknown technique {key}")
        low, closed = limits[key]
        value = np.float64(value)
        if not ((value >= low if closed else value > low) and value <= 1.0):
            raise ValueError(f"{key} value {value} out of range")

    def totals(m):
        params = m.parameters()
        size = np.sum(np.array([p.size for p in params], dtype=np.int64), dtype=np.int64)
        nonzero = np.sum(np.array([np.count_nonzero(p.data) for p in params], dtype=np.int64), dtype=np.int64)
        return size, nonzero

    params_before, nonzero_before = totals(model)
    sparsity_before = np.float64(measure_sparsity(model))
    applied = []
    if "magnitude_prune" in compression_config:
        magnitude_prune(model, compression_config["magnitude_prune"])
        applied.append("magnitude_prune")
    if "structured_prune" in compression_config:
        structured_prune(model, compression_config["structured_prune"])
        applied.append("structured_prune")
    if "low_rank" in compression_config:
        ratio = compression_config["low_rank"]
        positions = np.flatnonzero([isinstance(layer, Linear) for layer in model.layers])
        for i in positions[:-1]:
            layer = model.layers[i]
            m, n = layer.weight.shape
            k = np.maximum(np.int64(1), np.int64(np.float64(ratio) * np.float64(min(m, n))))
            if k * np.int64(m + n) < np.int64(m * n):
                U, S, V = low_rank_approximate(layer.weight, ratio)
                model.layers[i] = LowRankLinear(U * S, V, layer.bias)
        applied.append("low_rank")
    params_after, nonzero_after = totals(model)
    sparsity_after = np.float64(measure_sparsity(model))
    return {
        "original_params": params_before,
        "final_params": params_after,
        "original_sparsity": sparsity_before,
        "final_sparsity": sparsity_after,
        "sparsity_increase": sparsity_after - sparsity_before,
        "applied_techniques": applied,
        "compression_ratio": np.float64(nonzero_before) / np.float64(nonzero_after) if nonzero_after else np.float64(np.inf),
    }
