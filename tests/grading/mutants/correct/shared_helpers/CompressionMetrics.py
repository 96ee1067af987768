"""Reuses weight_tensors, parameter_count and nonzero_count from the first cell."""
class CompressionMetrics:
    @staticmethod
    def count_parameters(model):
        total = parameter_count(model)
        weights = sum(w.size for w in weight_tensors(model))
        return {"total_parameters": total, "total_weights": weights,
                "total_bias": total - weights, "nonzero_parameters": nonzero_count(model)}

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        per = {"float32": 4, "float16": 2, "int8": 1}.get(dtype)
        if per is None:
            raise ValueError(f"unsupported dtype {dtype!r}")
        n = parameter_count(model)
        return {"total_parameters": n, "bytes_per_parameter": per, "total_bytes": n * per,
                "size_kb": n * per / 1024, "size_mb": n * per / MB, "dtype": dtype}
