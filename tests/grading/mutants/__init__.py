"""Submissions that probe the hidden tests: plausible mistakes and correct rewrites.

* ``wrong/<function>.py``: the plausible mistakes in ``<function>``, each an
  edit of the reference solution. The module names the solution cell the
  edits apply to (``CELL``, its nbgrader grade id: one cell may hold several
  functions) and lists its ``MUTANTS``: a short name, what the student did
  in one line, and exact ``(old, new)`` text replacements of the cell's
  reference code. Each ``old`` must occur exactly once
  (``demo.submissions.apply_replacements``), so an edit that no longer
  fits a rewritten reference stops the run with an error naming the mutant
  instead of quietly handing in the reference. Every mistake is handed in by
  its own student ``<function>__<name>``, who must lose points, and only in
  the test cells of ``<function>``.
* ``correct/<style>/<function>.py``: a correct implementation that differs
  from the reference (loops instead of vectorised numpy, another numerical
  route), as a plain Python file whose docstring says, in its first line,
  what the student did: files rather than strings, so that the code reads,
  diffs and lints like code. All files of one style are handed in together,
  by one student ``alternative_<style>``, who must get full marks. Their
  code is spliced into the reference solution cell in place of the
  definitions it redefines (``demo.submissions.with_definitions``).

Either way the rest of the notebook stays the reference.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from course.definitions import top_level_definitions
from demo.submissions import apply_replacements

HERE = Path(__file__).resolve().parent
WRONG_DIR = HERE / "wrong"
CORRECT_DIR = HERE / "correct"
MISTAKE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class MutantError(ValueError):
    """A mutant that does not fit the reference solution (any more)."""


@dataclass(frozen=True, init=False)
class Mistake:
    """One plausible mistake: exact ``(old, new)`` replacements in the reference code of a cell."""

    name: str
    description: str
    replacements: tuple[tuple[str, str], ...]

    def __init__(self, name: str, description: str, *replacements: tuple[str, str]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "replacements", tuple(replacements))


@dataclass(frozen=True)
class Mutant:
    """A wrong implementation of one function, handed in by its own student."""

    function: str  # the contract function it gets wrong
    cell: str  # grade id of the solution cell the replacements apply to
    mistake: Mistake

    @property
    def name(self) -> str:
        """Student id in the gradebook."""
        return f"{self.function}__{self.mistake.name}"

    @property
    def description(self) -> str:
        return self.mistake.description

    def cell_code(self, reference: dict[str, str]) -> str:
        """The reference code of the mutant's cell with its replacements applied."""
        if self.cell not in reference:
            raise MutantError(f"mutant {self.name}: no solution cell {self.cell!r}; have {sorted(reference)}")
        try:
            return apply_replacements(reference[self.cell], self.mistake.replacements)
        except ValueError as error:
            raise MutantError(f"mutant {self.name} does not fit the reference of cell {self.cell!r}: {error}") from None

    def submission(self, reference: dict[str, str]) -> dict[str, str]:
        """The reference solutions with the mutant's cell edited: what its student hands in."""
        return {**reference, self.cell: self.cell_code(reference)}

    def diff(self, reference: dict[str, str]) -> str:
        """The edit as a unified diff of the cell, for failure messages."""
        lines = difflib.unified_diff(
            reference[self.cell].splitlines(), self.cell_code(reference).splitlines(),
            f"reference/{self.cell}", f"{self.name}/{self.cell}", n=1, lineterm="",
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class Variant:
    """One student's code for one contract function."""

    function: str
    code: str
    description: str  # first line of the file's docstring

    @property
    def defines(self) -> set[str]:
        """Every function and class the code (re)defines: a cell may hold several."""
        return set(top_level_definitions(self.code))


@dataclass(frozen=True)
class Alternative:
    """A student whose every function in ``variants`` is correct but written differently."""

    name: str  # student id in the gradebook
    variants: tuple[Variant, ...]


def read_variant(path: Path, function: str) -> Variant:
    """The code of ``path`` without its docstring, and the docstring's first line."""
    text = path.read_text(encoding="utf-8")
    module = ast.parse(text)
    docstring = ast.get_docstring(module)
    if not docstring:
        raise ValueError(f"{path}: the docstring must say what the student did")
    body_start = module.body[0].end_lineno
    code = "\n".join(text.splitlines()[body_start:]).strip("\n") + "\n"
    return Variant(function=function, code=code, description=docstring.splitlines()[0])


def form_problems(mistake: object) -> list[str]:
    """What is wrong with the form of one ``MUTANTS`` entry (nothing, for a well-formed one)."""
    if not isinstance(mistake, Mistake):
        return ["not a Mistake"]
    pairs = all(
        isinstance(r, tuple) and len(r) == 2 and all(isinstance(s, str) for s in r) for r in mistake.replacements
    )
    return [
        problem
        for problem, wrong in (
            ("the name must be snake_case", not MISTAKE_NAME.fullmatch(str(mistake.name))),
            ("the description must be one line", not str(mistake.description).strip() or "\n" in mistake.description),
            ("there are no replacements", not mistake.replacements),
            ("replacements must be (old, new) pairs of strings", not pairs),
        )
        if wrong
    ]


def mutants_of(function: str) -> list[Mutant]:
    """The mutants of ``wrong/<function>.py``, checked for form (not yet against the reference)."""
    module = importlib.import_module(f"{__name__}.wrong.{function}")
    cell, mistakes = getattr(module, "CELL", None), getattr(module, "MUTANTS", None)
    where = f"{WRONG_DIR.name}/{function}.py"
    if not isinstance(cell, str) or not isinstance(mistakes, list) or not mistakes:
        raise ValueError(f"{where}: needs CELL (a grade id) and a non-empty list MUTANTS")
    for index, mistake in enumerate(mistakes):
        if problems := form_problems(mistake):
            raise ValueError(f"{where}: MUTANTS[{index}] ({getattr(mistake, 'name', '?')}): {'; '.join(problems)}")
    names = [m.name for m in mistakes]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: mistake names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return [Mutant(function=function, cell=cell, mistake=m) for m in mistakes]


def load_mutants() -> list[Mutant]:
    """Every mistake of every ``wrong/<function>.py``, named ``<function>__<mistake>``."""
    return [m for path in sorted(WRONG_DIR.glob("*.py")) if path.stem != "__init__" for m in mutants_of(path.stem)]


def load_alternatives() -> list[Alternative]:
    """One ``alternative_<style>`` student per directory ``correct/<style>/``."""
    return [
        Alternative(
            name=f"alternative_{style.name}",
            variants=tuple(read_variant(path, path.stem) for path in sorted(style.glob("*.py"))),
        )
        for style in sorted(p for p in CORRECT_DIR.iterdir() if p.is_dir())
    ]
