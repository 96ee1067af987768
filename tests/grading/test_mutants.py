"""Mutation check of the hidden tests, with the real ``nbgrader autograde``.

Fair: the reference and correct rewrites of every function get full marks.
Sharp: every plausible wrong implementation loses points.
Isolated: it loses them only in its own function's test cells, so one broken
function never costs a student points elsewhere.
"""

from __future__ import annotations

import pytest

from course.cells import is_test_of
from tests.grading.conftest import REFERENCE_STUDENT, GradingRun
from tests.grading.mutants import Mutant, load_alternatives, load_mutants

pytestmark = pytest.mark.slow


def own_test_cells(function: str, test_cells: list[str]) -> list[str]:
    """The test cells of ``function``: grade ids ``test_<function>`` or ``test_<function>_<aspect>``."""
    return [cell for cell in test_cells if is_test_of(cell, function)]


def explain_losses(grading: GradingRun, student: str, cells) -> str:
    """Each lost cell of ``cells`` with its score and the traceback nbgrader recorded."""
    return "\n".join(
        f"--- {cell}: {grading.scores[student][cell][0]:g}/{grading.scores[student][cell][1]:g}\n"
        f"{grading.failure(student, cell)}"
        for cell in cells
    )


def test_every_student_was_graded(grading, student_code):
    missing = sorted(set(student_code) - set(grading.scores))
    assert not missing, f"not in the gradebook: {missing}\n{grading.log[-4000:]}"


def test_every_test_cell_was_graded(grading, test_cells):
    graded = set(grading.scores[REFERENCE_STUDENT])
    assert graded == set(test_cells), sorted(graded ^ set(test_cells))


def test_reference_gets_full_marks(grading):
    lost = grading.lost(REFERENCE_STUDENT)
    assert not lost, explain_losses(grading, REFERENCE_STUDENT, lost)


@pytest.mark.parametrize("student", [alt.name for alt in load_alternatives()])
def test_correct_alternative_gets_full_marks(grading, student):
    lost = grading.lost(student)
    assert not lost, explain_losses(grading, student, lost)


@pytest.mark.parametrize("mutant", load_mutants(), ids=lambda m: m.name)
def test_mutant_loses_points_only_in_its_own_tests(grading, mutant: Mutant, test_cells, reference_code):
    function = mutant.function
    own = own_test_cells(function, test_cells)
    assert own, f"{function} has no test cells named test_{function}[_*]"
    lost = grading.lost(mutant.name)
    assert lost, f"survives every test of {function}: {mutant.description}\n{mutant.diff(reference_code)}"
    elsewhere = sorted(set(lost) - set(own))
    assert not elsewhere, f"breaking {function} costs points in other tests:\n" + explain_losses(
        grading, mutant.name, elsewhere
    )


DO_NOTHING = "does_nothing_"


def do_nothing_mutants() -> list[Mutant]:
    """The stubs of the catalogue: mistakes named ``does_nothing_*`` (input returned, zeros, empty, None)."""
    return [m for m in load_mutants() if m.mistake.name.startswith(DO_NOTHING)]


@pytest.mark.parametrize("mutant", do_nothing_mutants(), ids=lambda m: m.name)
def test_do_nothing_earns_nothing(grading, mutant: Mutant, test_cells, reference_code):
    """Nothing for nothing: a stub earns 0 points in every test cell of its function, visible or hidden."""
    own = own_test_cells(mutant.function, test_cells)
    assert own, f"{mutant.function} has no test cells named test_{mutant.function}[_*]"
    earned = {cell: grading.scores[mutant.name][cell] for cell in own if grading.scores[mutant.name][cell][0] > 0}
    assert not earned, (
        f"{mutant.description} earns points: "
        + ", ".join(f"{cell} {score:g}/{top:g}" for cell, (score, top) in earned.items())
        + f"\n{mutant.diff(reference_code)}"
    )


def test_the_sandboxed_grader_gives_every_submission_the_same_scores(grading, sandboxed_grading):
    """Tests run by the grader instead of the kernel: no honest or wrong submission scores differently.

    Every submission (reference, correct rewrites, wrong ones) graded by stock
    ``nbgrader autograde`` and by ``course autograde``: cell by cell, equal.
    """
    assert set(sandboxed_grading.scores) == set(grading.scores), sandboxed_grading.log[-3000:]
    differ = {
        (student, cell): (score, sandboxed_grading.scores[student][cell])
        for student, cells in grading.scores.items() for cell, score in cells.items()
        if sandboxed_grading.scores[student][cell] != score
    }
    assert not differ, "\n".join(
        f"{student} {cell}: stock {a}, sandboxed {b}\n{sandboxed_grading.failure(student, cell)}" for (student, cell), (a, b) in differ.items()
    )
