"""Profiler figures checked against values computed by hand."""

import subprocess
import sys

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear
from tinytorch.profiling.profiler import Profiler, analyze_weight_distribution


class TwoLayers:
    """A minimal model container (what the notebook's SimpleModel provides)."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def test_count_parameters_by_hand():
    model = TwoLayers(Linear(10, 20), ReLU(), Linear(20, 5))
    assert Profiler().count_parameters(model) == 10 * 20 + 20 + 20 * 5 + 5
    assert Profiler().count_parameters(Linear(4, 3, bias=False)) == 12


def test_measure_memory_by_hand():
    model = TwoLayers(Linear(512, 256))
    mem = Profiler().measure_memory(model, (32, 512))
    mb = 1024 * 1024
    assert mem["parameter_memory_mb"] == pytest.approx((512 * 256 + 256) * 4 / mb)
    assert mem["activation_memory_mb"] == pytest.approx((32 * 512 + 32 * 256) * 4 / mb)
    assert mem["total_memory_mb"] == pytest.approx(mem["parameter_memory_mb"] + mem["activation_memory_mb"])


def test_profile_forward_pass_reports_parameters_latency_shape():
    model = TwoLayers(Linear(8, 4), ReLU(), Linear(4, 2))
    prof = Profiler(repeats=3).profile_forward_pass(model, np.ones((6, 8)))
    assert prof["parameters"] == 8 * 4 + 4 + 4 * 2 + 2
    assert prof["latency_ms"] > 0
    assert prof["output_shape"] == (6, 2)
    assert prof["batch_size"] == 6


def test_analyze_weight_distribution_by_hand():
    layer = Linear(2, 2)
    layer.weight.data = np.array([[-4.0, 0.0], [1.0, 3.0]])
    layer.bias.data = np.array([100.0, 100.0])  # biases are not weights
    stats = analyze_weight_distribution(layer, percentiles=(0, 50, 100))
    assert stats["count"] == 4
    assert stats["mean"] == pytest.approx(0.0)
    assert stats["abs_mean"] == pytest.approx(2.0)
    assert (stats["min"], stats["max"]) == (-4.0, 3.0)
    assert stats["zero_percent"] == pytest.approx(25.0)
    assert stats["percentiles"] == {0: 0.0, 50: pytest.approx(2.0), 100: 4.0}


def test_profiler_errors_are_clear():
    with pytest.raises(TypeError, match="no parameters"):
        Profiler().count_parameters(object())
    with pytest.raises(ValueError, match="no weight matrices"):
        analyze_weight_distribution(ReLU())
    with pytest.raises(ValueError):
        Profiler(repeats=0)


def test_support_library_imports_stay_light():
    """Students' kernels import tinytorch: it must not drag in the grader or PyTorch."""
    code = (
        "import sys, tinytorch.core.tensor, tinytorch.core.layers, tinytorch.core.activations, "
        "tinytorch.profiling.profiler\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'nbgrader', 'sqlalchemy', 'course', 'matplotlib', 'sklearn')]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
