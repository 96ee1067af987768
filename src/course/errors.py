"""The one exception type library code raises; the CLI turns it into a message and an exit code."""


class CourseError(Exception):
    """A problem the instructor can act on (bad option, missing folder, nothing to grade)."""
