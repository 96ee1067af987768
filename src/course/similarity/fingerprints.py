"""Winnowed fingerprints of code and of prose, blind to the edits a copier makes to hide a copy.

A copy is found by what two texts share after everything cosmetic is taken
away, as MOSS does (Schleimer, Wilkerson and Aiken, "Winnowing: local
algorithms for document fingerprinting", SIGMOD 2003): each text becomes a
sequence of normalised tokens, every run of ``k`` consecutive tokens is
hashed, and winnowing keeps the smallest hash of every ``window``
consecutive ones. Two texts that share a run of at least ``k + window - 1``
tokens are then guaranteed to share a fingerprint, and far fewer
fingerprints are kept than k-grams.

Code is split into Python's tokens by one regular expression (``LEXER``:
names, numbers, strings, operators, comments, line ends); the standard
library's ``tokenize``, written in Python, took five times as long to split
the same code, most of the time of a class of 300. Comments,
docstrings, blank lines, indentation and line breaks are dropped, so
reformatting changes nothing; every name a student chooses (variables,
functions, parameters, imported modules) becomes one placeholder, so
renaming changes nothing; string literals become another. What a student
cannot rename without changing the program stays as it is: keywords,
operators, numbers, builtins (``len``, ``ValueError``) and attribute names
(``.shape``, ``.linalg.svd``), which keeps two independent solutions apart.
Code that is not valid Python is still split, as far as the expression can
make sense of it.

Prose is read as words, lower-cased, without punctuation or markup, without
the most common English words and with a plural "s" dropped, so light
rewording ("the zeros" -> "zeros") leaves about half the word triples intact.

Hashes are deterministic (no per-process salt), so a report is the same on
every run.
"""

from __future__ import annotations

import builtins
import keyword
import re
import zlib
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


class Kind(str, Enum):
    CODE = "code"
    TEXT = "text"


class Token(NamedTuple):
    """A normalised token and where its original text is in the source (character offsets)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Fingerprints:
    """Winnowed k-gram hashes of a text, in order, and the characters ``[start, end)`` each one covers."""

    hashes: np.ndarray  # int64
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.hashes)

    def among(self, hashes: np.ndarray) -> np.ndarray:
        """Which of these fingerprints have a hash in ``hashes`` (sorted), as a mask."""
        where = np.searchsorted(hashes, self.hashes).clip(max=max(len(hashes) - 1, 0))
        return hashes[where] == self.hashes if len(hashes) else np.zeros(len(self.hashes), dtype=bool)

    def without(self, hashes: np.ndarray) -> Fingerprints:
        """These fingerprints less those whose hash is in ``hashes`` (sorted)."""
        kept = ~self.among(hashes)
        return Fingerprints(self.hashes[kept], self.starts[kept], self.ends[kept])

    def regions(self, hashes: np.ndarray) -> list[tuple[int, int]]:
        """The spans of the fingerprints whose hash is in ``hashes`` (sorted), overlapping ones merged, in order."""
        chosen = self.among(hashes)
        merged: list[tuple[int, int]] = []
        for start, end in sorted(zip(self.starts[chosen].tolist(), self.ends[chosen].tolist())):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


@dataclass(frozen=True)
class Scheme:
    """How a kind of text is fingerprinted: ``k`` tokens per k-gram, winnowing ``window`` k-grams."""

    k: int
    window: int


# Code: 12 tokens is about one statement; any run of 15 shared tokens is found.
# Prose: word triples, all of them kept (written answers are a few dozen words).
SCHEMES = {Kind.CODE: Scheme(k=12, window=4), Kind.TEXT: Scheme(k=3, window=1)}

NAME, STRING = "V", "S"  # the placeholders of chosen names and of string literals
SEPARATOR = ";"  # the end of a statement, however it was written
OPENING, CLOSING = frozenset("([{"), frozenset(")]}")
KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins))
LEXER = re.compile(r"""[ \t\f]*(?:
     (?P<comment>\#[^\r\n]*)
    |(?P<string>[rRbBuUfF]{0,2}(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^\\'\r\n])*'|"(?:\\.|[^\\"\r\n])*"))
    |(?P<name>[^\W\d]\w*)
    |(?P<number>0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
    |(?P<newline>\r?\n|\r)
    |(?P<continuation>\\\r?\n)
    |(?P<op>\*\*=|//=|>>=|<<=|\.\.\.|->|:=|[-+*/%&|^@<>=!]=|\*\*|//|<<|>>|[-+*/%&|^~@<>=.,:;()\[\]{}])
    |(?P<other>\S)
)""", re.VERBOSE | re.DOTALL)
SKIPPED = {"comment", "continuation"}
STOP_WORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own same
she should so some such than that the their them then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your
""".split())
WORD = re.compile(r"[^\W_]+")
POLYNOMIAL_BASE = 1_000_003  # odd, so that no token's weight vanishes modulo 2**64


def code_tokens(source: str) -> list[Token]:
    """The normalised tokens of Python ``source``, in order."""
    tokens: list[Token] = []
    depth = 0  # open brackets: a line break inside them ends no statement
    opening_string = -1  # where a string that opened the current statement is (a docstring, if it stays alone)
    for match in LEXER.finditer(source):
        kind = match.lastgroup
        if kind in SKIPPED or kind == "newline" and depth:
            continue
        start, end = match.span(kind)
        text = match.group(kind)
        if kind == "newline" or text == SEPARATOR:
            if opening_string == len(tokens) - 1 >= 0:
                tokens.pop()  # a string alone in its statement: a docstring, or a string used as a comment
            if tokens and tokens[-1].text != SEPARATOR:
                tokens.append(Token(SEPARATOR, start, end))
            opening_string = -1
        elif kind == "string":
            if not tokens or tokens[-1].text == SEPARATOR:
                opening_string = len(tokens)
            tokens.append(Token(STRING, start, end))
        elif kind == "name":
            kept = text in KEPT_NAMES or (tokens and tokens[-1].text == ".")
            tokens.append(Token(text if kept else NAME, start, end))
        else:
            if text in OPENING:
                depth += 1
            elif text in CLOSING:
                depth = max(depth - 1, 0)
                if tokens and tokens[-1].text == ",":
                    tokens.pop()  # a trailing comma, as formatters add and remove them
            tokens.append(Token(text, start, end))
    if opening_string == len(tokens) - 1 >= 0:
        tokens.pop()
    if tokens and tokens[-1].text == SEPARATOR:
        tokens.pop()  # whether the text ends with a line break or not
    return tokens


def text_tokens(text: str) -> list[Token]:
    """The words of ``text`` that carry its content, lower-cased, plural "s" dropped."""
    tokens = []
    for match in WORD.finditer(text):
        word = match.group().casefold()
        if word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        tokens.append(Token(word, match.start(), match.end()))
    return tokens


TOKENIZERS = {Kind.CODE: code_tokens, Kind.TEXT: text_tokens}


def _kgram_hashes(tokens: list[Token], k: int) -> np.ndarray:
    """The hash of every run of ``k`` tokens: a polynomial of the tokens' CRC-32s, modulo 2**64, as int64."""
    if len(tokens) < k:
        return np.array([], dtype=np.int64)
    ids = np.array([zlib.crc32(token.text.encode()) for token in tokens], dtype=np.uint64)
    powers = np.uint64(POLYNOMIAL_BASE) ** np.arange(k, dtype=np.uint64)  # wraps around modulo 2**64, as meant
    return (sliding_window_view(ids, k) * powers).sum(axis=1, dtype=np.uint64).view(np.int64)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Positions of the rightmost smallest hash of every ``window`` consecutive ones, each once, in order."""
    if len(hashes) == 0:
        return np.array([], dtype=np.int64)
    window = min(window, len(hashes))
    windows = sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost)


def fingerprints(text: str, kind: Kind) -> Fingerprints:
    """The winnowed fingerprints of ``text``, each with the span of source it covers."""
    scheme = SCHEMES[kind]
    tokens = TOKENIZERS[kind](text)
    every = _kgram_hashes(tokens, scheme.k)
    chosen = winnow(every, scheme.window)
    hashes = every[chosen]
    starts = np.array([tokens[i].start for i in chosen.tolist()], dtype=np.int64)
    ends = np.array([tokens[i + scheme.k - 1].end for i in chosen.tolist()], dtype=np.int64)
    return Fingerprints(hashes, starts, ends)


def every_hash(text: str, kind: Kind) -> np.ndarray:
    """The hash of every k-gram of ``text``, winnowed or not: what to subtract when ``text`` is common to all."""
    return _kgram_hashes(TOKENIZERS[kind](text), SCHEMES[kind].k)
