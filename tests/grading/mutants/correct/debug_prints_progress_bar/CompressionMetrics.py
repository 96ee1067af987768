"""Prints every parameter's shape while counting; warnings.warn before raising for an unknown dtype."""
import warnings


class CompressionMetrics:
    @staticmethod
    def count_parameters(model):
        counts = dict(total_parameters=0, total_weights=0, total_bias=0, nonzero_parameters=0)
        for p in model.parameters():
            print(f"[count_parameters] {p.shape}")
            counts["total_parameters"] += p.size
            counts["total_weights" if p.ndim >= 2 else "total_bias"] += p.size
            counts["nonzero_parameters"] += int(np.count_nonzero(p.data))
        print(f"[count_parameters] {counts}")
        return counts

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        sizes = {"float32": 4, "float16": 2, "int8": 1}
        if dtype not in sizes:
            warnings.warn(f"calculate_model_size: {dtype!r} is not supported")
            raise ValueError(f"unsupported dtype {dtype!r}")
        n = sum(p.size for p in model.parameters())
        total = n * sizes[dtype]
        print(f"[calculate_model_size] {n} params x {sizes[dtype]} bytes = {total} bytes")
        return dict(total_parameters=n, bytes_per_parameter=sizes[dtype], total_bytes=total,
                    size_kb=total / 1024, size_mb=total / 1024 / 1024, dtype=dtype)
