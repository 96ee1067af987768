"""Replaces factorised layers by slice assignment model.layers[i:i + 1] = [...]; counts accumulated in one np.zeros(2) array."""
def compress_model(model, compression_config):
    allowed = {"magnitude_prune": (0.0, True), "structured_prune": (0.0, True), "low_rank": (0.0, False)}
    for key, value in compression_config.items():
        if key not in allowed:
            raise ValueError(f"unknown compression technique {key!r}")
        low, inclusive = allowed[key]
        if not ((value >= low) if inclusive else (value > low)) or not value <= 1.0:
            raise ValueError(f"{key}={value} out of range")

    def tally(m):
        counts = np.zeros(2, dtype=np.int64)  # [parameters, nonzero]
        for p in m.parameters():
            counts += (p.size, np.count_nonzero(p.data))
        return int(counts[0]), int(counts[1])

    params_before, nonzero_before = tally(model)
    sparsity_before = measure_sparsity(model)
    applied = []
    if "magnitude_prune" in compression_config:
        magnitude_prune(model, compression_config["magnitude_prune"])
        applied.append("magnitude_prune")
    if "structured_prune" in compression_config:
        structured_prune(model, compression_config["structured_prune"])
        applied.append("structured_prune")
    if "low_rank" in compression_config:
        ratio = compression_config["low_rank"]
        dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
        for i in dense[:-1]:
            old = model.layers[i]
            a, b = old.weight.shape
            k = max(1, int(ratio * min(a, b)))
            if k * (a + b) < a * b:
                U, S, V = low_rank_approximate(old.weight, ratio)
                first = np.empty(U.shape)
                np.multiply(U, S[np.newaxis, :], out=first)
                model.layers[i:i + 1] = [LowRankLinear(first, V, old.bias)]
        applied.append("low_rank")
    params_after, nonzero_after = tally(model)
    sparsity_after = measure_sparsity(model)
    return {
        "original_params": params_before,
        "final_params": params_after,
        "original_sparsity": sparsity_before,
        "final_sparsity": sparsity_after,
        "sparsity_increase": sparsity_after - sparsity_before,
        "applied_techniques": applied,
        "compression_ratio": nonzero_before / nonzero_after if nonzero_after else float("inf"),
    }
