"""Normalised tokens and winnowed fingerprints: blind to cosmetic edits, not to what the code does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from course.similarity.fingerprints import SCHEMES, Kind, code_tokens, fingerprints, text_tokens, winnow

ORIGINAL = '''\
def count_zeros(model, limit=2):
    """How many weights are zero."""
    weights = [p.data for p in model.parameters() if p.ndim >= limit]
    total = sum(w.size for w in weights)
    return np.sum([np.count_nonzero(w == 0) for w in weights]) / total
'''
DISGUISED = '''\
def count_zeros(net,
                lim = 2):
  # a new comment
  matrices = [
      q.data for q in net.parameters() if q.ndim >= lim   # another
  ]
  """A string used as a comment."""

  n = sum(m.size for m in matrices)

  return np.sum([np.count_nonzero(m == 0) for m in matrices,]) / n
'''


def texts(tokens) -> list[str]:
    return [t.text for t in tokens]


def test_renaming_comments_docstrings_and_reformatting_leave_the_tokens_unchanged():
    assert texts(code_tokens(DISGUISED)) == texts(code_tokens(ORIGINAL))


def test_what_a_student_cannot_rename_is_kept_and_strings_are_one_placeholder():
    tokens = texts(code_tokens('if len(x) > 2:\n    raise ValueError(f"bad {x}")\nu = np.linalg.svd(x, full_matrices=False)\n'))
    assert tokens[:6] == ["if", "len", "(", "V", ")", ">"]
    assert "ValueError" in tokens and "S" in tokens and "bad" not in " ".join(tokens)
    assert ["V", ".", "linalg", ".", "svd"] == tokens[tokens.index("svd") - 4: tokens.index("svd") + 1]


def test_other_library_calls_are_other_tokens():
    assert texts(code_tokens("y = np.sum(x)\n")) != texts(code_tokens("y = np.mean(x)\n"))


def test_the_tokens_point_at_their_source():
    for token in code_tokens(ORIGINAL):
        original = ORIGINAL[token.start:token.end]
        assert token.text in (original, "V", "S", ";") or original.isspace() or not original


def test_code_that_is_not_python_is_still_split_to_the_end():
    tokens = texts(code_tokens('x = compute(a,\n  b\ny = "unterminated\nz = 1\n'))
    assert tokens[:4] == ["V", "=", "V", "("] and tokens[-3:] == ["V", "=", "1"]


def test_prose_is_compared_by_its_content_words():
    assert texts(text_tokens("The **Zeros** are stored, in CSR: 4 bytes each!")) == ["zero", "stored", "csr", "4", "byte"]
    assert texts(text_tokens("the zeros are stored")) == texts(text_tokens("Zeros stored."))


def test_fingerprints_are_the_same_in_every_process():
    """No per-process salt (Python salts str hashes): a report is reproducible."""
    script = ("import json; from course.similarity.fingerprints import Kind, fingerprints; "
              f"print(json.dumps(fingerprints({ORIGINAL!r}, Kind.CODE).hashes.tolist()))")
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
                                  capture_output=True, text=True, check=True).stdout)
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] == fingerprints(ORIGINAL, Kind.CODE).hashes.tolist() and runs[0]


@given(st.lists(st.integers(-2**63, 2**63 - 1), max_size=200), st.integers(1, 8))
def test_winnowing_picks_a_hash_in_every_window_and_each_position_once(hashes, window):
    selected = winnow(np.array(hashes, dtype=np.int64), window)
    assert list(selected) == sorted(set(selected.tolist()))
    for start in range(len(hashes) - window + 1):
        inside = [i for i in selected if start <= i < start + window]
        assert inside and min(hashes[i] for i in inside) == min(hashes[start:start + window])


WORDS = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta"]), max_size=20)


@settings(deadline=None)
@given(WORDS, WORDS, st.lists(st.sampled_from(["zero", "prune", "rank", "bits", "scale", "layer"]), min_size=20, max_size=40))
def test_two_code_texts_that_share_a_long_enough_run_share_a_fingerprint(before, after, run):
    """Winnowing's guarantee: a shared run of k + window - 1 tokens is always found."""
    scheme = SCHEMES[Kind.CODE]
    shared = " + ".join(run)  # tokens: name, +, name, ...: at least k + window - 1 of them
    assert len(code_tokens(shared)) >= scheme.k + scheme.window - 1
    a = fingerprints(f"x = {' - '.join(before) or 'a'} * {shared}\n", Kind.CODE)
    b = fingerprints(f"y = {shared} / {' * '.join(after) or 'b'}\n", Kind.CODE)
    assert set(a.hashes.tolist()) & set(b.hashes.tolist())
