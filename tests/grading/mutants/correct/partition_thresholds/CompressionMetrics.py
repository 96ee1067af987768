"""Looks the dtype up with np.searchsorted in a sorted name table; counts by boolean selection of sizes."""
class CompressionMetrics:
    NAMES = np.array(["float16", "float32", "int8"])
    WIDTHS = np.array([2, 4, 1])

    @staticmethod
    def count_parameters(model):
        params = model.parameters()
        sizes = np.array([p.size for p in params], dtype=np.int64)
        matrix = np.array([p.ndim >= 2 for p in params], dtype=bool)
        return {
            "total_parameters": int(sizes.sum()),
            "total_weights": int(sizes[matrix].sum()) if sizes.size else 0,
            "total_bias": int(sizes[~matrix].sum()) if sizes.size else 0,
            "nonzero_parameters": sum(int(np.count_nonzero(p.data)) for p in params),
        }

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        names = CompressionMetrics.NAMES
        i = int(np.searchsorted(names, dtype))
        if not isinstance(dtype, str) or i >= names.size or names[i] != dtype:
            raise ValueError(f"unsupported dtype {dtype!r}")
        per = int(CompressionMetrics.WIDTHS[i])
        n = CompressionMetrics.count_parameters(model)["total_parameters"]
        return {"total_parameters": n, "bytes_per_parameter": per, "total_bytes": n * per,
                "size_kb": n * per / 1024, "size_mb": n * per / 1024**2, "dtype": dtype}
