"""Text normalisation shared by stages that compare titles."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """A title folded for matching: accents, case and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", title)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", without_marks.casefold()).strip()
