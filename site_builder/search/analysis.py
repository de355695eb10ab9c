"""Text analysis shared by the index (lunr.py) and the browser (lunr.js).

Both sides must turn text into the same terms, or the browser finds what the
CLI misses. Every step here has a twin in ``docs/assets/catalog-search.js``:

1. lowercase, then **fold diacritics**: NFKD, drop combining marks, then map
   the letters that do not decompose (Ł→l, ø→o, ß→ss, æ→ae, đ→d, ...);
2. split on every character that is not a letter or a digit (Unicode-aware;
   so no trimmer is needed on either side);
3. drop lunr's English stop words; 4. stem with lunr.js's Porter stemmer.

The fold table is written into the index file, so the browser uses this very
table. Folding is also registered as the lunr pipeline function
``fold-diacritics`` in the search pipeline on both sides.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from lunr.pipeline import Pipeline
from lunr.stop_word_filter import WORDS as LUNR_STOP_WORDS
from lunr.token import Token

from site_builder.search.stemmer import porter_stem

FOLD_LABEL = "fold-diacritics"
STEMMER_LABEL = "stemmer"

# Letters NFKD leaves whole; lowercase only (text is lowercased first).
FOLD_TABLE: dict[str, str] = {
    "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    "ħ": "h", "ŀ": "l", "ŧ": "t", "ĸ": "k", "ŋ": "n", "ſ": "s", "ƒ": "f", "ɨ": "i", "ʉ": "u",
}  # fmt: skip

_NOT_WORD = re.compile(r"[\W_]+")
# lunr's English stop word list (the stopWordFilter both pipelines run).
STOP_WORDS = frozenset(LUNR_STOP_WORDS)


def fold(text: str) -> str:
    """Lowercase ``text`` and fold accents and special letters to ASCII-like letters."""
    if text.isascii():
        return text.lower()  # nothing to fold; most text, so worth the shortcut
    # Only the non-ASCII runs need the slow path. Folding them apart gives the
    # same text: NFKD decomposes character by character, and the only thing
    # it reorders, combining marks, is dropped.
    return _NON_ASCII.sub(_fold_run, text.lower())


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group())
    without_marks = "".join(char for char in decomposed if not unicodedata.category(char).startswith("M"))
    return "".join(FOLD_TABLE.get(char, char) for char in without_marks)


def words(text: str) -> list[str]:
    """Folded words of ``text``, split on anything that is not a letter or digit."""
    folded = fold(text)
    if folded.isascii():
        # The same words, twice as fast: str.split() on the separators made spaces.
        return folded.translate(_ASCII_SEPARATORS).split()
    return [word for word in _NOT_WORD.split(folded) if word]


# Every ASCII character _NOT_WORD splits on, as a space.
_ASCII_SEPARATORS = {code: " " for code in range(128) if _NOT_WORD.fullmatch(chr(code))}


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS


@functools.lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """lunr.js's Porter stem of ``word``, cached: a catalog repeats its words a lot."""
    return porter_stem(word)


def index_terms(text: str) -> list[str]:
    """The terms the index stores for ``text`` (what lunr's pipeline would give)."""
    return [stem(word) for word in words(text) if not is_stop_word(word)]


def _fold_token(token: Token, i: int | None = None, tokens: list[Token] | None = None) -> Token:
    return token.update(lambda string, metadata=None: fold(string))


def _stem_token(token: Token, i: int | None = None, tokens: list[Token] | None = None) -> Token:
    return token.update(lambda string, metadata=None: stem(string))


# lunr.js looks pipeline functions up by these labels when it loads the index.
# Our stemmer replaces lunr.py's under lunr's own label (see stemmer.py).
Pipeline.registered_functions.pop(STEMMER_LABEL, None)
Pipeline.register_function(_fold_token, FOLD_LABEL)
Pipeline.register_function(_stem_token, STEMMER_LABEL)
fold_pipeline_function = _fold_token
stem_pipeline_function = _stem_token
