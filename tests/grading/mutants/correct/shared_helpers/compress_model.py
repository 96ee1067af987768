"""Reuses check_fraction, linear_layers, rank_for, parameter_count and nonzero_count from earlier cells."""
def compress_model(model, compression_config):
    steps = ("magnitude_prune", "structured_prune", "low_rank")
    for key, value in compression_config.items():
        if key not in steps:
            raise ValueError(f"unknown compression technique {key!r}")
        check_fraction(key, value, include_zero=key != "low_rank")
    before_params, before_nonzero, before_sparsity = parameter_count(model), nonzero_count(model), measure_sparsity(model)
    applied = []
    for key in steps:
        if key not in compression_config:
            continue
        value = compression_config[key]
        if key == "magnitude_prune":
            magnitude_prune(model, value)
        elif key == "structured_prune":
            structured_prune(model, value)
        else:
            for i in linear_layers(model)[:-1]:
                layer = model.layers[i]
                m, n = layer.weight.shape
                if rank_for((m, n), value) * (m + n) < m * n:
                    U, S, V = low_rank_approximate(layer.weight, value)
                    model.layers[i] = LowRankLinear(U * S, V, layer.bias)
        applied.append(key)
    after_nonzero, after_sparsity = nonzero_count(model), measure_sparsity(model)
    return {
        "original_params": before_params,
        "final_params": parameter_count(model),
        "original_sparsity": before_sparsity,
        "final_sparsity": after_sparsity,
        "sparsity_increase": after_sparsity - before_sparsity,
        "applied_techniques": applied,
        "compression_ratio": before_nonzero / after_nonzero if after_nonzero else float("inf"),
    }
