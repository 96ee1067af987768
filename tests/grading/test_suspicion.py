"""What the grader says a submission attempted: every red-team attack named, no honest code flagged."""

from __future__ import annotations

import nbformat
import pytest

from course.content import REPO_ROOT, source_path
from course.grading.suspicion import CODE, findings, tampering
from demo.submissions import fill_solutions, reference_solutions
from tests.grading.attacks import ATTACKS
from tests.grading.mutants import load_alternatives, load_mutants

PROBLEM_CODES = {"kernel_died", "memory_limit", "disk_limit", "output_truncated", "cell_timeout"}


@pytest.fixture(scope="module")
def release():
    return nbformat.read(REPO_ROOT / "release" / "compression" / "compression.ipynb", as_version=4)


@pytest.fixture(scope="module")
def reference():
    return reference_solutions(nbformat.read(source_path("compression"), as_version=4))


def test_the_reference_submission_is_not_flagged(release, reference):
    assert tampering(fill_solutions(release, reference), release) == []


def test_the_given_code_of_an_untouched_release_is_not_flagged(release):
    assert tampering(release, release) == []


@pytest.mark.parametrize("variant", [v for alt in load_alternatives() for v in alt.variants], ids=lambda v: v.function)
def test_correct_alternatives_are_not_flagged(variant):
    assert findings(variant.code, "cell") == []


def test_wrong_implementations_are_not_flagged_either(reference):
    flagged = {m.name: f for m in load_mutants() for gid, code in m.submission(reference).items() if (f := findings(code, gid))}
    assert not flagged


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.detected and a.detected not in PROBLEM_CODES], ids=lambda a: a.name)
def test_each_attack_is_named(attack, release):
    nb = fill_solutions(release, {"measure_sparsity": attack.code})
    if attack.edit:
        attack.edit(nb)
    problems = tampering(nb, release)
    assert any(attack.detected in p.message for p in problems), problems


def test_what_jupyterlab_lets_an_honest_student_do_is_not_flagged(release, reference):
    """Own cells added, a visible test pasted again, the editor's own metadata: no finding."""
    nb = fill_solutions(release, reference)
    nb.cells.insert(7, nbformat.v4.new_code_cell("print(measure_sparsity(SimpleModel()))"))
    visible = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_measure_sparsity_visible")
    nb.cells.insert(12, nbformat.from_dict(dict(visible)))
    for cell in nb.cells:
        cell.metadata.update(collapsed=False, scrolled=True)
    assert tampering(nb, release) == []


@pytest.mark.parametrize(
    "code, what",
    [
        ("import numpy\nsetattr(numpy, 'isclose', max)", "replaces an attribute of numpy"),
        ("import sys\nsys.modules['numpy'] = None", "rewrites sys.modules"),
        ("globals()['measure_sparsity'] = print", "rewrites globals"),
        ("import subprocess", "imports subprocess"),
        ("from course.grading import bridge", "imports the grader's own code"),
        ("x = __course_agent__", "uses the grader's name __course_agent__"),
        ("class A:\n    def __bool__(self):\n        return True", "defines __bool__ in class A"),
        ("import os\nos.system('ls')", "starts processes (os.system)"),
    ],
)
def test_rules(code, what):
    assert any(what in f.what for f in findings(code, "cell"))


@pytest.mark.parametrize(
    "code",
    [
        "model.layers[0] = new_layer\nself.weight = w\nlayer.quantized = {'q': q}",
        "print(f'sparsity {s:.1f}%')",
        "open('results.csv', 'w').write('x')",
        "def f(:",  # does not parse: nbgrader reports it, this has nothing to say
    ],
)
def test_ordinary_code_is_not_flagged(code):
    assert findings(code, "cell") == []


def test_one_problem_per_kind_with_where_it_was_seen(release):
    code = "import numpy as np\nnp.allclose = max\nnp.allclose = min\n"
    nb = fill_solutions(release, {"measure_sparsity": code})
    problems = tampering(nb, release)
    assert [p.code for p in problems] == [CODE]
    assert "replaces numpy.allclose (cell measure_sparsity, line 2; cell measure_sparsity, line 3)" in problems[0].message
