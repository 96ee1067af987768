"""What the ``course`` commands tell the instructor: each command's result, in the lines it prints.

The library returns data (``ReleaseResult``, ``CollectResult``, ...); the
sentences and tables are made here, in one place, for the CLI and for the
demo, which prints the same lines. A line that names a folder is never
folded: its path is copied from here into a file manager or an LMS's upload
dialog. The commands' modules are imported for their types only, so that a
command loads only its own module (``course lab`` no matplotlib, say); the
states they report (``Delivery``, ``Exchange``, ``Feedback``) are looked up
here by their members' names.
"""

from __future__ import annotations

import signal
from collections import Counter
from typing import TYPE_CHECKING

from course.tables import render_table
from course.wording import NAMED_AT_MOST, plural

if TYPE_CHECKING:
    from course.grading.autograde import BatchResult
    from course.collect import CollectResult
    from course.database import DatabaseState
    from course.feedback import FeedbackResult
    from course.lab import LabServer
    from course.release import ReleaseResult
    from course.report import ReportResult
    from course.roster_import import RosterImport
    from course.status import ClassStatus, StudentStatus

NO_VALUE = "-"  # a step that has not happened, in a table


def moment(when: object) -> str:
    """A time to the second (naive UTC, as nbgrader keeps them)."""
    return f"{when:%Y-%m-%d %H:%M:%S}"


# -- release, collect, roster import, db init -----------------------------------


def release_line(result: ReleaseResult) -> str:
    version = "regenerated" if result.regenerated else "unchanged"
    exchange = "released to the exchange" if result.released else "already in the exchange"
    due = f", due {moment(result.due)} UTC" if result.due else ""
    return f"{result.assignment}: student version {version}, {exchange} ({result.outbound}){due}"


def collect_line(result: CollectResult) -> str:
    """One line: where from, how many students and what happened to each, what was skipped and why, then notes."""
    counts = Counter(result.students.values())
    done = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    source = "the exchange" if result.source is None else result.source
    summary = (f"collected {result.assignment} from {source} into {result.submitted}: "
               f"{plural(len(result.students), 'student')} ({done or 'none'})")
    if result.skipped:
        summary += "; skipped: " + ", ".join(f"{name} ({reason})" for name, reason in result.skipped.items())
    return "; ".join([summary, *collect_notes(result)])


def collect_notes(result: CollectResult) -> list[str]:
    """What the instructor should know beyond the files placed: strangers, missing students, submission times."""
    notes = []
    if result.foreign_owned:
        notes.append(f"{len(result.foreign_owned)} owned by another user account than their student's")
    if result.missing:
        notes.append(f"no submission from {plural(len(result.missing), 'roster student')}: {', '.join(result.missing)}")
    if result.by_name:
        notes.append(f"found by name only (the roster has no LMS user id for them; a Moodle grading worksheet "
                     f"imported with `course roster import` has it): {', '.join(result.by_name)}")
    times = result.times
    if times is not None:
        notes.append(f"submission times from {times.name} for {plural(len(result.timed), 'student')}")
        if result.unknown_rows:
            notes.append(f"rows of {times.name} naming no known student: {', '.join(result.unknown_rows)}")
    if result.undated:
        source = f"not in {times.name}" if times is not None else "the download's file names carry none"
        late = sorted(set(result.undated) & set(result.marked_late))
        notes.append(f"no submission time for {plural(len(result.undated), 'student')} ({source}): "
                     "late penalties cannot apply"
                     + (f" (Canvas marked late: {', '.join(late)})" if late else "")
                     + ("" if times is not None else "; --times FILE (the LMS's list of submissions) gives the times"))
    return notes


def roster_line(result: RosterImport) -> str:
    summary = (f"roster: {plural(result.students, 'student')} from {result.source.name} ({result.file_format}): "
               f"{len(result.new)} new, {len(result.updated)} updated, {len(result.unchanged)} unchanged")
    if result.kept:
        summary += f"; {len(result.kept)} of the roster not in this file, kept: {', '.join(result.kept)}"
    if result.not_students:
        rows = (f"row {line} ({name}: not a student)" for line, name in result.not_students.items())
        summary += f"; skipped {', '.join(rows)}"
    return summary + f"; saved to {result.saved} and the gradebook"


def database_line(state: DatabaseState) -> str:
    added = ", ".join(state.indexes_added)
    if state.created:
        indexes = f"; indexes {added}" if added else ""
        return f"{state.url}: gradebook schema created ({state.tables} tables, schema {state.version}){indexes}"
    done = f"added the missing indexes {added}" if added else "nothing to do"
    return f"{state.url}: already an nbgrader gradebook (schema {state.version}); {done}"


# -- feedback -------------------------------------------------------------------


def feedback_summary(result: FeedbackResult) -> str:
    generated = len(result.folders)
    summary = f"{result.assignment}: feedback for {generated} of {plural(len(result.students), 'student')}"
    if result.release:
        summary += f"; {len(result.released)} released to the exchange"
    if result.pending:
        answers = plural(sum(result.pending.values()), "written answer")
        summary += f"; provisional for {len(result.pending)} ({answers} not graded yet)"
    return summary


PLACES = {  # by course.feedback.Delivery
    "RELEASED": "released to the exchange",
    "FROM_LMS": "{folder} (collected from an LMS: upload it there)",
    "RELEASE_FAILED": "{folder} (release failed: -v shows why)",
    "NOT_RELEASED": "{folder}",
}


def feedback_places(result: FeedbackResult) -> list[str]:
    """One line per student with feedback: where it is, and whether it is provisional."""
    return [
        f"  {student}: {PLACES[result.delivery[student].name].format(folder=folder)}"
        + (f"; provisional: {plural(result.pending[student], 'written answer')} not graded yet"
           if student in result.pending else "")
        for student, folder in result.folders.items()
    ]


def feedback_lines(result: FeedbackResult) -> str:
    return "\n".join([feedback_summary(result), *feedback_places(result)])


def feedback_failure(result: FeedbackResult) -> str:
    """The one error line when some students got no feedback."""
    return f"{feedback_summary(result)}; failed for {', '.join(result.failed)} (-v shows why)"


# -- status ---------------------------------------------------------------------

EXCHANGE_STATES = {  # by course.status.Exchange
    "RELEASED": "released",
    "NOT_RELEASED": "not released",
    "MISSING": "no exchange (its folder is missing)",
}
FEEDBACK_STATES = {"RELEASED": "released", "GENERATED": "generated", "NONE": NO_VALUE}  # by course.status.Feedback
STUDENT_COLUMNS = ["student", "submitted (exchange)", "collected", "graded", "written to grade", "feedback"]


def grade_cell(student: StudentStatus, max_score: float) -> str:
    """The gradebook score (after any late penalty), 'failed', or why the grade is not to be trusted."""
    if not (student.graded or student.failed):
        return NO_VALUE
    if student.failed:
        return "failed"
    result = student.result
    text = f"{result.score:g}/{max_score:g}"
    if result.late_penalty:
        text += f" (late -{result.late_penalty:g})"
    return text if student.current else f"{text} (resubmitted)"  # the grade is of an earlier submission


def collected_cell(student: StudentStatus) -> str:
    if not student.collected:
        return NO_VALUE
    return moment(student.collected_at) if student.collected_at else "yes (no timestamp)"


def student_row(student: StudentStatus, max_score: float) -> tuple[str, ...]:
    return (
        student.student,
        moment(student.submitted) if student.submitted else NO_VALUE,
        collected_cell(student),
        grade_cell(student, max_score),
        NO_VALUE if student.pending is None else str(student.pending),
        FEEDBACK_STATES[student.feedback.name],
    )


# From this many students on, ``course status`` summarises (``--all`` lists everyone).
SUMMARY_FROM = 40
# The most students a summary lists by name, in each of its tables.
SUMMARY_NAMES = NAMED_AT_MOST


def needs_attention(student: StudentStatus) -> str | None:
    """What an instructor has to do about ``student`` now, if anything (written answers aside: they are counted)."""
    if student.failed:
        return "failed: see the problems below"
    if student.graded and not student.current:
        return "resubmitted since graded: grade again"
    if student.collected and not student.graded:
        return "collected, not graded"
    if student.submitted and not student.collected:
        return "in the exchange, not collected"
    return None


def stage_counts(status: ClassStatus) -> list[tuple[str, str]]:
    """The class in numbers, stage by stage."""
    students = status.students
    feedback = {name: sum(s.feedback.name == name for s in students) for name in FEEDBACK_STATES}
    return [
        ("students", str(len(students))),
        ("submitted (exchange)", str(status.in_exchange)),
        ("collected", str(status.collected)),
        ("graded, current", str(sum(s.graded and s.current for s in students))),
        ("graded, resubmitted since", str(sum(s.graded and not s.current for s in students))),
        ("failed", str(status.failed)),
        ("written answers to grade", f"{sum(s.pending or 0 for s in students)} answers of {status.waiting} students"),
        ("feedback", f"{feedback['RELEASED']} released, {feedback['GENERATED']} generated only"),
    ]


def at_most(rows: list[tuple[str, ...]], how_many: int) -> list[tuple[str, ...]]:
    """The first ``how_many`` rows, and one that says how many more there are."""
    if len(rows) <= how_many:
        return rows
    return [*rows[:how_many], (f"... and {len(rows) - how_many} more", "`course status --all` lists every student")]


def status_text(status: ClassStatus, width: int | None = None, every_student: bool = False) -> str:
    """Plain-text tables, ``width`` characters wide (default: the terminal's).

    The release; one row per student; then what went wrong, per student, in
    a table of its own so that long messages do not squeeze the others. A
    class of ``SUMMARY_FROM`` or more (unless ``every_student``) gets counts
    per stage instead of a row each, and, by name, the students who need
    something done (at most ``SUMMARY_NAMES`` in each table).
    """
    from course.results import problem_text  # here: the other commands' lines need no gradebook code

    release = status.release
    release_rows = [
        (release.folder, ", ".join(release.notebooks) or "not generated"),
        ("exchange", EXCHANGE_STATES[release.exchange.name]),
        ("due date", f"{release.due or 'none'}"),
        ("gradebook", "knows the assignment" if release.in_gradebook else "does not know the assignment"),
    ]
    counts = (f"{status.in_exchange} in the exchange, {status.collected} collected, {status.graded} graded, "
              f"{status.failed} failed, {status.waiting} with written answers to grade")
    tables = [render_table(f"{status.assignment}: release", release_rows, width=width)]
    problems = [(name, problem_text(found)) for name, found in status.problems.items()]
    if every_student or len(status.students) < SUMMARY_FROM:
        tables.append(render_table(f"{status.assignment}: students ({counts})",
                                   [student_row(s, status.max_score) for s in status.students], STUDENT_COLUMNS, width=width))
    else:
        tables.append(render_table(f"{status.assignment}: {len(status.students)} students", stage_counts(status), width=width))
        todo = [(s.student, why) for s in status.students if (why := needs_attention(s))]
        if todo:
            tables.append(render_table(f"{status.assignment}: {plural(len(todo), 'student')} to act on",
                                       at_most(todo, SUMMARY_NAMES), ["student", "to do"], width=width))
        problems = at_most(problems, SUMMARY_NAMES)
    if problems:
        tables.append(render_table(f"{status.assignment}: problems", problems, ["student", "problems"], width=width))
    return "\n".join(tables)


# -- report, lab ----------------------------------------------------------------


def report_summary(result: ReportResult) -> str:
    """The summary table the page opens with, as plain text."""
    from course.report import summary_text

    return summary_text(result.summary)


def report_lines(result: ReportResult) -> str:
    """The summary table, then the page's path."""
    return f"{report_summary(result)}\n{result.path}"


def lab_lines(server: LabServer) -> list[str]:
    """What the person starting a server reads before JupyterLab's own log."""
    lines = []
    if (nothing := server.nothing_released) is not None:
        lines.append(f"note: nothing is released in {nothing.exchange} yet: the Assignment List stays empty until "
                     f"the instructor runs `course release {nothing.assignment}` in {nothing.course}")
    lines.append(f"JupyterLab on {server.url} (token in the log below); Ctrl+C to stop")
    return lines


# -- autograde ------------------------------------------------------------------

def autograde_summary(result: BatchResult) -> str:
    """What the batch did: the counts and the time, each failure with its reasons, and what a stop left undone."""
    from course.results import problem_text  # here: the other commands' lines need no gradebook code

    counts = [f"{len(result.graded)} graded", f"{len(result.failed)} failed", f"{len(result.skipped)} skipped unchanged"]
    if result.stopped_by is not None:
        counts.append(f"{len(result.interrupted)} interrupted")
    lines = [f"autograde {result.assignment}: {', '.join(counts)}, in {result.seconds:.1f} s"]
    lines += [f"  failed {v.student}: {problem_text(v.problems) or 'nothing could be graded'}" for v in result.failed]
    if result.stopped_by is not None:
        left = []
        if result.interrupted:
            left.append(f"left ungraded while being graded: {', '.join(result.interrupted)}")
        if result.not_started:
            left.append(f"{plural(len(result.not_started), 'submission')} not started")
        lines.append(f"  stopped by {signal.Signals(result.stopped_by).name}: {'; '.join(left) or 'nothing was left'}; "
                     f"`course autograde {result.assignment}` grades the rest")
    return "\n".join(lines)
