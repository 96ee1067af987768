"""Test cells run by the grader against a real (sandboxed) kernel, on a small synthetic notebook.

Each case is a student notebook executed by ``SandboxedExecute`` (and, where
it matters, the unsandboxed ``TrustedExecute``) against a source notebook
whose test cells hold the truth. What is checked is what nbgrader scores on:
whether a test cell's outputs hold an error.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import IgnorePattern
from nbgrader.utils import determine_grade
from traitlets.config import Config

from course.content import REPO_ROOT
from course.grading.preprocessors import KERNEL_DIED, WALL_LIMIT, SandboxedExecute, TrustedExecute
from course.grading.trusted_tests import ERROR_ROOM, OUTPUT_LIMIT, TRUNCATED, KernelLink, Outputs, SourceTests, TrustedTests


def cell(grade_id: str, source: str, *, grade: bool = False, solution: bool = False) -> nbformat.NotebookNode:
    meta = {"grade": grade, "solution": solution, "locked": not solution, "grade_id": grade_id, "schema_version": 3}
    if grade:
        meta["points"] = 1
    return new_code_cell(source, metadata={"nbgrader": meta}, id=grade_id)


GIVEN = "import numpy as np\n\ndef helper():\n    return 41\n"
REFERENCE = "def answer(x):\n    return x + helper() - 41 + 1\n"
TESTS = {
    "test_one": "assert answer(1) == 2\nprint('one: passed')",
    "test_two": "assert answer(np.arange(3)).tolist() == [1, 2, 3]",
    "test_three": "assert answer(10) == 11",
}


def notebook(solution: str, tests: dict[str, str] = TESTS) -> nbformat.NotebookNode:
    cells = [cell("given", GIVEN), cell("answer", solution, solution=True)]
    cells += [cell(gid, code, grade=True) for gid, code in tests.items()]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("source") / "mini.ipynb"
    nbformat.write(notebook(REFERENCE), path)
    return path


def run(source: Path, tmp_path: Path, nb, executor=SandboxedExecute, **traits) -> dict[str, list]:
    (tmp_path / "data.txt").write_text("data")
    runner = executor(source_notebook=str(source), timeout=traits.pop("timeout", 5), **traits)
    runner.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return {c.metadata["nbgrader"]["grade_id"]: c.outputs for c in nb.cells if c.metadata["nbgrader"]["grade"]}


def errors(outputs) -> list[str]:
    return [o.ename for o in outputs if o.output_type == "error"]


@pytest.mark.parametrize("executor", [SandboxedExecute, TrustedExecute])
def test_a_correct_solution_passes_and_the_tests_output_is_kept(source, tmp_path, executor):
    outputs = run(source, tmp_path, notebook("def answer(x):\n    return x + 1\n"), executor)
    assert all(errors(o) == [] for o in outputs.values()), outputs
    assert outputs["test_one"][0].text == "one: passed\n"


def test_a_wrong_solution_fails_only_where_it_is_wrong(source, tmp_path):
    outputs = run(source, tmp_path, notebook("def answer(x):\n    return 2 if isinstance(x, int) and x == 1 else x\n"))
    assert [errors(outputs[g]) for g in TESTS] == [[], ["AssertionError"], ["AssertionError"]]


def test_the_tests_come_from_the_source_not_the_submission(source, tmp_path):
    nb = notebook("def answer(x):\n    return 0\n", tests={gid: "pass" for gid in TESTS})
    assert all(errors(o) for o in run(source, tmp_path, nb).values())


def test_a_test_that_runs_too_long_is_interrupted_and_the_next_one_runs(source, tmp_path):
    slow = "import time\n\ndef answer(x):\n    if isinstance(x, int) and x == 1:\n        time.sleep(600)\n    return x + 1\n"
    outputs = run(source, tmp_path, notebook(slow), timeout=2)
    assert errors(outputs["test_one"]) == ["CellTimeoutError"]
    assert errors(outputs["test_two"]) == [] and errors(outputs["test_three"]) == []


def test_a_kernel_that_dies_in_a_test_fails_that_test_and_the_rest(source, tmp_path):
    dying = "import os\n\ndef answer(x):\n    if not isinstance(x, int):\n        os._exit(1)\n    return x + 1\n"
    outputs = run(source, tmp_path, notebook(dying))
    assert [errors(outputs[g]) for g in TESTS] == [[], [KERNEL_DIED], [KERNEL_DIED]]


def test_the_notebook_wall_limit_stops_the_rest(source, tmp_path):
    nb = notebook("import time\ntime.sleep(2)\n\ndef answer(x):\n    return x + 1\n")
    outputs = run(source, tmp_path, nb, wall_limit=1.0)
    assert all(errors(o) == [WALL_LIMIT] for o in outputs.values())


def test_what_the_students_code_prints_is_relayed_and_capped(source, tmp_path):
    noisy = (
        "import sys\n\ndef answer(x):\n"
        "    if isinstance(x, int) and x == 10:\n        print('x' * 1000000)\n"
        "    if isinstance(x, int) and x == 1:\n        print('warning!', file=sys.stderr)\n"
        "    return x + 1\n"
    )
    outputs = run(source, tmp_path, notebook(noisy))
    assert sorted(o.name for o in outputs["test_one"]) == ["stderr", "stdout"], "both streams are relayed"
    text = outputs["test_three"][0].text
    assert len(text) <= OUTPUT_LIMIT + len(TRUNCATED) and text.endswith(TRUNCATED)


def test_each_test_cells_output_is_known_complete_when_it_ends(source, tmp_path, monkeypatch):
    """The kernel's "idle" for a test cell is seen even when it comes in with the reply.

    Missing it cost a 10 s wait for output that never came, in most test cells
    of the real notebook: grading took ten times as long.
    """
    complete = []
    drain = KernelLink._drain_iopub

    def watched(link, until_idle=False):
        drain(link, until_idle)
        if until_idle:
            complete.append(link.idle)

    monkeypatch.setattr(KernelLink, "_drain_iopub", watched)
    chatty = "def answer(x):\n    print('computing', x)\n    return x + 1\n"
    outputs = run(source, tmp_path, notebook(chatty), timeout=60)
    assert all(errors(o) == [] for o in outputs.values()), outputs
    assert len(complete) >= len(TESTS) and all(complete), complete


def test_a_flood_printed_by_a_cell_is_cut_before_it_reaches_the_grader(source, tmp_path):
    flood = "for _ in range(50_000):\n    print('flood ' * 20)\n\ndef answer(x):\n    return x + 1\n"
    runner = SandboxedExecute(source_notebook=str(source), timeout=30)
    nb = notebook(flood)
    runner.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    printed = "".join(o.text for o in nb.cells[1].outputs if o.output_type == "stream")
    assert len(printed) <= OUTPUT_LIMIT + len(TRUNCATED) and printed.endswith(TRUNCATED), len(printed)


def test_output_costs_nothing(source, tmp_path):
    """Progress bars, logging and warnings on stderr while a test calls the student's code: full marks.

    Scored as nbgrader's autograde scores, with the course's own configuration
    of the step that runs right after execution (IgnorePattern).
    """
    chatty = (
        "import logging, sys, warnings\nfrom tqdm import tqdm\n\ndef answer(x):\n"
        "    for _ in tqdm(range(3), desc='working'):\n        pass\n"
        "    logging.warning('about to answer %s', type(x).__name__)\n"
        "    warnings.warn('a harmless warning')\n"
        "    print('debug', x, file=sys.stderr)\n"
        "    return x + 1\n"
    )
    nb = notebook(chatty)
    run(source, tmp_path, nb)
    assert all(any(o.get("name") == "stderr" for o in c.outputs) for c in nb.cells[2:]), "every test cell saw stderr text"
    config = Config()
    runpy.run_path(str(REPO_ROOT / "nbgrader_config.py"), init_globals={"get_config": lambda: config})
    IgnorePattern(config=config).preprocess(nb, {})
    assert [determine_grade(c)[0] for c in nb.cells[2:]] == [1.0, 1.0, 1.0]


def test_nbgraders_validate_is_stricter_about_stderr(tmp_path):
    """Validate runs no IgnorePattern step: a test cell with stderr text is reported as failed there.

    The notebook and the README tell students so; the grade does not depend on it.
    """
    nb = notebook("import sys\n\ndef answer(x):\n    print('progress', file=sys.stderr)\n    return x + 1\n")
    path = tmp_path / "chatty.ipynb"
    nbformat.write(nb, path)
    result = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "validate", str(path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "VALIDATION FAILED" in result.stdout and "progress" in result.stdout, result.stdout + result.stderr


def test_a_refused_swap_fails_the_test_and_leaves_no_oracle_bound():
    """``replaced(...)`` undoes its swap on the grader's side whatever the kernel answers."""

    refusal = json.dumps({"op": "raise", "type": "PermissionError", "name": "PermissionError", "message": "no", "state": []})
    link = SimpleNamespace(exchange=lambda text: refusal, shared_classes={})
    source = SourceTests(given=(("helpers", "def replaced(**names):\n    pass\nmeasure = 'the student'\n"),), kernel_names=(), tests={}, notebook=new_notebook())
    trusted = TrustedTests(source, link, swap_helper="replaced")
    with pytest.raises(PermissionError):
        with trusted.swap(measure="the grader's oracle", extra="another oracle"):
            raise AssertionError("the test body must not run")
    assert trusted.namespace["measure"] == "the student" and "extra" not in trusted.namespace


def test_an_error_message_quoting_a_huge_answer_is_capped():
    outputs = Outputs()
    outputs.stream("stdout", "x" * (OUTPUT_LIMIT - 10))
    try:
        assert False, "y" * 10_000_000
    except AssertionError as error:
        outputs.error(error, "test_huge")
    error = outputs.items[-1]
    assert error.output_type == "error" and error.evalue.startswith("yyy") and error.evalue.endswith(TRUNCATED)
    size = len(error.evalue) + sum(map(len, error.traceback))
    assert size <= 2 * (ERROR_ROOM + len(TRUNCATED)), size


# The grader's own limits: tests whose work in the grader depends on what the kernel answers.
GREEDY_TESTS = {
    "test_one": "_n = answer(1)\nassert np.ones(int(_n)).sum() == _n",
    "test_two": "_n = answer(2)\nfor _ in range(int(_n)):\n    pass",
    "test_three": "assert answer(10) == 11",
}


@pytest.fixture(scope="module")
def greedy_source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("greedy") / "greedy.ipynb"
    nbformat.write(notebook(REFERENCE, GREEDY_TESTS), path)
    return path


def test_a_huge_answer_is_refused_unread_and_the_next_test_runs(source, tmp_path):
    huge = "def answer(x):\n    return np.zeros(2**21) if isinstance(x, int) and x == 1 else x + 1\n"  # 16 MiB
    outputs = run(source, tmp_path, notebook(huge), max_message_mb=4)
    assert errors(outputs["test_one"]) == ["ProtocolError"]
    assert "MiB at once" in outputs["test_one"][0].evalue
    assert errors(outputs["test_two"]) == [] and errors(outputs["test_three"]) == []


def test_the_graders_memory_is_bounded_while_it_grades(greedy_source, tmp_path):
    """An answer that makes the grader's own test code allocate 4 GiB is a MemoryError there, not a dead worker."""
    greedy = "def answer(x):\n    return 2**29 if x == 1 else (0 if x == 2 else x + 1)\n"
    outputs = run(greedy_source, tmp_path, notebook(greedy, GREEDY_TESTS), grader_memory_mb=512)
    assert errors(outputs["test_one"]) == ["MemoryError"]
    assert errors(outputs["test_two"]) == [] and errors(outputs["test_three"]) == []


def test_the_graders_own_work_is_stopped_past_the_cells_limit(greedy_source, tmp_path):
    """A loop in grader code, sized by the kernel's answer, ends at the limit; the swap and the next test are fine."""
    greedy = "def answer(x):\n    return 1 if x == 1 else (10**12 if x == 2 else x + 1)\n"
    outputs = run(greedy_source, tmp_path, notebook(greedy, GREEDY_TESTS))  # the file's usual 5 s limit: honest calls fit it on a busy machine
    assert errors(outputs["test_two"]) == ["CellTimeoutError"]
    assert "grader" in outputs["test_two"][-1].evalue
    assert errors(outputs["test_one"]) == [] and errors(outputs["test_three"]) == []
