"""Expected values come only from data the grader holds (fast: three notebooks, graded as ``course autograde`` does).

A test cell runs in the grader, and the student's functions are stand-ins
whose calls run in the kernel (``course.grading.bridge``). Whatever the
kernel changes in the arrays, tensors, layers and models it is given is
written back into the grader's objects after the call: on purpose, so that a
test can see that ``magnitude_prune`` pruned in place. So a test must take
its expected values from its own copy of every input, made before the call,
and never from an input after it; and a comparison must not pass because
there is nothing to compare (an empty array, a model without layers, a zip
that stops early), because an answer is not finite, or because the tolerance
grew with the answer.

Each attack below is a mutant of the catalogue (``tests/grading/mutants/wrong``,
graded by the full mutation check with stock nbgrader and the sandboxed
grader alike) that exploited one of those weaknesses of the hidden tests.
Here they are graded against the real source notebook by ``SandboxedExecute``,
the step ``course autograde`` runs, and scored as nbgrader scores. Each
notebook hands in at most one attack per function and the reference for
everything else, so one run judges several attacks (a mutant loses points
only in its own function's cells: the mutation check makes sure of that).

To measure the attacks against another version of the notebook (the points
before a fix, say)::

    python -m tests.grading.test_expectations --source OLD_SOURCE.ipynb --release OLD_RELEASE.ipynb
"""

from __future__ import annotations

import argparse
import runpy
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import IgnorePattern
from nbgrader.utils import determine_grade
from traitlets.config import Config

from course.cells import CellKind, cell_kind, grade_id, is_test_of
from course.content import REPO_ROOT, source_path
from course.grading.preprocessors import SandboxedExecute
from demo.submissions import fill_solutions, reference_solutions
from tests.grading.mutants import Mutant, load_mutants

RELEASE = REPO_ROOT / "release" / "compression"
REFERENCE = "reference"
MESSAGES: dict[tuple[str, str], str] = {}
BATCH_OF: dict[str, str] = {}  # attack -> the folder of the notebook it was graded in


@dataclass(frozen=True)
class Attack:
    mutant: str  # name of the catalogue mutant, <function>__<mistake>
    weakness: str  # which rule of the tests it exploited
    cells: tuple[str, ...]  # the test cells it must not pass (it may keep points the same code earns honestly elsewhere)


ATTACKS = (
    Attack("low_rank_approximate__smallest_directions_written_into_input", "expectation from the input after the call",
           ("test_low_rank_approximate_visible", "test_low_rank_approximate_optimal", "test_low_rank_approximate_singular_values")),
    Attack("compute_neuron_importance__l2_for_l1_rewrites_layer", "expectation from the input after the call",
           ("test_compute_neuron_importance",)),
    Attack("compute_neuron_importance__empties_layer_for_l1", "zero-length arrays compared",
           ("test_compute_neuron_importance",)),
    Attack("KnowledgeDistillation__no_soft_term_copies_student_over_teacher", "expectation from the input after the call",
           ("test_KnowledgeDistillation_loss", "test_KnowledgeDistillation_soft_term", "test_KnowledgeDistillation_soft_labels",
            "test_KnowledgeDistillation_stability", "test_KnowledgeDistillation_grad")),
    Attack("KnowledgeDistillation__inf_when_mixing_terms", "tolerance that grows with the answer",
           ("test_KnowledgeDistillation_visible", "test_KnowledgeDistillation_loss", "test_KnowledgeDistillation_soft_labels", "test_KnowledgeDistillation_stability")),
    Attack("KnowledgeDistillation__nan_when_mixing_terms", "non-finite answer",
           ("test_KnowledgeDistillation_loss", "test_KnowledgeDistillation_soft_labels", "test_KnowledgeDistillation_stability")),
    Attack("quantize_weights__does_nothing_zeroes_input", "expectation from the input after the call",
           ("test_quantize_weights_parameters", "test_quantize_weights_zero")),
    Attack("train_with_distillation__fakes_history_and_relabels", "expectation from the input after the call",
           ("test_train_with_distillation_visible", "test_train_with_distillation_learns")),
    Attack("train_with_distillation__empties_the_student", "a model without parameters compared",
           ("test_train_with_distillation_visible", "test_train_with_distillation_update_rule")),
    Attack("prune_layer_neurons__keeps_first_zeroes_rest_of_input", "expectation from the input after the call",
           ("test_prune_layer_neurons_equivalence",)),
    Attack("prune_layer_neurons__no_outputs_left", "zero-length arrays compared",
           ("test_prune_layer_neurons_equivalence",)),
    Attack("compress_model__compresses_a_copy_empties_caller", "a model without parameters compared",
           ("test_compress_model_statistics", "test_compress_model_order")),
)


def attack_mutants() -> dict[str, Mutant]:
    mutants = {m.name: m for m in load_mutants()}
    missing = [a.mutant for a in ATTACKS if a.mutant not in mutants]
    if missing:
        raise LookupError(f"not in the mutant catalogue: {missing}")
    return {a.mutant: mutants[a.mutant] for a in ATTACKS}


def batches(reference: dict[str, str]) -> list[tuple[dict[str, str], dict[str, str]]]:
    """Submissions holding at most one attack per function and the reference elsewhere.

    Each is (solution code by grade id, attacked function -> attack). Batch
    ``i`` hands in the ``i``-th attack of every function that has one.
    """
    by_function: dict[str, list[Mutant]] = {}
    for mutant in attack_mutants().values():
        by_function.setdefault(mutant.function, []).append(mutant)
    result = []
    for index in range(max(len(mutants) for mutants in by_function.values())):
        code, attacks = dict(reference), {}
        for function, mutants in by_function.items():
            if index < len(mutants):
                mutant = mutants[index]
                assert code[mutant.cell] == reference[mutant.cell], f"two attacks on cell {mutant.cell} in one notebook"
                code[mutant.cell] = mutant.cell_code(reference)
                attacks[function] = mutant.name
        result.append((code, attacks))
    return result


def course_config() -> Config:
    """The course's own grading and scoring options: its shared classes and support library, stderr text dropped."""
    config = Config()
    runpy.run_path(str(REPO_ROOT / "nbgrader_config.py"), init_globals={"get_config": lambda: config})
    return config


def grade(source: Path, release: Path, code: dict[str, str], folder: Path) -> dict[str, tuple[float, float]]:
    """(score, max) of every test cell of ``source`` for one submission, graded by ``SandboxedExecute``.

    What a failed cell raised is kept in ``MESSAGES[(folder name, cell)]``.
    """
    shutil.copytree(release.parent, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.ipynb"))
    nb = fill_solutions(nbformat.read(release, as_version=4), code)
    config = course_config()
    SandboxedExecute(config=config, source_notebook=str(source), timeout=30).preprocess(nb, {"metadata": {"path": str(folder)}})
    IgnorePattern(config=config).preprocess(nb, {})
    for c in nb.cells:
        errors = [f"{o.ename}: {o.evalue}" for o in c.get("outputs", []) if o.output_type == "error"]
        if errors and cell_kind(c) is CellKind.TESTS:
            MESSAGES[(folder.name, grade_id(c))] = errors[-1]
    return {grade_id(c): determine_grade(c) for c in nb.cells if cell_kind(c) is CellKind.TESTS}


def grade_attacks(source: Path, release: Path, folder: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """Scores of the reference and of every attack: student -> test cell -> (score, max)."""
    reference = reference_solutions(nbformat.read(source, as_version=4), kinds=(CellKind.SOLUTION,))
    scores = {REFERENCE: grade(source, release, reference, folder / REFERENCE)}
    for index, (code, attacks) in enumerate(batches(reference)):
        graded = grade(source, release, code, folder / f"batch-{index}")
        scores |= {name: graded for name in attacks.values()}
        BATCH_OF.update({name: f"batch-{index}" for name in attacks.values()})
    return scores


def own_points(scores: dict[str, tuple[float, float]], function: str) -> tuple[float, float]:
    cells = [s for cell, s in scores.items() if is_test_of(cell, function)]
    return sum(s for s, _ in cells), sum(top for _, top in cells)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict[str, tuple[float, float]]]:
    return grade_attacks(source_path("compression"), RELEASE / "compression.ipynb", tmp_path_factory.mktemp("expectations"))


def test_every_attack_is_in_the_catalogue():
    mutants = attack_mutants()
    assert len(mutants) == len(ATTACKS), "an attack is listed twice"
    for attack in ATTACKS:
        function = mutants[attack.mutant].function
        assert all(is_test_of(cell, function) for cell in attack.cells), (attack.mutant, attack.cells)


@pytest.mark.slow
def test_the_reference_keeps_full_marks(graded):
    lost = {cell: score for cell, score in graded[REFERENCE].items() if score[0] < score[1]}
    assert not lost, lost


@pytest.mark.slow
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.mutant)
def test_the_attack_scores_nothing_in_the_cells_it_targeted(graded, attack):
    earned = {cell: graded[attack.mutant][cell] for cell in attack.cells if graded[attack.mutant][cell][0] > 0}
    assert not earned, f"{attack.mutant} ({attack.weakness}) still earns {earned}"


def main(argv: list[str] | None = None) -> None:
    """Print the points each attack earns in its own function's cells, for a given source and release."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--source", type=Path, default=source_path("compression"))
    parser.add_argument("--release", type=Path, default=RELEASE / "compression.ipynb")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        scores = grade_attacks(args.source, args.release, Path(folder))
    mutants = attack_mutants()
    for attack in ATTACKS:
        function = mutants[attack.mutant].function
        got, top = own_points(scores[attack.mutant], function)
        targeted = sum(scores[attack.mutant][cell][0] for cell in attack.cells)
        print(f"{attack.mutant}: {got:g}/{top:g} in {function}'s cells, {targeted:g} in the targeted ones")
        for cell in attack.cells:
            message = MESSAGES.get((BATCH_OF[attack.mutant], cell), "")
            print(f"    {cell}: {scores[attack.mutant][cell][0]:g}/{scores[attack.mutant][cell][1]:g}  {message[:300]}")
    lost = {cell: s for cell, s in scores[REFERENCE].items() if s[0] < s[1]}
    print("reference:", "full marks" if not lost else f"loses {lost}")


if __name__ == "__main__":
    main()
