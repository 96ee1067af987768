"""Feedback steps that misbehave for one student, for the tests of ``course feedback``'s process pool.

Configured like any feedback step (``GenerateFeedback.preprocessors``), they
run in the pool's processes. Each leaves a file in ``mark_folder`` the moment
it acts, so that a test waits on that file, not on time.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class _ForOneStudent(NbGraderPreprocessor):
    student = Unicode("bob").tag(config=True)
    mark_folder = Unicode().tag(config=True)

    def preprocess(self, nb, resources):
        if resources["nbgrader"]["student"] == self.student:
            marks = sorted(Path(self.mark_folder).glob(f"{type(self).__name__}-*"))
            Path(self.mark_folder, f"{type(self).__name__}-{len(marks)}-{os.getpid()}").touch()
            self.act(len(marks))
        return nb, resources

    def act(self, earlier: int) -> None:
        raise NotImplementedError


class KillOnce(_ForOneStudent):
    """SIGKILL the process making the student's page, the first time only."""

    def act(self, earlier: int) -> None:
        if earlier == 0:
            os.kill(os.getpid(), signal.SIGKILL)


class KillAlways(_ForOneStudent):
    """SIGKILL the process making the student's page, every time."""

    def act(self, earlier: int) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


class Stall(_ForOneStudent):
    """Never finish the student's page (until the process is ended)."""

    def act(self, earlier: int) -> None:
        threading.Event().wait()
