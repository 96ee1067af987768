"""What the report shows: the ranked pairs as JSON and in the terminal, and the shared regions side by side in HTML."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from course.similarity.fingerprints import code_tokens
from course.similarity.index import PairScore
from course.similarity.report import compare_notebooks, pair_record, summary_table, write_json
from course.similarity.html_report import highlighted, render_html
from tests.similarity.planted import STYLES, alternative_code, disguised_code, handed_in, model_answers, reference_code, release, reworded


@pytest.fixture(scope="module")
def report():
    reference = reference_code()
    return compare_notebooks(release(), {
        "ada": handed_in(reference, model_answers()),
        "bo": handed_in(disguised_code(reference, seed=3), reworded(model_answers())),
        "cy": handed_in(alternative_code(STYLES[0])),
        "dee": release(),
    }, skipped={"eve": "the notebook file is empty"})


def test_the_json_is_a_list_of_pairs_with_students_and_a_score_highest_first(report, tmp_path):
    path = write_json(report.shown(top=None), tmp_path / "out" / "pairs.json")
    pairs = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(pairs, list) and len(pairs) == len(report.pairs) >= 3
    assert (pairs[0]["a"], pairs[0]["b"]) == ("ada", "bo")
    scores = [p["score"] for p in pairs]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for p in pairs:
        assert {"a", "b", "score", "code", "text", "matches"} <= set(p) and p["a"] < p["b"]
        assert all({"part", "kind", "score", "shared"} == set(m) and m["kind"] in ("code", "text") for m in p["matches"])
    assert not [p for p in pairs if "dee" in (p["a"], p["b"])]


def test_shown_keeps_the_top_pairs_above_the_minimum_score(report):
    assert report.shown(top=1) == list(report.pairs[:1])
    assert report.shown(top=None) == report.shown(top=0) == list(report.pairs)
    high = report.shown(min_score=0.5, top=None)
    assert high and all(p.score >= 0.5 for p in high) and len(high) < len(report.pairs)


def test_the_table_ranks_the_pairs_and_says_who_was_not_compared(report):
    text = summary_table(report, report.shown(), "compression", width=160)
    first = next(line for line in text.splitlines() if line.strip().startswith("1 "))
    assert first.split()[:4] == ["1", "ada", "bo", "1.00"]
    assert "4 submissions compared" in text and "of 6 pairs share something" in text
    assert "not compared: eve (the notebook file is empty)" in text
    assert "no pair to show" in summary_table(report, [], "compression", width=160)


class _Marks(HTMLParser):
    """The text inside <mark>, by pair section (data-a, data-b), part (data-part) and side (data-student)."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: dict[tuple[str, str], dict[str, dict[str, list[str]]]] = {}
        self.pair = self.part = self.side = None
        self.in_mark = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.pair = (attrs["data-a"], attrs["data-b"])
            self.marked[self.pair] = {}
        elif tag == "div" and "data-part" in attrs:
            self.part = attrs["data-part"]
        elif tag == "div" and "data-student" in attrs:
            self.side = attrs["data-student"]
            self.marked[self.pair].setdefault(self.part, {})[self.side] = []
        elif tag == "mark":
            self.in_mark = True
            self.marked[self.pair][self.part][self.side].append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self.in_mark = False

    def handle_data(self, data):
        if self.in_mark:
            self.marked[self.pair][self.part][self.side][-1] += data


def test_the_page_shows_both_students_shared_regions_highlighted(report):
    parser = _Marks()
    parser.feed(render_html(report, report.shown(), "compression"))
    parts = parser.marked[("ada", "bo")]
    assert {m.part for m in report.pairs[0].matches} == set(parts)
    for name in ("measure_sparsity", "KnowledgeDistillation", "compress_model"):
        for side in ("ada", "bo"):
            assert parts[name][side] and all(region in report.parts[side][name].text for region in parts[name][side])
        ada, bo = ("\n".join(parts[name][side]) for side in ("ada", "bo"))
        # the same code on both sides, as the copier wrote it on theirs (other names, comments, layout)
        assert [t.text for t in code_tokens(ada)] == [t.text for t in code_tokens(bo)] and len(code_tokens(ada)) > 20
        assert ada != bo


def test_regions_are_escaped_and_marked_exactly():
    assert highlighted("a < b and c", [(0, 1), (10, 11)]) == "<mark>a</mark> &lt; b and <mark>c</mark>"


def test_a_pair_record_rounds_the_scores():
    record = pair_record(PairScore("a", "b", 2 / 3, 2 / 3, 0.0, ()))
    assert record == {"a": "a", "b": "b", "score": 0.6667, "code": 0.6667, "text": 0.0, "matches": []}
