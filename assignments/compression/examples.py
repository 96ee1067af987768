"""The demo's example class, generated from the release notebook plus scripted edits.

Showing the grading pass needs a class whose hand-ins look like real ones,
the good and the hostile. Each example is the released notebook (same cells,
ids and locked metadata) with the source notebook's reference code typed in
(``demo.submissions``) and one scripted edit, so that the class follows the
assignment when it changes instead of rotting as hand-kept copies would. An
edit that no longer applies (a renamed cell, rewritten code) raises instead of
quietly handing in something else.

Deliver them as an LMS download (``write_lms_download``, for
``course collect --zip``) or into the exchange inbound the way
``nbgrader submit`` would (``submit_to_exchange``, for ``course collect``).
Every submission carries a time: one hour apart before ``DUE_DATE``, and the
late student a day after it.

    python -m assignments.compression.examples lms.zip          # or a folder
    python -m assignments.compression.examples --exchange       # after `course release`
"""

from __future__ import annotations

import argparse
import copy
import logging
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
from dateutil.tz import gettz
from nbformat import NotebookNode
from nbgrader.auth import Authenticator
from nbgrader.exchange import ExchangeError
from nbgrader.exchange.default import ExchangeSubmit
from traitlets import Any as AnyTrait

from assignments.compression import ASSIGNMENT
from course.cells import CellKind, grade_id
from course.content import REPO_ROOT, render, source_path
from course.course_config import course_directory, load_course_config, nbgrader_logger
from course.errors import CourseError
from demo.disguise import disguised
from demo.submissions import apply_replacements, cell_defining, fill_solutions, reference_solutions, with_definitions

log = logging.getLogger(__name__)

DUE_DATE = datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc)
LATE_BY = timedelta(days=1, hours=2)
LMS_TIME_FORMAT = "%Y%m%dT%H%M%SZ"  # the default --pattern of `course collect --zip` reads it

# The cells the structural edits act on: a different function's for each
# case, so that every case's effect shows in its own rows of the gradebook.
DUPLICATED_TEST = "test_measure_sparsity_visible"
DELETED_TEST = "test_magnitude_prune_visible"
MARKDOWN_TEST = "test_structured_prune_visible"
READ_ONLY_CELL = "simple_model"
# A student who "simplifies" SimpleModel: parameters() without the biases.
READ_ONLY_EDIT = ("params.extend(layer.parameters())", "params.extend(p for p in layer.parameters() if p.ndim >= 2)")

# Code appended to a reference solution cell (after its definitions, so the
# function itself is still right), and the function whose cell gets it.
HOSTILE_CODE = {
    "kernel-dies": ("KnowledgeDistillation", "import os\n\nos._exit(1)  # the kernel dies here"),
    "infinite-loop": ("compress_model", "while True:\n    pass"),
    "output-flood": ("magnitude_prune", 'for _i in range(100_000):\n    print(f"debug line {_i}")'),
    "writes-files": ("quantize_weights", (
        'with open("written-by-student.txt", "w") as _f:\n    _f.write("left in my working directory\\n")\n'
        'with open("../../written-by-student.txt", "w") as _f:\n    _f.write("left two folders up\\n")'
    )),
}

# The partial student: these right, these with a bug, the rest left as stubs.
PARTIAL_RIGHT = ("measure_sparsity", "magnitude_prune", "structured_prune", "low_rank_approximate",
                 "quantize_weights", "CompressionMetrics")
PARTIAL_WRONG = {
    "compute_neuron_importance": [("np.linalg.norm(weight, axis=0)", "np.linalg.norm(weight, axis=1)")],
    "quantize_layer_weights": [('"quantized_bytes": math.ceil(original.size * bits / 8)',
                                '"quantized_bytes": original.size')],
}
PARTIAL_ANSWERED = ("answers_q1",)  # code cells of the written-answer section
PARTIAL_WRITTEN = ("q1_reasoning",)

# The planted copied pair of the similarity report: "own-style" writes four
# functions and one written answer in a way of their own (correct, and unlike
# the reference every other example hands in); "copier" hands in own-style's
# notebook with local names renamed, functions reordered, comments added and
# the code reformatted (``demo.disguise``), and that answer lightly reworded.
OWN_STYLE = {
    "measure_sparsity": """\
def measure_sparsity(model):
    counted = zeros = 0
    for tensor in model.parameters():
        if tensor.data.ndim < 2:
            continue
        flat = tensor.data.reshape(-1)
        counted += flat.shape[0]
        zeros += flat.shape[0] - np.count_nonzero(flat)
    return 0.0 if counted == 0 else float(zeros) * 100.0 / counted
""",
    "magnitude_prune": """\
def magnitude_prune(model, sparsity=0.9):
    if not 0 <= sparsity <= 1:
        raise ValueError("sparsity has to be a fraction between 0 and 1")
    matrices = [tensor for tensor in model.parameters() if tensor.data.ndim >= 2]
    sizes = [tensor.data.size for tensor in matrices]
    how_many = int(np.floor(sparsity * sum(sizes)))
    if how_many == 0:
        return model
    everything = np.hstack([np.abs(tensor.data).flatten() for tensor in matrices])
    keep = np.ones(everything.shape[0], dtype=bool)
    keep[np.argsort(everything, kind="stable")[:how_many]] = False
    start = 0
    for tensor, size in zip(matrices, sizes):
        tensor.data[~keep[start:start + size].reshape(tensor.data.shape)] = 0
        start += size
    return model
""",
    "structured_prune": """\
def structured_prune(model, prune_ratio=0.5):
    if not 0 <= prune_ratio <= 1:
        raise ValueError("prune_ratio has to be a fraction between 0 and 1")
    positions = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
    for i in positions[:-1]:
        layer = model.layers[i]
        columns = layer.weight.data.shape[1]
        norms = np.sqrt((layer.weight.data ** 2).sum(axis=0))
        for j in sorted(range(columns), key=lambda c: norms[c])[:int(prune_ratio * columns)]:
            layer.weight.data[:, j] = 0
            if layer.bias is not None:
                layer.bias.data[j] = 0
    return model
""",
    "compute_neuron_importance": """\
def compute_neuron_importance(layer, method="l2"):
    columns = layer.weight.data.T
    if method == "l1":
        return np.array([np.sum(np.abs(column)) for column in columns])
    elif method == "l2":
        return np.array([np.sqrt(np.sum(column * column)) for column in columns])
    else:
        raise ValueError("method must be 'l1' or 'l2', not " + repr(method))
""",
}
OWN_ANSWER = ("q1_reasoning", (
    "Zeros do not make the matrix product any faster: numpy's routine is dense and multiplies every entry, "
    "zero or not. Skipping them needs a sparse format such as CSR, which stores a column index next to each "
    "remaining value, so the bytes per weight roughly double, and its scattered reads are slow on a CPU."
))
COPIER_REWORDING = [
    ("Zeros do not make", "Zero weights don't make"),
    ("numpy's routine is dense and multiplies", "the numpy routine is dense, it multiplies"),
    ("Skipping them needs", "To skip them you need"),
    ("so the bytes per weight roughly double", "so the bytes for each weight about double"),
]
COPIER_SEED = 2026


@dataclass(frozen=True)
class Example:
    """One student's hand-in: the files as the student uploads them, and when."""

    student: str
    description: str
    files: dict[str, bytes]
    timestamp: datetime | None = None


@dataclass(frozen=True)
class _Kit:
    """What every case is made from: the release and the reference code, by grade id."""

    assignment: str
    release_bytes: bytes
    release: NotebookNode
    code: dict[str, str]  # solution (code) cells
    answers: dict[str, str]  # written answers, as a student would write them

    @property
    def notebook_name(self) -> str:
        return f"{self.assignment}.ipynb"

    def filled(self, code: dict[str, str] | None = None) -> NotebookNode:
        """The release with ``code`` (default: every reference solution) and every written answer typed in."""
        return fill_solutions(self.release, {**(self.code if code is None else code), **self.answers})

    def hand_in(self, nb: NotebookNode) -> dict[str, bytes]:
        return {self.notebook_name: render(nb).encode()}


def _student_answer(model_answer: str) -> str:
    """The model answer without its rubric and label: what a perfect student writes."""
    return model_answer.split("**Rubric")[0].replace("**Model answer.**", "").strip()


def _kit(root: Path, assignment: str) -> _Kit:
    release_path = root / "release" / assignment / f"{assignment}.ipynb"
    if not release_path.is_file():
        raise CourseError(f"no release notebook at {release_path}: run `course release {assignment}` first")
    source = nbformat.read(source_path(assignment, root), as_version=4)
    release_bytes = release_path.read_bytes()
    answers = reference_solutions(source, kinds=(CellKind.ANSWER,))
    return _Kit(
        assignment=assignment,
        release_bytes=release_bytes,
        release=nbformat.reads(release_bytes.decode(), as_version=4),
        code=reference_solutions(source, kinds=(CellKind.SOLUTION,)),
        answers={gid: _student_answer(text) for gid, text in answers.items()},
    )


def _cell_index(nb: NotebookNode, gid: str) -> int:
    for index, cell in enumerate(nb.cells):
        if grade_id(cell) == gid:
            return index
    raise ValueError(f"no cell with grade id {gid!r} to edit")


def _new_cell_id(old_id: str, why: str) -> str:
    """A fresh id, as JupyterLab gives a pasted or retyped cell; deterministic so the class is reproducible."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{old_id}/{why}"))


def _perfect(kit: _Kit) -> dict[str, bytes]:
    return kit.hand_in(kit.filled())


def _partial(kit: _Kit) -> dict[str, bytes]:
    right = [cell_defining(kit.code, name) for name in PARTIAL_RIGHT] + list(PARTIAL_ANSWERED)
    typed = {gid: kit.code[gid] for gid in right}
    for name, edits in PARTIAL_WRONG.items():
        gid = cell_defining(kit.code, name)
        typed[gid] = apply_replacements(kit.code[gid], edits)
    typed.update({gid: kit.answers[gid] for gid in PARTIAL_WRITTEN})
    return kit.hand_in(fill_solutions(kit.release, typed))


def _blank(kit: _Kit) -> dict[str, bytes]:
    return {kit.notebook_name: kit.release_bytes}


def _malformed_json(kit: _Kit) -> dict[str, bytes]:
    data = _perfect(kit)[kit.notebook_name]
    return {kit.notebook_name: data[: len(data) // 2]}  # cut off mid-file, like an interrupted upload


def _empty_file(kit: _Kit) -> dict[str, bytes]:
    return {kit.notebook_name: b""}


def _missing_notebook(kit: _Kit) -> dict[str, bytes]:
    script = "\n\n\n".join(kit.code.values()) + "\n"  # "Save as Python" instead of the notebook
    return {f"{kit.assignment}.py": script.encode()}


def _wrong_file_name(kit: _Kit) -> dict[str, bytes]:
    return {f"{kit.assignment.capitalize()} (1).ipynb": _perfect(kit)[kit.notebook_name]}


def _extra_files(kit: _Kit) -> dict[str, bytes]:
    return {
        **_perfect(kit),
        "notes.txt": b"Things to ask in the tutorial: why is SVD optimal?\n",
        f"{kit.assignment}-Copy1.ipynb": kit.release_bytes,  # JupyterLab's "Duplicate", never filled in
    }


def _duplicated_grade_cell(kit: _Kit) -> dict[str, bytes]:
    nb = kit.filled()
    index = _cell_index(nb, DUPLICATED_TEST)
    pasted = copy.deepcopy(nb.cells[index])  # copy/paste keeps the nbgrader metadata
    pasted.id = _new_cell_id(pasted.id, "pasted")
    nb.cells.insert(index + 1, pasted)
    return kit.hand_in(nb)


def _deleted_grade_cell(kit: _Kit) -> dict[str, bytes]:
    nb = kit.filled()
    del nb.cells[_cell_index(nb, DELETED_TEST)]
    return kit.hand_in(nb)


def _test_cell_as_markdown(kit: _Kit) -> dict[str, bytes]:
    nb = kit.filled()
    index = _cell_index(nb, MARKDOWN_TEST)
    old = nb.cells[index]
    # JupyterLab's "change cell type": a new cell with the source and metadata of the old one.
    nb.cells[index] = nbformat.v4.new_markdown_cell(
        old.source, metadata=copy.deepcopy(old.metadata), id=_new_cell_id(old.id, "markdown"))
    return kit.hand_in(nb)


def _edited_read_only_cell(kit: _Kit) -> dict[str, bytes]:
    nb = kit.filled()
    cell = nb.cells[_cell_index(nb, READ_ONLY_CELL)]
    cell.source = apply_replacements(cell.source, [READ_ONLY_EDIT])
    return kit.hand_in(nb)


def _hostile(student: str) -> Callable[[_Kit], dict[str, bytes]]:
    """A case whose every solution is right but one cell also runs ``HOSTILE_CODE[student]``."""
    name, extra = HOSTILE_CODE[student]

    def build(kit: _Kit) -> dict[str, bytes]:
        gid = cell_defining(kit.code, name)
        return kit.hand_in(kit.filled({**kit.code, gid: f"{kit.code[gid]}\n\n\n{extra}\n"}))

    return build


def _own_style_code(kit: _Kit) -> dict[str, str]:
    code = kit.code
    for name, own in OWN_STYLE.items():
        code = with_definitions(code, own, name)
    return code


def _own_style(kit: _Kit) -> dict[str, bytes]:
    gid, answer = OWN_ANSWER
    return kit.hand_in(fill_solutions(kit.filled(_own_style_code(kit)), {gid: answer}))


def _copier(kit: _Kit) -> dict[str, bytes]:
    gid, answer = OWN_ANSWER
    code = {cell: disguised(text, COPIER_SEED) for cell, text in _own_style_code(kit).items()}
    return kit.hand_in(fill_solutions(kit.filled(code), {gid: apply_replacements(answer, COPIER_REWORDING)}))


# (student id, description, how the files are made, handed in late)
CASES: list[tuple[str, str, Callable[[_Kit], dict[str, bytes]], bool]] = [
    ("perfect", "every function and written answer as in the reference", _perfect, False),
    ("partial", "six functions right, two with a bug, the rest left as stubs; one written answer", _partial, False),
    ("blank", "the release handed in untouched", _blank, False),
    ("late", "perfect, but submitted a day after the due date", _perfect, True),
    ("malformed-json", "the notebook file cut off half-way: not valid JSON", _malformed_json, False),
    ("empty-file", "a notebook file of 0 bytes", _empty_file, False),
    ("missing-notebook", "no notebook, only the code saved as a Python script", _missing_notebook, False),
    ("wrong-file-name", "the perfect notebook named 'Compression (1).ipynb'", _wrong_file_name, False),
    ("extra-files", "the perfect notebook plus notes.txt and an untouched notebook copy", _extra_files, False),
    ("duplicated-grade-cell", f"perfect, with test cell {DUPLICATED_TEST} pasted twice (same grade id)",
     _duplicated_grade_cell, False),
    ("deleted-grade-cell", f"perfect, with test cell {DELETED_TEST} deleted", _deleted_grade_cell, False),
    ("test-cell-markdown", f"perfect, with test cell {MARKDOWN_TEST} turned into markdown",
     _test_cell_as_markdown, False),
    ("edited-read-only", "perfect, with the read-only SimpleModel edited to drop biases from parameters()",
     _edited_read_only_cell, False),
    ("kernel-dies", "right up to KnowledgeDistillation, whose cell then calls os._exit(1)",
     _hostile("kernel-dies"), False),
    ("infinite-loop", "perfect, but the compress_model cell ends in `while True: pass`",
     _hostile("infinite-loop"), False),
    ("output-flood", "perfect, but the magnitude_prune cell prints 100 000 lines", _hostile("output-flood"), False),
    ("writes-files", "perfect, but the quantize_weights cell writes files into its folder and ../../",
     _hostile("writes-files"), False),
    ("own-style", "perfect, four functions and one written answer in a style of their own", _own_style, False),
    ("copier", "own-style's notebook with names renamed, functions reordered, comments added, reformatted; "
               "the answer reworded", _copier, False),
]


def make_examples(*, root: Path = REPO_ROOT, assignment: str = ASSIGNMENT) -> list[Example]:
    """The example class, built from ``root``'s release and source notebooks.

    Submission times are one hour apart before ``DUE_DATE`` in class order;
    the late student's is ``LATE_BY`` after it.
    """
    kit = _kit(root, assignment)
    return [
        Example(student, description, build(kit),
                DUE_DATE + LATE_BY if late else DUE_DATE - timedelta(hours=len(CASES) - index))
        for index, (student, description, build, late) in enumerate(CASES)
    ]


def lms_file_name(example: Example, name: str) -> str:
    """``<student>_<time>_<file>`` (``<student>_<file>`` without a time), as LMS downloads name hand-ins."""
    if example.timestamp is None:
        return f"{example.student}_{name}"
    return f"{example.student}_{example.timestamp.astimezone(timezone.utc):{LMS_TIME_FORMAT}}_{name}"


def write_lms_download(examples: Iterable[Example], folder_or_zip: Path) -> Path:
    """Every example's files under LMS-style names, flat in a ``.zip`` file or in a folder."""
    files = {lms_file_name(ex, name): data for ex in examples for name, data in ex.files.items()}
    if folder_or_zip.suffix == ".zip":
        folder_or_zip.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(folder_or_zip, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        folder_or_zip.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder_or_zip / name).write_bytes(data)
    return folder_or_zip


class _SubmitAt(ExchangeSubmit):
    """nbgrader's own submit, with the clock set to the example's submission time (``None``: now)."""

    when = AnyTrait(None, allow_none=True)

    def set_timestamp(self) -> None:
        if self.when is None:
            return super().set_timestamp()
        self.timestamp = self.when.astimezone(gettz(self.timezone)).strftime(self.timestamp_format)


def submit_to_exchange(root: Path, assignment: str, example: Example) -> Path:
    """Put ``example`` in the exchange inbound exactly as ``nbgrader submit`` run by that student would.

    nbgrader's ``ExchangeSubmit`` does the work (folder
    ``<student>+<assignment>+<timestamp>+<random>`` with ``timestamp.txt``
    and ``submission_secret.txt``, its permissions), for the example's
    student id and time. Needs the assignment released; returns the folder.
    """
    config = load_course_config(root)
    coursedir = course_directory(config)
    coursedir.assignment_id, coursedir.student_id = assignment, example.student
    with tempfile.TemporaryDirectory() as home:
        submit = _SubmitAt(
            coursedir=coursedir, authenticator=Authenticator(config=config), config=config,
            log=nbgrader_logger(log), when=example.timestamp, assignment_dir=f"{home}/work", cache=f"{home}/cache",
        )
        folder = Path(home, "work", *([coursedir.course_id] if submit.path_includes_course else []), assignment)
        for name, data in example.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        try:
            submit.start()
        except ExchangeError as error:
            raise CourseError(f"nbgrader submit for {example.student} failed: {error}") from None
    return Path(submit.inbound_path, submit.assignment_filename)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, help="write an LMS download here (a .zip file or a folder)")
    parser.add_argument("--exchange", action="store_true", help="submit every example to the course's exchange")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="course directory (default: the repository)")
    parser.add_argument("--assignment", default=ASSIGNMENT)
    args = parser.parse_args(argv)
    if args.output is None and not args.exchange:
        parser.error("give an output path, --exchange, or both")
    examples = make_examples(root=args.root, assignment=args.assignment)
    if args.output is not None:
        print(write_lms_download(examples, args.output))
    if args.exchange:
        for example in examples:
            print(submit_to_exchange(args.root, args.assignment, example))


if __name__ == "__main__":
    main()
