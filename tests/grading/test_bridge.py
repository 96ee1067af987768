"""The call bridge between the grader and a kernel, with both ends in this process.

The kernel's end runs in a thread with a plain dict as its notebook; messages
pass through queues exactly as they would through the socket. What matters:
identity and in-place changes survive the trip both ways, nested calls work,
errors keep their builtin type, and the grader's end accepts nothing but
plain data (an object that claims to equal everything stays in the kernel).
"""

from __future__ import annotations

import json
import queue
import threading
import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course.grading.bridge import Bridge, Handle, KernelAgent, ProtocolError, RemoteError, resolve_classes
from tests.grading.course_settings import SHARED_CLASSES
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear
from tinytorch.core.tensor import Tensor


class SimpleModel:
    def __init__(self, *layers):
        self.layers = list(layers)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class Pair:
    """Two bridges joined by queues; the kernel's end serves in a thread per cell, as the agent does."""

    def __init__(self, kernel_code: str) -> None:
        self.to_kernel: queue.Queue[str] = queue.Queue()
        self.to_grader: queue.Queue[str] = queue.Queue()
        self.kernel_ns: dict = {"SimpleModel": SimpleModel, "np": np, "Tensor": Tensor, "Linear": Linear}
        exec(kernel_code, self.kernel_ns)
        self.agent = KernelAgent(self.kernel_ns, SHARED_CLASSES)
        self.agent.bridge.exchange = self._kernel_exchange
        grader_ns = {"SimpleModel": SimpleModel}
        self.grader = Bridge("t", self._grader_exchange, lambda: resolve_classes(SHARED_CLASSES, grader_ns))
        self.thread: threading.Thread | None = None

    def _kernel_exchange(self, text: str) -> str:
        self.to_grader.put(text)
        return self.to_kernel.get(timeout=10)

    def _grader_exchange(self, text: str) -> str:
        if self.thread is None:
            self.thread = threading.Thread(target=self._serve, daemon=True)
            self.thread.start()
            assert json.loads(self.to_grader.get(timeout=10))["op"] == "ready"
        self.to_kernel.put(text)
        return self.to_grader.get(timeout=10)

    def _serve(self) -> None:
        self.agent.bridge.reset()
        self.agent.bridge.serve(json.dumps({"op": "ready", "state": []}))

    def function(self, name: str) -> Handle:
        return Handle(self.grader, f"g:{name}")

    def close(self) -> None:
        if self.thread is not None:
            self.to_kernel.put(json.dumps({"op": "done", "state": []}))
            self.thread.join(timeout=10)


@pytest.fixture
def pair(request):
    made = []

    def make(code: str) -> Pair:
        made.append(Pair(code))
        return made[-1]

    yield make
    for p in made:
        p.close()


def model_of(*shapes) -> SimpleModel:
    rng = np.random.default_rng(0)
    layers = []
    for n_in, n_out in shapes:
        layer = Linear(n_in, n_out)
        layer.weight.data = rng.standard_normal((n_in, n_out))
        layers += [layer, ReLU()]
    return SimpleModel(*layers[:-1])


def test_identity_and_in_place_changes_come_back(pair):
    p = pair("def prune(model):\n    model.layers[0].weight.data[0, :] = 0\n    return model\n")
    model = model_of((3, 2), (2, 2))
    weight = model.layers[0].weight
    array = weight.data
    result = p.function("prune")(model)
    assert result is model and model.layers[0].weight is weight
    assert weight.data is array, "in-place changes are applied in place"
    assert np.all(array[0] == 0) and np.all(array[1:] != 0)


def test_new_objects_and_shared_parts(pair):
    p = pair("def rebuild(model):\n    new = Linear(3, 2)\n    new.bias = model.layers[0].bias\n    model.layers[0] = new\n    return new\n")
    model = model_of((3, 2), (2, 2))
    bias = model.layers[0].bias
    new = p.function("rebuild")(model)
    assert isinstance(new, Linear) and model.layers[0] is new and new.bias is bias


def test_arrays_changed_in_place_are_written_back_and_others_left_alone(pair):
    p = pair("def scale(a, b):\n    a *= 2\n    return float(b.sum())\n")
    a, b = np.ones(3), np.arange(4.0)
    assert p.function("scale")(a, b) == 6.0
    assert np.array_equal(a, [2, 2, 2]) and np.array_equal(b, [0, 1, 2, 3])


def test_the_kernel_calls_back_into_the_grader_and_sees_its_changes(pair):
    p = pair(
        "def train(kd, steps):\n"
        "    for _ in range(steps):\n"
        "        kd.step(kd.student)\n"
        "    return kd.student.layers[0].weight.data.copy()\n"
    )
    student = model_of((2, 2))

    def step(model):
        model.layers[0].weight.data += 1.0

    before = student.layers[0].weight.data.copy()
    kd = types.SimpleNamespace(student=student, step=step)
    after = p.function("train")(kd, 3)
    assert np.allclose(after, before + 3) and np.allclose(student.layers[0].weight.data, before + 3)


def test_errors_keep_their_builtin_type(pair):
    p = pair(
        "class Mine(ValueError):\n    pass\n"
        "def bad(kind):\n"
        "    if kind == 'mine':\n        raise Mine('custom')\n"
        "    if kind == 'exit':\n        raise SystemExit('bye')\n"
        "    raise KeyError('k')\n"
    )
    with pytest.raises(ValueError, match="custom"):
        p.function("bad")("mine")
    with pytest.raises(KeyError):
        p.function("bad")("key")
    with pytest.raises(RemoteError, match="SystemExit"):
        p.function("bad")("exit")


def test_an_object_that_equals_everything_stays_in_the_kernel(pair):
    p = pair(
        "class Yes(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = float.__hash__\n"
        "    def __float__(self):\n        return 0.0\n"
        "class Anything:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __bool__(self):\n        return True\n"
        "def number():\n    return Yes(5.0)\n"
        "def thing():\n    return Anything()\n"
    )
    number = p.function("number")()
    assert type(number) is float and number != 1.0
    thing = p.function("thing")()
    assert isinstance(thing, Handle) and thing != 1
    with pytest.raises(TypeError):
        bool(thing)


def test_the_kernel_notebook_names_can_be_swapped_for_the_graders(pair):
    p = pair("def helper(x):\n    return -1\ndef uses_helper(x):\n    return helper(x) + 1\n")
    bridge = p.grader
    bridge.request({"op": "bind", "names": {"helper": lambda x: x * 10}})
    assert p.function("uses_helper")(4) == 41
    bridge.request({"op": "unbind"})
    assert p.function("uses_helper")(4) == 0


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "k:1", "cls": "Nope", "attrs": {}},
        {"id": "k:1", "cls": "Linear", "attrs": {"forward": {"$": "handle", "id": "k:2"}}},
        {"id": "k:1", "cls": "Linear", "attrs": {"__class__": None}},
        {"id": "k:1", "cls": "Tensor", "attrs": {"data": {"$": "nd", "dtype": "object", "shape": [1], "data": ""}}},
        {"id": "k:1", "cls": "Tensor", "attrs": {"data": {"$": "nd", "dtype": "float64", "shape": [3], "data": "AAAA"}}},
        {"id": "../x", "cls": "Tensor", "attrs": {}},
    ],
    ids=["unknown class", "replaced method", "dunder", "object dtype", "short array", "bad id"],
)
def test_the_grader_rejects_malformed_data(entry):
    sent = []
    bridge = Bridge("t", sent.append, lambda: resolve_classes(SHARED_CLASSES, {"SimpleModel": SimpleModel}))
    with pytest.raises(ProtocolError):
        bridge._load(json.dumps({"op": "return", "value": None, "state": [entry]}))


@pytest.mark.parametrize(
    "reply",
    [
        {"op": "return", "value": {"$": "nd", "dtype": [1], "shape": [1], "data": ""}, "state": []},
        {"op": "return", "value": None, "state": [{"id": "k:1", "cls": [1], "attrs": {}}]},
        {"op": "return", "value": {"$": "dict", "items": [[{"$": "list", "items": []}, 1]]}, "state": []},
    ],
    ids=["unhashable dtype", "unhashable class", "unhashable key"],
)
def test_malformed_data_is_never_an_error_a_test_could_catch(reply):
    """A test expecting ValueError or TypeError must not pass because the kernel sent garbage."""
    bridge = Bridge("t", lambda text: json.dumps(reply), lambda: resolve_classes(SHARED_CLASSES, {"SimpleModel": SimpleModel}))
    with pytest.raises(ProtocolError):
        bridge.request({"op": "call", "target": "g:f", "args": [], "kwargs": {}})


def test_the_grader_rejects_deep_nesting_and_non_json():
    bridge = Bridge("t", lambda text: text, lambda: {})
    deep: dict = {"$": "list", "items": []}
    for _ in range(100):
        deep = {"$": "list", "items": [deep]}
    with pytest.raises(ProtocolError):
        bridge._dec(deep, 0)
    with pytest.raises(ProtocolError):
        bridge._load("not json")


# ---- values cross unchanged ------------------------------------------------------

PLAIN_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float16", "float32", "float64", "complex64", "complex128"]


def arrays_of_plain_dtypes():
    """Arrays of every plain dtype: 0-d, empty, zero-length axes, either byte order, C, Fortran or strided."""
    def build(dtype, shape, layout, swapped):
        return hnp.arrays(np.dtype(dtype), shape).map(lambda a: arrange(a, layout, swapped))

    return st.builds(build, st.sampled_from(PLAIN_DTYPES), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                     st.sampled_from(["C", "F", "strided"]), st.booleans()).flatmap(lambda s: s)


def arrange(array, layout, swapped):
    if swapped and array.dtype.itemsize > 1:
        array = array.astype(array.dtype.newbyteorder())
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided" and array.ndim:
        return np.repeat(array, 2, axis=0)[::2]
    return array


numpy_scalars = arrays_of_plain_dtypes().filter(lambda a: a.size > 0).map(lambda a: a.ravel()[0])
python_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
plain_values = st.recursive(
    st.one_of(python_scalars, numpy_scalars, arrays_of_plain_dtypes()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)


def describe(value):
    """Everything a test could observe about a value: exact types, dtypes, shapes, memory order, bytes."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.newbyteorder("=").str, value.shape,
                value.ndim > 1 and value.flags.f_contiguous and not value.flags.c_contiguous,
                value.astype(value.dtype.newbyteorder("=")).tobytes())
    if isinstance(value, np.generic):
        return (type(value).__name__, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [describe(v) for v in value])
    if isinstance(value, dict):
        return ("dict", [(describe(k), describe(v)) for k, v in value.items()])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


ECHO = (
    "def echo(x):\n    return x\n"
    "def through(callback, x):\n    return callback(x)\n"
    "def made_here(kind):\n    return eval(kind)\n"
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=plain_values)
def test_plain_values_cross_unchanged_both_ways(pair, value):
    """Into the kernel and back, and from the kernel into a grader callback and back: as a direct call."""
    p = pair(ECHO)
    seen_by_callback = []

    def callback(x):
        seen_by_callback.append(describe(x))
        return x

    assert describe(p.function("echo")(value)) == describe(value)
    assert describe(p.function("through")(callback, value)) == describe(value)
    assert seen_by_callback == [describe(value)]
    p.close()


@pytest.mark.parametrize(
    "kind, expected",
    [("np.float64(2.5)", np.float64), ("np.int64(7)", np.int64), ("np.uint8(3)", np.uint8), ("np.bool_(True)", np.bool_),
     ("np.float32(1.5)", np.float32), ("100.0 * np.sum(np.zeros(4) == 0) / 4", np.float64), ("np.array(3.0)", np.ndarray)],
)
def test_numpy_scalars_the_kernel_makes_stay_numpy_scalars(pair, kind, expected):
    value = pair(ECHO).function("made_here")(kind)
    assert type(value) is expected and np.shape(value) == ()
    assert float(value) == float(eval(kind)) and f"{value:.1f}" == f"{eval(kind):.1f}"


@pytest.mark.parametrize("kind", ["np.array([object()])", "np.array(['a', 'b'])", "np.datetime64('2026-01-01')",
                                  "np.zeros(2, dtype=[('a', 'f8')])"])
def test_values_that_are_not_plain_data_are_an_error_naming_the_type(pair, kind):
    with pytest.raises(TypeError, match="dtype"):
        pair(ECHO).function("made_here")(kind)
    with pytest.raises(TypeError, match="dtype"):
        pair(ECHO).function("echo")(eval(kind))


def test_a_kernel_object_used_as_data_is_an_error_naming_its_type(pair):
    p = pair("class Mask:\n    pass\ndef make():\n    return Mask()\n")
    mask = p.function("make")()
    assert "Mask" in repr(mask)
    for use in (float, int, len, list, np.asarray):
        with pytest.raises(TypeError, match="Mask object of the student.s kernel> is not plain data"):
            use(mask)


# ---- objects behave as local objects ----------------------------------------------


def test_student_code_keeps_its_own_attributes_on_the_graders_stand_ins(pair):
    p = pair(
        "def train(kd, stand_in):\n"
        "    kd.loss_history = []\n"
        "    for step in range(3):\n"
        "        kd.loss_history.append(kd.distillation_loss(step))\n"
        "    stand_in.calls = 1\n    stand_in.calls += 1\n"
        "    kd.temporary = 'x'\n    del kd.temporary\n"
        "    assert not hasattr(kd, 'temporary')\n"
        "    try:\n        del kd.never_set\n    except AttributeError:\n        pass\n"
        "    else:\n        raise AssertionError('deleting a missing attribute must fail')\n"
        "    return kd.loss_history, stand_in.calls, stand_in.scale\n"
    )

    class StandIn:
        def __init__(self):
            self.scale = 2.0

        def distillation_loss(self, step):
            return self.scale * step

    kd, stand_in = StandIn(), types.SimpleNamespace(scale=3.0)
    assert p.function("train")(kd, stand_in) == ([0.0, 2.0, 4.0], 2, 3.0)
    assert vars(kd) == {"scale": 2.0}, "the grader's own object is never changed from the kernel"


def test_extra_attributes_on_mirrored_objects_are_seen_on_both_sides(pair):
    p = pair(
        "class Helper:\n    def value(self):\n        return 42\n"
        "def annotate(model):\n"
        "    model.mask = np.ones(3)\n    model.layers[0].importance = np.float64(1.5)\n"
        "    model.layers[0].weight.note = 'w'\n    model.helper = Helper()\n"
        "    return model\n"
        "def read(model):\n    return model.helper.value(), float(model.layers[0].importance)\n"
        "def tidy(model):\n    del model.mask\n    del model.layers[0].weight.note\n    return model\n"
    )
    model = model_of((3, 2), (2, 2))
    assert p.function("annotate")(model) is model
    assert np.array_equal(model.mask, np.ones(3)) and type(model.layers[0].importance) is np.float64
    assert model.layers[0].weight.note == "w"
    assert p.function("read")(model) == (42, 1.5), "the kernel finds its own object again"
    p.function("tidy")(model)
    assert not hasattr(model, "mask") and not hasattr(model.layers[0].weight, "note")
    assert isinstance(model.layers[0], Linear) and model.layers[0].weight.data.shape == (3, 2)


def test_kernel_objects_put_in_a_model_never_answer_the_graders_calls(pair):
    p = pair(
        "class FakeLayer:\n"
        "    def parameters(self):\n        return []\n"
        "    def forward(self, x):\n        return x\n"
        "def swap(model):\n    model.layers = [FakeLayer(), FakeLayer()]\n    return model\n"
        "def count(model):\n    return len(model.layers[0].parameters())\n"
    )
    model = model_of((3, 2), (2, 2))
    p.function("swap")(model)
    assert len(model.layers) == 2 and not isinstance(model.layers[0], Linear)
    with pytest.raises(ProtocolError):
        model.layers[0].forward(np.ones(3))
    with pytest.raises(ProtocolError):
        model.parameters()
    assert p.function("count")(model) == 0, "in the kernel they are still the student's objects"
