"""The exception types library code raises; the CLI turns them into a message and an exit code."""

from __future__ import annotations

import signal


class CourseError(Exception):
    """A problem the instructor can act on (bad option, missing folder, nothing to grade).

    The message is the one line the CLI shows; the subclasses below say which
    kind of problem it is and carry what a caller may want to act on.
    """


class BadOption(CourseError):
    """An option or argument the command cannot use as given (a format, a pattern, a date, a port)."""


class UnusableInput(CourseError):
    """A file given to the command cannot be used (not a class list, not a download, two students sharing an id)."""


class UnknownAssignment(CourseError):
    """Neither the gradebook nor source/ knows the assignment."""

    def __init__(self, message: str, assignment: str) -> None:
        super().__init__(message)
        self.assignment = assignment


class NotReleased(CourseError):
    """The assignment is not in the gradebook yet: ``course release`` puts it there."""

    def __init__(self, message: str, assignment: str) -> None:
        super().__init__(message)
        self.assignment = assignment


class NothingToDo(CourseError):
    """The step before has not happened: nothing to collect, nothing autograded."""


class WrittenAnswersPending(CourseError):
    """Feedback refused while written answers await a grader; ``pending`` is student -> answers."""

    def __init__(self, message: str, pending: dict[str, int]) -> None:
        super().__init__(message)
        self.pending = pending


class NbgraderFailed(CourseError):
    """An nbgrader step failed; ``reason`` is nbgrader's own (``course.nbgrader_reason``)."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what} failed: {reason}")
        self.what = what
        self.reason = reason


class Interrupted(KeyboardInterrupt):
    """The command was told to stop: Ctrl-C (SIGINT), SIGTERM or SIGHUP.

    A ``KeyboardInterrupt``, so that every clean-up written for Ctrl-C runs for
    the other two signals as well; ``signum`` gives the exit status, 128 + signum,
    as a shell reports a process killed by that signal.
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum
