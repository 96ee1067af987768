"""Prints the configuration, each step and the statistics; logging.warning for an empty configuration."""
import logging


def compress_model(model, compression_config):
    print(f"[compress_model] config: {compression_config}")
    if not compression_config:
        logging.warning("compress_model: empty configuration, nothing to do")
    for key, value in compression_config.items():
        if key in ("magnitude_prune", "structured_prune"):
            if not 0 <= value <= 1:
                raise ValueError(f"{key}={value} not in [0, 1]")
        elif key == "low_rank":
            if not 0 < value <= 1:
                raise ValueError(f"low_rank={value} not in (0, 1]")
        else:
            raise ValueError(f"unknown technique {key!r}")
    count = lambda m: sum(p.size for p in m.parameters())
    nonzero = lambda m: sum(int(np.count_nonzero(p.data)) for p in m.parameters())
    original_params, original_nonzero, original_sparsity = count(model), nonzero(model), measure_sparsity(model)
    applied = []
    for key in ("magnitude_prune", "structured_prune", "low_rank"):
        if key not in compression_config:
            continue
        print(f"[compress_model] applying {key}={compression_config[key]}")
        if key == "magnitude_prune":
            magnitude_prune(model, compression_config[key])
        elif key == "structured_prune":
            structured_prune(model, compression_config[key])
        else:
            ratio = compression_config[key]
            dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
            for i in dense[:-1]:
                layer = model.layers[i]
                a, b = layer.weight.shape
                k = max(1, int(ratio * min(a, b)))
                if k * (a + b) < a * b:
                    U, S, V = low_rank_approximate(layer.weight, ratio)
                    model.layers[i] = LowRankLinear(U * S, V, layer.bias)
                    print(f"[compress_model] layer {i}: {a}x{b} -> rank {k}")
                else:
                    print(f"[compress_model] layer {i}: rank {k} saves nothing, kept dense")
        applied.append(key)
    final_sparsity = measure_sparsity(model)
    stats = {
        "original_params": original_params,
        "final_params": count(model),
        "original_sparsity": original_sparsity,
        "final_sparsity": final_sparsity,
        "sparsity_increase": final_sparsity - original_sparsity,
        "applied_techniques": applied,
        "compression_ratio": original_nonzero / nonzero(model) if nonzero(model) else float("inf"),
    }
    print(f"[compress_model] stats: {stats}")
    return stats
