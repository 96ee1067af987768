# %% [markdown]
# # Compression: making a trained network smaller without making it dumber
#
# A network that fits comfortably on a workstation is often too large for the
# phone, the microcontroller or the serving budget it is meant for. This
# chapter builds the standard tools for shrinking one, from scratch, in numpy:
#
# | technique | what it removes | what it saves |
# | --- | --- | --- |
# | magnitude pruning | individual small weights | storage (with a sparse format) |
# | structured pruning | whole neurons | storage *and* time, on any hardware |
# | low-rank approximation | redundant directions of a weight matrix | parameters and multiply-adds |
# | knowledge distillation | the big model itself, replaced by a small one | everything, at training cost |
# | quantisation | bits per weight (32 → 8 or 4) | 75–87% of the memory |
#
# You will measure each one on a real classifier (handwritten digits) and
# see where the savings are real and where they are only on paper.
#
# **How this notebook is graded.** 87 points in all: 76 for the code and the
# numbers you write, checked automatically, and 11 for five written answers,
# graded by your instructor. Each section's heading shows what it is worth.
# Each function you write is checked by the visible tests right below it and
# by hidden tests with other inputs.
# Several small test cells per function give partial credit, and a bug in one
# function never costs points in another function's tests. Keep the names and
# signatures exactly as given. Only what your code computes counts, not how
# it is written: numpy scalars are fine where a float is asked for, you may
# keep your own attributes on the objects you are given, and printing costs
# nothing (`print`, progress bars, logging and warnings are never marked
# down; a failing check, an exception or running past a time or memory limit
# is). One difference to know: nbgrader's **Validate** button lists a test
# cell in which your code wrote to stderr (a `tqdm` bar, for instance) as
# failed, although the grader gives it its points.
#
# **Units.** Arguments named `sparsity`, `prune_ratio`, `rank_ratio` and
# `keep_ratio` are fractions in [0, 1]. Every sparsity you *report* is a
# percentage in [0, 100].
#
# **Words.** The *weight matrices* of a model are the parameters with two or
# more dimensions; the one-dimensional parameters are *biases*. A `Linear`
# layer stores its weight as (in_features, out_features) and computes
# `x @ W + b`, so output neuron `j` owns column `W[:, j]` and bias `b[j]`.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import copy
import math
import os
import time

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Linear, LowRankLinear
from tinytorch.core.activations import ReLU
from tinytorch.profiling.profiler import Profiler, analyze_weight_distribution

BYTES_PER_FLOAT32 = 4
MB = 1024 * 1024

# The experiments with plots are for you to learn from; the autograder and the
# Validate button skip them so that grading stays fast.
RUN_ANALYSES = "NBGRADER_EXECUTION" not in os.environ

# %% [markdown]
# ## Composing layers explicitly
#
# tinytorch deliberately has no `Sequential`. Models in this chapter are lists
# of layers run one after another by the small container below, so that
# every forward and backward pass is visible. Compression functions reach the
# layers through `model.layers` and the trainable tensors through
# `model.parameters()`.

# %% nbgrader={"grade": false, "grade_id": "simple_model", "locked": true, "schema_version": 3, "solution": false, "task": false}
class SimpleModel:
    """A list of layers applied in order; nothing is hidden from the reader."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        params = []
        for layer in self.layers:
            params.extend(layer.parameters())
        return params

    def backward(self, grad):
        """Run each layer's backward from the last to the first; returns d(loss)/d(input)."""
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad


# %% [markdown]
# Some tests check a function that calls other functions of yours (the
# pipeline calls the pruning functions, for example). To judge it on its own,
# such a test temporarily puts stand-ins in place of the functions it calls,
# with the helper `replaced` below. Call your other functions by their names,
# as the docstrings say, and this works without you doing anything.
#
# Most tests compare a number or an array you return with the expected one
# through `assert_close`, also below. It checks, in this order, that you
# returned a number or an array of the expected shape (a list of the right
# shape is fine, an empty or a broadcastable one is not), of a numeric dtype
# (a fixed one where the docstring fixes it, such as `np.int8` for
# quantised weights), with finite values, and that each value is within the
# test's tolerance of the expected one; its message says which check failed.
# The expected values are always computed from the test's own copy of the
# inputs, made before your function is called.

# %% nbgrader={"grade": false, "grade_id": "test_helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
import contextlib


@contextlib.contextmanager
def replaced(**functions):
    """Temporarily bind notebook-level names to other objects, e.g. replaced(measure_sparsity=stand_in)."""
    namespace = globals()
    missing = object()
    saved = {name: namespace.get(name, missing) for name in functions}
    namespace.update(functions)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def assert_close(answer, expected, *, what, rtol=0.0, atol=0.0, dtype=None):
    """Fail, saying how, unless `answer` matches the number or array `expected`.

    `answer` must have exactly the shape of `expected` (a single number for a
    number), a numeric dtype (`dtype` itself when given), finite values, and
    each value must lie within atol + rtol * |expected| of the expected one:
    the tolerance depends on the expected values only. `what` names the
    value in the message. With the default tolerances the match is exact.
    """
    expected = np.asarray(expected)
    single = expected.ndim == 0
    wanted = "a single number" if single else f"an array of shape {expected.shape}"
    try:
        got = np.asarray(answer)
    except (TypeError, ValueError):  # an object that is not numeric data, or a ragged list
        got = None
    if got is None or got.dtype.kind not in "iuf":
        raise AssertionError(f"{what}: expected {wanted}, got {answer!r:.200}")
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: expected {wanted}, got {'a single number' if got.ndim == 0 else f'shape {got.shape}'}")
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise AssertionError(f"{what}: expected dtype {np.dtype(dtype)}, got {got.dtype}")
    finite = np.isfinite(expected)
    not_finite = ~np.isfinite(got) & finite
    if not_finite.any():
        detail = f"got {got.item()!r}" if single else f"{int(not_finite.sum())} of its {got.size} values are nan or infinite"
        raise AssertionError(f"{what}: {detail}, expected finite values")
    gap = np.where(finite, np.abs(got.astype(np.float64) - np.where(finite, expected, 0).astype(np.float64)),
                   np.where(got == expected, 0.0, np.inf))
    allowed = atol + rtol * np.abs(np.where(finite, expected, 0).astype(np.float64))
    wrong = ~(gap <= allowed)
    if wrong.any():
        if single:
            raise AssertionError(f"{what}: got {got.item()!r}, off by {float(gap):.3g} (allowed: {float(allowed):.3g})")
        worst = np.unravel_index(int(np.argmax(np.where(wrong, gap - allowed, -np.inf))), gap.shape)
        raise AssertionError(
            f"{what}: {int(wrong.sum())} of {got.size} values are off; at index {tuple(int(i) for i in worst)} "
            f"the answer is {got[worst].item()!r}, off by {gap[worst]:.3g} (allowed: {allowed[worst]:.3g})"
        )


# %% [markdown]
# The cell below holds the grader's own reference computations. It is empty
# in your copy and worth no points; leave it where it is.

# %% nbgrader={"grade": true, "grade_id": "grader_oracles", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false}
# Reference computations used by the hidden tests (hidden from students).
### BEGIN HIDDEN TESTS
import types as _types


def _weights_of(model):
    return [p for p in model.parameters() if p.ndim >= 2]


def _model_of(sizes, seed, relu=True, bias_scale=0.1):
    """A SimpleModel of Linear layers with reproducible random weights and biases."""
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layer = Linear(n_in, n_out)
        layer.weight.data = rng.standard_normal((n_in, n_out))
        layer.bias.data = bias_scale * rng.standard_normal(n_out)
        layers.append(layer)
        if relu:
            layers.append(ReLU())
    if relu:
        layers.pop()
    return SimpleModel(*layers)


def _snapshot(model):
    return [p.data.copy() for p in model.parameters()]


def _shapes(model):
    return [tuple(p.shape) for p in model.parameters()]


def _assert_arrays(got, expected, *, what, rtol=0.0, atol=0.0):
    """Two lists of arrays (snapshots) match: as many arrays, each of the same shape, close (exact by default).

    A model emptied by the kernel has no parameters to compare: that fails, where zip() would stop early and pass.
    """
    assert len(got) == len(expected), f"{what}: {len(got)} parameter arrays, expected {len(expected)}"
    for index, (value, want) in enumerate(zip(got, expected)):
        assert_close(value, want, what=f"{what}, parameter {index}", rtol=rtol, atol=atol)


def _assert_parameters(model, expected, *, what, rtol=0.0, atol=0.0):
    """The model's parameters are the arrays of the snapshot `expected` (see _assert_arrays)."""
    _assert_arrays(_snapshot(model), expected, what=what, rtol=rtol, atol=atol)


def _oracle_sparsity(model):
    weights = _weights_of(model)
    total = sum(w.size for w in weights)
    return 0.0 if total == 0 else 100.0 * sum(int((w.data == 0).sum()) for w in weights) / total


def _oracle_magnitude_prune(model, sparsity=0.9):
    if not 0 <= sparsity <= 1:
        raise ValueError("sparsity outside [0, 1]")
    weights = _weights_of(model)
    flat = np.concatenate([np.abs(w.data).ravel() for w in weights]) if weights else np.zeros(0)
    count = math.floor(sparsity * flat.size)
    chosen = np.zeros(flat.size, dtype=bool)
    chosen[np.argsort(flat, kind="stable")[:count]] = True
    start = 0
    for w in weights:
        w.data[chosen[start:start + w.size].reshape(w.shape)] = 0.0
        start += w.size
    return model


def _oracle_structured_prune(model, prune_ratio=0.5):
    if not 0 <= prune_ratio <= 1:
        raise ValueError("prune_ratio outside [0, 1]")
    dense = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in dense[:-1]:
        norms = np.sqrt((layer.weight.data.astype(np.float64) ** 2).sum(axis=0))
        drop = np.argsort(norms, kind="stable")[: int(prune_ratio * layer.weight.shape[1])]
        layer.weight.data[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model


def _oracle_low_rank(weight_matrix, rank_ratio=0.5):
    w = np.asarray(weight_matrix.data if isinstance(weight_matrix, Tensor) else weight_matrix, dtype=np.float64)
    if w.ndim != 2 or not 0 < rank_ratio <= 1:
        raise ValueError("need a 2-D matrix and rank_ratio in (0, 1]")
    k = max(1, int(rank_ratio * min(w.shape)))
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    return u[:, :k], s[:k], vt[:k]


def _log_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _label_rows(labels, n_classes):
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    return np.eye(n_classes)[y.astype(int)] if y.ndim == 1 else y.astype(np.float64)


def _oracle_kd_loss(student_logits, teacher_logits, labels, temperature, alpha):
    s = np.asarray(getattr(student_logits, "data", student_logits), dtype=np.float64)
    t = np.asarray(getattr(teacher_logits, "data", teacher_logits), dtype=np.float64)
    batch = s.shape[0]
    log_p_teacher = _log_softmax(t / temperature)
    kl = np.sum(np.exp(log_p_teacher) * (log_p_teacher - _log_softmax(s / temperature))) / batch
    ce = -np.sum(_label_rows(labels, s.shape[1]) * _log_softmax(s)) / batch
    return alpha * temperature**2 * kl + (1 - alpha) * ce


def _oracle_kd_grad(student_logits, teacher_logits, labels, temperature, alpha):
    s = np.asarray(getattr(student_logits, "data", student_logits), dtype=np.float64)
    t = np.asarray(getattr(teacher_logits, "data", teacher_logits), dtype=np.float64)
    batch = s.shape[0]
    soft = np.exp(_log_softmax(s / temperature)) - np.exp(_log_softmax(t / temperature))
    hard = np.exp(_log_softmax(s)) - _label_rows(labels, s.shape[1])
    return (alpha * temperature * soft + (1 - alpha) * hard) / batch


def _oracle_kd(teacher, student, temperature=3.0, alpha=0.7):
    """A stand-in for a KnowledgeDistillation object, for testing training alone."""
    kd = _types.SimpleNamespace(teacher_model=teacher, student_model=student, temperature=temperature, alpha=alpha)
    kd.distillation_loss = lambda s, t, y: float(_oracle_kd_loss(s, t, y, temperature, alpha))
    kd.distillation_grad = lambda s, t, y: _oracle_kd_grad(s, t, y, temperature, alpha)
    return kd


def _oracle_quantize(weights, bits=8):
    w = np.asarray(getattr(weights, "data", weights), dtype=np.float32)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    lo = np.float32(min(0.0, float(w.min())))
    span = np.float32(max(0.0, float(w.max()))) - lo
    scale = np.float32(max(span / np.float32(qmax - qmin), np.finfo(np.float32).eps))
    zero_point = int(min(qmax, max(qmin, qmin - int(np.round(lo / scale)))))
    codes = np.round(w / scale) + zero_point
    return np.clip(codes, qmin, qmax).astype(np.int8), float(scale), zero_point


def _oracle_dequantize(q, scale, zero_point):
    return ((np.asarray(q, dtype=np.int64) - int(zero_point)) * scale).astype(np.float32)


def _oracle_importance(layer, method="l2"):
    w = layer.weight.data.astype(np.float64)
    if method == "l2":
        return np.sqrt((w**2).sum(axis=0))
    if method == "l1":
        return np.abs(w).sum(axis=0)
    raise ValueError(method)


### END HIDDEN TESTS
