"""Plausible mistakes in CompressionMetrics, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "CompressionMetrics"
COUNT_DOC = 'total_bias and nonzero_parameters."""\n'  # stubs go right after the docstrings
SIZE_DOC = 'anything else raises ValueError.\n        """\n'

MUTANTS = [
    Mistake(
        "any_numpy_dtype",
        "Takes np.dtype(dtype).itemsize, accepting float64 and raising TypeError for unknown names.",
        (
            '        bytes_per_parameter = {"float32": 4, "float16": 2, "int8": 1}\n'
            "        if dtype not in bytes_per_parameter:\n"
            '            raise ValueError(f"unsupported dtype {dtype!r}")',
            "        bytes_per_parameter = {dtype: np.dtype(dtype).itemsize}",
        ),
    ),
    Mistake(
        "decimal_kilobytes",
        "Uses 1000 and 1000**2 for KB and MB.",
        ("total_bytes / 1024,", "total_bytes / 1000,"),
        ("total_bytes / 1024**2,", "total_bytes / 1000**2,"),
    ),
    Mistake(
        "float16_four_bytes",
        "Gives every float dtype 4 bytes per parameter, float16 included.",
        ('"float16": 2', '"float16": 4'),
    ),
    Mistake(
        "layer_attributes",
        "Reads layer.weight and layer.bias of each layer, missing factorised layers.",
        (
            "params = model.parameters()",
            'params = [layer.weight for layer in model.layers if hasattr(layer, "weight")]\n'
            '        params += [layer.bias for layer in model.layers if getattr(layer, "bias", None) is not None]',
        ),
    ),
    Mistake(
        "nonzero_weights_only",
        "Counts nonzero entries of the weight matrices only.",
        ("np.count_nonzero(p.data)) for p in params)", "np.count_nonzero(p.data)) for p in params if p.ndim >= 2)"),
    ),
    Mistake(
        "does_nothing_empty",
        "A stub class whose methods return empty dicts.",
        (COUNT_DOC, COUNT_DOC + "        return {}\n"),
        (SIZE_DOC, SIZE_DOC + "        return {}\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub class whose methods return None.",
        (COUNT_DOC, COUNT_DOC + "        return None\n"),
        (SIZE_DOC, SIZE_DOC + "        return None\n"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub class whose methods return every documented key with the value 0 (and the dtype asked for).",
        (
            COUNT_DOC,
            COUNT_DOC + '        return {"total_parameters": 0, "total_weights": 0, "total_bias": 0, "nonzero_parameters": 0}\n',
        ),
        (
            SIZE_DOC,
            SIZE_DOC + '        return {"total_parameters": 0, "bytes_per_parameter": 0, "total_bytes": 0,\n'
            '                "size_kb": 0.0, "size_mb": 0.0, "dtype": dtype}\n',
        ),
    ),
]
