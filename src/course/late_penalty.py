"""The course's late-submission policy, as the plugin nbgrader's autograde asks for a penalty.

Policy: each started day (24 hours) past the due date costs 10% of the points
the notebook earned, so ten started days or more cost all of them; a
submission on time costs nothing. The due date is the one in the gradebook
plus any extension nbgrader holds for the student (``nbgrader db`` or the
formgrader). A share of the earned score rather than of the maximum keeps the
penalty within the score without clipping, and needs nothing but what
nbgrader's plugin interface passes in.

Enabled with ``c.AssignLatePenalties.plugin_class = "course.late_penalty.PerDayLatePenalty"``;
autograde then stores the penalty as ``late_submission_penalty`` in the
gradebook, where ``nbgrader export``, the formgrader and feedback read it.
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

SECONDS_PER_DAY = 24 * 60 * 60


def days_late(total_seconds_late: float) -> int:
    """Started days past the due date: one second late is one day."""
    return math.ceil(total_seconds_late / SECONDS_PER_DAY) if total_seconds_late > 0 else 0


class PerDayLatePenalty(LateSubmissionPlugin):
    """A share of the notebook's score per started day late (10% by default), never more than the score."""

    fraction_per_day = Float(
        0.1, min=0.0, max=1.0, help="Share of the earned score lost for each started day past the due date."
    ).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        days = days_late(total_seconds_late)
        penalty = min(score, round(score * self.fraction_per_day * days, 2))
        self.log.info("%s: %d started day(s) late, penalty %g of %g points", student_id, days, penalty, score)
        return penalty
