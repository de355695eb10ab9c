"""Automatic tags from the vocabulary's match terms; manual tags always win.

A term matches as a whole word or phrase (a plural ``s`` allowed; ``-`` and a
space are interchangeable). Terms with a capital letter (``LLM``, ``SAM``)
match case-sensitively, others in any case. A tag's strength on a paper is
3 for a match in the title plus 1 per match in the abstract; a tag needs a
strength of 2 (a title match, or two in the abstract). A paper that reaches
no tag that way takes its strongest single-mention tag, so it is not left
untagged. A tag listed in a record's ``tags_exclude`` is never given automatically.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from site_builder.cache import Memo, digest, no_memo
from site_builder.model import Paper, Tag

MAX_TAGS = 8
MIN_STRENGTH = 2
TITLE_WEIGHT = 3


@functools.cache
def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression a vocabulary term matches with.

    Compiled when first asked for (0.6 ms each): a build that tags one edited
    paper needs only the few terms whose words that paper has.
    """
    words = re.split(r"[\s-]+", term.strip())
    body = r"[\s-]+".join(re.escape(word) for word in words)
    flags = 0 if any(char.isupper() for char in term) else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:s|es)?(?![A-Za-z0-9])", flags)


_ASCII_RUN = re.compile(r"[a-z0-9]+")
_WORD_SEPARATORS = re.compile(r"[\s-]+")
# For _ascii_runs: ASCII letters in lower case and digits kept, every other byte a space.
_RUN_BYTES = bytes(ord(chr(code).lower()) if chr(code).isascii() and chr(code).isalnum() else 32 for code in range(256))
# The non-ASCII letters re.IGNORECASE takes for an ASCII letter ("i" also matches "İ"
# and "ı", "s" matches "ſ", "k" the Kelvin sign), with that letter.
_ASCII_VARIANTS = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


@dataclass(frozen=True, slots=True)
class TermMatcher:
    """A term, and the words the text must contain for its pattern to match at all.

    Running every term's regular expression over every abstract is slow
    (seconds per thousand papers); set lookups of the term's words skip
    almost all of them without changing what matches. Knowing the term's
    first word lets _count search for it instead.
    """

    term: str
    triggers: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        return term_pattern(self.term)

    @property
    def ignores_case(self) -> bool:
        return not any(char.isupper() for char in self.term)  # as term_pattern decides


Matchers = tuple[tuple[str, tuple[TermMatcher, ...]], ...]


def compile_matchers(tags: Sequence[Tag]) -> Matchers:
    """Each tag name with the matchers of its match terms."""
    return tuple((tag.name, tuple(TermMatcher(term, _runs(term)) for term in tag.match)) for tag in tags)


def _runs(term: str) -> tuple[str, ...]:
    """The ASCII letter/digit runs of a term (the last may take a plural ending in the text)."""
    return tuple(_ASCII_RUN.findall(term.lower()))


def _ascii_runs(text: str) -> list[str]:
    """``_ASCII_RUN.findall(text.lower())``, in half the time.

    Each non-ASCII character of the lower-cased text becomes one "?", then like
    every byte but a letter or digit a space. (An ASCII text's lower() is the
    translation's.)
    """
    if not text.isascii():
        text = text.lower()
    return text.encode("ascii", "replace").translate(_RUN_BYTES).decode("ascii").split()


def _forms(word: str) -> tuple[str, str, str]:
    """The runs of a text in which the word prefilter finds ``word`` (bare or plural)."""
    return word, word + "s", word + "es"


@dataclass(frozen=True, slots=True)
class _Term:
    """A match term as the matching uses it."""

    tag: int  # the position of its tag in the vocabulary
    term: str
    words: int  # the bits of its triggers (_TermIndex.bits)
    needle: str  # _needle of the term
    folded: bool  # the pattern ignores case: look for the needle in the _fold of the text
    phrase: str  # _phrase of the term

    @property
    def pattern(self) -> re.Pattern[str]:
        return term_pattern(self.term)


class _TermIndex:
    """A vocabulary's terms, and the word prefilter that picks the ones to look for in a paper.

    A term is looked for only when each of its ``triggers`` is an ASCII run
    of the lower-cased title and abstract, bare or with a plural ``s``/``es``.
    Testing that for every term of every tag is slow, so each word has a bit
    (a text's words are then one set intersection and a term's test one
    ``&``), and each term is filed under one of its words (the one fewest
    terms share): a paper tests only the terms filed under its words.
    """

    def __init__(self, matchers: Matchers) -> None:
        self.names = tuple(name for name, _ in matchers)
        entries = [(tag, matcher) for tag, (_, terms) in enumerate(matchers) for matcher in terms]
        sharing = Counter(word for _, matcher in entries for word in dict.fromkeys(matcher.triggers))
        bit = {word: 1 << number for number, word in enumerate(sharing)}
        self.bits: dict[str, int] = {}  # a run of a text -> the bits of the words it stands for
        self.filed: dict[str, list[int]] = {}  # a run of a text -> the numbers of the terms filed under it
        for word in sharing:
            for form in _forms(word):
                # A run may stand for two words: "biases" for "bias" and "biase", each plural.
                self.bits[form] = self.bits.get(form, 0) | bit[word]
        self.runs = frozenset(self.bits)
        self.always: list[int] = []  # terms without ASCII runs pass the prefilter on any text
        self.terms: list[_Term] = []
        for number, (tag, matcher) in enumerate(entries):
            words = functools.reduce(operator.or_, map(bit.__getitem__, matcher.triggers), 0)
            self.terms.append(_term(tag, matcher, words))
            if not matcher.triggers:
                self.always.append(number)
                continue
            key = min(matcher.triggers, key=lambda word: (sharing[word], -len(word)))
            for form in _forms(key):
                self.filed.setdefault(form, []).append(number)
        self.filed_runs = frozenset(self.filed)

    def candidates(self, text: str) -> list[_Term]:
        """The terms to look for in ``text`` (title and abstract), in vocabulary order.

        Those that pass the word prefilter, less (in an ASCII text) those that
        cannot match, for their runs are not side by side.
        """
        runs = _ascii_runs(text)
        known = self.runs.intersection(runs)
        present = functools.reduce(operator.or_, map(self.bits.__getitem__, known), 0)
        numbers = sorted(set(self.always).union(*map(self.filed.__getitem__, known & self.filed_runs)))
        terms = [term for term in map(self.terms.__getitem__, numbers) if term.words & present == term.words]
        if text.isascii():
            spaced = " " + " ".join(runs)
            terms = [term for term in terms if term.phrase in spaced]
        return terms


def _term(tag: int, matcher: TermMatcher, words: int) -> _Term:
    return _Term(tag, matcher.term, words, _needle(matcher.term), matcher.ignores_case, _phrase(matcher.term))


def _needle(term: str) -> str:
    """A literal that starts every match of term_pattern(term): its first word ("": none known).

    For a term in any case, the lower-case word as the _fold of the text has
    it, which holds for an ASCII word only.
    """
    first = _WORD_SEPARATORS.split(term.strip())[0]
    if any(char.isupper() for char in term):
        return first
    return first if first.isascii() else ""


def _phrase(term: str) -> str:
    """What the runs of an ASCII text, joined by spaces after a space, hold where the term matches ("": any).

    An ASCII term's match in an ASCII text is its runs side by side: the
    look-behind and the characters between them are no letter or digit, only
    the last run may go on (with the plural). Said for terms of two runs or
    more: a paper with all the words of one often has them apart.
    """
    runs = _runs(term)
    return " " + " ".join(runs) if term.isascii() and len(runs) > 1 else ""


def _fold(text: str) -> str:
    """``text`` with each character an ASCII literal of a case-insensitive pattern matches turned into that literal.

    That is the lower-cased text once the letters of _ASCII_VARIANTS are
    replaced; then lower() maps each character to one, so positions carry over.
    """
    if not text.isascii():
        for variant, letter in _ASCII_VARIANTS:
            if variant in text:
                text = text.replace(variant, letter)
    return text.lower()


class _Text:
    """A paper's title and abstract, as _count searches them."""

    __slots__ = ("title", "abstract", "both", "folded", "start")

    def __init__(self, paper: Paper, both: str) -> None:
        # ``both`` is f"{title} {abstract}": one string, so each needle is looked for
        # once. The space before the abstract is no letter or digit, like a string's start.
        self.title, self.abstract, self.both = paper.title, paper.abstract, both
        self.folded = _fold(both)
        self.start = len(paper.title) + 1  # where the abstract starts


def _count(term: _Term, text: _Text) -> tuple[bool, int]:
    """Whether ``pattern.search`` finds the term in the title, and how many matches ``findall`` gives in the abstract.

    ``str.find`` finds where a match may start (the needle) far faster than
    the pattern's own scan, whose leading look-behind keeps ``re`` from
    searching for a literal prefix; the pattern then only tries those places.
    """
    pattern, needle = term.pattern, term.needle
    if not needle:
        return pattern.search(text.title) is not None, len(pattern.findall(text.abstract))
    haystack, both, start = text.folded if term.folded else text.both, text.both, text.start
    at = haystack.find(needle, 0, start - 1)
    while at >= 0 and pattern.match(both, at, start - 1) is None:  # endpos: the title as a string of its own
        at = haystack.find(needle, at + 1, start - 1)
    in_title = at >= 0
    # findall's scan of the abstract, only where the needle is: a failed try moves
    # one on, a match to its end (it is not empty: it holds the needle).
    count, at = 0, haystack.find(needle, start)
    while at >= 0:
        match = pattern.match(both, at)  # its look-behind sees the character before
        if match is None:
            at = haystack.find(needle, at + 1)
        else:
            count += 1
            at = haystack.find(needle, match.end())
    return in_title, count


_TAG_OF = operator.attrgetter("tag")


@functools.lru_cache(maxsize=1)
def _index_of(matchers: Matchers) -> _TermIndex:
    """The index of ``matchers``, kept for the last vocabulary (callers pass the same one paper after paper)."""
    return _TermIndex(matchers)


def tag_strengths(paper: Paper, matchers: Matchers) -> dict[str, int]:
    """How strongly each tag's terms occur in a paper (only tags that occur)."""
    return _strengths(paper, _index_of(matchers))


def _strengths(paper: Paper, index: _TermIndex) -> dict[str, int]:
    both = f"{paper.title} {paper.abstract}"
    candidates = index.candidates(both)
    if not candidates:
        return {}
    text = _Text(paper, both)
    strengths: dict[str, int] = {}
    for tag, terms in itertools.groupby(candidates, key=_TAG_OF):
        in_title, in_abstract = False, 0
        for term in terms:
            title_match, count = _count(term, text)
            in_title, in_abstract = in_title or title_match, in_abstract + count
        strength = TITLE_WEIGHT * in_title + in_abstract
        if strength:
            strengths[index.names[tag]] = strength
    return strengths


def assign_tags(
    papers: Sequence[Paper],
    tags: Sequence[Tag],
    memo: Memo = no_memo,
    fingerprints: Mapping[str, bytes] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Each paper's tags: its manual tags, then automatic ones, strongest first.

    A paper's tags depend on its own text and tag fields and on the vocabulary
    only, so ``memo`` may keep them per paper from an earlier build. A paper's
    fingerprint (``Catalog.fingerprints``), if given, stands for those fields
    in the key: digesting 10,000 abstracts took most of a cached tags step.
    """
    vocabulary = _Vocabulary(tags)
    vocabulary_key = digest(tuple(tags))
    fingerprints = fingerprints or {}
    return {
        paper.id: memo(
            ("tags", vocabulary_key, fingerprint)
            if (fingerprint := fingerprints.get(paper.id)) is not None
            else ("tags", vocabulary_key, paper.title, paper.abstract, paper.tags, paper.tags_exclude),
            partial(vocabulary.tags_of, paper),
        )
        for paper in papers
    }


class _Vocabulary:
    """The tag vocabulary ready for matching (compiled on first use: a cached build may need none)."""

    def __init__(self, tags: Sequence[Tag]) -> None:
        self.canonical = {alias: tag.name for tag in tags for alias in tag.aliases} | {
            tag.name: tag.name for tag in tags
        }
        self.order = {tag.name: index for index, tag in enumerate(tags)}
        self._tags = tags

    @functools.cached_property
    def index(self) -> _TermIndex:
        return _TermIndex(compile_matchers(self._tags))

    def tags_of(self, paper: Paper) -> tuple[str, ...]:
        canonical, order = self.canonical, self.order
        manual = tuple(dict.fromkeys(canonical.get(name, name) for name in paper.tags))
        rejected = {canonical.get(name, name) for name in paper.tags_exclude} - set(manual)
        strengths = {name: strength for name, strength in _strengths(paper, self.index).items() if name not in rejected}
        ranked = sorted(strengths, key=lambda name: (-strengths[name], order[name]))
        automatic = [name for name in ranked if strengths[name] >= MIN_STRENGTH]
        if not automatic and not manual and ranked:
            automatic = ranked[:1]
        room = max(MAX_TAGS - len(manual), 0)
        return manual + tuple(name for name in automatic if name not in manual)[:room]
