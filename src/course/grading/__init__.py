"""Batch grading: inspect and repair submissions, run nbgrader's autograde in parallel, keep verdicts."""
