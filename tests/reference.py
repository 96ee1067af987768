"""The reference solutions, loaded from the source notebook itself.

Tests must judge the code that ships in ``source/``, never a copy installed
elsewhere, so this executes the notebook's given and solution cells (not its
tests or analyses) in a fresh module.
"""

from __future__ import annotations

import types

import nbformat

from course.cells import CellKind, code_of_kinds
from course.content import source_path

NOTEBOOK = source_path("compression")


def load_reference() -> types.ModuleType:
    """A new module holding everything the notebook defines for students."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    module = types.ModuleType("compression_reference")
    module.__file__ = str(NOTEBOOK)
    code = code_of_kinds(nb, CellKind.GIVEN, CellKind.SOLUTION)
    exec(compile(code, str(NOTEBOOK), "exec"), module.__dict__)
    return module
