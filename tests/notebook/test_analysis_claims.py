"""Every measured claim of the chapter's text, checked against the numbers the analyses print.

The source notebook (reference solutions) is executed top to bottom several
times, as a student would run it, on whatever machine runs the tests: a
loaded 2-core CI machine included. Each test quotes the sentence it checks
and checks it in every run, so a claim that holds only on a quiet machine
fails here. Timing claims compare CPU times of the same run (the notebook's
``cpu_ms``); everything else is exact arithmetic on fixed data.
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from course.cells import grade_id
from tests.reference import NOTEBOOK

pytestmark = pytest.mark.slow

RUNS = int(os.environ.get("COURSE_ANALYSIS_RUNS", "3"))
NUMBER = r"[-+]?\d[\d,]*\.?\d*"


def executed_outputs() -> dict[str, str]:
    """grade id of each analysis cell -> the text it printed, from one run of the source notebook."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}  # analyses run unless grading
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute(env=env)
    printed = {}
    for cell in nb.cells:
        if "analysis" in cell.metadata.get("tags", []):
            assert not [o for o in cell.outputs if o.output_type == "error"], grade_id(cell)
            printed[grade_id(cell)] = "".join(o.text for o in cell.outputs if o.output_type == "stream")
            assert any("image/png" in o.get("data", {}) for o in cell.outputs) or grade_id(cell) == "analysis_profiler", (
                f"{grade_id(cell)} shows no figure"
            )
    return printed


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(NUMBER, text)]


def table(text: str) -> list[list[float]]:
    """The numeric rows of a printed ``a | b | c`` table (header lines skipped)."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 1 and re.fullmatch(NUMBER, cells[0]):
            rows.append([v for cell in cells for v in numbers(cell)])
    return rows


def named_rows(text: str) -> dict[str, list[float]]:
    """A printed table whose first column is a name: name -> its numbers."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 1 and cells[0] != "model":
            rows[cells[0]] = [v for cell in cells[1:] for v in numbers(cell)]
    return rows


@pytest.fixture(scope="module")
def runs() -> list[dict[str, str]]:
    return [executed_outputs() for _ in range(RUNS)]


def each(runs, cell: str):
    for number, printed in enumerate(runs, start=1):
        yield number, printed[cell]


def test_motivation_about_a_third_of_the_weights_are_small(runs):
    """"About a third of all weights have `|w| < 0.05`"."""
    for run, text in each(runs, "analysis_motivation"):
        share = float(re.search(r"\|w\| < 0\.05: ([\d.]+)%", text).group(1))
        assert 28 <= share <= 40, (run, share)


def test_pruning_magnitude_keeps_its_accuracy_longer(runs):
    """"at equal sparsity magnitude pruning keeps its accuracy far longer"; "structured sparsity tops out below 100%"."""
    for run, text in each(runs, "analysis_pruning"):
        rows = table(text)
        assert len(rows) == 8, (run, text)
        for level, s_mag, a_mag, s_str, a_str in rows:
            if level >= 0.6:
                assert s_str <= s_mag and a_mag > a_str + 0.03, (run, level, a_mag, a_str)
        assert max(r[3] for r in rows) < 100, run


def test_low_rank_energy_accuracy_and_break_even(runs):
    """Top 10% of directions: "about a third of the energy, against about a fifth for random weights";
    "at a fifth of the rank the model keeps 0.95 of the teacher's 0.98 accuracy with under a third of the
    parameters"; "a twentieth of the rank leaves about half the digits right"; at rank_ratio 1 "more numbers"."""
    for run, text in each(runs, "analysis_low_rank"):
        energies = re.findall(r"hold (\d+)% of the energy \(random, same scale: (\d+)%\)", text)
        assert len(energies) == 2, (run, text)
        for trained, random in energies:
            assert 28 <= int(trained) <= 38 and 15 <= int(random) <= 25, (run, trained, random)
        rows = {r[0]: r for r in table(text)}
        dense_params, dense_acc = numbers(text.split("dense teacher:")[1])[:2]
        _, params, share, acc = rows[0.2]
        assert round(acc, 2) == 0.95 and round(dense_acc, 2) == 0.98 and params < dense_params / 3, (run, rows[0.2])
        assert 0.4 <= rows[0.05][3] <= 0.65, (run, rows[0.05])
        assert rows[1.0][1] > dense_params, (run, rows[1.0])


def test_distilled_student_learns_faster_and_ends_higher(runs):
    """"about 40 times smaller"; "learns faster (after 10 epochs it is well ahead) and ends higher on average"."""
    for run, text in each(runs, "analysis_distillation"):
        teacher = numbers(text.split("teacher:")[1])[0]
        student = numbers(text.split("student:")[1])[0]
        assert 35 <= teacher / student <= 45, (run, teacher, student)
        final = {}
        for name, mean, _, seeds, early in re.findall(rf"\s+(\w+)[^\n]*?accuracy ({NUMBER}) ± ({NUMBER}) over (\d+) seeds "
                                                      rf"\(after 10 epochs: ({NUMBER})\)", text):
            final[name] = float(mean), float(early)
        assert set(final) == {"labels", "distilled"}, (run, text)
        assert final["distilled"][0] > final["labels"][0], (run, final)
        assert final["distilled"][1] > final["labels"][1] + 0.03, (run, final)


def test_quantisation_bits_against_error_and_accuracy(runs):
    """"Eight bits cost nothing measurable here and save 75%"; "four bits still hold up (within a point)";
    "below that the largest rounding error grows past the median weight itself, and accuracy falls with
    every bit removed"."""
    for run, text in each(runs, "analysis_quantization"):
        rows = {int(r[0]): r for r in table(text)}
        teacher_acc, median = numbers(text.split("accuracy")[-1])[0], numbers(text.split("median |w|")[1])[0]
        bits8, bits4, bits3, bits2 = rows[8], rows[4], rows[3], rows[2]
        assert bits8[2] == 75.0 and abs(bits8[4] - teacher_acc) < 0.005, (run, bits8)
        assert bits4[4] >= teacher_acc - 0.01 and bits4[3] < median, (run, bits4)
        assert bits3[3] > median and bits2[3] > median, (run, bits3, bits2)
        assert teacher_acc > bits3[4] > bits2[4], (run, bits3, bits2)


def test_speedup_of_removing_neurons(runs):
    """"Halving the neurons or more always saves time, and the speed-up grows as fewer neurons are kept"
    (compared where the multiply-adds at least halve from one row to another, which no load on the machine
    reverses); "with a tenth of the neurons it falls well behind that ratio"; accuracies the same down to half,
    "at a quarter and a tenth they differ by more than ten points, one way at a quarter and the other way at a tenth".
    The rows of different keep ratios never read the same. How close the speed-up comes to the ratio of
    multiply-adds depends on the load, and the text claims nothing about it."""
    for run, text in each(runs, "analysis_speedup"):
        rows = table(text)
        keeps = [r[0] for r in rows]
        assert keeps == [1.0, 0.75, 0.5, 0.25, 0.1], (run, text)
        by_keep = {r[0]: r for r in rows}
        speedup, work, removed_ms = ({r[0]: r[i] for r in rows} for i in (5, 6, 4))
        assert all(speedup[keep] > 1 for keep in (0.5, 0.25, 0.1)), (run, speedup)
        for more, fewer in ((1.0, 0.5), (0.75, 0.25), (0.5, 0.25), (0.5, 0.1), (0.25, 0.1)):
            assert 2 * by_keep[fewer][2] <= by_keep[more][2], (run, "multiply-adds", more, fewer)
            assert speedup[fewer] > speedup[more] and removed_ms[fewer] < removed_ms[more], (run, more, fewer, rows)
        assert len({r[2] for r in rows}) == len(rows), (run, "multiply-adds per row")
        assert speedup[0.1] < 0.8 * work[0.1], (run, by_keep[0.1])
        for keep in (1.0, 0.5):
            assert abs(by_keep[keep][7] - by_keep[keep][8]) < 0.002, (run, by_keep[keep])
        assert by_keep[0.25][8] - by_keep[0.25][7] > 0.1 and by_keep[0.1][7] - by_keep[0.1][8] > 0.1, (run, rows)


def test_profiler_table(runs):
    """Magnitude pruning cuts "neither the memory of a dense format nor the multiply-adds"; removing neurons:
    "the time falls with them" (a sixth of the multiply-adds: at least a third less time under any load); factorising at rank 0.2 cuts "parameters, memory and multiply-adds
    about threefold, but at this size its time falls by much less than that"."""
    for run, text in each(runs, "analysis_profiler"):
        rows = named_rows(text)
        dense, magnitude, neurons, low_rank = (rows[name] for name in
                                               ("dense teacher", "magnitude 80%", "neurons kept 30%", "low rank 0.2"))
        params, nonzero, memory, work, ms = range(5)
        assert magnitude[params] == dense[params] and magnitude[memory] == dense[memory] and magnitude[work] == dense[work]
        assert magnitude[nonzero] < 0.25 * dense[nonzero], (run, magnitude)
        for column in (params, memory, work):
            assert neurons[column] < dense[column] / 3, (run, column, neurons)
        assert dense[work] / neurons[work] > 5 and dense[ms] / neurons[ms] > 1.5, (run, dense, neurons)
        for column in (params, memory, work):
            assert 2.5 <= dense[column] / low_rank[column] <= 4, (run, column, low_rank)
        assert dense[ms] / low_rank[ms] < (dense[work] / low_rank[work]) / 1.5, (run, dense, low_rank)
