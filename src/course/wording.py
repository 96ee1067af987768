"""Counted nouns and lists of names for what people read: "1 point", "2 points", never "1 pts"."""

from __future__ import annotations


def plural(count: float, noun: str, nouns: str | None = None) -> str:
    """``count`` and the noun in the number it takes (``nouns`` when adding "s" is wrong): ``plural(1, "point")``."""
    return f"{count:g} {noun if count == 1 else nouns or noun + 's'}"


# The most students a message or a summary table names: a line naming hundreds is read by nobody.
NAMED_AT_MOST = 20


def named(names: list[str], where_all: str | None = None) -> str:
    """``names`` joined by commas, at most ``NAMED_AT_MOST``, then how many more (and ``where_all`` shows each)."""
    if len(names) <= NAMED_AT_MOST:
        return ", ".join(names)
    return f"{', '.join(names[:NAMED_AT_MOST])} and {len(names) - NAMED_AT_MOST} more" + (f" ({where_all})" if where_all else "")
