"""Validation with all()/any() over the items, counts with sum() over .tolist() values, layer positions by list comprehension."""
def compress_model(model, compression_config):
    known = ["magnitude_prune", "structured_prune", "low_rank"]
    if any(key not in known for key in compression_config):
        raise ValueError("unknown compression technique in " + repr(sorted(compression_config)))
    in_range = {
        "magnitude_prune": lambda v: 0.0 <= v <= 1.0,
        "structured_prune": lambda v: 0.0 <= v <= 1.0,
        "low_rank": lambda v: 0.0 < v <= 1.0,
    }
    if not all(in_range[key](value) for key, value in compression_config.items()):
        raise ValueError("a compression value is out of range")

    def flat(values):
        return [x for v in values for x in (flat(v) if isinstance(v, list) else [v])]

    def counts(m):
        values = [x for p in m.parameters() for x in flat(p.data.tolist())]
        return len(values), sum(1 for x in values if x != 0.0)

    original_params, original_nonzero = counts(model)
    original_sparsity = measure_sparsity(model)
    applied = [key for key in known if key in compression_config]
    for key in applied:
        value = compression_config[key]
        if key == "magnitude_prune":
            magnitude_prune(model, value)
        elif key == "structured_prune":
            structured_prune(model, value)
        else:
            positions = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
            for i in positions[:-1]:
                layer = model.layers[i]
                m, n = layer.weight.shape
                k = max(1, int(value * min(m, n)))
                if k * m + k * n < m * n:
                    U, S, V = low_rank_approximate(layer.weight, value)
                    model.layers[i] = LowRankLinear(U * S, V, layer.bias)
    final_params, final_nonzero = counts(model)
    final_sparsity = measure_sparsity(model)
    return {
        "original_params": original_params,
        "final_params": final_params,
        "original_sparsity": original_sparsity,
        "final_sparsity": final_sparsity,
        "sparsity_increase": final_sparsity - original_sparsity,
        "applied_techniques": applied,
        "compression_ratio": original_nonzero / final_nonzero if final_nonzero else math.inf,
    }
