"""The assignments taught with the ``course`` engine, one package each.

Each holds its chapter as text (``chapter/``, built into ``source/<name>/``
by ``python -m course.content <name>``) and the tools that belong to it alone.
"""
