"""The catalogue of probe submissions, checked without grading anything (fast).

Every mutant must still be an edit of today's reference: each replacement
applies exactly once, the result is valid Python that still defines the
function, and only that function (or a private helper of its cell) changed,
so that its student can only lose points for the intended mistake.
"""

from __future__ import annotations

import ast

import pytest

from course.definitions import top_level_definitions
from demo.submissions import apply_replacements
from tests.grading.mutants import Mistake, Mutant, MutantError, form_problems, load_alternatives, load_mutants

# The student functions and classes of the contract (shared/CONTRACT.md).
CONTRACT_FUNCTIONS = (
    "measure_sparsity",
    "magnitude_prune",
    "structured_prune",
    "low_rank_approximate",
    "KnowledgeDistillation",
    "train_with_distillation",
    "compress_model",
    "quantize_weights",
    "dequantize_weights",
    "quantize_layer_weights",
    "dequantize_layer_weights",
    "CompressionMetrics",
    "compute_neuron_importance",
    "prune_layer_neurons",
)
MIN_MUTANTS = 15
DO_NOTHING = "does_nothing_"  # name prefix of the stubs that must earn nothing
MODULE_LEVEL = "<module level>"


def definition_texts(code: str) -> dict[str, str]:
    """The text of each top-level def/class of ``code``, and of everything else under MODULE_LEVEL."""
    lines = code.splitlines()
    spans = top_level_definitions(code)
    texts = {name: "\n".join(lines[start:end]) for name, (start, end) in spans.items()}
    inside = {i for start, end in spans.values() for i in range(start, end)}
    texts[MODULE_LEVEL] = "\n".join(line for i, line in enumerate(lines) if i not in inside).strip()
    return texts


def test_catalogue_is_large_enough():
    assert len(load_mutants()) >= MIN_MUTANTS
    assert len(load_alternatives()) >= 2


def test_catalogue_names_only_contract_functions():
    assert {m.function for m in load_mutants()} <= set(CONTRACT_FUNCTIONS)
    variants = [v for alt in load_alternatives() for v in alt.variants]
    assert {v.function for v in variants} <= set(CONTRACT_FUNCTIONS)
    assert all(v.function in v.defines for v in variants), "each file defines the function it is named after"


def test_mutant_names_are_unique():
    names = [m.name for m in load_mutants()]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("function", CONTRACT_FUNCTIONS)
def test_every_function_has_mutants_and_alternatives(function, reference_code):
    assert any(function in top_level_definitions(code) for code in reference_code.values()), f"{function} is not in the notebook"
    assert any(m.function == function for m in load_mutants()), f"no wrong/{function}.py"
    assert any(
        function in v.defines for alt in load_alternatives() for v in alt.variants
    ), f"no correct/<style>/*.py defines {function}"


@pytest.mark.parametrize("function", CONTRACT_FUNCTIONS)
def test_every_function_has_a_do_nothing_stub(function):
    """Nothing for nothing: each function's stubs (tests/grading/test_mutants.py checks they earn 0 points)."""
    stubs = [m.name for m in load_mutants() if m.function == function and m.mistake.name.startswith(DO_NOTHING)]
    assert stubs, f"wrong/{function}.py has no {DO_NOTHING}* mistake (returns its input, zeros, empty or None)"


@pytest.mark.parametrize("mutant", load_mutants(), ids=lambda m: m.name)
def test_mutant_is_an_edit_of_its_function(mutant: Mutant, reference_code):
    assert mutant.function in top_level_definitions(reference_code.get(mutant.cell, "")), (
        f"{mutant.name}: cell {mutant.cell!r} does not define {mutant.function}"
    )
    code = mutant.cell_code(reference_code)  # MutantError unless every replacement applies exactly once
    ast.parse(code)
    before, after = definition_texts(reference_code[mutant.cell]), definition_texts(code)
    assert before.keys() == after.keys(), f"{mutant.name} adds or removes definitions: {before.keys() ^ after.keys()}"
    changed = {name for name in before if before[name] != after[name]}
    assert changed, f"{mutant.name} hands in the reference unchanged"
    foreign = {name for name in changed if name != mutant.function and not name.startswith("_")}
    assert not foreign, f"{mutant.name} changes {sorted(foreign)}, not only {mutant.function} (or a private helper)"


def test_malformed_mistakes_are_refused():
    assert form_problems(Mistake("ok_name", "One line.", ("old", "new"))) == []
    assert form_problems(("ok_name", "One line.")) == ["not a Mistake"]
    assert len(form_problems(Mistake("Bad-Name", "two\nlines", ("old",)))) == 3
    assert form_problems(Mistake("no_edit", "One line.")) == ["there are no replacements"]


def test_a_mutant_that_no_longer_fits_names_itself():
    reference = {"cell": "def f(x):\n    y = x + 1\n    y = x + 1\n    return y\n"}
    cases = {
        "gone": ("x * 2", "x * 3"),  # the reference was rewritten: old no longer occurs
        "twice": ("y = x + 1", "y = x - 1"),  # ambiguous: which one is the mistake?
        "same": ("return y", "return y"),  # would hand in the reference
    }
    for name, replacement in cases.items():
        mutant = Mutant(function="f", cell="cell", mistake=Mistake(name, "a mistake", replacement))
        with pytest.raises(MutantError, match=f"mutant f__{name} "):
            mutant.submission(reference)
    with pytest.raises(MutantError, match="f__x: no solution cell 'other'"):
        Mutant("f", "other", Mistake("x", "a mistake", ("y", "z"))).submission(reference)


def test_apply_replacements_applies_in_turn_and_exactly_once():
    source = "a = 1\nb = 2\n"
    assert apply_replacements(source, [("a = 1", "a = 10"), ("a = 10\nb", "a = 10\nc")]) == "a = 10\nc = 2\n"
    with pytest.raises(ValueError, match=r"replacement 1 \(a = 1\): old text occurs 0 times"):
        apply_replacements(source, [("a = 1", "a = 10"), ("a = 1\n", "")])
    with pytest.raises(ValueError, match="occurs 2 times"):
        apply_replacements(source, [(" = ", " := ")])
    with pytest.raises(ValueError, match="occurs 0 times"):
        apply_replacements(source, [("", "x")])
