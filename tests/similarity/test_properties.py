"""Properties over generated classes: cosmetic edits never hide a copy, the release never counts."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from course.similarity.parts import Release, submission_parts
from course.similarity.report import compare_notebooks
from demo.disguise import disguised, local_names, renamed
from tests.similarity.planted import STYLES, alternative_code, handed_in, model_answers, reference_code, release

SETTINGS = settings(max_examples=20, deadline=None)
IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).map(lambda name: f"v_{name}")  # never a keyword


@cache
def sources() -> dict[str, dict[str, str]]:
    """The code of each style, by grade id: the reference and two independent alternatives."""
    return {"reference": reference_code(), **{style: alternative_code(style) for style in STYLES}}


@cache
def baseline() -> Release:
    return Release.of(release())


def score(a, b) -> float:
    pairs = compare_notebooks(release(), {"a": a, "b": b}).pairs
    return pairs[0].score if pairs else 0.0


@SETTINGS
@given(data=st.data())
def test_renaming_identifiers_never_lowers_a_copys_score(data):
    """Whatever the new names, a copy of some functions scores as the verbatim copy of them does."""
    original = sources()["reference"]
    copied = data.draw(st.sets(st.sampled_from(sorted(original)), min_size=1), label="cells copied")
    own = sources()[data.draw(st.sampled_from(STYLES), label="the rest in style")]
    verbatim = {gid: original[gid] if gid in copied else own[gid] for gid in original}
    new_names = {gid: {name: data.draw(IDENTIFIER) for name in sorted(local_names(original[gid]))} for gid in copied}
    disguised_copy = {**verbatim, **{gid: renamed(original[gid], new_names[gid]) for gid in copied}}
    assert disguised_copy != verbatim or not any(new_names.values())
    assert score(handed_in(original), handed_in(disguised_copy)) == score(handed_in(original), handed_in(verbatim)) > 0


@SETTINGS
@given(seed=st.integers(0, 10_000), gid=st.sampled_from(sorted(reference_code())))
def test_comments_reordering_and_reformatting_change_no_fingerprint(seed, gid):
    code = sources()["reference"][gid]
    parts, copied = (submission_parts(handed_in({gid: text}), baseline()) for text in (code, disguised(code, seed)))
    assert {name: set(p.fingerprints.hashes.tolist()) for name, p in parts.items()} == {
        name: set(p.fingerprints.hashes.tolist()) for name, p in copied.items()}


@SETTINGS
@given(data=st.data())
def test_the_release_against_anyone_is_zero(data):
    students = {}
    for index in range(data.draw(st.integers(1, 3), label="students")):
        style = sources()[data.draw(st.sampled_from(sorted(sources())))]
        cells = data.draw(st.sets(st.sampled_from(sorted(style))), label="cells written")
        answers = data.draw(st.sets(st.sampled_from(sorted(model_answers()))), label="answers written")
        students[f"s{index}"] = handed_in({gid: style[gid] for gid in cells}, {g: model_answers()[g] for g in answers})
    report = compare_notebooks(release(), {**students, "release": release()})
    assert not [p for p in report.pairs if "release" in (p.a, p.b)]
    assert all(0 < p.score <= 1 for p in report.pairs)

