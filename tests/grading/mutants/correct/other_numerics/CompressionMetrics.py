"""np.dtype(...).itemsize for an allow-listed dtype; counts from one concatenated vector."""
class CompressionMetrics:
    SUPPORTED = ("float32", "float16", "int8")

    @staticmethod
    def count_parameters(model):
        params = model.parameters()
        weights = [p.data.ravel() for p in params if p.ndim > 1]
        biases = [p.data.ravel() for p in params if p.ndim <= 1]
        everything = np.concatenate(weights + biases) if params else np.zeros(0)
        return dict(
            total_parameters=int(everything.size),
            total_weights=int(sum(w.size for w in weights)),
            total_bias=int(sum(b.size for b in biases)),
            nonzero_parameters=int(np.count_nonzero(everything)),
        )

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        if dtype not in CompressionMetrics.SUPPORTED:
            raise ValueError(f"dtype must be one of {CompressionMetrics.SUPPORTED}")
        per = np.dtype(dtype).itemsize
        n = CompressionMetrics.count_parameters(model)["total_parameters"]
        return dict(total_parameters=n, bytes_per_parameter=per, total_bytes=n * per,
                    size_kb=n * per / 2**10, size_mb=n * per / 2**20, dtype=dtype)
