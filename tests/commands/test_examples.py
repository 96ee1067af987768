"""The example class: every case exists and really has the property it claims."""

from __future__ import annotations

import ast
import dataclasses
import zipfile
from pathlib import Path

import nbformat
import pytest

from assignments.compression.examples import (
    DELETED_TEST, DUE_DATE, DUPLICATED_TEST, MARKDOWN_TEST, OWN_ANSWER, OWN_STYLE, PARTIAL_RIGHT, PARTIAL_WRONG,
    READ_ONLY_CELL, Example, lms_file_name, main, make_examples, write_lms_download,
)
from course.similarity.fingerprints import code_tokens
from course.similarity.parts import split_cell
from course.cells import CellKind, cell_kind, grade_id, nbgrader_meta
from course.content import REPO_ROOT, source_path
from course.errors import CourseError
from course.lms_names import HandIn, read_hand_in
from demo.submissions import cell_defining, reference_solutions, student_cells
from tests.coursedir import ASSIGNMENT

pytest_plugins = ["tests.commands.example_class"]

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
RELEASE = REPO_ROOT / "release" / ASSIGNMENT / NOTEBOOK
CASES = {
    "perfect", "partial", "blank", "late", "malformed-json", "empty-file", "missing-notebook", "wrong-file-name",
    "extra-files", "duplicated-grade-cell", "deleted-grade-cell", "test-cell-markdown", "edited-read-only",
    "kernel-dies", "infinite-loop", "output-flood", "writes-files", "own-style", "copier",
}


@pytest.fixture(scope="module")
def reference() -> dict[str, str]:
    """Reference code of the solution cells, by grade id."""
    return reference_solutions(nbformat.read(source_path(ASSIGNMENT), as_version=4), kinds=(CellKind.SOLUTION,))


@pytest.fixture(scope="module")
def release_nb():
    return nbformat.read(RELEASE, as_version=4)


def notebook(example: Example, name: str = NOTEBOOK):
    return nbformat.reads(example.files[name].decode(), as_version=4)


def code_cells(nb) -> dict[str, str]:
    return {gid: cell.source for gid, cell in student_cells(nb, (CellKind.SOLUTION,)).items()}


def test_every_case_once_with_a_one_line_description(examples):
    students = [e.student for e in examples]
    assert len(students) == len(set(students)) and set(students) == CASES
    for example in examples:
        assert example.description and "\n" not in example.description
        assert "_" not in example.student and "+" not in example.student  # LMS and exchange name separators


def test_only_the_late_student_submits_after_the_due_date(examples):
    late = {e.student for e in examples if e.timestamp > DUE_DATE}
    assert late == {"late"}
    assert len({e.timestamp for e in examples}) == len(examples)


def test_the_class_is_reproducible(examples):
    assert make_examples(root=REPO_ROOT, assignment=ASSIGNMENT) == examples


def test_perfect_has_every_reference_solution_and_written_answer(by_student, reference):
    nb = notebook(by_student["perfect"])
    assert code_cells(nb) == reference
    answers = {gid: cell.source for gid, cell in student_cells(nb, (CellKind.ANSWER,)).items()}
    assert answers and all(text and "YOUR ANSWER HERE" not in text for text in answers.values())
    assert not any("Rubric" in text for text in answers.values())  # a student's answer, not the grader's notes


def test_every_notebook_that_should_be_valid_is_valid_and_its_code_parses(examples):
    broken = {"malformed-json", "empty-file", "missing-notebook"}
    for example in examples:
        for name in (n for n in example.files if n.endswith(".ipynb") and example.student not in broken):
            nb = nbformat.reads(example.files[name].decode(), as_version=4)
            nbformat.validate(nb)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    ast.parse(cell.source)


def test_partial_has_about_half_right_some_wrong_the_rest_stubs(by_student, reference):
    cells = code_cells(notebook(by_student["partial"]))
    right = {gid for gid, code in cells.items() if code == reference[gid]}
    stubs = {gid for gid, code in cells.items() if "NotImplementedError" in code}
    wrong = set(cells) - right - stubs
    assert {cell_defining(reference, name) for name in PARTIAL_RIGHT} <= right
    assert wrong == {cell_defining(reference, name) for name in PARTIAL_WRONG}
    assert len(stubs) >= 4 and 0.3 <= len(right) / len(cells) <= 0.7


def test_blank_is_the_release_as_is_and_late_is_perfect(by_student):
    assert by_student["blank"].files == {NOTEBOOK: RELEASE.read_bytes()}
    assert by_student["late"].files == by_student["perfect"].files


def test_malformed_json_fails_to_read(by_student):
    with pytest.raises(Exception) as error:
        nbformat.reads(by_student["malformed-json"].files[NOTEBOOK].decode(), as_version=4)
    assert "JSON" in type(error.value).__name__ or "JSON" in str(error.value)


def test_empty_file_is_empty(by_student):
    assert by_student["empty-file"].files == {NOTEBOOK: b""}


def test_missing_notebook_hands_in_no_notebook(by_student):
    files = by_student["missing-notebook"].files
    assert files and not any(name.endswith(".ipynb") for name in files)


def test_wrong_file_name_is_the_perfect_notebook_under_another_name(by_student):
    files = by_student["wrong-file-name"].files
    assert list(files) == ["Compression (1).ipynb"]
    assert files["Compression (1).ipynb"] == by_student["perfect"].files[NOTEBOOK]


def test_extra_files_come_beside_the_perfect_notebook(by_student):
    files = by_student["extra-files"].files
    assert files[NOTEBOOK] == by_student["perfect"].files[NOTEBOOK]
    assert len(files) >= 3


def test_duplicated_grade_cell_has_two_cells_with_one_grade_id_as_a_paste_makes(by_student):
    twins = [c for c in notebook(by_student["duplicated-grade-cell"]).cells if grade_id(c) == DUPLICATED_TEST]
    assert len(twins) == 2
    first, pasted = twins
    assert first.id != pasted.id
    assert first.metadata == pasted.metadata and first.source == pasted.source
    assert nbgrader_meta(pasted)["grade"] and nbgrader_meta(pasted)["points"] > 0


def test_deleted_grade_cell_is_gone_and_nothing_else(by_student, release_nb):
    nb = notebook(by_student["deleted-grade-cell"])
    assert DELETED_TEST not in {grade_id(c) for c in nb.cells}
    assert len(nb.cells) == len(release_nb.cells) - 1


def test_test_cell_turned_into_markdown_keeps_its_metadata(by_student, release_nb):
    nb = notebook(by_student["test-cell-markdown"])
    (cell,) = [c for c in nb.cells if grade_id(c) == MARKDOWN_TEST]
    (original,) = [c for c in release_nb.cells if grade_id(c) == MARKDOWN_TEST]
    assert cell.cell_type == "markdown" and original.cell_type == "code"
    assert cell.metadata == original.metadata and cell.source == original.source and cell.id != original.id


def test_edited_read_only_cell_differs_from_the_release_under_the_same_lock(by_student, release_nb):
    (cell,) = [c for c in notebook(by_student["edited-read-only"]).cells if grade_id(c) == READ_ONLY_CELL]
    (original,) = [c for c in release_nb.cells if grade_id(c) == READ_ONLY_CELL]
    assert cell_kind(original) == CellKind.GIVEN and nbgrader_meta(original)["locked"]
    assert cell.source != original.source and cell.metadata == original.metadata


@pytest.mark.parametrize(("student", "function", "snippet"), [
    ("kernel-dies", "KnowledgeDistillation", "os._exit(1)"),
    ("infinite-loop", "compress_model", "while True:\n    pass"),
    ("output-flood", "magnitude_prune", "range(100_000)"),
    ("writes-files", "quantize_weights", 'open("../../'),
])
def test_hostile_code_follows_a_right_solution_in_one_cell(by_student, reference, student, function, snippet):
    cells = code_cells(notebook(by_student[student]))
    hostile = cell_defining(reference, function)
    assert cells[hostile].startswith(reference[hostile]) and snippet in cells[hostile]
    assert {gid: code for gid, code in cells.items() if gid != hostile} == {
        gid: code for gid, code in reference.items() if gid != hostile}


def test_the_kernel_dies_after_some_functions_are_right(by_student, reference, release_nb):
    order = [grade_id(c) for c in release_nb.cells if grade_id(c) in reference]
    cells = code_cells(notebook(by_student["kernel-dies"]))
    death = next(gid for gid in order if "os._exit" in cells[gid])
    before = order[: order.index(death)]
    assert len(before) >= 3 and all(cells[gid] == reference[gid] for gid in before)


def test_writes_files_writes_into_its_folder_and_two_folders_up(by_student):
    code = "\n".join(code_cells(notebook(by_student["writes-files"])).values())
    assert 'open("written-by-student.txt", "w")' in code and 'open("../../written-by-student.txt", "w")' in code


@pytest.mark.parametrize("target", ["lms.zip", "lms"])
def test_lms_download_names_read_back_with_the_default_collect_pattern(examples, tmp_path, target):
    path = write_lms_download(examples, tmp_path / target)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    else:
        files = {p.name: p.read_bytes() for p in path.iterdir()}
    assert len(files) == sum(len(e.files) for e in examples)
    back = {}
    for name, data in files.items():
        hand_in = read_hand_in(name)
        back.setdefault(hand_in.who, {})[hand_in.file_id] = (data, hand_in.timestamp)
    for example in examples:
        assert {n: d for n, (d, _) in back[example.student].items()} == example.files
        stamps = {t for _, t in back[example.student].values()}
        assert stamps == {f"{example.timestamp:%Y%m%dT%H%M%SZ}"}


def test_make_examples_needs_a_release(course: Path):
    with pytest.raises(CourseError, match="course release"):
        make_examples(root=course, assignment=ASSIGNMENT)


def test_a_hand_in_without_a_time_gets_an_lms_name_without_one(by_student):
    untimed = dataclasses.replace(by_student["perfect"], timestamp=None)
    assert lms_file_name(untimed, NOTEBOOK) == f"perfect_{NOTEBOOK}"
    assert read_hand_in(lms_file_name(untimed, NOTEBOOK)) == HandIn("plain", "perfect", NOTEBOOK)


def test_the_script_writes_the_class_as_an_lms_download(tmp_path, capsys, examples):
    main([str(tmp_path / "class.zip")])
    assert capsys.readouterr().out.strip() == str(tmp_path / "class.zip")
    with zipfile.ZipFile(tmp_path / "class.zip") as archive:
        assert len(archive.namelist()) == sum(len(e.files) for e in examples)


def test_own_style_writes_four_functions_its_own_way_and_one_answer(by_student, reference):
    cells = code_cells(notebook(by_student["own-style"]))
    own = {cell_defining(reference, name) for name in OWN_STYLE}
    assert len(own) == 4 and all(cells[gid] != reference[gid] for gid in own)
    assert {gid: code for gid, code in cells.items() if gid not in own} == {
        gid: code for gid, code in reference.items() if gid not in own}
    gid, answer = OWN_ANSWER
    assert student_cells(notebook(by_student["own-style"]), (CellKind.ANSWER,))[gid].source == answer


def normalised_definitions(code: str) -> dict[str, list[str]]:
    """Each top-level definition of ``code`` (and the rest of it) as the similarity report reads it."""
    return {name: [t.text for t in code_tokens(piece)] for name, piece in split_cell(code, "rest", True).items()}


def test_the_copier_hands_in_own_styles_code_disguised_and_the_answer_reworded(by_student):
    own, copied = (code_cells(notebook(by_student[s])) for s in ("own-style", "copier"))
    assert own.keys() == copied.keys()
    for gid in own:  # the same definitions, each the same code once comments, layout and names are set aside
        assert normalised_definitions(own[gid]) == normalised_definitions(copied[gid])
    assert sum(own[gid] != copied[gid] for gid in own) >= len(own) - 1  # every cell with a local name differs
    gid, answer = OWN_ANSWER
    reworded = student_cells(notebook(by_student["copier"]), (CellKind.ANSWER,))[gid].source
    assert reworded != answer and len(reworded.split()) > 0.8 * len(answer.split())
