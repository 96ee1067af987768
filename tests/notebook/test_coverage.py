"""Every documented default and every documented dict key is exercised by a hidden test (fast, textual).

The contract (shared/CONTRACT.md) fixes default arguments and the keys of
the dicts some functions return. A default that no hidden test relies on, or
a key that no hidden test reads, could be anything in a submission and still
earn full marks. This reads the hidden part (``### BEGIN/END HIDDEN TESTS``)
of the test cells of each function (grade ids ``test_<function>[_*]``) and
checks, by the syntax tree alone:

* for each default: the reference signature has it, and some hidden test of
  the function calls it *without* that argument (so the default is what runs);
* for each documented key: the key's string appears in a hidden test of the
  function (so some assertion reads it).

It cannot tell whether the result of such a call is asserted well; the
mutation check (tests/grading/test_mutants.py) judges that.
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from course.cells import CellKind, cell_kind, grade_id, is_test_of
from tests.reference import NOTEBOOK

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

# (contract function or class, callable called by the tests, parameter, default)
CONTRACT_DEFAULTS = [
    ("magnitude_prune", "magnitude_prune", "sparsity", 0.9),
    ("structured_prune", "structured_prune", "prune_ratio", 0.5),
    ("low_rank_approximate", "low_rank_approximate", "rank_ratio", 0.5),
    ("KnowledgeDistillation", "KnowledgeDistillation", "temperature", 3.0),
    ("KnowledgeDistillation", "KnowledgeDistillation", "alpha", 0.7),
    ("train_with_distillation", "train_with_distillation", "epochs", 20),
    ("train_with_distillation", "train_with_distillation", "learning_rate", 0.1),
    ("train_with_distillation", "train_with_distillation", "batch_size", 32),
    ("train_with_distillation", "train_with_distillation", "seed", 0),
    ("quantize_weights", "quantize_weights", "bits", 8),
    ("quantize_layer_weights", "quantize_layer_weights", "bits", 8),
    ("CompressionMetrics", "calculate_model_size", "dtype", "float32"),
    ("compute_neuron_importance", "compute_neuron_importance", "method", "l2"),
    ("prune_layer_neurons", "prune_layer_neurons", "keep_ratio", 0.7),
]

# (contract function or class, what the keys belong to, documented keys)
CONTRACT_KEYS = [
    ("compress_model", "compress_model's statistics", (
        "original_params", "final_params", "original_sparsity", "final_sparsity",
        "sparsity_increase", "applied_techniques", "compression_ratio",
    )),
    ("quantize_layer_weights", "quantize_layer_weights' report", (
        "scale", "zero_point", "bits", "original_bytes", "quantized_bytes", "max_abs_error",
    )),
    ("quantize_layer_weights", "layer.quantized", ("q", "scale", "zero_point", "bits")),
    ("CompressionMetrics", "count_parameters", (
        "total_parameters", "total_weights", "total_bias", "nonzero_parameters",
    )),
    ("CompressionMetrics", "calculate_model_size", (
        "total_parameters", "bytes_per_parameter", "total_bytes", "size_kb", "size_mb", "dtype",
    )),
]


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def hidden_part(source: str) -> str:
    """The code between the hidden-test markers of one cell ('' when it has none)."""
    if BEGIN not in source:
        return ""
    return source.split(BEGIN, 1)[1].split(END, 1)[0]


def hidden_trees(nb, function: str) -> list[ast.Module]:
    """The parsed hidden tests of ``function``'s test cells."""
    return [
        ast.parse(hidden_part(cell.source))
        for cell in nb.cells
        if cell_kind(cell) is CellKind.TESTS and is_test_of(grade_id(cell), function) and BEGIN in cell.source
    ]


def callee_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def signature(nb, callee: str) -> tuple[list[str], dict[str, object]]:
    """Parameter names (without self) and literal defaults of ``callee`` (a class means its __init__) in the solutions."""
    for cell in nb.cells:
        if cell_kind(cell) is not CellKind.SOLUTION:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ClassDef) and node.name == callee:
                node = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
            elif not (isinstance(node, ast.FunctionDef) and node.name == callee):
                continue
            names = [a.arg for a in node.args.args]
            if names and names[0] == "self":
                names = names[1:]
            defaults = dict(zip(names[len(names) - len(node.args.defaults):], map(ast.literal_eval, node.args.defaults)))
            return names, defaults
    raise LookupError(f"no solution defines {callee}")


def leaves_out(call: ast.Call, parameter: str, position: int) -> bool:
    """Whether ``call`` certainly does not pass ``parameter`` (positionally or by name)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return False  # *args or **kwargs: cannot tell
    return len(call.args) <= position and all(k.arg != parameter for k in call.keywords)


@pytest.mark.parametrize(
    "function, callee, parameter, default", CONTRACT_DEFAULTS, ids=lambda v: v if isinstance(v, str) else None
)
def test_every_contract_default_is_exercised_by_a_hidden_test(nb, function, callee, parameter, default):
    names, defaults = signature(nb, callee)
    assert defaults.get(parameter, "missing") == default and type(defaults[parameter]) is type(default), (
        f"the reference {callee} must default {parameter}={default!r} as the contract says, has {defaults}"
    )
    position = names.index(parameter)
    calls = [
        node for tree in hidden_trees(nb, function) for node in ast.walk(tree)
        if isinstance(node, ast.Call) and callee_name(node) == callee
    ]
    assert calls, f"no hidden test of {function} calls {callee}"
    assert any(leaves_out(call, parameter, position) for call in calls), (
        f"no hidden test of {function} calls {callee} without {parameter}: the default {parameter}={default!r} is never checked"
    )


@pytest.mark.parametrize("function, owner, keys", CONTRACT_KEYS, ids=lambda v: v if isinstance(v, str) else None)
def test_every_documented_key_is_read_by_a_hidden_test(nb, function, owner, keys):
    strings = {
        node.value for tree in hidden_trees(nb, function) for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    missing = [key for key in keys if key not in strings]
    assert not missing, f"no hidden test of {function} reads {missing} of {owner}"


def test_the_check_sees_a_default_left_out_and_one_passed():
    call = ast.parse("f(model)").body[0].value
    assert leaves_out(call, "sparsity", 1)
    for passed in ("f(model, 0.5)", "f(model, sparsity=0.5)", "f(*args)", "f(model, **options)"):
        assert not leaves_out(ast.parse(passed).body[0].value, "sparsity", 1), passed
