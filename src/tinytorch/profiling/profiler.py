"""Measure what compression changes: parameter counts, memory, latency, weights.

Works on anything that exposes ``parameters()`` and ``forward`` (a single
layer or a model container), so students can profile before and after
compressing without writing any bookkeeping themselves.
"""

from __future__ import annotations

import time
from typing import Any, Iterable

import numpy as np

from tinytorch.core.tensor import Tensor

__all__ = ["Profiler", "analyze_weight_distribution"]

BYTES_PER_MB = 1024 * 1024


def _parameters(model: Any) -> list[Tensor]:
    if not hasattr(model, "parameters"):
        raise TypeError(f"{type(model).__name__} has no parameters() method to profile")
    return list(model.parameters())


def _as_input(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


class Profiler:
    """Collects size and speed figures for a model.

    Latency is the median of several timed forward passes after one warm-up,
    because a single pass on a busy machine says more about the machine than
    about the model.
    """

    def __init__(self, repeats: int = 5) -> None:
        if repeats < 1:
            raise ValueError("repeats must be at least 1")
        self.repeats = repeats

    def count_parameters(self, model: Any) -> int:
        """Total number of scalars in ``model.parameters()`` (zeros included)."""
        return int(sum(p.size for p in _parameters(model)))

    def measure_memory(self, model: Any, input_shape: Iterable[int]) -> dict[str, float]:
        """Bytes held by parameters, and by the input and output of one forward pass.

        Only the model's own output is counted as activation memory: the
        library has no graph to inspect intermediate buffers.
        """
        param_bytes = sum(p.data.nbytes for p in _parameters(model))
        x = Tensor(np.zeros(tuple(input_shape), dtype=np.float32))
        out = model.forward(x)
        activation_bytes = x.data.nbytes + np.asarray(out.data if isinstance(out, Tensor) else out).nbytes
        return {
            "parameter_memory_mb": param_bytes / BYTES_PER_MB,
            "activation_memory_mb": activation_bytes / BYTES_PER_MB,
            "total_memory_mb": (param_bytes + activation_bytes) / BYTES_PER_MB,
        }

    def profile_forward_pass(self, model: Any, x: Any) -> dict[str, Any]:
        """Parameters, median latency in milliseconds and output shape of ``model.forward(x)``."""
        x = _as_input(x)
        out = model.forward(x)  # warm-up, and the output shape
        timings = []
        for _ in range(self.repeats):
            start = time.perf_counter()
            model.forward(x)
            timings.append((time.perf_counter() - start) * 1000.0)
        return {
            "parameters": self.count_parameters(model),
            "latency_ms": float(np.median(timings)),
            "output_shape": tuple(out.shape),
            "batch_size": int(x.shape[0]) if x.ndim > 1 else 1,
        }


def analyze_weight_distribution(
    model: Any, percentiles: Iterable[float] = (10, 25, 50, 75, 90)
) -> dict[str, Any]:
    """Statistics of the weight matrices (parameters with ndim >= 2; biases excluded).

    ``percentiles`` maps each requested percentile to that percentile of
    ``|w|``: the numbers that tell how much magnitude pruning can remove.
    """
    weights = [p.data.ravel() for p in _parameters(model) if p.ndim >= 2]
    if not weights:
        raise ValueError("model has no weight matrices (parameters with ndim >= 2)")
    w = np.concatenate(weights).astype(np.float64)
    magnitude = np.abs(w)
    return {
        "count": int(w.size),
        "mean": float(w.mean()),
        "std": float(w.std()),
        "min": float(w.min()),
        "max": float(w.max()),
        "abs_mean": float(magnitude.mean()),
        "zero_percent": float(np.count_nonzero(w == 0) / w.size * 100.0),
        "percentiles": {p: float(np.percentile(magnitude, p)) for p in percentiles},
    }
