"""Text normalisation shared by stages that compare titles."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")
# Characters that change how text is shown without being seen: C0/C1 controls
# (but tab and newline), bidi embeddings, overrides and isolates (which can make
# "txt.exe" read as "exe.txt"), and zero-width spaces, word joiners and BOMs
# (which can hide a word inside another). ZWJ and ZWNJ stay: emoji sequences and
# Persian or Indic words need them. (Python-Markdown also uses \x02/\x03 as placeholders.)
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")


def visible(value: str) -> str:
    """``value`` without the characters that would hide or reorder what a reader sees."""
    if value.isprintable():
        # None of _INVISIBLE's characters is printable (controls, and format characters: Cf), and the
        # check runs in C without a call into ``re``: most names and titles (half a million at 10,000 papers).
        return value
    return _INVISIBLE.sub("", value)


def title_key(title: str) -> str:
    """A title folded for matching: accents, case and punctuation ignored."""
    if title.isascii():
        return _NOT_WORD.sub(" ", title.lower()).strip()  # no accents to fold (most titles)
    decomposed = unicodedata.normalize("NFKD", title)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", without_marks.casefold()).strip()


def text_digest(text: str) -> bytes:
    """A 16-byte digest of ``text`` (lone surrogates too): what a cached result of a text is kept by."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
