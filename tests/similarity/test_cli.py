"""``course similarity`` through the real CLI, in a course folder whose assignment nbgrader generated."""

from __future__ import annotations

import json

import pytest

from demo.disguise import disguised
from tests.commands.small_class import hand_in, new_course
from tests.coursedir import ASSIGNMENT, run_tool

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """ada (everything), bob (half of it), cy (the release), and dan, who hands in ada's code disguised."""
    root = tmp_path_factory.mktemp("similarity") / "course"
    students = new_course(root)
    ada = students["ada"]
    dan = ada.copy()
    dan.cells = [cell.copy() for cell in ada.cells]
    for cell in dan.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = disguised(cell.source, seed=11)
    hand_in(root, "dan", dan)
    return root


def similarity(root, *args: str, check: bool = True):
    return run_tool(root, "course", "similarity", *args, check=check)


def test_the_copy_is_on_top_of_the_table_the_json_and_the_page(course):
    result = similarity(course, "--json", "pairs.json", "--top", "2")
    lines = result.stdout.splitlines()
    first = next(line for line in lines if line.strip().startswith("1 "))
    assert first.split()[:4] == ["1", "ada", "dan", "1.00"]
    assert not any(line.strip().startswith("3 ") for line in lines)  # --top 2
    pairs = json.loads((course / "pairs.json").read_text(encoding="utf-8"))
    assert len(pairs) == 2 and (pairs[0]["a"], pairs[0]["b"], pairs[0]["score"]) == ("ada", "dan", 1.0)
    assert not [p for p in pairs if "cy" in (p["a"], p["b"])]
    page = course / f"similarity-{ASSIGNMENT}.html"
    assert lines[-2:] == [f"page: {page}", "JSON: pairs.json"]  # as given: relative to where the command runs
    html = page.read_text(encoding="utf-8")
    assert 'data-a="ada" data-b="dan"' in html and "<mark>" in html


def test_the_minimum_score_and_the_page_path_are_options(course):
    result = similarity(course, "--min-score", "0.99", "--output", "out/sim.html")
    assert [line.split()[1:3] for line in result.stdout.splitlines() if line.strip()[:1].isdigit()] == [["ada", "dan"]]
    assert (course / "out" / "sim.html").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (("--min-score", "2"), "is not between 0 and 1"),
    (("--top", "-1"), "is negative"),
    (("nosuch",), "unknown assignment"),
])
def test_a_bad_option_or_assignment_is_exit_status_2_with_one_line(course, args, message):
    result = similarity(course, *args, check=False)
    assert result.returncode == 2 and message in result.stderr


def test_nothing_collected_says_what_to_run(tmp_path):
    root = tmp_path / "course"
    new_course(root)
    for folder in (root / "submitted").iterdir():
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()
    result = similarity(root, check=False)
    assert result.returncode == 2 and f"course collect {ASSIGNMENT}" in result.stderr
