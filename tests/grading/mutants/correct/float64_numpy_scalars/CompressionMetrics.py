"""Every count an np.int64 from np.sum over sizes, sizes in KB/MB as np.float64."""
class CompressionMetrics:
    @staticmethod
    def count_parameters(model):
        params = model.parameters()
        sizes = np.array([p.size for p in params], dtype=np.int64)
        is_weight = np.array([p.ndim >= 2 for p in params], dtype=bool)
        nonzero = np.array([np.count_nonzero(p.data) for p in params], dtype=np.int64)
        return {
            "total_parameters": np.sum(sizes, dtype=np.int64),
            "total_weights": np.sum(sizes[is_weight], dtype=np.int64) if sizes.size else np.int64(0),
            "total_bias": np.sum(sizes[~is_weight], dtype=np.int64) if sizes.size else np.int64(0),
            "nonzero_parameters": np.sum(nonzero, dtype=np.int64),
        }

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        widths = {"float32": np.int64(4), "float16": np.int64(2), "int8": np.int64(1)}
        if dtype not in widths:
            raise ValueError(f"unsupported dtype {dtype}")
        n = CompressionMetrics.count_parameters(model)["total_parameters"]
        total_bytes = n * widths[dtype]
        return {
            "total_parameters": n,
            "bytes_per_parameter": widths[dtype],
            "total_bytes": total_bytes,
            "size_kb": np.float64(total_bytes) / np.float64(1024),
            "size_mb": np.float64(total_bytes) / np.float64(1024 * 1024),
            "dtype": dtype,
        }
