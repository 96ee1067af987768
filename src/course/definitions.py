"""Which functions and classes a piece of Python source defines at top level, and where.

The contract fixes the names of the functions, not the cells that hold them,
and one solution cell may hold several: the report charges lost points to a
function by the names its cell defines, and the submission builders swap one
definition at a time. Both read the source the same way, here.
"""

from __future__ import annotations

import ast


def top_level_definitions(source: str) -> dict[str, tuple[int, int]]:
    """Line span ``[start, end)`` (0-based, decorators included) of each top-level def/class."""
    spans = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            spans[node.name] = (start, node.end_lineno)
    return spans
