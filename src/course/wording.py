"""Counted nouns for what people read: "1 point", "2 points", never "1 pts"."""

from __future__ import annotations


def plural(count: float, noun: str, nouns: str | None = None) -> str:
    """``count`` and the noun in the number it takes (``nouns`` when adding "s" is wrong): ``plural(1, "point")``."""
    return f"{count:g} {noun if count == 1 else nouns or noun + 's'}"
