"""Someone else's code dressed up the way a copier hides it: another text, the same program.

The similarity report claims to see through cosmetic edits; checking that
claim needs copies made with them: local names renamed, top-level
definitions in another order, comments added, the code reformatted
(two-space indents, blank lines between some statements). Parameters,
keyword arguments, attributes and module-level names keep their names, so
the copy still runs and grades like the original. Deterministic for a seed.
"""

from __future__ import annotations

import ast
import io
import random
import tokenize

from course.definitions import top_level_definitions

COMMENTS = ("my own approach", "first get the pieces", "careful with the shapes", "this is the tricky bit",
            "see lecture 4", "works on my tests", "TODO tidy up", "the main step")
PREFIXES = ("tmp", "my", "the", "val")


def local_names(source: str) -> set[str]:
    """Names bound inside function bodies, except parameters (callers may pass those by keyword) and
    names that f-strings use (the tokenizer sees an f-string as one token, so they could not be renamed inside it)."""
    tree = ast.parse(source)
    bound, params = set(), set()
    in_fstrings = {n.id for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for n in ast.walk(f) if isinstance(n, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            params |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
            bound |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    module_level = {
        n.id for statement in tree.body if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        for n in ast.walk(statement) if isinstance(n, ast.Name)
    }
    return bound - params - module_level - in_fstrings


def _line_starts(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def renamed(source: str, new_names: dict[str, str]) -> str:
    """``source`` with each name in ``new_names`` replaced wherever it is that variable; the layout kept.

    Attributes (``x.name``) and keyword arguments (``f(name=...)``) of the same
    spelling are other things and keep theirs.
    """
    starts, out, position, depth = _line_starts(source), [], 0, 0
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for index, tok in enumerate(tokens):
        if tok.type == tokenize.OP:
            depth += (tok.string in "([{") - (tok.string in ")]}")
        if tok.type != tokenize.NAME or tok.string not in new_names:
            continue
        if index and tokens[index - 1].string == ".":
            continue
        if depth and tokens[index + 1].string == "=":
            continue
        start = starts[tok.start[0] - 1] + tok.start[1]
        out += [source[position:start], new_names[tok.string]]
        position = start + len(tok.string)
    return "".join(out) + source[position:]


def reordered(source: str) -> str:
    """Whatever is not a definition first, then the top-level definitions in reverse order."""
    lines = source.splitlines()
    spans = sorted(top_level_definitions(source).values())
    inside = {i for start, end in spans for i in range(start, end)}
    rest = "\n".join(line for i, line in enumerate(lines) if i not in inside and line.strip())
    blocks = ["\n".join(lines[start:end]).strip("\n") for start, end in reversed(spans)]
    return "\n\n\n".join(([rest] if rest else []) + blocks) + "\n"


def reformatted(source: str, rng: random.Random) -> str:
    """Two-space indents, a blank line after some statements, a comment at the end of others."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    inside_strings = {row for t in tokens if t.type == tokenize.STRING for row in range(t.start[0] + 1, t.end[0] + 1)}
    statement_ends = {t.start[0] for t in tokens if t.type == tokenize.NEWLINE}
    out = []
    for row, line in enumerate(source.splitlines(), start=1):
        if row not in inside_strings:
            text = line.lstrip(" ")
            line = " " * ((len(line) - len(text)) // 2) + text
            if row in statement_ends and "#" not in line and rng.random() < 0.3:
                line = f"{line}  # {rng.choice(COMMENTS)}"
        out.append(line)
        if row in statement_ends and rng.random() < 0.3:
            out.append("")
    return "\n".join(out) + "\n"


def disguised(code: str, seed: int = 0) -> str:
    """``code`` with its local names renamed, its definitions reordered, comments added, reformatted."""
    rng = random.Random(seed)
    new_names = {name: f"{rng.choice(PREFIXES)}_{name.strip('_')[::-1]}{rng.randrange(10)}"
                 for name in sorted(local_names(code))}
    return reformatted(reordered(renamed(code, new_names)), rng)
