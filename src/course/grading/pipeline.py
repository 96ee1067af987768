"""The steps nbgrader's autograde runs on each notebook: one list for every path that grades.

Stock nbgrader runs the student's notebook with ``Execute``: the kernel has
the grader's permissions and the hidden tests run inside it. Every path that
grades this course runs nbgrader's own autograde steps with that one replaced
by the tamper-proof ``SandboxedExecute`` (the kernel in the sandbox, the test
cells in the grader):

* ``course autograde`` (``worker.grading_configs``, which passes its executor:
  ``ResilientExecute`` for ``--unsafe``);
* stock ``nbgrader autograde`` and the Formgrader's Autograde button, through
  the repository's ``nbgrader_config.py`` (``nbgrader_steps``).

Grading the stock way happens only on explicit request: ``course autograde
--unsafe``, or ``COURSE_UNSAFE_GRADING=1`` for stock nbgrader and the
Formgrader, which then run nbgrader's default steps unchanged, after a step
that says loudly that the notebook is graded without the sandbox.

Steps are dotted names that nbconvert imports when it registers them, and
this module imports nothing but the standard library, so that
``nbgrader_config.py`` can read the list without importing the grader.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

UNSAFE_VARIABLE = "COURSE_UNSAFE_GRADING"

NBGRADER_EXECUTE = "nbgrader.preprocessors.Execute"
# nbgrader 0.9.6's own Autograde.autograde_preprocessors, by name (tests/commands/test_stock_nbgrader_grading.py compares them).
NBGRADER_AUTOGRADE_STEPS = (
    NBGRADER_EXECUTE,
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)

SANDBOXED_EXECUTE = "course.grading.preprocessors.SandboxedExecute"
# Spelled out: nbgrader_config.py loads this file under another module name.
REQUIRE_SANDBOX = "course.grading.preprocessors.RequireSandbox"
WARN_UNSANDBOXED = "course.grading.pipeline.warn_unsandboxed"


def autograde_steps(executor: str | type = SANDBOXED_EXECUTE) -> list:
    """nbgrader's own autograde steps, in its order, with ``executor`` (a dotted name or a class) for its Execute.

    A sandboxed executor is preceded by ``RequireSandbox``, so that a machine
    without a working sandbox grades nothing and says why.
    """
    run = [REQUIRE_SANDBOX, executor] if _sandboxed(executor) else [executor]
    return [item for step in NBGRADER_AUTOGRADE_STEPS for item in (run if step == NBGRADER_EXECUTE else [step])]


# nbgrader 0.9.6's own Autograde.sanitize_preprocessors, by name: what runs before the notebook is executed.
NBGRADER_SANITIZE_STEPS = (
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
)
SOURCE_LAYOUT = "course.grading.layout.SourceLayout"


def sanitize_steps(executor: str | type = SANDBOXED_EXECUTE) -> list:
    """nbgrader's sanitizing; for the tamper-proof grader, first the submission is put in the source's layout."""
    steps = list(NBGRADER_SANITIZE_STEPS)
    return steps[:1] + [SOURCE_LAYOUT] + steps[1:] if _sandboxed(executor) else steps


def unsafe_requested(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(UNSAFE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def nbgrader_steps(environ: Mapping[str, str] = os.environ) -> list:
    """What the repository's ``nbgrader_config.py`` gives stock nbgrader and the Formgrader.

    The sandboxed pipeline; with ``COURSE_UNSAFE_GRADING=1``, nbgrader's
    own default steps, after a warning for each notebook graded that way.
    """
    if unsafe_requested(environ):
        return [WARN_UNSANDBOXED, *NBGRADER_AUTOGRADE_STEPS]
    return autograde_steps()


def nbgrader_sanitize_steps(environ: Mapping[str, str] = os.environ) -> list:
    """The sanitizing steps that go with ``nbgrader_steps``."""
    return list(NBGRADER_SANITIZE_STEPS) if unsafe_requested(environ) else sanitize_steps()


UNSAFE_WARNING = (
    f"WARNING: {UNSAFE_VARIABLE} is set: stock `nbgrader autograde` and the Formgrader grade WITHOUT the "
    "sandbox; student code runs with the grader's permissions and the hidden tests run in its kernel. "
    "For comparison only; `course autograde` is not affected (it has --unsafe)."
)


def warn_unsandboxed(nb, resources):
    """A pipeline step that only says, on stderr, which notebook is graded without the sandbox."""
    info = resources.get("nbgrader", {})
    where = "/".join(str(info.get(key, "?")) for key in ("student", "assignment", "notebook"))
    print(f"{UNSAFE_WARNING} Grading {where} unsandboxed.", file=sys.stderr, flush=True)
    return nb, resources


def _sandboxed(executor: str | type) -> bool:
    if isinstance(executor, str):
        return executor == SANDBOXED_EXECUTE
    from course.grading.preprocessors import SandboxedExecute

    return issubclass(executor, SandboxedExecute)
