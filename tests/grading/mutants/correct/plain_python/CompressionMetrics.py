"""if/elif on the dtype name and loops over the parameters."""
class CompressionMetrics:
    @staticmethod
    def count_parameters(model):
        counts = {"total_parameters": 0, "total_weights": 0, "total_bias": 0, "nonzero_parameters": 0}
        for p in model.parameters():
            counts["total_parameters"] += p.size
            if p.ndim >= 2:
                counts["total_weights"] += p.size
            else:
                counts["total_bias"] += p.size
            counts["nonzero_parameters"] += int(np.count_nonzero(p.data))
        return counts

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        if dtype == "float32":
            per = 4
        elif dtype == "float16":
            per = 2
        elif dtype == "int8":
            per = 1
        else:
            raise ValueError("dtype must be float32, float16 or int8")
        n = 0
        for p in model.parameters():
            n += p.size
        return {"total_parameters": n, "bytes_per_parameter": per, "total_bytes": n * per,
                "size_kb": n * per / 1024, "size_mb": n * per / 1024 / 1024, "dtype": dtype}
