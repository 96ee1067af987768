"""A _DTypeInfo helper class and a _Tally helper class; the static methods read their attributes."""
class _DTypeInfo:
    SIZES = {"float32": 4, "float16": 2, "int8": 1}

    def __init__(self, name):
        if name not in self.SIZES:
            raise ValueError(f"unsupported dtype {name!r}")
        self.name = name
        self.itemsize = self.SIZES[name]


class _Tally:
    def __init__(self, params):
        self.weights = sum(p.size for p in params if p.ndim >= 2)
        self.bias = sum(p.size for p in params if p.ndim < 2)
        self.nonzero = sum(int(np.count_nonzero(p.data)) for p in params)


class CompressionMetrics:
    @staticmethod
    def count_parameters(model):
        tally = _Tally(model.parameters())
        return {"total_parameters": tally.weights + tally.bias, "total_weights": tally.weights,
                "total_bias": tally.bias, "nonzero_parameters": tally.nonzero}

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        info = _DTypeInfo(dtype)
        tally = _Tally(model.parameters())
        n = tally.weights + tally.bias
        return {"total_parameters": n, "bytes_per_parameter": info.itemsize, "total_bytes": n * info.itemsize,
                "size_kb": n * info.itemsize / 1024, "size_mb": n * info.itemsize / 1024**2, "dtype": info.name}
