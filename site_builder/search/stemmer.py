"""The Porter stemmer exactly as lunr.js 2.3.9 has it, for lunr.py.

lunr.py ships the canonical Python Porter stemmer, which differs from
lunr.js's on some words ("try", "lay", ...). An index built in Python and
queried in the browser must stem every word the same way on both sides, so
this is a line-by-line port of lunr.js's ``porterStemmer``. It is
registered under lunr's own label ``stemmer``, which lunr.js maps to its
built-in stemmer when it loads the index. tests/test_search_parity.py runs
the whole seed vocabulary through both.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
    "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
    "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
    "iviti": "ive", "biliti": "ble", "logi": "log",
}  # fmt: skip
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}

_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + ")?$")
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_S_V = re.compile("^(" + _C + ")?" + _v)


class _Suffix(NamedTuple):
    """A pattern that matches only words ending with one of ``suffixes``: ``search`` skips others cheaply.

    Most words have none of a step's suffixes, and the regex would try each
    of them at every position first (40,000 distinct words took 0.8 s).
    """

    pattern: re.Pattern[str]
    suffixes: tuple[str, ...]  # and "\n": "$" also matches before a final newline

    def search(self, word: str) -> re.Match[str] | None:
        pattern, suffixes = self
        return pattern.search(word) if word.endswith(suffixes) else None


def _suffix(pattern: str, suffixes: tuple[str, ...]) -> _Suffix:
    return _Suffix(re.compile(pattern), (*suffixes, "\n"))


_1A = _suffix(r"^(.+?)(ss|i)es$", ("es",))
_1A_2 = _suffix(r"^(.+?)([^s])s$", ("s",))
_1B = _suffix(r"^(.+?)eed$", ("eed",))
_1B_2 = _suffix(r"^(.+?)(ed|ing)$", ("ed", "ing"))
_LAST_CHAR = re.compile(r".$")
_1B_AT_BL_IZ = re.compile(r"(at|bl|iz)$")
_1B_DOUBLE = re.compile(r"([^aeiouylsz])\1$")
_1B_CVC = re.compile("^" + _C + _v + "[^aeiouwxy]$")
_1C = _suffix(r"^(.+?[^aeiou])y$", ("y",))
_2 = _suffix(
    r"^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness"
    r"|ousness|aliti|iviti|biliti|logi)$",
    tuple(_STEP2),
)
_3 = _suffix(r"^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$", tuple(_STEP3))
_4_SUFFIXES = "al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize"
_4 = _suffix(rf"^(.+?)({_4_SUFFIXES})$", tuple(_4_SUFFIXES.split("|")))
_4_2 = _suffix(r"^(.+?)(s|t)(ion)$", ("sion", "tion"))
_5 = _suffix(r"^(.+?)e$", ("e",))
_5_LL = _suffix(r"ll$", ("ll",))
_5_CVC = re.compile("^" + _C + _v + "[^aeiouwxy]$")


def porter_stem(word: str) -> str:
    """Stem one lowercase word the way lunr.js 2.3.9 does."""
    if len(word) < 3:
        return word
    first = word[0]
    if first == "y":
        word = "Y" + word[1:]

    # Step 1a: lunr's replace(re, "$1$2"); the match is anchored at the start.
    if (match := _1A.search(word)) or (match := _1A_2.search(word)):
        word = match.group(1) + match.group(2) + word[match.end() :]

    # Step 1b
    if match := _1B.search(word):
        if _MGR0.search(match.group(1)):
            word = _LAST_CHAR.sub("", word, count=1)
    elif match := _1B_2.search(word):
        stem = match.group(1)
        if _S_V.search(stem):
            word = stem
            if _1B_AT_BL_IZ.search(word):
                word += "e"
            elif _1B_DOUBLE.search(word):
                word = _LAST_CHAR.sub("", word, count=1)
            elif _1B_CVC.search(word):
                word += "e"

    # Step 1c
    if match := _1C.search(word):
        word = match.group(1) + "i"

    # Step 2
    if (match := _2.search(word)) and _MGR0.search(match.group(1)):
        word = match.group(1) + _STEP2[match.group(2)]

    # Step 3
    if (match := _3.search(word)) and _MGR0.search(match.group(1)):
        word = match.group(1) + _STEP3[match.group(2)]

    # Step 4
    if match := _4.search(word):
        if _MGR1.search(match.group(1)):
            word = match.group(1)
    elif match := _4_2.search(word):
        stem = match.group(1) + match.group(2)
        if _MGR1.search(stem):
            word = stem

    # Step 5
    if match := _5.search(word):
        stem = match.group(1)
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _5_CVC.search(stem)):
            word = stem
    if _5_LL.search(word) and _MGR1.search(word):
        word = _LAST_CHAR.sub("", word, count=1)

    if first == "y":
        word = "y" + word[1:]
    return word
