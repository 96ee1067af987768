"""Every kind of broken submission gets a clear reason, the score it earns, and the batch goes on."""

from __future__ import annotations

import pytest

from assignments.compression.examples import make_examples
from course.grading.autograde import autograde
from course.grading.verdicts import read_verdict
from tests.coursedir import ASSIGNMENT, make_course, run_tool

pytestmark = pytest.mark.slow
FULL = 76.0

# student: (status, exactly the problem codes reported, score: FULL, 0.0 or "partial")
EXPECTED = {
    "perfect": ("graded", set(), FULL),
    "blank": ("graded", set(), 0.0),
    "malformed-json": ("failed", {"malformed_notebook"}, 0.0),
    "empty-file": ("failed", {"malformed_notebook"}, 0.0),
    "missing-notebook": ("failed", {"missing_notebook", "extra_files"}, 0.0),
    "wrong-file-name": ("graded", {"wrong_filename"}, FULL),
    "extra-files": ("graded", {"extra_files"}, FULL),
    "duplicated-grade-cell": ("graded", {"duplicate_grade_cell"}, FULL),
    "deleted-grade-cell": ("graded", {"deleted_cell"}, FULL),
    "test-cell-markdown": ("graded", {"cell_type_changed"}, FULL),
    "edited-read-only": ("graded", {"edited_readonly_cell"}, FULL),
    "kernel-dies": ("graded", {"kernel_died", "tampering"}, "partial"),  # os._exit is also named as suspicious
    "infinite-loop": ("graded", {"cell_timeout"}, FULL),  # the loop runs after a correct definition
    "output-flood": ("graded", {"output_truncated"}, FULL),
    # In the sandbox the writes land in a scratch folder that vanishes; the paths are named as suspicious.
    "writes-files": ("graded", {"tampering"}, FULL),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course"), extra_config="c.Execute.timeout = 10\n")
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    for example in make_examples(root=root):
        if example.student not in EXPECTED:
            continue
        folder = root / "submitted" / example.student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, data in example.files.items():
            (folder / name).write_bytes(data)
    batch = autograde(root=root, assignment=ASSIGNMENT, workers=2, progress=False)
    return root, batch


def test_the_whole_batch_is_graded(graded):
    _, batch = graded
    assert sorted(v.student for v in batch.graded + batch.failed) == sorted(EXPECTED)
    assert sorted(v.student for v in batch.failed) == ["empty-file", "malformed-json", "missing-notebook"]


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_case_gets_its_reason_and_the_score_it_earns(graded, student):
    root, _ = graded
    status, codes, score = EXPECTED[student]
    verdict = read_verdict(root / "autograded" / student / ASSIGNMENT)
    assert verdict.status == status
    assert {p.code for p in verdict.problems} == codes, verdict.problems
    assert all(p.message for p in verdict.problems)
    if score == "partial":
        assert 0 < verdict.score < FULL, verdict.score
    else:
        assert verdict.score == score, verdict


def test_submitted_files_are_never_modified(graded):
    root, _ = graded
    originals = {e.student: e.files for e in make_examples(root=root) if e.student in EXPECTED}
    for student, files in originals.items():
        folder = root / "submitted" / student / ASSIGNMENT
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == files, student


def test_without_the_sandbox_files_written_while_graded_are_reported(tmp_path):
    """``--unsafe`` grades in the autograded folder itself, so stray files there are the student's doing."""
    root = make_course(tmp_path / "course")
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    example = next(e for e in make_examples(root=root) if e.student == "writes-files")
    folder = root / "submitted" / example.student / ASSIGNMENT
    folder.mkdir(parents=True)
    for name, data in example.files.items():
        (folder / name).write_bytes(data)
    autograde(root=root, assignment=ASSIGNMENT, workers=1, progress=False, unsafe=True)
    verdict = read_verdict(root / "autograded" / example.student / ASSIGNMENT)
    assert {p.code for p in verdict.problems} == {"created_files", "tampering"}, verdict.problems
    assert "written-by-student.txt" in next(p.message for p in verdict.problems if p.code == "created_files")
