"""sum() over generator expressions of math.prod(shape), nonzeros counted over .tolist() values."""
class CompressionMetrics:
    BYTES = {"float32": 4, "float16": 2, "int8": 1}

    @staticmethod
    def count_parameters(model):
        params = model.parameters()
        weights = sum(math.prod(p.shape) for p in params if len(p.shape) >= 2)
        biases = sum(math.prod(p.shape) for p in params if len(p.shape) < 2)
        nonzero = sum(sum(1 for x in p.data.ravel().tolist() if x != 0.0) for p in params)
        return {"total_parameters": weights + biases, "total_weights": weights,
                "total_bias": biases, "nonzero_parameters": nonzero}

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        if dtype not in CompressionMetrics.BYTES:
            raise ValueError("dtype must be float32, float16 or int8")
        per = CompressionMetrics.BYTES[dtype]
        total = sum(math.prod(p.shape) for p in model.parameters())
        return {"total_parameters": total, "bytes_per_parameter": per, "total_bytes": total * per,
                "size_kb": total * per / 1024, "size_mb": total * per / 1024 ** 2, "dtype": dtype}
