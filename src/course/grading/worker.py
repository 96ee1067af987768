"""Grade one submission: stage, inspect, run nbgrader's autograde, record the verdict.

Runs inside a worker process of ``course autograde``; everything it needs is
passed as plain values so that it works the same in a process pool.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from course.course_config import CONFIG_FILE, load_course_config, open_api, step_folder
from course.grading import phases
from course.grading.inspect import stage_submission
from course.grading.pipeline import autograde_steps, sanitize_steps
from course.grading.preprocessors import KERNEL_DIED, WALL_LIMIT, SandboxedExecute, TrustedExecute
from course.grading.result_lock import ResultBusy, result_lock
from course.grading.suspicion import tampering
from course.nbgrader_reason import nbgrader_reason
from course.grading.verdicts import VERDICT_FILE, Problem, Verdict, fingerprint, read_verdict, write_verdict

log = logging.getLogger(__name__)

STAGING_DIRECTORY = ".course-staging"
# What an error in the executed notebook says about a limit the submission ran into.
RESOURCE_LIMITS = {
    "memory_limit": (r"MemoryError", "the code ran out of memory (the sandbox's limit)"),
    "disk_limit": (r"No space left on device|File too large", "the code filled its disk space (the sandbox's limit)"),
    "process_limit": (r"Resource temporarily unavailable", "the code hit the limit on processes"),
    "grader_protocol": (r"ProtocolError", "the kernel sent the grader malformed data or stopped answering it"),
}
KERNEL_START_ATTEMPTS = 3
# Failures of the machine, not of the student: worth another attempt.
INFRASTRUCTURE = re.compile(
    r"Kernel died before replying to kernel_info|Address already in use|Kernel didn't respond|"
    r"database is locked|Kernel died before|ZMQError"
)


@dataclass(frozen=True)
class Configs:
    """A submission's two views of the course: its own folders (``course``) and what nbgrader grades with (``grading``).

    ``grading`` has the staging folder as nbgrader's submitted folder and the
    executor to run notebooks; everything else is the course's own config.
    """

    course: Config
    grading: Config


@functools.lru_cache(maxsize=8)
def _parsed(root: Path, db_url: str | None, stamp: int) -> Config:
    return load_course_config(root, db_url=db_url)


def course_config(root: Path, db_url: str | None = None) -> Config:
    """The course's config, with the gradebook the batch was started with (a Dask worker has no say in it).

    Parsed once per process while the course's config file is unchanged, and
    copied for each caller: nbgrader's apps may set values on theirs.
    """
    root = Path(root).resolve()
    return copy.deepcopy(_parsed(root, db_url, Path(root, CONFIG_FILE).stat().st_mtime_ns))


def grading_configs(root: Path, executor: type[Execute] = SandboxedExecute, db_url: str | None = None) -> Configs:
    """The course's config, and the one for grading with ``executor`` (see ``Configs``).

    ``SandboxedExecute`` is the tamper-proof grading; ``ResilientExecute`` runs
    the hidden tests in the student's kernel, as stock nbgrader does (``--unsafe``).
    The steps around it are the course's one pipeline (``pipeline.autograde_steps``),
    the same that stock nbgrader and the Formgrader run.
    """
    course = course_config(root, db_url)
    grading = copy.deepcopy(course)
    grading.merge(Config({
        "CourseDirectory": {"submitted_directory": STAGING_DIRECTORY},
        "Autograde": {"autograde_preprocessors": autograde_steps(executor), "sanitize_preprocessors": sanitize_steps(executor)},
        # The notebook is done when the kernel is shut down: waiting for a graceful exit only idles the worker.
        "ResilientExecute": {"shutdown_kernel": "immediate"},
    }))
    return Configs(course, grading)


def grade_submission(
    root: Path, assignment: str, student: str, force: bool = False, executor: type[Execute] = SandboxedExecute,
    db_url: str | None = None,
) -> Verdict | None:
    """Grade ``student`` unless an up-to-date verdict exists; ``None`` means skipped.

    The whole decision and the grading happen under the result's lock, so two
    graders given the same submission (a re-run task of a worker thought dead,
    two instructors' batches) write its result one after the other, and the
    second one finds the first one's verdict.
    """
    configs = grading_configs(root, executor, db_url)
    with result_lock(configs.course.CourseDirectory.db_url, Path(configs.course.CourseDirectory.root), assignment, student):
        return _grade_locked(assignment, student, force, executor, configs)


def _grade_locked(assignment: str, student: str, force: bool, executor: type[Execute], configs: Configs) -> Verdict | None:
    config = configs.grading
    submitted = step_folder(configs.course, "submitted", student, assignment)
    autograded = step_folder(config, "autograded", student, assignment)
    stamp = fingerprint(submitted)
    previous = read_verdict(autograded)
    if not force and verdict_stands(previous, stamp, executor):
        return None
    # Until the new verdict is written the submission counts as not graded: a grading stopped
    # halfway (Ctrl-C, SIGTERM, a killed process) leaves no verdict, so the next run grades it.
    (autograded / VERDICT_FILE).unlink(missing_ok=True)
    started = time.perf_counter()
    with phases.recording() as clock:
        verdict = _grade_staged(assignment, student, stamp, executor, config, submitted, autograded)
    verdict.seconds = round(time.perf_counter() - started, 3)
    verdict.phases = phases.rounded(clock)
    write_verdict(autograded, verdict)
    return verdict


def _grade_staged(
    assignment: str, student: str, stamp: str, executor: type[Execute], config: Config, submitted: Path, autograded: Path,
) -> Verdict:
    """Stage the submission, check it, let nbgrader grade it and read the score, each in its phase."""
    release = step_folder(config, "release", ".", assignment)
    with phases.timing("staging"):
        staged = stage_submission(submitted, step_folder(config, "submitted", student, assignment), release)
        verdict = Verdict(student=student, assignment=assignment, fingerprint=stamp, status="failed",
                          problems=staged.problems, grader=executor.__name__)
        if staged.gradable:
            grader_names = tuple(TrustedExecute(config=config).grader_name_prefixes)
            for name in staged.notebooks:
                submission, released = (nbformat.read(folder / name, as_version=4) for folder in (staged.folder, release))
                verdict.problems += staged.of_notebook(name, tampering(submission, released, grader_names))
    if staged.gradable:
        with phases.timing("nbgrader", excluding=phases.KERNEL_PHASES):  # the executor records the kernel's phases
            run_autograde(config, assignment, student, verdict)
    else:
        with phases.timing("nbgrader"):
            forget_previous_grades(config, autograded, assignment, student)
    with phases.timing("scoring"):
        if verdict.status == "graded":
            for name in staged.notebooks:
                verdict.problems += staged.of_notebook(name, problems_seen_in_run(autograded / name))
            verdict.problems += created_files(staged.folder, autograded, release)
            verdict.score, verdict.max_score = code_score(config, assignment, student)
        shutil.rmtree(staged.folder, ignore_errors=True)
    return verdict


def verdict_stands(verdict: Verdict | None, stamp: str, executor: type[Execute]) -> bool:
    """Whether ``verdict`` is the result for the submission whose fingerprint is ``stamp``, graded by ``executor``.

    A grade from ``--unsafe`` does not stand for a safe run, nor one safe grade for an unsafe run.
    """
    return verdict is not None and (verdict.fingerprint, verdict.grader) == (stamp, executor.__name__)


def run_autograde(config, assignment: str, student: str, verdict: Verdict) -> None:
    """nbgrader's autograde, retried when the machine (not the student) failed."""
    api = open_api(config)
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        verdict.attempts = attempt
        result = api.autograde(assignment, student, force=True, create=True)
        if _interrupted(result):
            raise KeyboardInterrupt  # nbgrader caught it; the batch, not the student, stopped the grading
        if result["success"]:
            verdict.status = "graded"
            return
        text = (result.get("error") or "") + (result.get("log") or "")
        if not INFRASTRUCTURE.search(text):
            break
        log.warning("%s: attempt %d failed for a machine reason; retrying", student, attempt)
    verdict.problems.append(Problem("autograde_failed", "nbgrader could not grade it: " + nbgrader_reason(result)))


def _interrupted(result: dict) -> bool:
    """Whether nbgrader's run ended in an interrupt: ``capture_log`` catches everything, KeyboardInterrupt included.

    Without this an interrupted grading became the student's failure ("nbgrader
    could not grade it: KeyboardInterrupt"), recorded against the unchanged
    submission, so that every later run skipped the student.
    """
    last = (result.get("error") or "").strip().splitlines()[-1:]
    return bool(last) and last[0].split(":")[0].rsplit(".", 1)[-1] in {"KeyboardInterrupt", "Interrupted"}


def fail_submission(
    root: Path, assignment: str, student: str, executor: type[Execute], db_url: str | None, problem: Problem,
) -> Verdict:
    """Record ``student`` as failed for ``problem`` when no grader is left to do it (its process died).

    A grader killed after nbgrader wrote grades but before the verdict leaves
    a grade without its verdict; this takes the result's lock as a grader
    would, removes that grade, and writes the failed verdict for the current
    submission, so the gradebook and the verdict agree (and a re-run skips it
    until it changes, or with ``--force``, like any other failure).
    """
    configs = grading_configs(root, executor, db_url)
    config = configs.grading
    with result_lock(config.CourseDirectory.db_url, Path(config.CourseDirectory.root), assignment, student):
        submitted = step_folder(configs.course, "submitted", student, assignment)
        autograded = step_folder(config, "autograded", student, assignment)
        discard_grading(config, autograded, assignment, student)
        verdict = Verdict(student=student, assignment=assignment, fingerprint=fingerprint(submitted), status="failed",
                          attempts=2, grader=executor.__name__, problems=[problem])
        write_verdict(autograded, verdict)
        return verdict


def settle_stopped(root: Path, assignment: str, student: str, executor: type[Execute], db_url: str | None) -> Verdict | None:
    """After a batch stopped (Ctrl-C, SIGTERM): the verdict of ``student``'s grading if it finished, else ``None``.

    An unfinished grading has no verdict (``_grade_locked`` removes the old one
    first) but may have left part of a grade in the gradebook and the
    autograded folder; those are removed, so the submission is simply not
    graded and the next run grades it. A grader stopped before that leaves the
    previous verdict: it stands if it is for this submission (the grade it
    holds stays), and is stale otherwise (the next run grades the new one).
    A grader still holding the result's lock (a Dask task the cluster goes on
    with, another batch) is left to write its own result: nothing is waited
    for or removed then.
    """
    configs = grading_configs(root, executor, db_url)
    config = configs.grading
    submitted = step_folder(configs.course, "submitted", student, assignment)
    autograded = step_folder(config, "autograded", student, assignment)
    try:
        with result_lock(config.CourseDirectory.db_url, Path(config.CourseDirectory.root), assignment, student, wait=False):
            verdict = read_verdict(autograded)
            if verdict is None:
                discard_grading(config, autograded, assignment, student)
                return None
            return verdict if verdict_stands(verdict, fingerprint(submitted), executor) else None
    except ResultBusy:
        log.info("%s: still being graded elsewhere; its grader will record the result", student)
        return None


def discard_grading(config, autograded: Path, assignment: str, student: str) -> None:
    """Remove what a grader that never finished left of ``student``'s result, staging copy included."""
    forget_previous_grades(config, autograded, assignment, student)
    shutil.rmtree(step_folder(config, "submitted", student, assignment), ignore_errors=True)  # the staging copy


def forget_previous_grades(config, autograded: Path, assignment: str, student: str) -> None:
    """An ungradable resubmission replaces an earlier graded one: it earns nothing."""
    shutil.rmtree(autograded, ignore_errors=True)
    with Gradebook(config.CourseDirectory.db_url) as gradebook:
        gradebook.update_or_create_student(student)
        try:
            gradebook.remove_submission(assignment, student)
        except MissingEntry:
            pass


def problems_seen_in_run(notebook: Path) -> list[Problem]:
    """What an executed notebook shows: a dead kernel, timeouts, floods, limits hit."""
    nb = nbformat.read(notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    names = {o.get("ename") for o in outputs}
    texts = "".join(o.get("text", "") for o in outputs)
    errors = "\n".join(f"{o.get('ename')}: {o.get('evalue')}\n" + "\n".join(o.get("traceback", [])) for o in outputs if o.get("ename"))
    problems = [Problem(code, message) for code, (pattern, message) in RESOURCE_LIMITS.items() if re.search(pattern, errors)]
    if KERNEL_DIED in names:
        problems.append(Problem("kernel_died", "the kernel died; cells before it were graded, the rest scored 0"))
    if "CellTimeoutError" in names:
        problems.append(Problem("cell_timeout", "a cell ran past the time limit and was interrupted"))
    if WALL_LIMIT in names:
        problems.append(Problem("wall_limit", "the notebook ran past its time limit; the cells after it scored 0"))
    if "... Output truncated ..." in texts:
        problems.append(Problem("output_truncated", "output was longer than the limit and was truncated"))
    return problems


def created_files(staged: Path, autograded: Path, release: Path) -> list[Problem]:
    """Files in the autograded folder that the code wrote while graded.

    nbgrader copies released files a student left out, so those are not the student's doing.
    """
    expected = {p.relative_to(staged) for p in staged.rglob("*") if p.is_file()}
    expected |= {p.relative_to(release) for p in release.rglob("*") if p.is_file()}
    created = sorted(
        str(rel) for p in autograded.rglob("*") if p.is_file()
        for rel in [p.relative_to(autograded)] if rel not in expected and not rel.name.startswith(".course")
    )
    if not created:
        return []
    return [Problem("created_files", "the code wrote files while graded: " + ", ".join(created[:10]))]


def code_score(config, assignment: str, student: str) -> tuple[float, float]:
    with Gradebook(config.CourseDirectory.db_url) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return float(submission.code_score), float(submission.max_code_score)
