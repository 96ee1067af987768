"""The grading engine for nbgrader courses: build, release, collect, grade in a sandbox, report and export."""
