"""BibTeX out: citation keys for the whole catalog, one entry per paper, ``.bib`` files.

Entries are meant to be pasted into a reference manager or a ``.bib`` file and
to come back unchanged through our own reader (``ingest/bibtex.py``): every
character LaTeX treats specially is escaped, non-ASCII text stays UTF-8
(biber and modern BibTeX read it), and the output is deterministic.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping, Sequence

from slugify import slugify

# The reader keeps URLs inside text exactly as written (no LaTeX decoding), so
# the writer must leave them unescaped to get the same text back.
from site_builder.ingest.latex import _URL as READER_URL
from site_builder.model import Paper

# Title words a key skips, as Google Scholar's keys do ("On the ..." → the next word).
STOP_WORDS = frozenset(
    "a an the on of in for to and or with from by at as via is are do does can how what why when where "
    "which who toward towards".split()
)
# Name suffixes that are not the family name ("Martin Luther King Jr." → king).
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_TITLE_WORD_SPLIT = re.compile(r"[\s\-‐‑–—/:]+")
_MAX_TITLE_WORD = 20  # a title without spaces (e.g. Chinese) would otherwise be the whole title

# One replacement per special character. Stock pylatexenc (bibtexparser's
# LaTeX decoder) reads \textasciicircum as U+02C6 and does not know
# \textbraceleft, so ^ and unmatched braces use forms any pylatexenc reads back.
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\string^",
}
_UNMATCHED_BRACE = {"{": r"\lbrace{}", "}": r"\rbrace{}"}
_SPECIAL_CHAR = re.compile(r"[\\%&#$_~^{}]")
_BRACE = re.compile(r"[{}]")
# Character pairs that TeX turns into ligatures (-- –, `` “, '' ”, ?` ¿, !` ¡): split by {}.
_LIGATURE = re.compile(r"-(?=-)|`(?=`)|'(?=')|[?!](?=`)")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
# The same runs minus the lone spaces that need no change (a third of the time an entry takes).
_SQUEEZABLE = re.compile(r"[\t\r\n\f\v][ \t\r\n\f\v]*| [ \t\r\n\f\v]+")
# Every match of _SQUEEZABLE starts with one of these, of _LIGATURE is one of these pairs. Most text has
# none, and testing for them is some 5 times faster than the regex scans, which try each alternative at
# every character (they were a third of the time an entry takes).
_SQUEEZABLE_STARTS = ("\t", "\r", "\n", "\f", "\v", "  ")
_LIGATURE_PAIRS = ("--", "``", "''", "?`", "!`")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # not whitespace: "a\rb" is two words
# What may follow a URL for the reader to see the same URL end (see _text_pieces).
_AFTER_URL = re.compile(r"[.,;:!?)\]’”]*(?:[\s<>\"]|$)")
# Percent-encodings for a verbatim field (url, doi): an unmatched brace would end
# the entry, and bibtexparser reads a backslash before a brace as an escape.
_VERBATIM_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C"}
_VERBATIM_CHARS = tuple(_VERBATIM_UNSAFE)
_NAME_NEEDS_BRACES = re.compile(r",|\band\b", re.IGNORECASE)


def bibtex_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """Citation keys for the whole catalog, by paper id.

    A key is the first author's family name (ASCII-folded, lowercase), the
    year and the first title word that is not a stop word:
    ``chen2023symbolic``. A missing author or year is left out.

    Papers sharing a key are ordered by when they were added (``added``, then
    id; papers without a date last). The first keeps the plain key, the next
    ones get ``a``, ``b``, … (``chen2023symbolica``). A paper added later thus
    takes the next suffix and never renames the keys already cited, and a paper
    with a different key changes nothing.
    """
    by_base: dict[str, list[Paper]] = {}
    for paper in papers:
        by_base.setdefault(key_base(paper), []).append(paper)
    taken = set(by_base)
    keys: dict[str, str] = {}
    for base in sorted(by_base):
        first, *later = sorted(by_base[base], key=_added_order)
        keys[first.id] = base
        suffixes = _suffixes()
        for paper in later:
            key = base + next(suffixes)
            while key in taken:
                key = base + next(suffixes)
            taken.add(key)
            keys[paper.id] = key
    return keys


def key_base(paper: Paper) -> str:
    """The key before any clash suffix (``chen2023symbolic``)."""
    family = family_name(paper.authors[0]) if paper.authors else ""
    year = str(paper.year) if paper.year else ""
    return f"{family}{year}{title_word(paper.title)}" or "paper"


def family_name(name: str) -> str:
    """The folded family name of a "First Last" name (or "Last, First")."""
    if "," in name:
        words = name.split(",")[0].split()
    else:
        words = [word for word in name.split() if _fold(word) not in _NAME_SUFFIXES] or name.split()
    return _fold(words[-1]) if words else ""


def title_word(title: str) -> str:
    """The first title word that is not a stop word, folded (else the first word)."""
    first = ""
    for word in _TITLE_WORD_SPLIT.split(title):
        # Folded one at a time: the first significant word is nearly always among the first two.
        folded = _fold(word)
        if folded and folded not in STOP_WORDS:
            return folded[:_MAX_TITLE_WORD]
        first = first or folded
    return first[:_MAX_TITLE_WORD]


@functools.lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    # Cached: names and title words repeat across a catalog, and slugify is slow.
    return slugify(word, separator="")


def _added_order(paper: Paper) -> tuple[bool, dt.date, str]:
    return (paper.added is None, paper.added or dt.date.min, paper.id)


def _suffixes() -> Iterator[str]:
    """a, b, …, z, aa, ab, …: as many as needed."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    width = 1
    while True:
        for number in range(len(letters) ** width):
            digits = []
            for _ in range(width):
                number, digit = divmod(number, len(letters))
                digits.append(letters[digit])
            yield "".join(reversed(digits))
        width += 1


def bibtex_entry(paper: Paper, key: str, *, with_abstract: bool = True) -> str:
    """One BibTeX entry: ``@article`` with ``journal`` when the paper has a venue, else ``@misc``.

    Fields come in a fixed order and only when known: title (its case
    protected by a second pair of braces), author, year, journal, doi, url
    (the arXiv page when there is no other), eprint, archivePrefix,
    primaryClass, abstract (unless ``with_abstract`` is False).
    """
    lines = _citation_lines(paper)
    abstract = latex_text(paper.abstract) if with_abstract else ""
    return _entry(paper, key, [*lines, _field("abstract", abstract)] if abstract else lines)


def bibtex_entries(paper: Paper, key: str) -> tuple[str, str]:
    """``bibtex_entry`` with and without the abstract, the fields they share escaped once."""
    lines = _citation_lines(paper)
    abstract = latex_text(paper.abstract)
    citation = _entry(paper, key, lines)
    full = _entry(paper, key, [*lines, _field("abstract", abstract)]) if abstract else citation
    return full, citation


def _citation_lines(paper: Paper) -> list[str]:
    """The entry's field lines but the abstract, in order, only the known ones."""
    arxiv_url = f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else ""
    fields = [
        ("title", "{" + latex_text(paper.title) + "}"),
        ("author", " and ".join(_author(name) for name in paper.authors if name.strip())),
        ("year", str(paper.year) if paper.year else ""),
        ("journal", latex_text(paper.venue)),
        ("doi", verbatim(paper.doi)),
        ("url", verbatim(paper.url or arxiv_url)),
        ("eprint", verbatim(paper.arxiv)),
        ("archivePrefix", "arXiv" if paper.arxiv else ""),
        ("primaryClass", verbatim(paper.category) if paper.arxiv else ""),
    ]
    return [_field(name, value) for name, value in fields if value]


def _field(name: str, value: str) -> str:
    return f"  {name} = {{{value}}}"


def _entry(paper: Paper, key: str, lines: Sequence[str]) -> str:
    kind = "article" if paper.venue.strip() else "misc"
    return f"@{kind}{{{key},\n" + ",\n".join(lines) + "\n}\n"


def bibtex_file(papers: Sequence[Paper], keys: Mapping[str, str]) -> str:
    """Entries for ``papers``, sorted by key and separated by blank lines."""
    ordered = sorted(papers, key=lambda paper: keys[paper.id])
    return "\n".join(bibtex_entry(paper, keys[paper.id]) for paper in ordered)


@functools.lru_cache(maxsize=1 << 16)
def _author(name: str) -> str:
    """One name as BibTeX reads it back whole.

    Braced when a comma or "and" would split it, and when it holds an escape:
    bibtexparser's name splitting loses escaped characters (a name after
    " and " that starts with one loses two characters, ``von \\&`` loses the
    ``&``). Real names need this only for odd characters, never for accents.
    Cached: a name comes back in the entry of each of its papers.
    """
    escaped = latex_text(name)
    protect = _NAME_NEEDS_BRACES.search(name) or "\\" in escaped
    return "{" + escaped + "}" if protect else escaped


def clear_caches() -> None:
    """Forget the names and words remembered (``render_pages`` does once done)."""
    for cache in (_author, _fold):
        cache.cache_clear()


def latex_text(value: str) -> str:
    """Plain text as a BibTeX field value that decodes back to the same text.

    Whitespace runs become one space (as the reader does). URLs are kept as
    written when the reader will find exactly the same URL again; a URL that
    must be escaped (it holds a brace or a backslash, or runs into other text)
    comes back with backslashes, but the entry stays valid.
    """
    text = _CONTROL.sub("", value)
    if _contains_any(text, _SQUEEZABLE_STARTS):
        text = _SQUEEZABLE.sub(" ", text)
    text = text.strip()
    if "://" not in text:
        return _escape(text)  # no URL in it (most text), so one piece
    return "".join(piece if is_url else _escape(piece) for piece, is_url in _text_pieces(text))


def _contains_any(text: str, needles: tuple[str, ...]) -> bool:
    # A plain loop: any() over a generator costs twice as much, on the short strings it mostly sees.
    for needle in needles:
        if needle in text:
            return True
    return False


def _text_pieces(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` cut into (piece, is verbatim URL), in order."""
    position = 0
    for url in READER_URL.finditer(text):
        if set(url.group(0)) & set("{}\\") or not _AFTER_URL.match(text, url.end()):
            continue
        yield text[position : url.start()], False
        yield url.group(0), True
        position = url.end()
    yield text[position:], False


def _escape(text: str) -> str:
    matched = _matched_braces(text)

    def replace(special: re.Match[str]) -> str:
        char = special.group(0)
        if char in "{}":
            return "\\" + char if special.start() in matched else _UNMATCHED_BRACE[char]
        return _SPECIALS[char]

    escaped = _SPECIAL_CHAR.sub(replace, text)
    return _LIGATURE.sub(r"\g<0>{}", escaped) if _contains_any(escaped, _LIGATURE_PAIRS) else escaped


def _matched_braces(text: str) -> set[int]:
    """Positions of braces that pair up; BibTeX needs the others spelled without a brace."""
    opened: list[int] = []
    matched: set[int] = set()
    if "{" not in text:
        return matched  # nothing opens a pair (most text): skip the scan
    for brace in _BRACE.finditer(text):
        if brace.group(0) == "{":
            opened.append(brace.start())
        elif opened:
            matched.update((opened.pop(), brace.start()))
    return matched


def verbatim(value: str) -> str:
    """A field BibTeX tools take as written (url, doi, eprint).

    Only backslashes and unmatched braces are percent-encoded; such a value
    is the one thing that does not come back exactly as it was.
    """
    cleaned = _WHITESPACE.sub("", _CONTROL.sub("", value))
    if not _contains_any(cleaned, _VERBATIM_CHARS):
        return cleaned  # nothing to encode (nearly every value): skip the walk over each character
    matched = _matched_braces(cleaned)
    return "".join(
        char if index in matched and char in "{}" else _VERBATIM_UNSAFE.get(char, char)
        for index, char in enumerate(cleaned)
    )
