"""Counts accumulated in place into one np.zeros(4, int64) array, converted to ints at the end."""
class CompressionMetrics:
    @staticmethod
    def count_parameters(model):
        counts = np.zeros(4, dtype=np.int64)  # total, weights, bias, nonzero
        for p in model.parameters():
            counts += (p.size, p.size if p.ndim >= 2 else 0, p.size if p.ndim < 2 else 0, np.count_nonzero(p.data))
        names = ("total_parameters", "total_weights", "total_bias", "nonzero_parameters")
        return {name: int(value) for name, value in zip(names, counts)}

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        if dtype not in ("float32", "float16", "int8"):
            raise ValueError(f"unsupported dtype {dtype!r}")
        per = {"float32": 4, "float16": 2, "int8": 1}[dtype]
        n = CompressionMetrics.count_parameters(model)["total_parameters"]
        return {"total_parameters": n, "bytes_per_parameter": per, "total_bytes": n * per,
                "size_kb": n * per / 1024, "size_mb": n * per / 1024**2, "dtype": dtype}
