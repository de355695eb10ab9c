"""``textnorm.title_key``, remembered for the render stage.

Each author name is folded on every page that lists or links its author (the
paper page, the authors index, the home counts) and each title in every sort
by title: some 360,000 calls at 10,000 papers for 23,000 distinct strings.
"""

from __future__ import annotations

import functools

from site_builder import textnorm


@functools.lru_cache(maxsize=1 << 18)
def title_key(value: str) -> str:
    """``textnorm.title_key(value)``: accents, case and punctuation ignored."""
    return textnorm.title_key(value)


def clear_caches() -> None:
    """Forget the folded strings (``render_pages`` does once done)."""
    title_key.cache_clear()
