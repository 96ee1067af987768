# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

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
# %% [markdown]
# ## 1. Motivation: what a trained network's weights look like
#
# The folder of this assignment ships `digits_teacher.npz`: a three-layer
# perceptron (64 → 256 → 128 → 10, about 50 000 parameters) trained on
# scikit-learn's bundled 8×8 handwritten digits. It is our *teacher*
# throughout: the model we will prune, factorise, quantise and distil.
# The helpers below load the data (a fixed train/test split) and the teacher,
# and measure accuracy.

# %% nbgrader={"grade": false, "grade_id": "digits_helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
TEACHER_FILE = "digits_teacher.npz"


def load_digits_split(test_fraction=0.25, seed=0):
    """Digits scaled to [0, 1], split once with a fixed seed: (X_train, y_train, X_test, y_test)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], digits.target[train], X[test], digits.target[test]


def load_teacher(path=TEACHER_FILE):
    """The trained teacher as a SimpleModel of Linear and ReLU layers."""
    arrays = np.load(path)
    layers = []
    n_layers = len(arrays.files) // 2
    for i in range(n_layers):
        weight = arrays[f"W{i}"]
        layer = Linear(*weight.shape)
        layer.weight.data = weight
        layer.bias.data = arrays[f"b{i}"]
        layers.append(layer)
        if i < n_layers - 1:
            layers.append(ReLU())
    return SimpleModel(*layers)


def accuracy(model, X, y):
    """Fraction of rows of X whose arg-max logit is the label."""
    return float(np.mean(np.argmax(model.forward(Tensor(X)).data, axis=1) == y))


# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_motivation", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    import matplotlib.pyplot as plt
    from threadpoolctl import threadpool_limits

    plt.rcParams.update({"figure.dpi": 100, "font.size": 10})  # sized for the notebook's width
    # Matrices this small run best on one thread: on a shared machine, BLAS
    # threads that wait for each other's turn on a busy core cost more than
    # they gain. One thread also makes the times below the work of this process.
    threadpool_limits(limits=1)

    def cpu_ms(models, x, repeats=15):
        """For each model, the CPU milliseconds of its fastest of `repeats` forward passes, after a warm-up.

        On a shared machine the wall clock also counts the time other programs
        hold the core. The CPU time of this one thread (numpy's BLAS is held to
        one thread above, so all the work is done here) counts only the
        models' own work, and the fastest pass is the one least disturbed by
        others. The models take turns, so a busy moment slows all of them alike.
        """
        timings = [[] for _ in models]
        for model in models:
            model.forward(x)
        for _ in range(repeats):
            for model, times in zip(models, timings):
                start = time.thread_time()
                model.forward(x)
                times.append(time.thread_time() - start)
        return [1000 * min(times) for times in timings]

    def multiply_adds(model):
        """Multiply-adds of one forward pass per input row: the work itself, the same on any machine."""
        work = 0
        for layer in model.layers:
            if isinstance(layer, LowRankLinear):
                work += layer.first.data.size + layer.second.data.size
            elif isinstance(layer, Linear):
                work += layer.weight.data.size
        return work

    X_train, y_train, X_test, y_test = load_digits_split()
    teacher = load_teacher()
    stats = analyze_weight_distribution(teacher, percentiles=(10, 25, 50, 75, 90))
    print(f"teacher: {Profiler().count_parameters(teacher):,} parameters, "
          f"test accuracy {accuracy(teacher, X_test, y_test):.3f}")
    print(f"|w| percentiles: " + ", ".join(f"p{p}={v:.4f}" for p, v in stats["percentiles"].items()))
    all_w = np.concatenate([p.data.ravel() for p in teacher.parameters() if p.ndim >= 2])
    for cut in (0.01, 0.05, 0.1):
        print(f"weights with |w| < {cut}: {np.mean(np.abs(all_w) < cut):.1%}")

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(all_w, bins=120, color="tab:blue", log=True)
    ax.set(title="Weights of the trained digits teacher", xlabel="weight value", ylabel="count (log scale)")
    plt.show()

# %% [markdown]
# Two things show. The flat body of the histogram is the shape of the random
# initialisation (uniform within about ±0.14), which a short training run on
# a small dataset barely moved; the long tails are what training built, a
# minority of weights several times larger. About a third of all weights have
# `|w| < 0.05`: if the network's knowledge lives mostly in the large weights,
# the small ones should be removable at little cost. The rest of this chapter
# turns that hypothesis into savings, and measures the cost.
#
# ## 2. Foundations
#
# **Magnitude pruning.** Rank every weight of the model by `|w|` and set the
# smallest fraction `s` of them to zero. With one *global* ranking across all
# layers, a layer whose weights are all large keeps them all; a per-layer
# threshold would force every layer to lose the same fraction. With `N`
# weights in total, exactly `⌊s·N⌋` are zeroed. Sparsity is then
# `100 · (#zeros) / N` percent.
#
# **Structured pruning.** Zeroes scattered through a matrix save nothing on
# ordinary hardware: a dense matrix multiply does the same work either way.
# Removing a whole output neuron `j` (column `W[:, j]` and bias `b[j]`)
# shrinks the matrix itself. Its importance is the L2 norm
# `‖W[:, j]‖₂ = sqrt(Σᵢ W[i, j]²)`; the least important `⌊r · out⌋` go. The
# classifier head is never pruned: its outputs are the classes.
#
# **Low-rank approximation.** The singular value decomposition writes a
# matrix `W (m×n)` as `U Σ Vᵀ` with singular values `σ₁ ≥ σ₂ ≥ … ≥ 0`.
# Keeping the top `k` gives `W ≈ U_k Σ_k V_kᵀ`, stored in `k(m + n + 1)`
# numbers instead of `mn`, which pays off when `k < mn / (m + n + 1)`.
# By the Eckart–Young theorem no rank-`k` matrix is closer to `W` in the
# Frobenius norm, and the error is exactly `sqrt(σ²ₖ₊₁ + … + σ²ᵣ)`.
#
# **Knowledge distillation.** A small *student* learns from a large
# *teacher*'s full output distribution, softened by a temperature `T`:
# `p = softmax(z / T)`. At `T = 1` the teacher is nearly one-hot; at `T = 4`
# it also says *which wrong classes look similar*. The loss mixes the two
# signals with a weight `α`:
#
# `L = α · T² · KL(p_teacher^T ‖ p_student^T) + (1 − α) · CE(softmax(z_student), y)`
#
# The gradient of the soft term shrinks like `1/T²` as `T` grows; the factor
# `T²` keeps its size comparable to the hard term whatever `T` you pick
# (Hinton, Vinyals and Dean, 2015).
#
# **Quantisation.** Store each weight as a small integer `q` and recover it as
# `(q − z) · s`. With `b` bits, `q` lies in `[−2^(b−1), 2^(b−1) − 1]`. The
# *scale* `s` spreads the weights' range over those levels and the
# *zero point* `z` is the integer that stands for 0.0, so that zero is
# represented exactly (pruned weights stay pruned). Going from 32-bit floats
# to 8-bit integers saves 75% of the memory; each weight moves by at most
# `s / 2`.

# %% [markdown]
# ## 3. Measuring sparsity (4 points)
#
# Before removing anything we need a meter. `measure_sparsity` reports the
# percentage of weight-matrix entries that are exactly zero. Biases are left
# out on purpose: they are few, they start at zero in a fresh `Linear`, and
# counting them would make an untouched model look pruned.

# %% nbgrader={"grade": false, "grade_id": "measure_sparsity", "locked": false, "schema_version": 3, "solution": true, "task": false}
def measure_sparsity(model) -> float:
    """Percentage (0-100) of weight-matrix entries that are exactly zero.

    Weight matrices are the parameters with ndim >= 2; biases are excluded.
    Return 0.0 for a model without any weight matrix.

    Example: a model whose only weight matrix is [[0, 1], [2, 0]] has
    sparsity 50.0.
    """
    ### BEGIN SOLUTION
    weights = [p.data for p in model.parameters() if p.ndim >= 2]
    total = sum(w.size for w in weights)
    if total == 0:
        return 0.0
    zeros = sum(int(np.count_nonzero(w == 0)) for w in weights)
    return 100.0 * zeros / total
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(0)
_layer1, _layer2 = Linear(4, 3), Linear(3, 2)
_model = SimpleModel(_layer1, ReLU(), _layer2)
assert_close(measure_sparsity(_model), 0.0, what="a fresh model (no zero weights; its zero biases do not count)")
_layer1.weight.data[0, 0] = 0.0
_layer1.weight.data[1, 1] = 0.0
assert_close(measure_sparsity(_model), 100 * 2 / 18, atol=1e-9, what="2 of the 18 weights zero (11.11%)")
print("measure_sparsity: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_percent", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the result is a percentage, from 0 to 100, over all layers together.
### BEGIN HIDDEN TESTS
_m = _model_of([5, 4, 3], seed=11)
for _p in _weights_of(_m):
    _p.data[...] = 0.0
assert_close(measure_sparsity(_m), 100.0, atol=1e-9, what="all weights zero")
_m = _model_of([2, 5, 2], seed=12)  # 10 + 10 weights
_m.layers[0].weight.data[0, :] = 0.0  # 5 zeros in layer 1
_m.layers[2].weight.data[:, 1] = 0.0  # 5 zeros in layer 2
assert_close(measure_sparsity(_m), 50.0, atol=1e-9, what="10 of 20 weights zero, across two layers")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_biases", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: biases never count, whatever their values; only exact zeros count.
### BEGIN HIDDEN TESTS
_m = _model_of([3, 7, 2], seed=13, bias_scale=0.0)  # all biases exactly zero
_m.layers[0].weight.data[1, 2] = 0.0
assert_close(measure_sparsity(_m), 100 * 1 / 35, atol=1e-9, what="zero biases do not count")
_m.layers[0].bias.data[:] = 5.0
assert_close(measure_sparsity(_m), 100 * 1 / 35, atol=1e-9, what="nonzero biases do not count")
_m.layers[2].weight.data[0, 0] = 1e-8  # tiny is not zero
_m.layers[2].weight.data[1, 1] = -1e-30
assert_close(measure_sparsity(_m), 100 * 1 / 35, atol=1e-9, what="only entries exactly equal to 0 count")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_measure_sparsity_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: a model with no weight matrix; factorised layers count their factors.
### BEGIN HIDDEN TESTS
assert_close(measure_sparsity(SimpleModel(ReLU())), 0.0, what="a model without weight matrices")
assert_close(measure_sparsity(SimpleModel()), 0.0, what="a model without layers")
_lr = LowRankLinear(np.array([[0.0], [1.0], [2.0]]), np.array([[0.0, 0.0, 3.0]]), np.zeros(3))
assert_close(measure_sparsity(SimpleModel(_lr)), 50.0, atol=1e-9, what="a LowRankLinear's factors")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Magnitude pruning (8 points)
#
# One global ranking, an exact count. Three details decide whether an
# implementation is right:
#
# * **Exactly `⌊s·N⌋` zeros.** A threshold such as `np.percentile` followed by
#   `|w| < t` is off whenever several weights share the threshold's value
#   (after a first pruning, thousands of weights are exactly 0). Select
#   *positions*, not values: `np.argsort` or `np.argpartition` on the
#   magnitudes give you the indices of the `⌊s·N⌋` smallest.
# * **Global, not per layer.** Concatenate all weight matrices first.
# * **In place.** Write zeros into each `param.data` and return the same
#   model object; leave biases alone.

# %% nbgrader={"grade": false, "grade_id": "magnitude_prune", "locked": false, "schema_version": 3, "solution": true, "task": false}
def magnitude_prune(model, sparsity=0.9):
    """Zero the floor(sparsity * N) smallest-magnitude weights of the whole model.

    N counts the entries of all weight matrices (ndim >= 2) together; one
    global ranking decides. Biases are untouched. The model is modified in
    place and returned. Raise ValueError if sparsity is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    total = sum(w.size for w in weights)
    n_prune = int(np.floor(sparsity * total))
    if n_prune == 0:
        return model
    magnitudes = np.concatenate([np.abs(w.data).ravel() for w in weights])
    pruned = np.zeros(total, dtype=bool)
    pruned[np.argpartition(magnitudes, n_prune - 1)[:n_prune]] = True
    offset = 0
    for w in weights:
        w.data[pruned[offset:offset + w.size].reshape(w.shape)] = 0.0
        offset += w.size
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(1)
_layer1, _layer2 = Linear(4, 3), Linear(3, 2)
_layer1.weight.data = np.array([[1.0, 2.0, 3.0], [0.1, 0.2, 0.3], [4.0, 5.0, 6.0], [0.01, 0.02, 0.03]])
_layer2.weight.data = np.array([[0.5, -7.0], [0.05, 8.0], [-0.6, 0.9]])
_model = SimpleModel(_layer1, ReLU(), _layer2)
_result = magnitude_prune(_model, sparsity=0.5)
assert _result is _model, "magnitude_prune returns the same model object"
assert _layer1.weight.shape == (4, 3) and _layer2.weight.shape == (3, 2), "prune in place: the weight matrices keep their shapes"
_zeros = sum(int((p.data == 0).sum()) for p in _model.parameters() if p.ndim >= 2)
assert _zeros == 9, f"50% of 18 weights is exactly 9 zeros, got {_zeros}"
assert np.all(_layer1.weight.data[2] != 0), "the largest weights survive"
assert _layer2.weight.data[0, 1] == -7.0, "magnitude means |w|: large negative weights survive"
print("magnitude_prune: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_exact_count", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: exactly floor(sparsity * N) zeros, also when many magnitudes tie.
### BEGIN HIDDEN TESTS
_m = _model_of([6, 5, 4], seed=21)  # 30 + 20 = 50 weights
_rng = np.random.default_rng(21)
for _p in _weights_of(_m):  # magnitudes from {1, 2, 3} only: ties everywhere
    _p.data = _rng.choice([1.0, 2.0, 3.0], size=_p.shape) * _rng.choice([-1.0, 1.0], size=_p.shape)
_before = np.concatenate([np.abs(p.data).ravel() for p in _weights_of(_m)])
_shapes_before = _shapes(_m)
magnitude_prune(_m, sparsity=0.37)  # floor(18.5) = 18
assert _shapes(_m) == _shapes_before, "prune in place: every parameter keeps its shape"
_after = np.concatenate([p.data.ravel() for p in _weights_of(_m)])
assert int((_after == 0).sum()) == 18, int((_after == 0).sum())
assert _before[_after == 0].max() <= _before[_after != 0].min()
_m2 = _model_of([8, 6, 3], seed=22)  # 48 + 18 = 66 weights
magnitude_prune(_m2, sparsity=0.9)
magnitude_prune(_m2, sparsity=0.95)  # a second pass starts from 59 exact zeros
assert _shapes(_m2) == [(8, 6), (6,), (6, 3), (3,)], "prune in place: every parameter keeps its shape"
assert sum(int((p.data == 0).sum()) for p in _weights_of(_m2)) == math.floor(0.95 * 66)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_floor", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the count is floored, never rounded; sparsity 0 and 1 are allowed; the default sparsity is 0.9.
### BEGIN HIDDEN TESTS
for _s, _expected in ((0.55, 9), (0.3, 5), (0.0, 0), (1.0, 18)):  # N = 18: 9.9 -> 9, 5.4 -> 5
    _m = _model_of([4, 3, 2], seed=23)
    magnitude_prune(_m, sparsity=_s)
    assert _shapes(_m) == [(4, 3), (3,), (3, 2), (2,)], "prune in place: every parameter keeps its shape"
    _zeros = sum(int((p.data == 0).sum()) for p in _weights_of(_m))
    assert _zeros == _expected, (_s, _zeros)
_m = _model_of([4, 3, 2], seed=23)
magnitude_prune(_m)  # sparsity=0.9: floor(16.2) = 16
assert _shapes(_m) == [(4, 3), (3,), (3, 2), (2,)], "prune in place: every parameter keeps its shape"
_zeros = sum(int((p.data == 0).sum()) for p in _weights_of(_m))
assert _zeros == 16, f"the default sparsity is 0.9: 16 of 18 weights go, got {_zeros}"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_global", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: one global threshold across layers, not one per layer.
### BEGIN HIDDEN TESTS
_m = _model_of([5, 4, 5], seed=24)  # 20 + 20 weights
_m.layers[0].weight.data = 10.0 + np.abs(_m.layers[0].weight.data)  # every weight of layer 1 is large
_m.layers[2].weight.data = 0.01 * _m.layers[2].weight.data
_big = _m.layers[0].weight.data.copy()
magnitude_prune(_m, sparsity=0.5)
assert_close(_m.layers[0].weight.data, _big, what="layer 1 (only large weights: none may go)")
assert_close(_m.layers[2].weight.data, np.zeros((4, 5)), what="layer 2 (all 20 pruned weights come from it)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_in_place", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: in place (the caller's model is pruned), same objects, biases untouched, kept weights unchanged.
### BEGIN HIDDEN TESTS
_m = _model_of([7, 6, 3], seed=25, bias_scale=0.001)  # tiny biases would be pruned if counted
_params = _m.parameters()
_before = _snapshot(_m)
assert magnitude_prune(_m, sparsity=0.6) is _m
_after = _m.parameters()
assert len(_after) == len(_params) and all(a is b for a, b in zip(_params, _after)), "the same parameter objects"
for _p, _old in zip(_after, _before):
    assert _p.shape == _old.shape, "prune in place: every parameter keeps its shape"
    if _p.ndim < 2:
        assert_close(_p.data, _old, what="a bias (biases must not change)")
    else:
        _kept = _p.data != 0
        assert_close(_p.data[_kept], _old[_kept], what="the surviving weights (they keep their values)")
_zeros = sum(int((p.data == 0).sum()) for p in _weights_of(_m))  # 42 + 18 = 60 weights
assert _zeros == math.floor(0.6 * 60), f"the caller's model must be pruned in place: {_zeros} zero weights"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_magnitude_prune_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError outside [0, 1], and the model is left as it was.
### BEGIN HIDDEN TESTS
for _bad in (-0.1, 1.5, float("nan")):
    _m = _model_of([4, 3, 2], seed=26)
    _before = _snapshot(_m)
    try:
        magnitude_prune(_m, sparsity=_bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"sparsity={_bad} must raise ValueError")
    _assert_parameters(_m, _before, what=f"the model after sparsity={_bad} (left as it was)")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Structured pruning (7 points)
#
# Now remove whole neurons. For each `Linear` in `model.layers` except the
# last one, compute the L2 norm of every weight column, and zero the
# `int(prune_ratio * out_features)` columns with the smallest norms together
# with their bias entries. The zeroed neurons output `ReLU(0) = 0`, so the
# next layer's matching rows no longer matter: the layer could be cut down to
# a smaller dense matrix (section 10 does exactly that).

# %% nbgrader={"grade": false, "grade_id": "structured_prune", "locked": false, "schema_version": 3, "solution": true, "task": false}
def structured_prune(model, prune_ratio=0.5):
    """Zero the least important output neurons of every Linear except the last one.

    Importance of neuron j = L2 norm of weight column W[:, j]. In each pruned
    layer, int(prune_ratio * out_features) columns and their bias entries
    are set to zero. The last Linear (the classifier head) is never touched.
    In place; returns the model. ValueError if prune_ratio is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if not 0.0 <= prune_ratio <= 1.0:
        raise ValueError(f"prune_ratio must be in [0, 1], got {prune_ratio}")
    dense_layers = [layer for layer in model.layers if isinstance(layer, Linear)]
    for layer in dense_layers[:-1]:
        weight = layer.weight.data
        n_prune = int(prune_ratio * weight.shape[1])
        if n_prune == 0:
            continue
        importance = np.linalg.norm(weight, axis=0)
        drop = np.argsort(importance)[:n_prune]
        weight[:, drop] = 0.0
        if layer.bias is not None:
            layer.bias.data[drop] = 0.0
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(2)
_layer1, _layer2 = Linear(4, 6), Linear(6, 2)
_layer1.weight.data = np.array([
    [1.0, 0.1, 2.0, 0.05, 3.0, 0.01],
    [1.1, 0.11, 2.1, 0.06, 3.1, 0.02],
    [1.2, 0.12, 2.2, 0.07, 3.2, 0.03],
    [1.3, 0.13, 2.3, 0.08, 3.3, 0.04],
])
_layer1.bias.data = np.arange(1.0, 7.0)
_head_before = _layer2.weight.data.copy()
_model = SimpleModel(_layer1, ReLU(), _layer2)
assert structured_prune(_model, prune_ratio=0.5) is _model
assert _layer1.weight.shape == (4, 6) and _layer1.bias.shape == (6,), "prune in place: the layer keeps its shapes"
_zero_columns = np.flatnonzero(np.all(_layer1.weight.data == 0, axis=0))
assert list(_zero_columns) == [1, 3, 5], f"the three weakest columns go, got {list(_zero_columns)}"
assert list(_layer1.bias.data) == [1.0, 0.0, 3.0, 0.0, 5.0, 0.0], "their bias entries go too"
assert np.array_equal(_layer2.weight.data, _head_before), "the classifier head is never pruned"
print("structured_prune: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_head", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: every Linear but the last is pruned; the head stays intact.
### BEGIN HIDDEN TESTS
_m = _model_of([6, 10, 8, 4], seed=31)
_m.layers[4].weight.data *= 0.001  # a head with tiny weights is still never pruned
_head = _m.layers[4].weight.data.copy()
_head_bias = _m.layers[4].bias.data.copy()
structured_prune(_m, prune_ratio=0.5)
assert _shapes(_m) == [(6, 10), (10,), (10, 8), (8,), (8, 4), (4,)], "prune in place: every parameter keeps its shape"
assert np.array_equal(_m.layers[4].weight.data, _head) and np.array_equal(_m.layers[4].bias.data, _head_bias)
assert int(np.all(_m.layers[0].weight.data == 0, axis=0).sum()) == 5
assert int(np.all(_m.layers[2].weight.data == 0, axis=0).sum()) == 4
_single = _model_of([5, 3], seed=32)
_w = _single.layers[0].weight.data.copy()
structured_prune(_single, prune_ratio=0.9)
assert_close(_single.layers[0].weight.data, _w, what="a lone Linear (it is the head)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_l2", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: importance is the L2 norm (not L1, not the max); exactly int(ratio * out) columns; the default ratio is 0.5.
### BEGIN HIDDEN TESTS
_m = _model_of([4, 5, 2], seed=33)
_m.layers[0].weight.data = np.array([
    [3.0, 0.9, 1.7, 4.0, 1.4],
    [0.0, 0.9, 0.0, 4.0, 1.4],
    [0.0, 0.9, 0.0, 4.0, 1.4],
    [0.0, 0.9, 0.0, 4.0, 1.4],
])  # L2: 3, 1.8, 1.7, 8, 2.8 -> {2, 1} ; L1 would pick {2, 0} ; the max would pick {1, 4}
structured_prune(_m, prune_ratio=0.5)  # int(2.5) = 2 neurons
assert _shapes(_m) == [(4, 5), (5,), (5, 2), (2,)], "prune in place: every parameter keeps its shape"
assert list(np.flatnonzero(np.all(_m.layers[0].weight.data == 0, axis=0))) == [1, 2]
_m = _model_of([3, 8, 2], seed=34)
structured_prune(_m, prune_ratio=0.6)  # int(4.8) = 4, not round(4.8) = 5
assert _m.layers[0].weight.shape == (3, 8), "prune in place: every parameter keeps its shape"
assert int(np.all(_m.layers[0].weight.data == 0, axis=0).sum()) == 4
_m = _model_of([3, 6, 2], seed=35)
_m.layers[0].weight.data = np.tile(np.array([[1.0, -1.0, 1.0, 2.0, -1.0, 1.0]]), (3, 1))  # five-way tie
structured_prune(_m, prune_ratio=0.5)
assert _m.layers[0].weight.shape == (3, 6), "prune in place: every parameter keeps its shape"
_zero_cols = np.all(_m.layers[0].weight.data == 0, axis=0)
assert int(_zero_cols.sum()) == 3 and not _zero_cols[3]
_m = _model_of([3, 10, 2], seed=39)
structured_prune(_m)  # prune_ratio=0.5: int(5.0) = 5 of 10 neurons
assert _m.layers[0].weight.shape == (3, 10), "prune in place: every parameter keeps its shape"
assert int(np.all(_m.layers[0].weight.data == 0, axis=0).sum()) == 5, "the default prune_ratio is 0.5"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_details", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: matching bias entries zeroed, other neurons and layers unchanged, in place.
### BEGIN HIDDEN TESTS
_m = _model_of([5, 8, 3], seed=36, bias_scale=1.0)
_layer = _m.layers[0]
_next = _m.layers[2].weight.data.copy()
_w_before, _b_before = _layer.weight.data.copy(), _layer.bias.data.copy()
structured_prune(_m, prune_ratio=0.25)
assert _shapes(_m) == [(5, 8), (8,), (8, 3), (3,)], "prune in place: every parameter keeps its shape"
_gone = np.all(_m.layers[0].weight.data == 0, axis=0)
assert int(_gone.sum()) == 2
assert np.all(_m.layers[0].bias.data[_gone] == 0)
assert np.array_equal(_m.layers[0].bias.data[~_gone], _b_before[~_gone])
assert np.array_equal(_m.layers[0].weight.data[:, ~_gone], _w_before[:, ~_gone])
assert np.array_equal(_m.layers[2].weight.data, _next)
assert _m.layers[0] is _layer, "prune the existing layers, do not replace them"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_structured_prune_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError outside [0, 1]; prune_ratio 0 changes nothing.
### BEGIN HIDDEN TESTS
for _bad in (-0.5, 1.01):
    _m = _model_of([4, 6, 2], seed=37)
    _before = _snapshot(_m)
    try:
        structured_prune(_m, prune_ratio=_bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"prune_ratio={_bad} must raise ValueError")
    _assert_parameters(_m, _before, what=f"the model after prune_ratio={_bad} (left as it was)")
_m = _model_of([4, 6, 2], seed=38)
_before = _snapshot(_m)
assert structured_prune(_m, prune_ratio=0.0) is _m
_assert_parameters(_m, _before, what="the model after prune_ratio=0 (unchanged)")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_pruning", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    levels = [0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95]
    rows = []
    for level in levels:
        unstructured = magnitude_prune(copy.deepcopy(teacher), sparsity=level)
        structured = structured_prune(copy.deepcopy(teacher), prune_ratio=level)
        rows.append((level, measure_sparsity(unstructured), accuracy(unstructured, X_test, y_test),
                     measure_sparsity(structured), accuracy(structured, X_test, y_test)))
    print(f"{'level':>5} | {'magnitude: sparsity, acc':>26} | {'structured: sparsity, acc':>26}")
    for level, s_mag, a_mag, s_str, a_str in rows:
        print(f"{level:5.2f} | {s_mag:12.1f}% {a_mag:12.3f} | {s_str:12.1f}% {a_str:12.3f}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r[1] for r in rows], [r[2] for r in rows], "o-", label="magnitude (unstructured)")
    ax.plot([r[3] for r in rows], [r[4] for r in rows], "s-", label="structured (neurons)")
    ax.set(xlabel="sparsity of the weight matrices (%)", ylabel="test accuracy",
           title="Accuracy vs sparsity on digits, no retraining")
    ax.legend()
    plt.show()

# %% [markdown]
# Read the plot at equal *sparsity*: magnitude pruning keeps its accuracy far
# longer, because it removes only the individually least useful weights.
# Structured pruning pays a higher accuracy price per zero, in exchange for
# zeros that a dense matrix multiply can actually skip (section 10 measures
# that). The head is never pruned, so structured sparsity tops out below 100%.
# %% [markdown]
# ## 6. Low-rank approximation (6 points)
#
# `np.linalg.svd(W, full_matrices=False)` returns `U`, the singular values
# `S` (already in descending order) and `Vt` such that
# `W = U @ np.diag(S) @ Vt`. Keep the first `k = max(1, int(rank_ratio · min(m, n)))`
# of each. Your function returns the three factors, not their product: the
# factors *are* the compressed layer.

# %% nbgrader={"grade": false, "grade_id": "low_rank_approximate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    """Best rank-k factors (U, S, V) of a 2-D matrix, k = max(1, int(rank_ratio * min(m, n))).

    U has shape (m, k), S (k,) in descending order, V (k, n), and
    U @ np.diag(S) @ V is the closest rank-k matrix to the input in the
    Frobenius norm. Accepts an ndarray or a Tensor. Raise ValueError if the
    input is not 2-D or rank_ratio is outside (0, 1].
    """
    ### BEGIN SOLUTION
    weights = weight_matrix.data if isinstance(weight_matrix, Tensor) else np.asarray(weight_matrix)
    if weights.ndim != 2:
        raise ValueError(f"expected a 2-D weight matrix, got shape {weights.shape}")
    if not 0.0 < rank_ratio <= 1.0:
        raise ValueError(f"rank_ratio must be in (0, 1], got {rank_ratio}")
    k = max(1, int(rank_ratio * min(weights.shape)))
    U, S, Vt = np.linalg.svd(weights, full_matrices=False)
    return U[:, :k], S[:k], Vt[:k, :]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_W = np.random.default_rng(3).standard_normal((20, 15))
_sigma = np.linalg.svd(_W, compute_uv=False)
_U, _S, _V = low_rank_approximate(_W.copy(), rank_ratio=0.4)  # k = int(0.4 * 15) = 6; the test keeps _W for itself
assert _U.shape == (20, 6) and _S.shape == (6,) and _V.shape == (6, 15), (_U.shape, _S.shape, _V.shape)
_error = np.linalg.norm(_W - _U @ np.diag(_S) @ _V)
assert_close(_error, np.sqrt(np.sum(_sigma[6:] ** 2)), atol=1e-8,
             what="the error of the rank-6 approximation (Eckart-Young: that of the discarded singular values)")
print(f"rank 6 of 15 keeps {np.sum(_S**2) / np.sum(_sigma**2):.1%} of the energy; low_rank_approximate: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: k = max(1, int(rank_ratio * min(m, n))) for tall, wide and tiny ratios (default 0.5); Tensors accepted;
# input untouched; factors of the input itself (at full rank they rebuild it).
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(41)
for (_m, _n), _r, _k in (((7, 30), 0.5, 3), ((30, 7), 0.99, 6), ((12, 9), 0.01, 1), ((6, 6), 1.0, 6), ((9, 25), 0.35, 3)):
    _W = _rng.standard_normal((_m, _n))
    _copy = _W.copy()
    _U, _S, _V = low_rank_approximate(_W, rank_ratio=_r)
    assert np.shape(_U) == (_m, _k) and np.shape(_S) == (_k,) and np.shape(_V) == (_k, _n), (_m, _n, _r)
    assert_close(_W, _copy, what="the input matrix (it must not be modified)")
    if _k == min(_m, _n):
        _rebuilt = np.asarray(_U, dtype=np.float64) @ np.diag(np.asarray(_S, dtype=np.float64)) @ np.asarray(_V, dtype=np.float64)
        assert_close(_rebuilt, _copy, rtol=1e-5, atol=1e-6, what="the product of the factors at k = min(m, n) (the matrix itself)")
_T = Tensor(_rng.standard_normal((10, 8)))
_U, _S, _V = low_rank_approximate(_T, rank_ratio=0.5)
assert np.shape(_U) == (10, 4) and np.shape(_V) == (4, 8)
_U, _S, _V = low_rank_approximate(_rng.standard_normal((9, 13)))  # rank_ratio=0.5: k = int(4.5) = 4
assert np.shape(_U) == (9, 4) and np.shape(_S) == (4,) and np.shape(_V) == (4, 13), "the default rank_ratio is 0.5"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_optimal", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the reconstruction is the optimal rank-k matrix (Eckart-Young), for float64 and float32 inputs.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(42)
for _shape, _r in (((16, 11), 0.3), ((9, 24), 0.5), ((13, 13), 0.8)):
    _W = _rng.standard_normal(_shape) @ np.diag(np.linspace(3, 0.1, _shape[1]))
    _Uo, _So, _Vo = _oracle_low_rank(_W, _r)
    _U, _S, _V = (np.asarray(a, dtype=np.float64) for a in low_rank_approximate(_W.copy(), rank_ratio=_r))
    assert_close(_U @ np.diag(_S) @ _V, _Uo @ np.diag(_So) @ _Vo, rtol=1e-5, atol=1e-8, what=f"the rank-k approximation of a {_shape} matrix")
_W32 = Tensor(_rng.standard_normal((20, 12)))
_Uo, _So, _Vo = _oracle_low_rank(_W32, 0.25)
_scale = np.linalg.norm(_W32.data)
_U, _S, _V = (np.asarray(a, dtype=np.float64) for a in low_rank_approximate(copy.deepcopy(_W32), rank_ratio=0.25))
_product, _best = _U @ np.diag(_S) @ _V, _Uo @ np.diag(_So) @ _Vo
assert_close(_product, _best, atol=1e-4 * _scale, what="the rank-3 approximation of a float32 Tensor")
assert np.linalg.norm(_product - _best) < 1e-4 * _scale
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_singular_values", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: S holds the k largest singular values in descending order.
### BEGIN HIDDEN TESTS
_W = np.random.default_rng(43).standard_normal((14, 10))
_sigma = np.linalg.svd(_W, compute_uv=False)
_U, _S, _V = low_rank_approximate(_W.copy(), rank_ratio=0.6)
assert_close(_S, _sigma[:6], rtol=1e-6, atol=1e-8, what="S (the 6 largest singular values)")
assert np.all(np.diff(np.asarray(_S)) <= 0)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_low_rank_approximate_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError for inputs that are not 2-D and for rank_ratio outside (0, 1].
### BEGIN HIDDEN TESTS
for _arg, _r in ((np.ones(5), 0.5), (np.ones((2, 3, 4)), 0.5), (np.ones((4, 4)), 0.0), (np.ones((4, 4)), 1.2), (np.ones((4, 4)), -0.3)):
    try:
        low_rank_approximate(_arg, rank_ratio=_r)
    except ValueError:
        pass
    else:
        raise AssertionError(f"shape {np.shape(_arg)}, rank_ratio={_r} must raise ValueError")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_low_rank", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    def factorised(model, rank_ratio):
        """A copy of model whose hidden Linear layers are replaced by their rank-k factors."""
        clone = copy.deepcopy(model)
        dense = [i for i, layer in enumerate(clone.layers) if isinstance(layer, Linear)]
        for i in dense[:-1]:
            U, S, V = low_rank_approximate(clone.layers[i].weight, rank_ratio)
            clone.layers[i] = LowRankLinear(U * S, V, clone.layers[i].bias)
        return clone

    def top_energy(weight, fraction=0.1):
        """Share of the squared singular values held by the top `fraction` of the directions."""
        sigma2 = np.linalg.svd(weight, compute_uv=False) ** 2
        return sigma2[: max(1, int(fraction * len(sigma2)))].sum() / sigma2.sum()

    rng = np.random.default_rng(0)
    for number, layer in enumerate([l for l in teacher.layers if isinstance(l, Linear)][:-1], start=1):
        W = layer.weight.data
        random_w = rng.standard_normal(W.shape) * W.std()
        print(f"hidden layer {number}: top 10% of directions hold {top_energy(W):.0%} of the energy "
              f"(random, same scale: {top_energy(random_w):.0%})")

    dense_params, dense_acc = Profiler().count_parameters(teacher), accuracy(teacher, X_test, y_test)
    ratios = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
    models = [factorised(teacher, r) for r in ratios]
    params = [Profiler().count_parameters(m) for m in models]
    accs = [accuracy(m, X_test, y_test) for m in models]
    print(f"{'rank_ratio':>10} | {'params':>7} | {'of dense':>8} | accuracy")
    for r, p_, a in zip(ratios, params, accs):
        print(f"{r:10.2f} | {p_:7,} | {p_ / dense_params:8.0%} | {a:.3f}")
    print(f"dense teacher: {dense_params:,} parameters, accuracy {dense_acc:.3f}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    W1 = teacher.layers[0].weight.data
    ax1.semilogy(np.linalg.svd(W1, compute_uv=False), label="trained layer 1")
    ax1.semilogy(np.linalg.svd(rng.standard_normal(W1.shape) * W1.std(), compute_uv=False), label="random, same scale")
    ax1.set(title="Singular values", xlabel="index")
    ax1.legend()
    ax2.semilogx(ratios, accs, "o-", label="factorised hidden layers")
    ax2.axhline(dense_acc, color="gray", linestyle="--", label="dense teacher")
    for r, p_, a in zip(ratios, params, accs):
        ax2.annotate(f"{p_ / dense_params:.0%}", (r, a), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax2.set(title="Accuracy vs rank (labels: parameters kept)", xlabel="rank_ratio (log scale)", ylabel="test accuracy",
            xlim=(0.015, 1.6), ylim=(0, 1.05))
    ax2.legend(loc="lower right")
    plt.show()

# %% [markdown]
# Look at the left plot closely. Training has lifted a handful of directions
# above the spectrum of a random matrix of the same scale (in the teacher's
# hidden layers the top 10% of directions carry about a third of the energy,
# against about a fifth for random weights, as printed above); the long tail
# still looks like the random initialisation. What the network *learned* sits
# mostly in the top directions. The right plot shows what that buys: at a
# fifth of the rank the model keeps 0.95 of the teacher's 0.98 accuracy with
# under a third of the parameters, and accuracy collapses once the cut
# reaches into the top directions (a twentieth of the rank leaves about half
# the digits right). At `rank_ratio = 1` the factors hold *more* numbers than
# the dense matrices they replace.
#
# ## 7. Knowledge distillation (9 points)
#
# Implement the loss and its gradient with respect to the student's logits.
# Two practical rules keep it exact:
#
# * **Work in log space.** `log_softmax(z) = z − max(z) − log Σ exp(z − max(z))`
#   is finite for logits of any size; `np.log(softmax(z) + 1e-8)` is not exact
#   and breaks down for confident predictions.
# * **Average over the batch**, both terms.
#
# Labels arrive either as integer class ids, shape (B,), or as probability
# rows, shape (B, C) (smoothed labels, say). The gradient has a compact closed
# form: differentiate each term with respect to `z_student` and remember that
# `d softmax(z/T) / dz` carries a factor `1/T`.

# %% nbgrader={"grade": false, "grade_id": "KnowledgeDistillation", "locked": false, "schema_version": 3, "solution": true, "task": false}
class KnowledgeDistillation:
    """Distil a teacher's softened predictions into a student.

    loss = alpha * T**2 * KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) * CE(softmax(s), y),
    both terms averaged over the batch.
    """

    def __init__(self, teacher_model, student_model, temperature=3.0, alpha=0.7):
        """Keep both models and the hyper-parameters as attributes of the same names.

        Raise ValueError if temperature <= 0 or alpha is outside [0, 1].
        """
        ### BEGIN SOLUTION
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self.teacher_model = teacher_model
        self.student_model = student_model
        self.temperature = temperature
        self.alpha = alpha
        ### END SOLUTION

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        """The combined loss as a Python float (logits: (B, C) ndarrays or Tensors)."""
        ### BEGIN SOLUTION
        s, t, y = self._as_arrays(student_logits, teacher_logits, true_labels)
        T, batch = self.temperature, s.shape[0]
        log_p_teacher = _log_softmax_rows(t / T)
        soft = np.sum(np.exp(log_p_teacher) * (log_p_teacher - _log_softmax_rows(s / T))) / batch
        hard = -np.sum(y * _log_softmax_rows(s)) / batch
        return float(self.alpha * T**2 * soft + (1 - self.alpha) * hard)
        ### END SOLUTION

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        """d(distillation_loss) / d(student_logits), an ndarray of shape (B, C)."""
        ### BEGIN SOLUTION
        s, t, y = self._as_arrays(student_logits, teacher_logits, true_labels)
        T, batch = self.temperature, s.shape[0]
        soft = np.exp(_log_softmax_rows(s / T)) - np.exp(_log_softmax_rows(t / T))
        hard = np.exp(_log_softmax_rows(s)) - y
        return (self.alpha * T * soft + (1 - self.alpha) * hard) / batch

    @staticmethod
    def _as_arrays(student_logits, teacher_logits, true_labels):
        """float64 logits and labels as probability rows (one-hot for class ids)."""
        s = np.asarray(student_logits.data if isinstance(student_logits, Tensor) else student_logits, dtype=np.float64)
        t = np.asarray(teacher_logits.data if isinstance(teacher_logits, Tensor) else teacher_logits, dtype=np.float64)
        y = np.asarray(true_labels.data if isinstance(true_labels, Tensor) else true_labels)
        if y.ndim == 1:
            y = np.eye(s.shape[1])[y.astype(int)]
        return s, t, y.astype(np.float64)


def _log_softmax_rows(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_kd = KnowledgeDistillation("teacher", "student", temperature=4.0, alpha=0.8)
assert (_kd.teacher_model, _kd.student_model, _kd.temperature, _kd.alpha) == ("teacher", "student", 4.0, 0.8)
_s = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
_t = np.array([[3.0, 0.5, 0.2], [0.1, 3.5, 0.4]])
_y = np.array([0, 1])
_ce = -np.mean(np.log(np.exp(_s[[0, 1], _y]) / np.exp(_s).sum(axis=1)))  # computed before your code sees _s
_loss = _kd.distillation_loss(_s, _t, _y)
assert isinstance(_loss, float) and np.isfinite(_loss) and _loss > 0, f"the loss is a positive, finite Python float, got {_loss!r}"
assert_close(KnowledgeDistillation(None, None, 4.0, 0.0).distillation_loss(_s, _t, _y), _ce, atol=1e-9,
             what="the loss at alpha=0 (plain cross-entropy)")
assert_close(KnowledgeDistillation(None, None, 4.0, 1.0).distillation_loss(_t, _t, _y), 0.0, atol=1e-9,
             what="the loss at alpha=1 of a student equal to its teacher (no soft loss)")
assert _kd.distillation_grad(_s, _t, _y).shape == (2, 3)
print("KnowledgeDistillation: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_init", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: attributes kept; ValueError for temperature <= 0 and alpha outside [0, 1].
### BEGIN HIDDEN TESTS
_kd = KnowledgeDistillation(teacher_model=[1], student_model=[2])
assert (_kd.temperature, _kd.alpha) == (3.0, 0.7) and _kd.teacher_model == [1] and _kd.student_model == [2]
for _T, _a in ((0.0, 0.5), (-1.0, 0.5), (2.0, -0.1), (2.0, 1.1)):
    try:
        KnowledgeDistillation(None, None, temperature=_T, alpha=_a)
    except ValueError:
        pass
    else:
        raise AssertionError(f"temperature={_T}, alpha={_a} must raise ValueError")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the loss value for integer labels across temperatures and alphas.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(51)
for _T, _a, (_B, _C) in ((1.0, 0.5, (5, 4)), (3.0, 0.7, (8, 10)), (7.5, 0.25, (3, 6))):
    _s, _t = 2 * _rng.standard_normal((_B, _C)), 3 * _rng.standard_normal((_B, _C))
    _y = _rng.integers(0, _C, _B)
    _expected = _oracle_kd_loss(_s, _t, _y, _T, _a)
    _got = KnowledgeDistillation(None, None, _T, _a).distillation_loss(_s.copy(), _t.copy(), _y.copy())
    assert_close(_got, _expected, rtol=1e-6, atol=1e-6, what=f"the loss at T={_T}, alpha={_a}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_soft_term", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: KL(teacher || student), not the reverse, scaled by T**2 and averaged over the batch.
### BEGIN HIDDEN TESTS
_s = np.array([[4.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
_t = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]])
for _T in (1.0, 2.0, 5.0):
    _expected = _oracle_kd_loss(_s, _t, np.array([0, 1]), _T, 1.0)
    _got = KnowledgeDistillation(None, None, _T, 1.0).distillation_loss(_s.copy(), _t.copy(), np.array([0, 1]))
    assert_close(_got, _expected, atol=1e-8, what=f"the soft term alone (alpha=1) at T={_T}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_soft_labels", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: labels given as probability rows (B, C); one-hot rows equal integer labels.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(52)
_s, _t = _rng.standard_normal((6, 5)), _rng.standard_normal((6, 5))
_rows = _rng.dirichlet(np.ones(5), size=6)
_ids = np.array([4, 0, 2, 2, 1, 3])
_expected_rows, _expected_ids = _oracle_kd_loss(_s, _t, _rows, 2.0, 0.4), _oracle_kd_loss(_s, _t, _ids, 2.0, 0.4)
_kd = KnowledgeDistillation(None, None, 2.0, 0.4)
assert_close(_kd.distillation_loss(_s.copy(), _t.copy(), _rows.copy()), _expected_rows, atol=1e-8, what="the loss for probability rows")
assert_close(_kd.distillation_loss(_s.copy(), _t.copy(), np.eye(5)[_ids]), _expected_ids, atol=1e-8, what="the loss for one-hot rows")
assert_close(_kd.distillation_loss(_s.copy(), _t.copy(), _ids.copy()), _expected_ids, atol=1e-8, what="the loss for class ids")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_stability", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: finite and exact for logits of magnitude 1000; Tensors accepted; a Python float comes back.
### BEGIN HIDDEN TESTS
import warnings as _warnings

_s = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]])
_t = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 0.0]])
_y = np.array([1, 0])
_expected_loss, _expected_grad = _oracle_kd_loss(_s, _t, _y, 1.0, 0.5), _oracle_kd_grad(_s, _t, _y, 1.0, 0.5)
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _got = KnowledgeDistillation(None, None, 1.0, 0.5).distillation_loss(Tensor(_s), Tensor(_t), _y.copy())
    _grad = KnowledgeDistillation(None, None, 1.0, 0.5).distillation_grad(_s.copy(), _t.copy(), _y.copy())
assert isinstance(_got, float), type(_got)
assert_close(_got, _expected_loss, rtol=1e-6, what="the loss for logits of magnitude 1000")
assert_close(_grad, _expected_grad, rtol=1e-5, atol=1e-9, what="the gradient for logits of magnitude 1000")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the gradient equals finite differences of the loss, for class ids and probability rows.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(53)
for _T, _a, _labels in ((2.0, 0.7, np.array([0, 3, 1])), (4.0, 0.3, _rng.dirichlet(np.ones(4), size=3))):
    _s, _t = _rng.standard_normal((3, 4)), _rng.standard_normal((3, 4))
    _numeric = np.zeros_like(_s)
    for _idx in np.ndindex(*_s.shape):
        _up, _down = _s.copy(), _s.copy()
        _up[_idx] += 1e-6
        _down[_idx] -= 1e-6
        _numeric[_idx] = (_oracle_kd_loss(_up, _t, _labels, _T, _a) - _oracle_kd_loss(_down, _t, _labels, _T, _a)) / 2e-6
    _grad = KnowledgeDistillation(None, None, _T, _a).distillation_grad(_s.copy(), _t.copy(), _labels.copy())
    assert_close(_grad, _numeric, rtol=1e-5, atol=1e-6, what=f"the gradient at T={_T}, alpha={_a} (against finite differences)")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Training a student by distillation (7 points)
#
# The loss is only useful inside a training loop. `train_with_distillation`
# runs minibatch stochastic gradient descent on the student:
#
# 1. draw a random order of the examples from `np.random.default_rng(seed)`,
# 2. for each minibatch: forward the student and the (frozen) teacher, get the
#    loss and `kd.distillation_grad`, call `student.backward(grad)`, then
#    update every parameter in place: `p.data -= learning_rate * p.grad`,
# 3. record the mean loss over the epoch.
#
# `SimpleModel.backward` runs each layer's `backward`, which fills the
# `.grad` of its parameters. The teacher never changes.

# %% nbgrader={"grade": false, "grade_id": "train_with_distillation", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    """Train kd.student_model in place by minibatch SGD on kd's distillation loss.

    Use kd.distillation_loss and kd.distillation_grad for the loss and its
    gradient. The teacher is frozen. Returns a list with the mean loss of each
    epoch. The same seed gives the same result.
    """
    ### BEGIN SOLUTION
    X = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    student = kd.student_model
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total, seen = 0.0, 0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            logits = student.forward(Tensor(X[batch])).data
            total += kd.distillation_loss(logits, teacher_logits[batch], y[batch]) * len(batch)
            seen += len(batch)
            student.backward(kd.distillation_grad(logits, teacher_logits[batch], y[batch]))
            for param in student.parameters():
                param.data -= learning_rate * param.grad
        history.append(total / seen)
    return history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
class _MatchTheTeacher:
    """A stand-in for a KnowledgeDistillation object with a simpler objective:
    half the mean squared distance between student and teacher logits. This
    test checks the training loop alone, whatever the state of your class."""

    def __init__(self, teacher_model, student_model):
        self.teacher_model, self.student_model = teacher_model, student_model
        self.temperature, self.alpha = 1.0, 1.0

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        gap = np.asarray(getattr(student_logits, "data", student_logits), dtype=np.float64) - np.asarray(getattr(teacher_logits, "data", teacher_logits))
        return float(0.5 * np.sum(gap**2) / len(gap))

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        gap = np.asarray(getattr(student_logits, "data", student_logits), dtype=np.float64) - np.asarray(getattr(teacher_logits, "data", teacher_logits))
        return gap / len(gap)


np.random.seed(4)
_X = np.random.default_rng(4).standard_normal((64, 6)).astype(np.float32)
_y = (_X[:, 0] + _X[:, 1] > 0).astype(int)
_teacher = SimpleModel(Linear(6, 2))
_teacher.layers[0].weight.data = np.stack([np.r_[3.0, 3.0, 0, 0, 0, 0], np.r_[-3.0, -3.0, 0, 0, 0, 0]], axis=1)
_teacher_weights = _teacher.layers[0].weight.data.copy()
_student = SimpleModel(Linear(6, 2))
_objective = _MatchTheTeacher(_teacher, _student)
_distance_before = _objective.distillation_loss(_student(Tensor(_X)).data, _teacher(Tensor(_X)).data, _y)
_history = train_with_distillation(_objective, _X.copy(), _y.copy(), epochs=10, learning_rate=0.5, batch_size=16)
assert len(_history) == 10 and all(np.isfinite(_history)), _history
assert _history[-1] < _history[0], "the loss goes down"
assert np.array_equal(_teacher.layers[0].weight.data, _teacher_weights), "the teacher is frozen"
assert [p.shape for p in _student.parameters()] == [(6, 2), (2,)], "train the student's own layer in place"
_distance_after = _objective.distillation_loss(_student(Tensor(_X)).data, _teacher(Tensor(_X)).data, _y)
assert _distance_after < _distance_before, f"the trained student must be closer to the teacher: {_distance_before:.3f} -> {_distance_after:.3f}"
print(f"loss {_history[0]:.3f} -> {_history[-1]:.3f}; train_with_distillation: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_learns", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: a student learns a teacher's task; one float per epoch; the teacher is frozen.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(61)
_X = _rng.standard_normal((120, 5)).astype(np.float32)
_teacher = _model_of([5, 8, 3], seed=62)
_y = np.argmax(_teacher.forward(Tensor(_X)).data, axis=1)
_student = _model_of([5, 3], seed=63)
_teacher_before = _snapshot(_teacher)
_student_params = _student.parameters()
_history = train_with_distillation(_oracle_kd(_teacher, _student, 2.0, 0.5), _X.copy(), _y.copy(), epochs=15, learning_rate=0.2,
                                   batch_size=20, seed=1)
assert len(_history) == 15 and all(isinstance(float(h), float) and np.isfinite(h) for h in _history)
assert _history[-1] < 0.6 * _history[0], _history
_assert_parameters(_teacher, _teacher_before, what="the teacher (it is frozen)")
_after = _student.parameters()
assert len(_after) == len(_student_params) and all(a is b for a, b in zip(_student_params, _after)), "train the student in place"
assert _shapes(_student) == [(5, 3), (3,)], "train the student in place: its parameters keep their shapes"
_accuracy = float(np.mean(np.argmax(_student.forward(Tensor(_X)).data, axis=1) == _y))
assert _accuracy > 0.8, f"the trained student agrees with the teacher on {_accuracy:.0%} of the inputs, expected more than 80%"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_update_rule", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: one epoch with one full batch is exactly one SGD step p -= learning_rate * grad.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(64)
_X = _rng.standard_normal((10, 4)).astype(np.float32)
_y = _rng.integers(0, 3, 10)
_teacher = _model_of([4, 3], seed=65)
_student = _model_of([4, 6, 3], seed=66)
_expected = copy.deepcopy(_student)
_kd = _oracle_kd(_teacher, _expected, 3.0, 0.6)
_logits = _expected.forward(Tensor(_X)).data
_expected.backward(_kd.distillation_grad(_logits, _teacher.forward(Tensor(_X)).data, _y))
for _p in _expected.parameters():
    _p.data = _p.data - 0.3 * _p.grad
train_with_distillation(_oracle_kd(_teacher, _student, 3.0, 0.6), _X.copy(), _y.copy(), epochs=1, learning_rate=0.3, batch_size=64, seed=5)
_assert_parameters(_student, _snapshot(_expected), rtol=1e-5, atol=1e-5, what="the student after one full-batch epoch (one gradient step)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_deterministic", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the same seed gives the same losses and weights; minibatches are shuffled by the seed;
# the defaults are epochs=20, learning_rate=0.1, batch_size=32, seed=0.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(67)
_X = _rng.standard_normal((50, 4)).astype(np.float32)
_y = _rng.integers(0, 3, 50)
_teacher = _model_of([4, 3], seed=68)
_runs = []
for _seed in (7, 7, 8):
    _student = _model_of([4, 5, 3], seed=69)
    _h = train_with_distillation(_oracle_kd(_teacher, _student, 2.0, 0.5), _X.copy(), _y.copy(), epochs=3, learning_rate=0.1,
                                 batch_size=8, seed=_seed)
    assert _shapes(_student) == [(4, 5), (5,), (5, 3), (3,)], "train the student in place: its parameters keep their shapes"
    _runs.append((list(map(float, _h)), _snapshot(_student)))
assert len(_runs[0][0]) == 3 and _runs[0][0] == _runs[1][0], "the same seed gives the same losses"
_assert_arrays(_runs[1][1], _runs[0][1], what="the student trained twice with the same seed")
assert not all(np.array_equal(a, b) for a, b in zip(_runs[0][1], _runs[2][1])), "another seed shuffles differently"
_by_default, _spelled_out = _model_of([4, 5, 3], seed=69), _model_of([4, 5, 3], seed=69)
_h = train_with_distillation(_oracle_kd(_teacher, _by_default, 2.0, 0.5), _X.copy(), _y.copy())
_h_spelled_out = train_with_distillation(_oracle_kd(_teacher, _spelled_out, 2.0, 0.5), _X.copy(), _y.copy(),
                                         epochs=20, learning_rate=0.1, batch_size=32, seed=0)
assert len(_h) == 20, f"the default is 20 epochs, got {len(_h)} losses"
assert list(map(float, _h)) == list(map(float, _h_spelled_out)), "the defaults are epochs=20, learning_rate=0.1, batch_size=32, seed=0"
assert _shapes(_by_default) == [(4, 5), (5,), (5, 3), (3,)], "train the student in place: its parameters keep their shapes"
_assert_arrays(_snapshot(_by_default), _snapshot(_spelled_out),
               what="the student trained with the defaults (epochs=20, learning_rate=0.1, batch_size=32, seed=0)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_history", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: each entry of the history is the epoch's mean loss over all examples.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(70)
_X = _rng.standard_normal((40, 4)).astype(np.float32)
_y = _rng.integers(0, 3, 40)
_teacher, _student = _model_of([4, 3], seed=71), _model_of([4, 5, 3], seed=72)
_full = _oracle_kd_loss(_student.forward(Tensor(_X)).data, _teacher.forward(Tensor(_X)).data, _y, 2.0, 0.5)
_h = train_with_distillation(_oracle_kd(_teacher, _student, 2.0, 0.5), _X.copy(), _y.copy(), epochs=3, learning_rate=0.0,
                             batch_size=10, seed=3)
assert len(_h) == 3, _h
for _v in _h:  # learning rate 0: nothing changes, each epoch's mean is the loss over all examples
    assert_close(_v, _full, atol=1e-5, what="an epoch's mean loss")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_distillation", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    def small_student(seed):
        np.random.seed(seed)
        return SimpleModel(Linear(64, 16), ReLU(), Linear(16, 10))

    EPOCHS, SEEDS = 40, range(3)
    methods = {"labels only (alpha = 0)": (1.0, 0.0), "distilled (T = 4, alpha = 0.7)": (4.0, 0.7)}
    curves = {name: [] for name in methods}  # per method: one row of test accuracies per seed, one per epoch
    for seed in SEEDS:
        for name, (T, alpha) in methods.items():
            student = small_student(seed)
            kd = KnowledgeDistillation(teacher, student, temperature=T, alpha=alpha)
            row = []
            for epoch in range(EPOCHS):  # one epoch at a time, to measure the student after each
                train_with_distillation(kd, X_train[:300], y_train[:300], epochs=1, learning_rate=0.2,
                                        seed=1000 * seed + epoch)
                row.append(accuracy(student, X_test, y_test))
            curves[name].append(row)
    teacher_acc = accuracy(teacher, X_test, y_test)
    print(f"teacher: {Profiler().count_parameters(teacher):,} parameters, accuracy {teacher_acc:.3f}")
    print(f"student: {Profiler().count_parameters(small_student(0)):,} parameters, trained on 300 examples")
    for name, rows in curves.items():
        final = np.array(rows)[:, -1]
        print(f"  {name:32s} accuracy {final.mean():.3f} ± {final.std():.3f} over {len(final)} seeds "
              f"(after 10 epochs: {np.array(rows)[:, 9].mean():.3f})")

    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    epochs = np.arange(1, EPOCHS + 1)
    for name, rows in curves.items():
        rows = np.array(rows)
        line, = ax.plot(epochs, rows.mean(axis=0), label=name)
        ax.fill_between(epochs, rows.min(axis=0), rows.max(axis=0), color=line.get_color(), alpha=0.2)
    ax.axhline(teacher_acc, color="gray", linestyle="--", label="teacher")
    ax.set(title="Learning curves of the small student (band: 3 seeds)", xlabel="epoch", ylabel="test accuracy")
    ax.legend(loc="lower right")
    plt.show()

# %% [markdown]
# The student is about 40 times smaller than the teacher and sees only 300
# training examples. Compare the two curves: the distilled student learns
# faster (after 10 epochs it is well ahead) and ends higher on average over
# the three seeds, because the teacher's soft targets carry information
# about *how* the classes relate (a 7 that looks a bit like a 1), which
# plain labels do not. Try other temperatures and alphas; with very high `T`
# the soft targets become almost uniform and stop helping.
#
# ## 9. A compression pipeline (7 points)
#
# `compress_model` chains the techniques in a fixed order (magnitude pruning,
# structured pruning, low-rank factorisation, each only if configured) and
# reports what changed. Validate the whole configuration *before* touching
# the model: a typo in a key should not leave a half-compressed model behind.
#
# For `'low_rank'`, replace in `model.layers` every `Linear` except the head
# whose rank-k factors hold fewer numbers than its dense weight,
# `k·(in + out) < in·out`, by `LowRankLinear(U * S, V, layer.bias)`.

# %% nbgrader={"grade": false, "grade_id": "compress_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compress_model(model, compression_config):
    """Apply the configured techniques in order and return statistics.

    Keys: 'magnitude_prune' (sparsity in [0, 1]), 'structured_prune' (ratio in
    [0, 1]), 'low_rank' (rank ratio in (0, 1]). Unknown keys or values out of
    range raise ValueError before the model is modified. Returns a dict with
    original_params, final_params, original_sparsity, final_sparsity,
    sparsity_increase, applied_techniques and compression_ratio (nonzero
    parameters before / after).

    Use your own functions for each step (magnitude_prune, structured_prune,
    low_rank_approximate) and measure_sparsity for the sparsities.
    """
    ### BEGIN SOLUTION
    valid_ranges = {
        "magnitude_prune": lambda v: 0.0 <= v <= 1.0,
        "structured_prune": lambda v: 0.0 <= v <= 1.0,
        "low_rank": lambda v: 0.0 < v <= 1.0,
    }
    for key, value in compression_config.items():
        if key not in valid_ranges:
            raise ValueError(f"unknown compression technique {key!r}")
        if not valid_ranges[key](value):
            raise ValueError(f"{key}={value} is out of range")

    def nonzero(m):
        return sum(int(np.count_nonzero(p.data)) for p in m.parameters())

    original_params = sum(p.size for p in model.parameters())
    original_sparsity = measure_sparsity(model)
    original_nonzero = nonzero(model)
    applied = []
    if "magnitude_prune" in compression_config:
        magnitude_prune(model, compression_config["magnitude_prune"])
        applied.append("magnitude_prune")
    if "structured_prune" in compression_config:
        structured_prune(model, compression_config["structured_prune"])
        applied.append("structured_prune")
    if "low_rank" in compression_config:
        ratio = compression_config["low_rank"]
        dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
        for i in dense[:-1]:
            layer = model.layers[i]
            n_in, n_out = layer.weight.shape
            k = max(1, int(ratio * min(n_in, n_out)))
            if k * (n_in + n_out) < n_in * n_out:
                U, S, V = low_rank_approximate(layer.weight, ratio)
                model.layers[i] = LowRankLinear(U * S, V, layer.bias)
        applied.append("low_rank")
    final_sparsity = measure_sparsity(model)
    final_nonzero = nonzero(model)
    return {
        "original_params": original_params,
        "final_params": sum(p.size for p in model.parameters()),
        "original_sparsity": original_sparsity,
        "final_sparsity": final_sparsity,
        "sparsity_increase": final_sparsity - original_sparsity,
        "applied_techniques": applied,
        "compression_ratio": original_nonzero / final_nonzero if final_nonzero else float("inf"),
    }
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_compress_model_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Stand-ins for the functions compress_model calls, so that this test checks compress_model alone.
_calls = []


def _stand_in_magnitude(model, sparsity):
    _calls.append(("magnitude_prune", sparsity))
    model.layers[0].weight.data[0, :] = 0.0  # 15 zeros
    return model


def _stand_in_structured(model, prune_ratio):
    _calls.append(("structured_prune", prune_ratio))
    model.layers[2].weight.data[:, 0] = 0.0  # 15 more zeros
    return model


def _stand_in_sparsity(model):
    """Not a real sparsity: the number of zero weights in the first two layers, easy to predict."""
    return float(np.sum(model.layers[0].weight.data == 0) + np.sum(model.layers[2].weight.data == 0))


np.random.seed(5)
_model = SimpleModel(Linear(20, 15), ReLU(), Linear(15, 10), ReLU(), Linear(10, 5))
with replaced(magnitude_prune=_stand_in_magnitude, structured_prune=_stand_in_structured, measure_sparsity=_stand_in_sparsity):
    _stats = compress_model(_model, {"structured_prune": 0.2, "magnitude_prune": 0.7})
    for _key in ("original_params", "final_params", "original_sparsity", "final_sparsity",
                 "sparsity_increase", "applied_techniques", "compression_ratio"):
        assert _key in _stats, f"missing statistic {_key!r}"
    assert _calls == [("magnitude_prune", 0.7), ("structured_prune", 0.2)], f"fixed order, configured values: {_calls}"
    assert _stats["applied_techniques"] == ["magnitude_prune", "structured_prune"]
    assert _stats["original_params"] == _stats["final_params"] == 20 * 15 + 15 + 15 * 10 + 10 + 10 * 5 + 5
    assert (_stats["original_sparsity"], _stats["final_sparsity"], _stats["sparsity_increase"]) == (0.0, 30.0, 30.0), _stats
    assert_close(_stats["compression_ratio"], 500 / 470, atol=1e-9,
                 what="compression_ratio (500 nonzero weights before, the biases being 0, and 470 after)")
    try:
        compress_model(_model, {"magnitude_prun": 0.5})
    except ValueError:
        pass
    else:
        raise AssertionError("a misspelled technique must raise ValueError")
    assert len(_calls) == 2, "nothing runs when the configuration is invalid"
print("compress_model: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_statistics", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: every statistic against an independent computation.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
_m = _model_of([12, 10, 8, 4], seed=71, bias_scale=1.0)
_m.layers[0].weight.data[0, :] = 0.0  # 10 zeros before anything happens
_expected_model = copy.deepcopy(_m)
_nonzero_before = sum(int(np.count_nonzero(p.data)) for p in _m.parameters())
with replaced(**_refs):
    _stats = compress_model(_m, {"magnitude_prune": 0.6, "structured_prune": 0.25})
_oracle_magnitude_prune(_expected_model, 0.6)
_oracle_structured_prune(_expected_model, 0.25)
_nonzero_after = sum(int(np.count_nonzero(p.data)) for p in _expected_model.parameters())
_assert_parameters(_m, _snapshot(_expected_model), what="the caller's model (compressed in place)")
assert _stats["original_params"] == 12 * 10 + 10 + 10 * 8 + 8 + 8 * 4 + 4 == _stats["final_params"]
assert_close(_stats["original_sparsity"], 100 * 10 / 232, atol=1e-9, what="original_sparsity")
assert_close(_stats["final_sparsity"], _oracle_sparsity(_expected_model), atol=1e-9, what="final_sparsity")
assert_close(_stats["sparsity_increase"], _oracle_sparsity(_expected_model) - 100 * 10 / 232, atol=1e-9, what="sparsity_increase")
assert_close(_stats["compression_ratio"], _nonzero_before / _nonzero_after, atol=1e-9, what="compression_ratio")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_order", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fixed order whatever the dict order; only configured techniques run.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
_m = _model_of([6, 8, 3], seed=72)
_expected_model = copy.deepcopy(_m)
with replaced(**_refs):
    _stats = compress_model(_m, {"structured_prune": 0.5, "magnitude_prune": 0.3})
_oracle_structured_prune(_oracle_magnitude_prune(_expected_model, 0.3), 0.5)
assert _stats["applied_techniques"] == ["magnitude_prune", "structured_prune"]
_assert_parameters(_m, _snapshot(_expected_model), what="the caller's model (magnitude, then structured pruning)")
_m = _model_of([6, 8, 3], seed=73)
_before = _snapshot(_m)
with replaced(**_refs):
    _stats = compress_model(_m, {})
assert _stats["applied_techniques"] == []
_assert_parameters(_m, _before, what="the caller's model after an empty configuration (unchanged)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_low_rank", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: low_rank replaces the hidden Linear layers that get smaller, keeps the head and the biases.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
_m = _model_of([40, 30, 20, 5], seed=74)
_biases = [_m.layers[0].bias, _m.layers[2].bias]
_dense = [copy.deepcopy(_m.layers[0]), copy.deepcopy(_m.layers[2])]
_head = _m.layers[4]
with replaced(**_refs):
    _stats = compress_model(_m, {"low_rank": 0.2})  # k = 6 for 40x30, k = 4 for 30x20
assert _stats["applied_techniques"] == ["low_rank"]
assert isinstance(_m.layers[0], LowRankLinear) and isinstance(_m.layers[2], LowRankLinear)
assert _m.layers[4] is _head and isinstance(_m.layers[1], ReLU)
assert _m.layers[0].first.shape == (40, 6) and _m.layers[0].second.shape == (6, 30)
assert _m.layers[2].first.shape == (30, 4) and _m.layers[2].second.shape == (4, 20)
assert _m.layers[0].bias is _biases[0] and _m.layers[2].bias is _biases[1]
for _new, _old, _r in ((_m.layers[0], _dense[0], 0.2), (_m.layers[2], _dense[1], 0.2)):
    _U, _S, _V = _oracle_low_rank(_old.weight.data, _r)
    assert_close(_new.first.data @ _new.second.data, _U @ np.diag(_S) @ _V, rtol=1e-5, atol=1e-4, what="a factorised layer's product")
assert _stats["final_params"] == 40 * 6 + 6 * 30 + 30 + 30 * 4 + 4 * 20 + 20 + 20 * 5 + 5
_m = _model_of([40, 30, 5], seed=75)
with replaced(**_refs):
    compress_model(_m, {"low_rank": 1.0})  # k = 30: 30 * 70 > 1200, no saving
assert type(_m.layers[0]) is Linear, "a factorisation that does not save parameters is not applied"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_compress_model_validation", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: unknown keys and out-of-range values raise ValueError before anything changes.
### BEGIN HIDDEN TESTS
_refs = dict(measure_sparsity=_oracle_sparsity, magnitude_prune=_oracle_magnitude_prune,
             structured_prune=_oracle_structured_prune, low_rank_approximate=_oracle_low_rank)
for _config in ({"magnitude_prune": 0.5, "quantize": 8}, {"magnitude_prune": 0.5, "low_rank": 0.0},
                {"structured_prune": 1.5}, {"magnitude_prune": 0.5, "structured_prune": -0.2}):
    _m = _model_of([6, 8, 3], seed=76)
    _layers = list(_m.layers)
    _before = _snapshot(_m)
    with replaced(**_refs):
        try:
            compress_model(_m, _config)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{_config} must raise ValueError")
    assert _m.layers == _layers, _config
    _assert_parameters(_m, _before, what=f"the model after {_config} (left as it was)")
### END HIDDEN TESTS
# %% [markdown]
# ## 10. Quantisation (12 points)
#
# Per-tensor *asymmetric affine* quantisation to `bits` bits, the scheme of
# PyTorch's `MinMaxObserver` with `torch.per_tensor_affine`:
#
# ```
# qmin, qmax = -2**(bits-1), 2**(bits-1) - 1
# lo, hi     = min(w.min(), 0), max(w.max(), 0)        # the range always contains 0
# scale      = max((hi - lo) / (qmax - qmin), float32 eps)
# zero_point = clip(qmin - round(lo / scale), qmin, qmax)   as a Python int
# q          = clip(round(w / scale) + zero_point, qmin, qmax)   as np.int8
# w'         = (q - zero_point) * scale               as float32
# ```
#
# `np.round` rounds halves to the nearest even integer, as PyTorch does.
# PyTorch does this arithmetic in float32; in float64 a value that lands
# exactly on a half can round the other way. The tests avoid such ties, but
# if you want to match PyTorch bit for bit, stay in float32.
# One trap: `q` is `int8`, and `q - zero_point` in `int8` arithmetic
# overflows (127 − (−128) does not fit). Widen to a larger integer first.

# %% nbgrader={"grade": false, "grade_id": "quantize_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def quantize_weights(weights, bits=8):
    """Asymmetric per-tensor quantisation: returns (q as np.int8, scale, zero_point).

    Raise ValueError if bits is outside [2, 8].
    """
    ### BEGIN SOLUTION
    if not 2 <= bits <= 8:
        raise ValueError(f"bits must be between 2 and 8, got {bits}")
    w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float32)
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    # float32 arithmetic throughout, as PyTorch's observer and quantiser do it
    lo, hi = min(w.min(), np.float32(0)), max(w.max(), np.float32(0))
    scale = max((hi - lo) / np.float32(qmax - qmin), np.finfo(np.float32).eps)
    zero_point = int(np.clip(qmin - np.round(lo / scale), qmin, qmax))
    q = np.clip(np.round(w * (np.float32(1) / scale)) + zero_point, qmin, qmax).astype(np.int8)
    return q, float(scale), zero_point
    ### END SOLUTION


def dequantize_weights(q, scale, zero_point):
    """Recover float32 weights: (q - zero_point) * scale."""
    ### BEGIN SOLUTION
    return ((np.asarray(q, dtype=np.int32) - int(zero_point)) * scale).astype(np.float32)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_w = np.array([-2.0, 0.0, 1.5, 3.1], dtype=np.float32)
_q, _scale, _zp = quantize_weights(_w, bits=8)
assert _q.dtype == np.int8, _q.dtype
assert_close(_scale, 5.1 / 255, atol=1e-7, what="the scale (5.1 / 255, about 0.02)")
assert_close(_zp, -28, what="the zero point (-128 - round(-2 / 0.02))")
assert_close(_q, [-128, -28, 47, 127], dtype=np.int8, what="q")
print("quantize_weights: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_parameters", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: scale, zero point and q for 8, 6 and 4 bits on random weights; 8 bits by default.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(81)
for _bits, _w in ((8, _rng.standard_normal((20, 7))), (4, 0.3 * _rng.standard_normal((9, 9)) + 0.2), (6, _rng.uniform(-3, 1, 50))):
    _w = _w.astype(np.float32)
    _qo, _so, _zo = _oracle_quantize(_w, _bits)
    _q, _scale, _zp = quantize_weights(_w.copy(), bits=_bits)
    assert_close(_scale, _so, rtol=1e-6, what=f"the scale for {_bits} bits")
    assert_close(_zp, _zo, what=f"the zero point for {_bits} bits")
    assert_close(_q, _qo, dtype=np.int8, what=f"q for {_bits} bits")
_w = _rng.standard_normal((6, 5)).astype(np.float32)
_qo, _so, _zo = _oracle_quantize(_w, 8)
_q, _scale, _zp = quantize_weights(_w.copy())  # bits=8
assert_close(_scale, _so, rtol=1e-6, what="the scale by default (8 bits)")
assert_close(_zp, _zo, what="the zero point by default (8 bits)")
assert_close(_q, _qo, dtype=np.int8, what="q by default (8 bits)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_rounding", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: halves round to even, values beyond the range clip.
### BEGIN HIDDEN TESTS
_q, _scale, _zp = quantize_weights(np.array([-1.5, -0.5, 0.5, 1.5], dtype=np.float32), bits=2)  # scale 1, zero point 0
assert_close(_scale, 1.0, what="the scale of [-1.5, 1.5] in 2 bits")
assert_close(_zp, 0, what="the zero point of [-1.5, 1.5] in 2 bits")
assert_close(_q, [-2, 0, 0, 1], what="q of [-1.5, -0.5, 0.5, 1.5] in 2 bits (halves to even, clipped)")
_q, _scale, _zp = quantize_weights(np.array([-64.0, -0.75, -0.25, 0.25, 0.75, 63.5], dtype=np.float32), bits=8)
assert_close(_scale, 0.5, what="the scale of [-64, 63.5] in 8 bits")
assert_close(_zp, 0, what="the zero point of [-64, 63.5] in 8 bits")
assert_close(_q, [-128, -2, 0, 0, 2, 127], what="q of [-64, -0.75, -0.25, 0.25, 0.75, 63.5] in 8 bits (halves to even)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_zero", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the range always contains 0, which is represented exactly; all-zero weights work.
### BEGIN HIDDEN TESTS
for _w in (np.array([2.0, 3.0, 5.0]), np.array([-4.0, -1.0, -0.5]), np.zeros((3, 2)), np.array([0.0, 7.0, -0.1])):
    _w = _w.astype(np.float32)
    _qo, _so, _zo = _oracle_quantize(_w, 8)
    _q, _scale, _zp = quantize_weights(_w.copy(), bits=8)
    assert_close(_scale, _so, rtol=1e-6, what=f"the scale of {_w.ravel()}")
    assert_close(_zp, _zo, what=f"the zero point of {_w.ravel()}")
    assert_close(_q, _qo, what=f"q of {_w.ravel()}")
    _back = _oracle_dequantize(_q, _scale, _zp)
    assert np.all(_back[_w == 0] == 0.0), "zero must survive the round trip exactly"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_weights_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: ValueError for bits outside [2, 8]; the input array is not modified.
### BEGIN HIDDEN TESTS
_w = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
_copy = _w.copy()
quantize_weights(_w, bits=3)
assert np.array_equal(_w, _copy)
for _bits in (1, 9, 16, 0):
    try:
        quantize_weights(_w, bits=_bits)
    except ValueError:
        pass
    else:
        raise AssertionError(f"bits={_bits} must raise ValueError")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dequantize_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_back = dequantize_weights(np.array([-128, -28, 47, 127], dtype=np.int8), 0.02, -28)
assert _back.dtype == np.float32, _back.dtype
assert_close(_back, [-2.0, 0.0, 1.5, 3.1], rtol=1e-5, atol=1e-6, what=f"the weights {_back} (does 127 - (-28) overflow in int8?)")
print("dequantize_weights: visible tests passed")
# Hidden tests: float32 result, no int8 overflow in q - zero_point.
### BEGIN HIDDEN TESTS
_back = dequantize_weights(np.array([127, -128, 0], dtype=np.int8), 0.5, -128)
assert_close(_back, [127.5, 0.0, 64.0], rtol=1e-5, atol=1e-8, dtype=np.float32, what="the weights of the int8 extremes")
_q = np.array([[-8, 7], [0, 3]], dtype=np.int8)
_expected = (_q.astype(int) - 3) * 0.25
assert_close(dequantize_weights(_q.copy(), 0.25, 3), _expected, rtol=1e-5, atol=1e-8, dtype=np.float32, what="a 2x2 matrix")
### END HIDDEN TESTS

# %% [markdown]
# Now apply it to a layer. `quantize_layer_weights` keeps the integer form in
# `layer.quantized` (what you would store or ship) and puts the dequantised
# values back into `layer.weight.data`, so the layer runs as before, with the
# rounding error it would have on integer hardware (*simulated quantisation*).

# %% nbgrader={"grade": false, "grade_id": "quantize_layer_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def quantize_layer_weights(layer, bits=8):
    """Quantise layer.weight in place (simulated) and report the saving and the error.

    Use quantize_weights and dequantize_weights. Sets layer.quantized =
    {"q", "scale", "zero_point", "bits"}, replaces layer.weight.data with the
    dequantised values, and returns a dict with scale, zero_point, bits,
    original_bytes (float32), quantized_bytes (ceil(n * bits / 8)) and
    max_abs_error.
    """
    ### BEGIN SOLUTION
    original = layer.weight.data.copy()
    q, scale, zero_point = quantize_weights(original, bits)
    restored = dequantize_weights(q, scale, zero_point)
    layer.quantized = {"q": q, "scale": scale, "zero_point": zero_point, "bits": bits}
    layer.weight.data = restored
    return {
        "scale": scale,
        "zero_point": zero_point,
        "bits": bits,
        "original_bytes": original.size * BYTES_PER_FLOAT32,
        "quantized_bytes": math.ceil(original.size * bits / 8),
        "max_abs_error": float(np.max(np.abs(original - restored))),
    }
    ### END SOLUTION


def dequantize_layer_weights(layer):
    """The float32 weights recovered from layer.quantized."""
    ### BEGIN SOLUTION
    info = layer.quantized
    return dequantize_weights(info["q"], info["scale"], info["zero_point"])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_quantize_layer_weights_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Stand-ins with recognisable results, so that this test checks quantize_layer_weights alone.
def _stand_in_quantize(weights, bits=8):
    return np.zeros(np.shape(weights), dtype=np.int8), 0.5, 0


def _stand_in_dequantize(q, scale, zero_point):
    return np.full(np.shape(q), 0.25, dtype=np.float32)


np.random.seed(6)
_layer = Linear(16, 8)
_original = _layer.weight.data.copy()
with replaced(quantize_weights=_stand_in_quantize, dequantize_weights=_stand_in_dequantize):
    _info = quantize_layer_weights(_layer, bits=8)
assert _info["original_bytes"] == 16 * 8 * 4 and _info["quantized_bytes"] == 16 * 8, _info
assert (_info["scale"], _info["zero_point"], _info["bits"]) == (0.5, 0, 8), _info
assert set(_layer.quantized) >= {"q", "scale", "zero_point", "bits"} and _layer.quantized["scale"] == 0.5
assert_close(_layer.weight.data, np.full((16, 8), 0.25), what="weight.data (what dequantize_weights returned)")
assert_close(_info["max_abs_error"], np.max(np.abs(_original - 0.25)), atol=1e-6, what="max_abs_error")
print("quantize_layer_weights: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_quantize_layer_weights_report", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the returned figures, for an odd number of 4-bit weights; 8 bits by default.
### BEGIN HIDDEN TESTS
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = _model_of([5, 3], seed=82).layers[0]
    _w = _layer.weight.data.copy()
    _info = quantize_layer_weights(_layer, bits=4)
_qo, _so, _zo = _oracle_quantize(_w, 4)
assert_close(_info["scale"], _so, rtol=1e-6, what="scale")
assert_close(_info["zero_point"], _zo, what="zero_point")
assert _info["bits"] == 4, _info
assert _info["original_bytes"] == 60 and _info["quantized_bytes"] == 8, _info  # ceil(15 * 4 / 8)
_err = float(np.max(np.abs(_w - _oracle_dequantize(_qo, _so, _zo))))
assert _err <= _so / 2 + 1e-6
assert_close(_info["max_abs_error"], _err, atol=1e-6, what="max_abs_error")
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = _model_of([5, 3], seed=89).layers[0]
    _info = quantize_layer_weights(_layer)  # bits=8
assert _info["bits"] == 8 and _info["quantized_bytes"] == 15 and _layer.quantized["bits"] == 8, "the default is 8 bits"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_quantize_layer_weights_state", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: layer.quantized holds the integers; weight.data the dequantised floats; the bias is untouched.
### BEGIN HIDDEN TESTS
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = _model_of([6, 4], seed=83, bias_scale=1.0).layers[0]
    _w, _b, _tensor = _layer.weight.data.copy(), _layer.bias.data.copy(), _layer.weight
    quantize_layer_weights(_layer, bits=3)
_qo, _so, _zo = _oracle_quantize(_w, 3)
assert _layer.weight is _tensor and np.array_equal(_layer.bias.data, _b)
assert_close(_layer.quantized["q"], _qo, what='layer.quantized["q"]')
assert_close(_layer.quantized["zero_point"], _zo, what='layer.quantized["zero_point"]')
assert_close(_layer.quantized["scale"], _so, rtol=1e-6, what='layer.quantized["scale"]')
assert _layer.quantized["bits"] == 3, _layer.quantized["bits"]
assert_close(_layer.weight.data, _oracle_dequantize(_qo, _so, _zo), rtol=1e-5, atol=1e-6, what="weight.data (the dequantised weights)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dequantize_layer_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: recover float32 weights from a stored quantisation.
### BEGIN HIDDEN TESTS
with replaced(quantize_weights=_oracle_quantize, dequantize_weights=_oracle_dequantize):
    _layer = Linear(2, 2)
    _layer.quantized = {"q": np.array([[127, -128], [0, 5]], dtype=np.int8), "scale": 0.1, "zero_point": -3, "bits": 8}
    _got = dequantize_layer_weights(_layer)
assert_close(_got, [[13.0, -12.5], [0.3, 0.8]], rtol=1e-5, atol=1e-5, dtype=np.float32, what="the recovered weights")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_quantization", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    median_w = analyze_weight_distribution(teacher, percentiles=(50,))["percentiles"][50]
    print(f"{'bits':>4} | {'weight bytes':>12} | {'saving':>6} | {'max |error|':>11} | accuracy")
    table = []
    for bits in (8, 6, 4, 3, 2):
        clone = copy.deepcopy(teacher)
        reports = [quantize_layer_weights(layer, bits) for layer in clone.layers if isinstance(layer, Linear)]
        stored = sum(r["quantized_bytes"] for r in reports)
        original = sum(r["original_bytes"] for r in reports)
        worst = max(r["max_abs_error"] for r in reports)
        table.append((bits, worst, accuracy(clone, X_test, y_test)))
        print(f"{bits:4d} | {stored:12,} | {1 - stored / original:6.1%} | {worst:11.4f} | {table[-1][2]:.3f}")
    teacher_acc = accuracy(teacher, X_test, y_test)
    print(f"float32 teacher: {original:,} weight bytes, accuracy {teacher_acc:.3f}; median |w| {median_w:.4f}")

    bits_, errors, accs = zip(*table)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.3), layout="constrained")
    ax1.semilogy(bits_, errors, "o-", label="largest rounding error")
    ax1.axhline(median_w, color="gray", linestyle="--", label="median |w| of the teacher")
    ax1.set(title="Rounding error vs bits", xlabel="bits per weight", ylabel="max |w - dequantised w|")
    ax1.legend()
    ax2.plot(bits_, accs, "o-", label="quantised teacher")
    ax2.axhline(teacher_acc, color="gray", linestyle="--", label="float32 teacher")
    ax2.set(title="Accuracy vs bits", xlabel="bits per weight", ylabel="test accuracy")
    ax2.legend(loc="lower right")
    for ax in (ax1, ax2):
        ax.set_xticks(bits_)
    plt.show()

# %% [markdown]
# Eight bits cost nothing measurable here and save 75% of the weight memory;
# four bits still hold up (within a point of the float32 accuracy); below
# that the largest rounding error grows past the median weight itself, and
# accuracy falls with every bit removed. One outlier weight stretches the
# range for the whole tensor, which is why production systems quantise per
# output channel.
#
# ## 11. Measuring a model: parameters and bytes (3 points)
#
# A compact set of meters for the comparisons that follow. `count_parameters`
# splits the total into weight-matrix entries and bias entries and counts the
# nonzero ones; `calculate_model_size` converts a parameter count into bytes
# for a storage type (`float32`: 4 bytes, `float16`: 2, `int8`: 1).

# %% nbgrader={"grade": false, "grade_id": "CompressionMetrics", "locked": false, "schema_version": 3, "solution": true, "task": false}
class CompressionMetrics:
    """Parameter counts and storage sizes of a model (static methods)."""

    @staticmethod
    def count_parameters(model):
        """Dict with total_parameters, total_weights, total_bias and nonzero_parameters."""
        ### BEGIN SOLUTION
        params = model.parameters()
        weights = sum(p.size for p in params if p.ndim >= 2)
        biases = sum(p.size for p in params if p.ndim < 2)
        return {
            "total_parameters": weights + biases,
            "total_weights": weights,
            "total_bias": biases,
            "nonzero_parameters": sum(int(np.count_nonzero(p.data)) for p in params),
        }
        ### END SOLUTION

    @staticmethod
    def calculate_model_size(model, dtype="float32"):
        """Dict with total_parameters, bytes_per_parameter, total_bytes, size_kb, size_mb and dtype.

        Supported dtypes: float32, float16, int8; anything else raises ValueError.
        """
        ### BEGIN SOLUTION
        bytes_per_parameter = {"float32": 4, "float16": 2, "int8": 1}
        if dtype not in bytes_per_parameter:
            raise ValueError(f"unsupported dtype {dtype!r}")
        total = sum(p.size for p in model.parameters())
        total_bytes = total * bytes_per_parameter[dtype]
        return {
            "total_parameters": total,
            "bytes_per_parameter": bytes_per_parameter[dtype],
            "total_bytes": total_bytes,
            "size_kb": total_bytes / 1024,
            "size_mb": total_bytes / 1024**2,
            "dtype": dtype,
        }
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_CompressionMetrics_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(7)
_model = SimpleModel(Linear(10, 5), ReLU(), Linear(5, 2))
_counts = CompressionMetrics.count_parameters(_model)
_expected = {"total_parameters": 67, "total_weights": 60, "total_bias": 7, "nonzero_parameters": 60}
assert {k: _counts.get(k) for k in _expected} == _expected, _counts  # fresh biases are zero
_size = CompressionMetrics.calculate_model_size(_model, dtype="int8")
assert _size["total_bytes"] == 67 and _size["bytes_per_parameter"] == 1 and _size["dtype"] == "int8"
print("CompressionMetrics: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_CompressionMetrics_counts", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: counts with factorised layers, layers without bias and pruned weights.
### BEGIN HIDDEN TESTS
_m = SimpleModel(LowRankLinear(np.ones((6, 2)), np.zeros((2, 4)), np.ones(4)), ReLU(), Linear(4, 3, bias=False))
_m.layers[2].weight.data[0, :] = 0.0
_nonzero = 12 + 0 + 4 + int(np.count_nonzero(_m.layers[2].weight.data))  # counted before the call
_counts = CompressionMetrics.count_parameters(_m)
assert _counts["total_parameters"] == 12 + 8 + 4 + 12 and _counts["total_weights"] == 32 and _counts["total_bias"] == 4
assert _counts["nonzero_parameters"] == _nonzero, _counts
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_CompressionMetrics_size", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: bytes, KB and MB for each dtype; ValueError for others.
### BEGIN HIDDEN TESTS
_m = _model_of([256, 512, 10], seed=84)
_n = 256 * 512 + 512 + 512 * 10 + 10
for _dtype, _bytes in (("float32", 4), ("float16", 2), ("int8", 1)):
    _size = CompressionMetrics.calculate_model_size(_m, dtype=_dtype)
    assert _size["total_parameters"] == _n and _size["bytes_per_parameter"] == _bytes and _size["total_bytes"] == _n * _bytes
    assert_close(_size["size_kb"], _n * _bytes / 1024, atol=1e-9, what=f"size_kb for {_dtype}")
    assert_close(_size["size_mb"], _n * _bytes / 1024**2, atol=1e-12, what=f"size_mb for {_dtype}")
    assert _size["dtype"] == _dtype
assert CompressionMetrics.calculate_model_size(_m)["bytes_per_parameter"] == 4
assert CompressionMetrics.calculate_model_size(_m)["dtype"] == "float32", "the default dtype is float32"
for _bad in ("float64", "int4", "FLOAT32"):
    try:
        CompressionMetrics.calculate_model_size(_m, dtype=_bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"dtype={_bad!r} must raise ValueError")
### END HIDDEN TESTS

# %% [markdown]
# ## 12. Removing neurons for real (8 points)
#
# Structured pruning zeroed neurons but kept the matrices' shapes, so a
# forward pass costs as much as before. Removing a neuron `j` *physically*
# means deleting column `j` (and `b[j]`) from its layer and row `j` from the
# next layer's weight: both matrices shrink, and so does every matrix
# multiply. Because a zeroed neuron outputs `ReLU(0) = 0`, the network
# computes exactly what the zero-pruned network computed.

# %% nbgrader={"grade": false, "grade_id": "compute_neuron_importance", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compute_neuron_importance(layer, method="l2"):
    """Importance of each output neuron: the L2 ("l2") or L1 ("l1") norm of its weight column.

    Returns an array of shape (out_features,). Raise ValueError for another method.
    """
    ### BEGIN SOLUTION
    weight = layer.weight.data
    if method == "l2":
        return np.linalg.norm(weight, axis=0)
    if method == "l1":
        return np.abs(weight).sum(axis=0)
    raise ValueError(f"unknown importance method {method!r}; use 'l2' or 'l1'")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_compute_neuron_importance", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_layer = Linear(2, 3)
_layer.weight.data = np.array([[3.0, -1.0, 0.0], [4.0, 1.0, -2.0]])
assert_close(compute_neuron_importance(_layer), [5.0, np.sqrt(2), 2.0], rtol=1e-5, atol=1e-8,
             what="the L2 norms of the columns of [[3, -1, 0], [4, 1, -2]]")
print("compute_neuron_importance: visible tests passed")
# Hidden tests: L1 and L2 (the default) on random layers, ValueError for an unknown method.
### BEGIN HIDDEN TESTS
_layer = _model_of([7, 5], seed=85).layers[0]
_l2, _l1 = _oracle_importance(_layer, "l2"), _oracle_importance(_layer, "l1")
assert_close(compute_neuron_importance(copy.deepcopy(_layer)), _l2, rtol=1e-5, atol=1e-8, what="the importance by default (L2)")
assert_close(compute_neuron_importance(copy.deepcopy(_layer), "l2"), _l2, rtol=1e-5, atol=1e-8, what="the L2 importance")
assert_close(compute_neuron_importance(copy.deepcopy(_layer), method="l1"), _l1, rtol=1e-5, atol=1e-8, what="the L1 importance")
try:
    compute_neuron_importance(_layer, method="linf")
except ValueError:
    pass
else:
    raise AssertionError("method='linf' must raise ValueError")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "prune_layer_neurons", "locked": false, "schema_version": 3, "solution": true, "task": false}
def prune_layer_neurons(layer, next_layer, keep_ratio=0.7):
    """Remove the least important output neurons of layer, returning two new, smaller Linear layers.

    Keeps the max(1, int(keep_ratio * out_features)) neurons with the largest L2
    importance, in their original order: their weight columns and bias
    entries in the new layer, their input rows in the new next layer (whose
    bias is copied). The inputs are not modified. Raise ValueError if
    keep_ratio is outside (0, 1] or the two layers do not connect.
    """
    ### BEGIN SOLUTION
    if not 0.0 < keep_ratio <= 1.0:
        raise ValueError(f"keep_ratio must be in (0, 1], got {keep_ratio}")
    if layer.out_features != next_layer.in_features:
        raise ValueError(
            f"layer has {layer.out_features} outputs but next_layer expects {next_layer.in_features} inputs"
        )
    n_keep = max(1, int(keep_ratio * layer.out_features))
    importance = compute_neuron_importance(layer, "l2")
    keep = np.sort(np.argsort(-importance, kind="stable")[:n_keep])

    new_layer = Linear(layer.in_features, n_keep, bias=layer.bias is not None)
    new_layer.weight.data = layer.weight.data[:, keep].copy()
    if layer.bias is not None:
        new_layer.bias.data = layer.bias.data[keep].copy()

    new_next = Linear(n_keep, next_layer.out_features, bias=next_layer.bias is not None)
    new_next.weight.data = next_layer.weight.data[keep, :].copy()
    if next_layer.bias is not None:
        new_next.bias.data = next_layer.bias.data.copy()
    return new_layer, new_next
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
np.random.seed(8)
_layer, _next = Linear(4, 6), Linear(6, 3)
with replaced(compute_neuron_importance=lambda layer, method="l2": np.arange(layer.weight.shape[1], dtype=float)):
    _new, _new_next = prune_layer_neurons(_layer, _next, keep_ratio=0.5)  # shapes do not depend on the ranking
assert isinstance(_new, Linear) and isinstance(_new_next, Linear)
assert _new.weight.shape == (4, 3) and _new.bias.shape == (3,) and _new_next.weight.shape == (3, 3), (_new.weight.shape, _new_next.weight.shape)
assert _layer.weight.shape == (4, 6), "the original layer is not modified"
print("prune_layer_neurons: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_equivalence", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the smaller network computes what the zero-pruned network computed.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(86)
for _sizes, _keep in (([5, 9, 4], 0.5), ([8, 12, 6], 0.3), ([3, 7, 2], 0.9)):
    _m = _model_of(_sizes, seed=int(_rng.integers(1000)), bias_scale=1.0)
    _n_keep = max(1, int(_keep * _sizes[1]))
    _kept = np.sort(np.argsort(-_oracle_importance(_m.layers[0]), kind="stable")[:_n_keep])
    _zeroed = copy.deepcopy(_m)
    _removed = np.setdiff1d(np.arange(_sizes[1]), _kept)
    _zeroed.layers[0].weight.data[:, _removed] = 0.0
    _zeroed.layers[0].bias.data[_removed] = 0.0
    with replaced(compute_neuron_importance=_oracle_importance):
        _new, _new_next = prune_layer_neurons(copy.deepcopy(_m.layers[0]), copy.deepcopy(_m.layers[2]), keep_ratio=_keep)
    _x = _rng.standard_normal((7, _sizes[0]))
    _small = _new_next.forward(ReLU().forward(_new.forward(Tensor(_x)))).data
    assert_close(_small, _zeroed.forward(Tensor(_x)).data, rtol=1e-5, atol=1e-5,
                 what=f"the outputs of the smaller layers ({_sizes}, keep_ratio={_keep})")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_selection", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the most important neurons are kept, in their original order; the next layer's bias is kept;
# the default keep_ratio is 0.7.
### BEGIN HIDDEN TESTS
_layer, _next = Linear(3, 5), Linear(5, 2)
_layer.weight.data = np.array([[5.0, 0.1, 3.0, 0.2, 4.0]] * 3)
_layer.bias.data = np.arange(5.0)
_next.weight.data = np.arange(10.0).reshape(5, 2)
_next.bias.data = np.array([7.0, -7.0])
_w, _w_next = _layer.weight.data.copy(), _next.weight.data.copy()
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(copy.deepcopy(_layer), copy.deepcopy(_next), keep_ratio=0.6)  # keep 3: neurons 0, 2, 4
assert_close(_new.weight.data, _w[:, [0, 2, 4]], what="the new layer's weight (columns 0, 2, 4)")
assert_close(_new.bias.data, [0.0, 2.0, 4.0], what="the new layer's bias (entries 0, 2, 4)")
assert_close(_new_next.weight.data, _w_next[[0, 2, 4]], what="the new next layer's weight (rows 0, 2, 4)")
assert_close(_new_next.bias.data, [7.0, -7.0], what="the new next layer's bias (the next layer's, whole)")
_wide, _wide_next = Linear(2, 10), Linear(10, 3)
_wide.weight.data = np.tile(np.array([[3.0, 9.0, 1.0, 8.0, 2.0, 7.0, 6.0, 0.5, 5.0, 4.0]]), (2, 1))
_w, _w_next = _wide.weight.data.copy(), _wide_next.weight.data.copy()
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(copy.deepcopy(_wide), copy.deepcopy(_wide_next))  # keep_ratio=0.7: the 7 strongest of 10
assert_close(_new.weight.data, _w[:, [0, 1, 3, 5, 6, 8, 9]], what="the new layer's weight by default (keep_ratio=0.7)")
assert_close(_new_next.weight.data, _w_next[[0, 1, 3, 5, 6, 8, 9]], what="the new next layer's weight by default (keep_ratio=0.7)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_inputs_untouched", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: new, smaller layer objects; the inputs keep their shapes and values.
### BEGIN HIDDEN TESTS
_m = _model_of([6, 10, 4], seed=87, bias_scale=1.0)
_layer, _next = _m.layers[0], _m.layers[2]
_before = _snapshot(_m)
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(_layer, _next, keep_ratio=0.4)
assert _new is not _layer and _new_next is not _next
assert _new.weight.shape == (6, 4) and _new_next.weight.shape == (4, 4), "keep_ratio=0.4 keeps 4 of the 10 neurons"
_assert_parameters(_m, _before, what="the given layers (they must not be modified)")
_new.weight.data[...] = 123.0
_new_next.bias.data[...] = 123.0
_assert_parameters(_m, _before, what="the given layers after changing the new ones (they must not share arrays)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_prune_layer_neurons_errors", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: at least one neuron survives; ValueError for a bad keep_ratio or layers that do not connect.
### BEGIN HIDDEN TESTS
_m = _model_of([4, 6, 2], seed=88)
with replaced(compute_neuron_importance=_oracle_importance):
    _new, _new_next = prune_layer_neurons(_m.layers[0], _m.layers[2], keep_ratio=0.01)
    assert _new.weight.shape == (4, 1) and _new_next.weight.shape == (1, 2)
    for _args in ((_m.layers[0], _m.layers[2], 0.0), (_m.layers[0], _m.layers[2], 1.5), (_m.layers[0], Linear(5, 2), 0.5)):
        try:
            prune_layer_neurons(*_args)
        except ValueError:
            pass
        else:
            raise AssertionError("must raise ValueError")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_speedup", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    def physically_pruned(model, keep_ratio):
        """A copy of the 3-layer teacher with both hidden layers physically shrunk."""
        l1, l2, l3 = (layer for layer in model.layers if isinstance(layer, Linear))
        l1, l2 = prune_layer_neurons(l1, l2, keep_ratio)
        l2, l3 = prune_layer_neurons(l2, l3, keep_ratio)
        return SimpleModel(l1, ReLU(), l2, ReLU(), l3)

    batch = Tensor(np.tile(X_test, (20, 1)))  # 9 000 digits
    keeps = (1.0, 0.75, 0.5, 0.25, 0.1)
    print(f"{'keep':>5} | {'params':>7} | {'mult-adds':>9} | {'zeroed ms':>9} | {'removed ms':>10} | "
          f"speed-up | fewer mult-adds | acc zeroed | acc removed")
    speedups, work_ratios = [], []
    for keep in keeps:
        zeroed = structured_prune(copy.deepcopy(teacher), prune_ratio=1 - keep)
        small = physically_pruned(teacher, keep)
        t_zero, t_small = cpu_ms([zeroed, small], batch)
        speedups.append(t_zero / t_small)
        work_ratios.append(multiply_adds(zeroed) / multiply_adds(small))
        print(f"{keep:5.2f} | {Profiler().count_parameters(small):7,} | {multiply_adds(small):9,} | {t_zero:9.2f} | "
              f"{t_small:10.2f} | {speedups[-1]:7.1f}x | {work_ratios[-1]:14.1f}x | "
              f"{accuracy(zeroed, X_test, y_test):10.3f} | {accuracy(small, X_test, y_test):.3f}")

    fig, ax = plt.subplots(figsize=(6.5, 3.5), layout="constrained")
    ax.plot(keeps, work_ratios, "s--", color="gray", label="fewer multiply-adds (the ideal)")
    ax.plot(keeps, speedups, "o-", label="measured speed-up (CPU time, fastest of 15 passes)")
    ax.set_yscale("log")
    ax.invert_xaxis()
    ax.set(title="Removing neurons: speed-up over the zeroed model, 9 000 digits",
           xlabel="keep_ratio (fraction of hidden neurons kept)", ylabel="times faster (log scale)")
    ax.legend()
    plt.show()

# %% [markdown]
# The zeroed model does all of the dense work for neurons that output zero;
# the physically pruned one skips it. Each time is the CPU time of the
# fastest of 15 passes on one thread, after a warm-up: on a shared machine
# the wall clock also counts the time other programs hold the core. The
# speed-up grows as fewer neurons are kept, and roughly follows the ratio of
# multiply-adds while the layers are large; with a tenth of the neurons it
# falls well behind it: a small layer still pays the fixed cost of each
# call, and the head still writes its output for 9 000 digits.
#
# Down to keeping half of the neurons the two models have the same accuracy;
# at a quarter and a tenth they differ by more than ten points, one way at a
# quarter and the other way at a tenth. The reason is worth noticing:
# `physically_pruned` ranks the second hidden layer *after* the first removal
# has deleted some of its input rows, while `structured_prune` ranks both
# layers on the original weights, so the two pick different neurons in the
# second layer once many go. For the same choice of neurons the outputs are
# identical, which is what the tests of `prune_layer_neurons` check.
#
# ## 13. Before and after, with the Profiler
#
# Finally, the whole story in one table: the dense teacher, the same teacher
# after 80% magnitude pruning (zeros, same shapes), after physical neuron
# removal, and after low-rank factorisation of its hidden layers.

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_profiler", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    profiler = Profiler()
    candidates = {
        "dense teacher": teacher,
        "magnitude 80%": magnitude_prune(copy.deepcopy(teacher), 0.8),
        "neurons kept 30%": physically_pruned(teacher, 0.3),
    }
    low_rank_teacher = copy.deepcopy(teacher)
    compress_model(low_rank_teacher, {"low_rank": 0.2})
    candidates["low rank 0.2"] = low_rank_teacher
    print(f"{'model':>17} | {'params':>7} | {'nonzero':>7} | {'memory MB':>9} | {'mult-adds':>9} | "
          f"{'CPU ms':>9} | accuracy")
    for (name, model), ms in zip(candidates.items(), cpu_ms(list(candidates.values()), batch)):
        memory = profiler.measure_memory(model, batch.shape)["parameter_memory_mb"]
        counts = CompressionMetrics.count_parameters(model)
        print(f"{name:>17} | {counts['total_parameters']:7,} | {counts['nonzero_parameters']:7,} | {memory:9.3f} | "
              f"{multiply_adds(model):9,} | {ms:9.2f} | {accuracy(model, X_test, y_test):.3f}")

# %% [markdown]
# Magnitude pruning cuts the *nonzero* count but neither the memory of a
# dense format nor the multiply-adds, so a dense matrix multiply does all of
# its work. Removing neurons cuts parameters, memory and multiply-adds, and
# the time falls with them, several-fold. Factorising at rank 0.2 also cuts
# parameters, memory and multiply-adds about threefold, but at this size its
# time falls by much less than that: each factorised layer makes two matrix
# products and a thin intermediate array, and the layers' outputs, their
# bias additions and ReLUs keep their full width. Where wall time is noise or
# overhead, as with these small matrices, compare multiply-adds; time on the
# target hardware at the real size. Which technique wins depends on the
# accuracy you can give up and on what the hardware can exploit.
#
# ## 14. The compression toolkit in one place
#
# The given class below gathers the main functions under one name, the way a
# library would export them. It calls your functions, so it works once they do.

# %% nbgrader={"grade": false, "grade_id": "compression_complete", "locked": true, "schema_version": 3, "solution": false, "task": false}
class CompressionComplete:
    """Static entry points that delegate to the functions of this notebook."""

    @staticmethod
    def measure_sparsity(model):
        return measure_sparsity(model)

    @staticmethod
    def magnitude_prune(model, sparsity=0.9):
        return magnitude_prune(model, sparsity)

    @staticmethod
    def structured_prune(model, prune_ratio=0.5):
        return structured_prune(model, prune_ratio)

    @staticmethod
    def low_rank_approximate(weight_matrix, rank_ratio=0.5):
        return low_rank_approximate(weight_matrix, rank_ratio)

    @staticmethod
    def compress_model(model, compression_config):
        return compress_model(model, compression_config)
# %% tags=["reads-student-state"] nbgrader={"grade": false, "grade_id": "answer_helper", "locked": true, "schema_version": 3, "solution": false, "task": false}
def answer(name):
    """The value you assigned to `name` in an answer cell, or a clear reminder that you have not yet."""
    if name not in globals():
        raise NotImplementedError(f"assign {name} in its answer cell below")
    return globals()[name]


# %% [markdown]
# ## 15. ML systems thinking (16 points: 5 autograded, 11 written)
#
# Numbers first (autograded: assign the variables), reasoning after
# (graded by your instructor: a few precise sentences beat a page).
#
# ### Question 1: what pruning buys (3 points: 1 autograded, 2 written)
#
# Magnitude pruning removes 90% of the weights of a 10-million-parameter
# float32 model (40 MB).
#
# * `q1_active_millions`: how many parameters remain nonzero, in millions?
# * `q1_values_mb`: how many MB do the surviving float32 *values* take
#   (ignoring whatever a sparse format needs to store their positions)?

# %% nbgrader={"grade": false, "grade_id": "answers_q1", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q1_active_millions = 1.0
q1_values_mb = 4.0
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_q1 = answer("q1_active_millions"), answer("q1_values_mb")
assert all(isinstance(v, (int, float)) for v in _q1), "answer with numbers"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert abs(_q1[0] - 1.0) < 1e-6 and abs(_q1[1] - 4.0) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Q1 (reasoning).** Why does a 90%-sparse model usually run far less than
# 10× faster, and take more than 4 MB, on a CPU or GPU?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q1_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Dense kernels do the same multiply-adds whether a weight is
# zero or not, so unstructured zeros save no time unless a sparse kernel is
# used. Sparse formats (CSR, COO) must store an index per surviving value
# (e.g. 4 more bytes per value, so about 8 MB instead of 4 MB), and their
# irregular memory access defeats caches and SIMD; at 90% sparsity a sparse
# kernel typically wins only 1.5-3×, and only on large matrices.
#
# **Rubric (2 points).** 1 point: dense hardware/kernels skip no work for
# zeros (or: a sparse kernel is needed). 1 point: index/metadata overhead or
# irregular memory access (cache, SIMD, load balance). No point for "pruning
# hurts accuracy" alone.
# ### END SOLUTION

# %% [markdown]
# ### Question 2: structured or unstructured? (3 points: 1 autograded, 2 written)
#
# Answer each with the string `"structured"` or `"magnitude"`:
#
# * `q2_hardware_speedup`: which kind of sparsity speeds up ordinary dense hardware?
# * `q2_accuracy_at_high_sparsity`: which keeps more accuracy at the same high sparsity?
# * `q2_regular_memory_access`: which keeps memory access regular?

# %% nbgrader={"grade": false, "grade_id": "answers_q2", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q2_hardware_speedup = "structured"
q2_accuracy_at_high_sparsity = "magnitude"
q2_regular_memory_access = "structured"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_q2 = tuple(answer(n) for n in ("q2_hardware_speedup", "q2_accuracy_at_high_sparsity", "q2_regular_memory_access"))
for _answer in _q2:
    assert _answer in ("structured", "magnitude"), f"answer with 'structured' or 'magnitude', not {_answer!r}"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert _q2 == ("structured", "magnitude", "structured")
### END HIDDEN TESTS

# %% [markdown]
# **Q2 (reasoning).** Your pruning plot compared both methods on the digits
# teacher. Explain the gap between the two curves, and name one situation in
# which you would still choose structured pruning.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q2_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Magnitude pruning removes the individually least useful
# weights anywhere in the model, so each zero costs little accuracy.
# Structured pruning must remove a whole neuron at once, including some of
# its large weights, so at the same sparsity it removes more signal. It is
# still the right choice when latency or memory on ordinary hardware matters
# (phones, CPUs without sparse kernels): the smaller dense matrices run
# faster, as the speed-up table showed, and fine-tuning can recover accuracy.
#
# **Rubric (2 points).** 1 point: a correct reason for the accuracy gap
# (granularity: whole neurons include important weights). 1 point: a
# concrete situation where structured wins (real speed-up / memory on dense
# hardware, no sparse-kernel support).
# ### END SOLUTION

# %% [markdown]
# ### Question 3: distillation's payoff (3 points: 1 autograded, 2 written)
#
# A 100M-parameter teacher and a 10M-parameter student reach the same
# accuracy. The teacher answers in 100 ms, the student in 15 ms.
#
# * `q3_compression_ratio`: teacher parameters / student parameters.
# * `q3_speedup`: teacher latency / student latency.

# %% nbgrader={"grade": false, "grade_id": "answers_q3", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q3_compression_ratio = 100 / 10
q3_speedup = 100 / 15
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_q3 = answer("q3_compression_ratio"), answer("q3_speedup")
assert all(isinstance(v, (int, float)) for v in _q3), "answer with numbers"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert abs(_q3[0] - 10.0) < 1e-6 and abs(_q3[1] - 100 / 15) < 1e-2
### END HIDDEN TESTS

# %% [markdown]
# **Q3 (reasoning).** Why is the speed-up smaller than the compression
# ratio? What would you measure to find out where the student's time goes?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q3_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Latency is not proportional to parameter count: fixed
# costs (framework and kernel-launch overhead, data loading and
# pre-processing, memory transfers) stay the same, and a small model
# uses the hardware less efficiently (smaller matrices, lower arithmetic
# intensity, less parallelism). A profile of the forward pass per layer and
# per phase (the Profiler's latency, plus timing of input handling)
# separates compute from overhead.
#
# **Rubric (2 points).** 1 point: fixed/overhead costs or lower hardware
# utilisation of small matrices. 1 point: a sensible measurement (per-layer
# or per-phase timing, profiling, batch-size sweep).
# ### END SOLUTION

# %% [markdown]
# ### Question 4: when does a factorisation pay? (4 points: 2 autograded, 2 written)
#
# A (512, 256) weight matrix is approximated with rank 64, storing `U`,
# `S` and `V` separately.
#
# * `q4_original_params`: parameters of the dense matrix.
# * `q4_factored_params`: parameters of `U`, `S` and `V` together.
# * `q4_compression_ratio`: original / factored.
# * `q4_max_useful_rank`: the largest rank that still stores fewer numbers than the dense matrix.

# %% nbgrader={"grade": false, "grade_id": "answers_q4", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q4_original_params = 512 * 256
q4_factored_params = 64 * (512 + 256 + 1)
q4_compression_ratio = q4_original_params / q4_factored_params
q4_max_useful_rank = (512 * 256 - 1) // (512 + 256 + 1)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q4", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_q4 = tuple(answer(n) for n in ("q4_original_params", "q4_factored_params", "q4_compression_ratio", "q4_max_useful_rank"))
assert all(isinstance(v, (int, float)) for v in _q4), "answer with numbers"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert _q4[0] == 131072 and _q4[1] == 49216
assert abs(_q4[2] - 131072 / 49216) < 1e-3 and _q4[3] == 170
### END HIDDEN TESTS

# %% [markdown]
# **Q4 (reasoning).** Your singular-value plot compared a trained layer with a
# random one. Why can a rank-k approximation of a trained layer keep most of
# the accuracy even though it discards most of the singular values, and why
# would it save little on a small layer such as a 10-class head?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q4_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Training adds its learned structure mostly along a few
# directions with the largest singular values (above the random-looking
# spectrum of the initialisation); the top-k keep them, and the discarded tail
# is largely initialisation noise that the network tolerates. A random matrix
# has no such dominant directions, so truncating it loses information evenly.
# The Eckart-Young error measures what is lost. For an m×n layer with
# small n (e.g. 10 outputs), k(m + n + 1) < mn needs k < n·m/(m + n + 1), a
# rank only slightly below n: little to gain and the head's outputs are
# the classes.
#
# **Rubric (2 points).** 1 point: learned structure concentrated in the top
# singular directions (energy in few directions). 1 point: the parameter break-even bound
# makes small or thin matrices poor candidates.
# ### END SOLUTION

# %% [markdown]
# ### Question 5: a deployment plan (3 points, written)
#
# A phone app needs the digits classifier (or a model 1000× larger) under a
# 50 MB limit and a 100 ms latency budget. Which techniques of this chapter
# would you combine, in which order, and why? Say which technique serves the
# memory limit and which the latency budget.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q5_strategy", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Start from the architecture: distil into a smaller dense
# student (largest, most predictable gain for both memory and latency).
# Then structured pruning / neuron removal or low-rank factorisation of the
# large layers, with fine-tuning, to cut latency on dense hardware. Finally
# quantise to int8 (4× less memory, faster integer kernels on phones), after
# the structural changes, since quantising first would have to be redone.
# Unstructured magnitude pruning helps memory only with a sparse format and
# rarely helps latency on a phone.
#
# **Rubric (3 points).** 1 point: a sensible order with a reason (structure
# changes before quantisation; distillation/pruning before fine-tuning).
# 1 point: memory served by quantisation (and/or sparse storage).
# 1 point: latency served by structured pruning, factorisation or a
# smaller student, with the caveat that unstructured sparsity does not
# speed up dense hardware.
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# * **Sparsity is a measurement before it is a goal.** Count zeros over weight
#   matrices only, and report percentages.
# * **Magnitude pruning** with one global ranking and an exact count keeps
#   accuracy best per removed weight, but saves neither time nor dense memory.
# * **Structured pruning** costs more accuracy per zero and pays it back in
#   smaller dense matrices: removing neurons gives a real speed-up with
#   identical predictions.
# * **Low-rank factorisation** keeps the few dominant directions that training
#   adds to a layer; it pays only below the break-even rank `mn / (m + n + 1)`.
# * **Distillation** transfers a teacher's soft knowledge; `T²` keeps the soft
#   term's gradient on the scale of the hard term, and log-space arithmetic
#   keeps the loss exact.
# * **Quantisation** to int8 saves 75% of the memory for an error of at most
#   half a quantisation step; the zero point keeps zeros exact, and the
#   arithmetic must be widened before subtracting it.
#
# Compression is a trade between size, speed and accuracy, and only
# measurement on the real model and the real hardware tells which trade is good.
