"""Builds the list of steps while validating, then runs them; counts via one concatenated vector."""
def compress_model(model, compression_config):
    order = ("magnitude_prune", "structured_prune", "low_rank")
    unknown = set(compression_config) - set(order)
    if unknown:
        raise ValueError(f"unknown techniques: {sorted(unknown)}")
    for key, value in compression_config.items():
        ok = 0 < value <= 1 if key == "low_rank" else 0 <= value <= 1
        if not ok:
            raise ValueError(f"{key} out of range: {value}")
    steps = [key for key in order if key in compression_config]

    def flat(m):
        params = m.parameters()
        return np.concatenate([p.data.ravel() for p in params]) if params else np.zeros(0)

    def factorise(m, ratio):
        positions = [i for i, layer in enumerate(m.layers) if type(layer) is Linear][:-1]
        for i in positions:
            layer = m.layers[i]
            rows, cols = layer.weight.shape
            k = max(1, int(ratio * min(rows, cols)))
            if k * (rows + cols) >= rows * cols:
                continue
            U, S, V = low_rank_approximate(layer.weight.data, ratio)
            m.layers[i] = LowRankLinear(U * S[np.newaxis, :], V, layer.bias)

    before = flat(model)
    sparsity_before = measure_sparsity(model)
    actions = {"magnitude_prune": magnitude_prune, "structured_prune": structured_prune, "low_rank": factorise}
    for key in steps:
        actions[key](model, compression_config[key])
    after = flat(model)
    sparsity_after = measure_sparsity(model)
    nonzero_after = np.count_nonzero(after)
    return dict(
        original_params=int(before.size),
        final_params=int(after.size),
        original_sparsity=sparsity_before,
        final_sparsity=sparsity_after,
        sparsity_increase=sparsity_after - sparsity_before,
        applied_techniques=steps,
        compression_ratio=np.count_nonzero(before) / nonzero_after if nonzero_after else math.inf,
    )
