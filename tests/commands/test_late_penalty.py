"""The late-submission policy: 10% of the earned score per started day late, nothing when on time."""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from course.late_penalty import PerDayLatePenalty, days_late
from tests.commands.graded_course import ASSIGNMENT, LATE_STUDENT
from tests.coursedir import db_url

pytest_plugins = ["tests.commands.graded_course"]

HOUR = 60 * 60
DAY = 24 * HOUR


@pytest.mark.parametrize(
    ("seconds", "days"),
    [(0, 0), (-5, 0), (1, 1), (DAY - 1, 1), (DAY, 1), (DAY + 1, 2), (10 * DAY, 10), (10 * DAY + 1, 11)],
)
def test_days_late_counts_started_days(seconds, days):
    assert days_late(seconds) == days


@pytest.mark.parametrize(
    ("score", "seconds", "penalty"),
    [
        (80.0, 0, 0.0),  # on time
        (80.0, 1, 8.0),  # one second is a started day
        (80.0, DAY + HOUR, 16.0),
        (76.0, 3 * DAY, 22.8),
        (80.0, 15 * DAY, 80.0),  # never more than the score
        (0.0, 2 * DAY, 0.0),
    ],
)
def test_penalty_is_a_tenth_of_the_score_per_started_day(score, seconds, penalty):
    assert PerDayLatePenalty().late_submission_penalty("s", score, seconds) == pytest.approx(penalty)


def test_share_per_day_is_configurable():
    config = Config({"PerDayLatePenalty": {"fraction_per_day": 0.25}})
    plugin = PerDayLatePenalty(config=config)
    assert plugin.late_submission_penalty("s", 40.0, 2 * DAY) == pytest.approx(20.0)
    assert plugin.late_submission_penalty("s", 40.0, 5 * DAY) == pytest.approx(40.0)


@pytest.mark.slow
def test_autograde_stores_the_penalty_of_a_late_submission(graded_course):
    """Submitted a day and two hours after the due date: two started days, 20% of 72 points."""
    with Gradebook(db_url(graded_course.root)) as gradebook:
        penalties = {
            s.student.id: (s.score, s.late_submission_penalty, s.total_seconds_late)
            for s in gradebook.find_assignment(ASSIGNMENT).submissions
        }
    raw, penalty, late = penalties.pop(LATE_STUDENT)
    assert late == 26 * HOUR
    assert raw == 72.0 and penalty == pytest.approx(14.4)
    assert all(penalty == 0 and late == 0 for _, penalty, late in penalties.values())
