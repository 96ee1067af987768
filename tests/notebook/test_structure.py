"""The source notebook follows the contract's course layout and grading rules."""

import ast
import re

import nbformat
import numpy as np
import pytest

from assignments.compression import ASSIGNMENT
from assignments.compression.teacher import given_namespace
from course.cells import CellKind, cell_kind, grade_id, is_test_of, nbgrader_meta
from course.content import build_notebook, chapter_files, chapter_text, render
from tests.reference import NOTEBOOK

CONTRACT_NAMES = [
    "measure_sparsity", "magnitude_prune", "structured_prune", "low_rank_approximate",
    "KnowledgeDistillation", "train_with_distillation", "compress_model", "quantize_weights",
    "dequantize_weights", "quantize_layer_weights", "dequantize_layer_weights",
    "CompressionMetrics", "compute_neuron_importance", "prune_layer_neurons",
]
HIDDEN = "### BEGIN HIDDEN TESTS"


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def top_level_names(source: str) -> list[str]:
    tree = ast.parse(source)
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def test_source_is_the_built_chapter_text():
    """The chapter's section files are the authored text; the committed notebook must be their build."""
    assert NOTEBOOK.read_text(encoding="utf-8") == render(build_notebook(chapter_text(ASSIGNMENT)))


def test_each_chapter_file_is_whole_cells_and_holds_the_section_it_is_numbered_for():
    """A file that began mid-cell would glue its first lines onto the previous file's last cell;
    a section under another number would be out of place in the notebook."""
    for path in chapter_files(ASSIGNMENT):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# %%"), f"{path.name} does not start with a cell header"
        numbers = [int(n) for n in re.findall(r"^# ## (\d+)\. ", text, flags=re.MULTILINE)]
        assert numbers in ([], [int(path.name[:2])]), f"{path.name} holds sections {numbers}"


def test_an_assignment_without_chapter_files_is_not_built_empty(tmp_path):
    with pytest.raises(FileNotFoundError, match="no chapter files"):
        chapter_files(ASSIGNMENT, root=tmp_path)


def test_notebook_format_kernel_and_schema(nb):
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.kernelspec.name == "python3"
    nbformat.validate(nb)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta:
            assert meta["schema_version"] == 3, grade_id(cell)


def test_grade_ids_are_unique_and_cell_ids_stable(nb):
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids))
    for cell in nb.cells:
        if grade_id(cell):
            assert cell.id == grade_id(cell)


def test_every_contract_name_lives_whole_in_one_solution_cell(nb):
    owners = {}
    for cell in nb.cells:
        if cell_kind(cell) is CellKind.SOLUTION:
            for name in top_level_names(cell.source):  # parses the cell on its own
                owners.setdefault(name, []).append(grade_id(cell))
    for name in CONTRACT_NAMES:
        assert len(owners.get(name, [])) == 1, (name, owners.get(name))


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_every_contract_name_has_hidden_graded_tests(nb, name):
    cells = [c for c in nb.cells if cell_kind(c) is CellKind.TESTS and is_test_of(grade_id(c), name)]
    hidden = [c for c in cells if HIDDEN in c.source]
    assert hidden, f"{name} has no hidden test cell"
    assert all(nbgrader_meta(c)["points"] > 0 for c in cells)


def test_hidden_tests_only_in_grade_cells(nb):
    for cell in nb.cells:
        if HIDDEN in cell.source:
            assert cell_kind(cell) is CellKind.TESTS, grade_id(cell)


def test_given_code_is_read_only(nb):
    given = {grade_id(c) for c in nb.cells if cell_kind(c) is CellKind.GIVEN}
    assert {"setup", "simple_model", "compression_complete"} <= given
    for cell in nb.cells:
        if cell_kind(cell) in (CellKind.GIVEN, CellKind.ANALYSIS, CellKind.TESTS):
            assert nbgrader_meta(cell)["locked"] is True


def test_free_response_cells_carry_points_and_a_rubric(nb):
    answers = [c for c in nb.cells if cell_kind(c) is CellKind.ANSWER]
    assert len(answers) >= 5
    for cell in answers:
        assert nbgrader_meta(cell)["points"] > 0
        assert "### BEGIN SOLUTION" in cell.source and "Rubric" in cell.source and "Model answer" in cell.source


def test_analyses_are_skipped_while_grading(nb):
    for cell in nb.cells:
        if cell_kind(cell) is CellKind.ANALYSIS:
            assert cell.source.startswith("if RUN_ANALYSES:"), grade_id(cell)


def test_shipped_teacher_is_trained():
    namespace = given_namespace(NOTEBOOK)
    X_train, y_train, X_test, y_test = namespace.load_digits_split()
    teacher = namespace.load_teacher(NOTEBOOK.parent / namespace.TEACHER_FILE)
    assert [layer.weight.shape for layer in teacher.layers if hasattr(layer, "weight")] == [(64, 256), (256, 128), (128, 10)]
    assert namespace.accuracy(teacher, X_test, y_test) > 0.95
    assert len(X_test) == 449 and len(np.unique(y_train)) == 10
