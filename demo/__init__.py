"""The demo of ``make demo`` (``python -m demo``), not part of the engine.

A throw-away course folder (``course_folder``) graded end to end on the
compression assignment's example class (``run``), and the builders that type
code into released notebooks (``submissions``), which the example class and
the tests share.
"""
