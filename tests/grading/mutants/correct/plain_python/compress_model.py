"""if/elif validation of every item first, then each technique by hand, counts with loops."""
def compress_model(model, compression_config):
    for name in compression_config:
        value = compression_config[name]
        if name == "magnitude_prune" or name == "structured_prune":
            if value < 0 or value > 1:
                raise ValueError(name + " must be in [0, 1]")
        elif name == "low_rank":
            if value <= 0 or value > 1:
                raise ValueError("low_rank must be in (0, 1]")
        else:
            raise ValueError("unknown technique: " + str(name))

    def statistics(m):
        total, nonzero = 0, 0
        for p in m.parameters():
            total += p.size
            nonzero += int((p.data != 0).sum())
        return total, nonzero

    original_params, original_nonzero = statistics(model)
    original_sparsity = measure_sparsity(model)
    applied = []
    if "magnitude_prune" in compression_config:
        magnitude_prune(model, sparsity=compression_config["magnitude_prune"])
        applied.append("magnitude_prune")
    if "structured_prune" in compression_config:
        structured_prune(model, prune_ratio=compression_config["structured_prune"])
        applied.append("structured_prune")
    if "low_rank" in compression_config:
        ratio = compression_config["low_rank"]
        linear_indices = []
        for index in range(len(model.layers)):
            if isinstance(model.layers[index], Linear):
                linear_indices.append(index)
        for index in linear_indices[:-1]:
            layer = model.layers[index]
            rows, cols = layer.weight.shape
            rank = max(1, int(ratio * min(rows, cols)))
            if rank * rows + rank * cols < rows * cols:
                U, S, V = low_rank_approximate(layer.weight, rank_ratio=ratio)
                model.layers[index] = LowRankLinear(U * S, V, layer.bias)
        applied.append("low_rank")
    final_params, final_nonzero = statistics(model)
    final_sparsity = measure_sparsity(model)
    return {
        "original_params": original_params,
        "final_params": final_params,
        "original_sparsity": original_sparsity,
        "final_sparsity": final_sparsity,
        "sparsity_increase": final_sparsity - original_sparsity,
        "applied_techniques": applied,
        "compression_ratio": original_nonzero / final_nonzero if final_nonzero > 0 else float("inf"),
    }
