"""The planted cases: a disguised copy ranks first, independent work scores low, the release shares nothing."""

from __future__ import annotations

import pytest

from course.similarity.report import compare_notebooks
from tests.similarity.planted import (
    OWN_ANSWERS, STYLES, alternative_code, disguised_code, handed_in, model_answers, reference_code, release, reworded,
)

COPY_SCORE = 0.9  # a disguised copy scores at least this
INDEPENDENT_SCORE = 0.3  # two students who wrote their own score at most this


@pytest.fixture(scope="module")
def planted():
    reference, answers = reference_code(), model_answers()
    plain, helpers = (alternative_code(style) for style in STYLES)
    notebooks = {
        "original": handed_in(reference, answers),
        "copier": handed_in(disguised_code(reference), reworded(answers)),
        "plain": handed_in(plain, OWN_ANSWERS),
        "helpers": handed_in(helpers),
        "blank": release(),
        # Only one function each, the rest as released: stubs, docstrings, given code.
        "starter-a": handed_in({"measure_sparsity": reference["measure_sparsity"]}),
        "starter-b": handed_in({"magnitude_prune": plain["magnitude_prune"]}),
    }
    return compare_notebooks(release(), notebooks)


def pair(report, a: str, b: str):
    return next((p for p in report.pairs if {p.a, p.b} == {a, b}), None)


def test_the_disguised_copy_ranks_first_in_code_and_in_written_answers(planted):
    top = planted.pairs[0]
    assert {top.a, top.b} == {"original", "copier"}
    assert top.code >= COPY_SCORE and top.text >= 0.5 and top.score == max(top.code, top.text)
    runner_up = planted.pairs[1]
    assert runner_up.score <= INDEPENDENT_SCORE < top.score
    every_function = {name for name, part in planted.parts["original"].items() if part.kind.value == "code" and part.fingerprints}
    assert every_function <= {m.part for m in top.matches}


def test_the_reworded_answers_match_and_the_copied_functions_match_whole(planted):
    matches = {m.part: m for m in pair(planted, "original", "copier").matches}
    for gid in ("q1_reasoning", "q2_reasoning"):
        assert matches[gid].kind.value == "text" and matches[gid].score >= 0.3
    for gid in ("q3_reasoning", "q4_reasoning", "q5_strategy", "measure_sparsity", "KnowledgeDistillation"):
        assert matches[gid].score == 1.0


@pytest.mark.parametrize(("a", "b"), [("original", "plain"), ("original", "helpers"), ("plain", "helpers"),
                                      ("copier", "plain"), ("copier", "helpers")])
def test_independent_solutions_in_other_styles_score_low(planted, a, b):
    found = pair(planted, a, b)
    assert found is None or found.score <= INDEPENDENT_SCORE


def test_independently_written_answers_score_low(planted):
    found = pair(planted, "original", "plain")
    assert found is None or found.text <= 0.1


def test_the_blank_release_scores_zero_against_everyone(planted):
    assert not [p for p in planted.pairs if "blank" in (p.a, p.b)]
    assert all(not part.fingerprints for part in planted.parts["blank"].values())


def test_identical_starter_code_shares_nothing(planted):
    assert pair(planted, "starter-a", "starter-b") is None
    # ... while what each of them did write is found in the others' work
    assert pair(planted, "starter-a", "original").score > 0
    shared = {m.part for m in pair(planted, "starter-a", "original").matches}
    assert shared == {"measure_sparsity"}


def test_moving_a_function_to_another_cell_changes_nothing():
    reference = reference_code()
    dequantize = reference["quantize_weights"].split("\n\n\ndef dequantize_weights")[1]
    moved = {**reference,
             "quantize_weights": reference["quantize_weights"].split("\n\n\ndef dequantize_weights")[0],
             "quantize_layer_weights": reference["quantize_layer_weights"] + "\n\n\ndef dequantize_weights" + dequantize}
    report = compare_notebooks(release(), {"original": handed_in(reference), "mover": handed_in(moved),
                                           "copier": handed_in(reference)})
    assert pair(report, "original", "mover").score == pair(report, "original", "copier").score == 1.0
