"""The planted cases of the similarity tests, built from the committed release and source notebooks.

Students are the release with code typed in: the reference solutions, the
mutation check's correct alternatives (``tests/grading/mutants/correct``:
the same functions written independently, in other styles), copies of them
dressed up by ``demo.disguise``, and written answers: the model answers, a
lightly reworded copy of two of them, and two answers written independently.
"""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode

from assignments.compression import ASSIGNMENT
from course.cells import CellKind
from course.content import REPO_ROOT, source_path
from demo.disguise import disguised
from demo.submissions import apply_replacements, fill_solutions, reference_solutions, with_definitions
from tests.grading.mutants import load_alternatives

RELEASE_PATH = REPO_ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
# Two styles that share no author with the reference: explicit loops, and helpers shared across cells.
STYLES = ("alternative_plain_python", "alternative_shared_helpers")

# About one edit per sentence: what a student does to a classmate's answer to make it "their own".
REWORDINGS = {
    "q1_reasoning": [
        ("Dense kernels do the same", "A dense kernel does the same"),
        ("so unstructured zeros save no time", "so zeros that are unstructured save no time"),
        ("must store an index per surviving value", "have to keep an index for every surviving value"),
        ("irregular memory access defeats caches", "irregular memory accesses defeat the caches"),
        ("typically wins only", "usually wins just"),
    ],
    "q2_reasoning": [
        ("removes the individually least useful", "takes away the individually least useful"),
        ("so each zero costs little accuracy", "so every zero costs little accuracy"),
        ("must remove a whole neuron at once", "has to remove an entire neuron at once"),
        ("It is\nstill the right choice", "Still, it is the right choice"),
        ("fine-tuning can recover accuracy", "fine-tuning can win the accuracy back"),
    ],
}
# The same questions answered by someone who did not read the model answer.
OWN_ANSWERS = {
    "q1_reasoning": (
        "The matrix multiply in numpy is dense, it multiplies every entry including the zeros, so nothing "
        "gets faster. To really skip them you need a sparse representation like CSR, but then every "
        "nonzero also needs its column position stored, which roughly doubles the bytes per weight, and "
        "the scattered reads are slow on a CPU."
    ),
    "q2_reasoning": (
        "Global magnitude pruning can pick any weight in any layer, whereas removing neurons throws away "
        "whole columns even when some entries in them were big. That is why accuracy drops sooner for "
        "structured pruning. I would still use it for a phone app, because the layers really get smaller "
        "and a normal dense matmul runs faster on them without special sparse support."
    ),
}


def release() -> NotebookNode:
    return nbformat.read(RELEASE_PATH, as_version=4)


def reference_code() -> dict[str, str]:
    """The reference solution of every code cell, by grade id."""
    return reference_solutions(nbformat.read(source_path(ASSIGNMENT), as_version=4), kinds=(CellKind.SOLUTION,))


def model_answers() -> dict[str, str]:
    """The model answer of every written answer, without its rubric, as a student would hand it in."""
    answers = reference_solutions(nbformat.read(source_path(ASSIGNMENT), as_version=4), kinds=(CellKind.ANSWER,))
    return {gid: text.split("**Rubric")[0].replace("**Model answer.**", "").strip() for gid, text in answers.items()}


def alternative_code(style: str) -> dict[str, str]:
    """The reference code with every function replaced by the correct alternative of ``style``."""
    (alternative,) = [a for a in load_alternatives() if a.name == style]
    code = reference_code()
    for variant in alternative.variants:
        code = with_definitions(code, variant.code, variant.function)
    return code


def disguised_code(code: dict[str, str], seed: int = 0) -> dict[str, str]:
    """Each cell of ``code`` renamed, reordered, commented and reformatted (another seed per cell)."""
    return {gid: disguised(text, seed + index) for index, (gid, text) in enumerate(code.items())}


def reworded(answers: dict[str, str]) -> dict[str, str]:
    """``answers`` with the questions of ``REWORDINGS`` lightly reworded."""
    return {gid: apply_replacements(text, REWORDINGS[gid]) if gid in REWORDINGS else text
            for gid, text in answers.items()}


def handed_in(code: dict[str, str], answers: dict[str, str] | None = None) -> NotebookNode:
    """The release with ``code`` and ``answers`` (grade id -> text) typed in; every other cell as released."""
    return fill_solutions(release(), {**code, **(answers or {})})
