"""The exception types library code raises; the CLI turns them into a message and an exit code."""

from __future__ import annotations

import signal


class CourseError(Exception):
    """A problem the instructor can act on (bad option, missing folder, nothing to grade)."""


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
