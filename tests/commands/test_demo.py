"""The README's main job, `make demo`: the whole instructor flow on the bundled class."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from assignments.compression.examples import make_examples
from course.grading.verdicts import read_verdict
from demo.run import THROUGH_EXCHANGE, run
from tests.coursedir import ASSIGNMENT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "demo-course"
    capture = pytest.MonkeyPatch()
    lines: list[str] = []
    capture.setattr("builtins.print", lambda *args, **kwargs: lines.append(" ".join(map(str, args))))
    try:
        status = run(root, workers=2)
    finally:
        capture.undo()
    return root, status, "\n".join(lines)


def test_every_step_runs_and_the_run_ends_with_summary_and_paths(demo):
    root, status, output = demo
    assert status == 0
    for step in ("[release]", "[collect]", "[collect --zip]", "[autograde]", "[similarity]", "[feedback --partial]"):
        assert step in output
    assert "students graded       16" in output and "(3 not graded)" in output
    assert output.rstrip().splitlines()[-2:] == [
        f"grades CSV: {root / 'grades-compression.csv'}",
        f"report:     {root / 'report-compression.html'}",
    ]


def test_the_whole_class_reaches_the_grades_csv(demo):
    root, _, _ = demo
    with open(root / "grades-compression.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(e.student for e in make_examples(root=root))
    assert float(rows["perfect"]["raw_score"]) == 76 and float(rows["perfect"]["late_submission_penalty"]) == 0
    assert float(rows["late"]["late_submission_penalty"]) > 0 and float(rows["late"]["score"]) < 76
    assert float(rows["blank"]["score"]) == 0
    assert "not a readable notebook" in rows["malformed-json"]["problems"]


def test_exchange_and_lms_students_are_both_graded_with_their_reasons(demo):
    root, _, _ = demo
    verdicts = {e.student: read_verdict(root / "autograded" / e.student / ASSIGNMENT) for e in make_examples(root=root)}
    assert all(v is not None for v in verdicts.values())
    assert verdicts["perfect"].problems == [] and verdicts["perfect"].score == 76
    assert {p.code for p in verdicts["kernel-dies"].problems} == {"kernel_died", "tampering"}
    assert (root / "report-compression.html").stat().st_size > 10_000
    assert list((root / "feedback" / "perfect" / ASSIGNMENT).glob("*.html"))


def test_feedback_is_provisional_and_says_where_each_students_is(demo):
    root, _, output = demo
    examples = make_examples(root=root)
    step = output[output.index("[feedback --partial]"):]
    assert "; provisional for " in step.splitlines()[0]  # nobody grades the written answers in the demo
    where = dict(line.strip().split(": ", 1) for line in step.splitlines()[1:] if line.startswith("  "))
    exchange = [e.student for e in examples[:THROUGH_EXCHANGE] if e.student in where]  # those graded
    lms = [e.student for e in examples[THROUGH_EXCHANGE:] if e.student in where]
    assert len(exchange) == 4 and len(lms) == 12 and len(where) == 16
    for student in exchange:
        assert where[student].startswith("released to the exchange")
    for student in lms:
        assert where[student].startswith(f"{root / 'feedback' / student / ASSIGNMENT} (collected from an LMS: upload it there)")
    html = (root / "feedback" / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "provisional: 5 written answers not graded yet" in html


def test_no_feedback_folder_holds_anything_but_the_html_and_the_students_own_files(demo):
    root, _, _ = demo
    checked = 0
    for folder in (root / "feedback").iterdir():
        submitted = root / "submitted" / folder.name
        own = {p.relative_to(submitted) for p in submitted.rglob("*") if p.is_file()}
        for path in (p for p in folder.rglob("*") if p.is_file()):
            checked += 1
            assert path.relative_to(folder) == Path(ASSIGNMENT, f"{ASSIGNMENT}.html") or path.relative_to(folder) in own, path
    assert checked >= 16
    assert all(path.suffix == ".html" for path in (root / "exchange" / ASSIGNMENT / "feedback").iterdir())


def test_the_report_marks_the_late_student(demo):
    root, _, _ = demo
    page = (root / "report-compression.html").read_text(encoding="utf-8")
    assert '<tr class="late" data-student="late">' in page
    assert page.count('<span class="late-marker">late</span> 2 days') == 1  # a day and two hours: two started days


def test_the_planted_copied_pair_is_on_top_of_the_similarity_report(demo):
    root, _, output = demo
    pairs = json.loads((root / "similarity-compression.json").read_text(encoding="utf-8"))
    assert (pairs[0]["a"], pairs[0]["b"]) == ("copier", "own-style") and pairs[0]["score"] >= 0.9
    assert all(p["score"] < 0.5 for p in pairs[1:])
    table = output[output.index("[similarity]"):output.index("[feedback --partial]")]
    first = next(line for line in table.splitlines() if line.strip().startswith("1 "))
    assert first.split()[1:3] == ["copier", "own-style"]
    assert f"page: {root / 'similarity-compression.html'}" in table
