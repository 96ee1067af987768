"""A _Snapshot helper class for counts before/after; records model.compression_log and model.compression_stats on the model."""
class _Snapshot:
    def __init__(self, model):
        params = model.parameters()
        self.params = sum(p.size for p in params)
        self.nonzero = sum(int(np.count_nonzero(p.data)) for p in params)
        self.sparsity = measure_sparsity(model)


def compress_model(model, compression_config):
    checks = {"magnitude_prune": lambda v: 0 <= v <= 1, "structured_prune": lambda v: 0 <= v <= 1,
              "low_rank": lambda v: 0 < v <= 1}
    for key, value in compression_config.items():
        if key not in checks or not checks[key](value):
            raise ValueError(f"bad compression setting {key}={value!r}")
    before = _Snapshot(model)
    model.compression_log = []
    for key in ("magnitude_prune", "structured_prune", "low_rank"):
        if key not in compression_config:
            continue
        value = compression_config[key]
        if key == "magnitude_prune":
            magnitude_prune(model, value)
        elif key == "structured_prune":
            structured_prune(model, value)
        else:
            dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
            for i in dense[:-1]:
                old = model.layers[i]
                rows, cols = old.weight.shape
                k = max(1, int(value * min(rows, cols)))
                if k * (rows + cols) < rows * cols:
                    U, S, V = low_rank_approximate(old.weight, value)
                    model.layers[i] = LowRankLinear(U * S, V, old.bias)
        model.compression_log.append(key)
    after = _Snapshot(model)
    stats = {
        "original_params": before.params,
        "final_params": after.params,
        "original_sparsity": before.sparsity,
        "final_sparsity": after.sparsity,
        "sparsity_increase": after.sparsity - before.sparsity,
        "applied_techniques": list(model.compression_log),
        "compression_ratio": before.nonzero / after.nonzero if after.nonzero else float("inf"),
    }
    model.compression_stats = stats
    return stats
