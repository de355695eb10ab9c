"""``textnorm.title_key``, remembered for the render stage (and from one build to the next).

Each author name is folded on every page that lists or links its author (the
paper page, the authors index, the home counts) and each title in every sort
by title: some 360,000 calls at 10,000 papers for 23,000 distinct strings.
Folding each distinct string once still took a tenth of a second of every
rebuild, so the build hands the last build's folds in (``remember``) and
keeps this build's (``folds``).
"""

from __future__ import annotations

from collections.abc import Mapping

from site_builder import textnorm

_folded: dict[str, str] = {}  # asked for in this render
_remembered: dict[str, str] = {}  # from the last build: taken when asked for


def title_key(value: str) -> str:
    """``textnorm.title_key(value)``: accents, case and punctuation ignored."""
    try:
        return _folded[value]
    except KeyError:
        folded = _remembered.get(value)
        if folded is None:
            folded = textnorm.title_key(value)
        _folded[value] = folded
        return folded


def remember(folds: Mapping[str, str]) -> None:
    """Take ``folds`` (an earlier ``folds()``, made by this code) instead of folding those strings again."""
    _remembered.update(folds)


def folds() -> dict[str, str]:
    """The strings folded (or asked for) since the caches were last cleared, with their folds."""
    return dict(_folded)


def clear_caches() -> None:
    """Forget the folded strings (``render_pages`` does once done)."""
    _folded.clear()
    _remembered.clear()
