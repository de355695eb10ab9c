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
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from site_builder.cache import Memo, digest, no_memo
from site_builder.model import Paper, Tag

MAX_TAGS = 8
MIN_STRENGTH = 2
TITLE_WEIGHT = 3


def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression a vocabulary term matches with."""
    words = re.split(r"[\s-]+", term.strip())
    body = r"[\s-]+".join(re.escape(word) for word in words)
    flags = 0 if any(char.isupper() for char in term) else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:s|es)?(?![A-Za-z0-9])", flags)


_ASCII_RUN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class TermMatcher:
    """A term's pattern, and the words the text must contain for it to match at all.

    Running every term's regular expression over every abstract is slow
    (seconds per thousand papers); set lookups of the term's words skip
    almost all of them without changing what matches.
    """

    pattern: re.Pattern[str]
    triggers: tuple[str, ...]


Matchers = tuple[tuple[str, tuple[TermMatcher, ...]], ...]


def compile_matchers(tags: Sequence[Tag]) -> Matchers:
    """Each tag name with the compiled patterns of its match terms."""
    return tuple((tag.name, tuple(TermMatcher(term_pattern(term), _runs(term)) for term in tag.match)) for tag in tags)


def _runs(term: str) -> tuple[str, ...]:
    """The ASCII letter/digit runs of a term (the last may take a plural ending in the text)."""
    return tuple(_ASCII_RUN.findall(term.lower()))


def _words_present(text: str) -> set[str]:
    """ASCII letter/digit runs of ``text``, also without a plural ending."""
    present = set()
    for run in _ASCII_RUN.findall(text.lower()):
        present.add(run)
        if run.endswith("s"):
            present.add(run[:-1])
            if run.endswith("es"):
                present.add(run[:-2])
    return present


def tag_strengths(paper: Paper, matchers: Matchers) -> dict[str, int]:
    """How strongly each tag's terms occur in a paper (only tags that occur)."""
    present = _words_present(f"{paper.title} {paper.abstract}")
    strengths: dict[str, int] = {}
    for name, terms in matchers:
        candidates = [term.pattern for term in terms if all(run in present for run in term.triggers)]
        if not candidates:
            continue
        in_title = any(pattern.search(paper.title) for pattern in candidates)
        in_abstract = sum(len(pattern.findall(paper.abstract)) for pattern in candidates)
        strength = TITLE_WEIGHT * in_title + in_abstract
        if strength:
            strengths[name] = strength
    return strengths


def assign_tags(papers: Sequence[Paper], tags: Sequence[Tag], memo: Memo = no_memo) -> dict[str, tuple[str, ...]]:
    """Each paper's tags: its manual tags, then automatic ones, strongest first.

    A paper's tags depend on its own text and tag fields and on the vocabulary
    only, so ``memo`` may keep them per paper from an earlier build.
    """
    vocabulary = _Vocabulary(tags)
    vocabulary_key = digest(tuple(tags))
    return {
        paper.id: memo(
            ("tags", vocabulary_key, paper.title, paper.abstract, paper.tags, paper.tags_exclude),
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
    def matchers(self) -> Matchers:
        return compile_matchers(self._tags)

    def tags_of(self, paper: Paper) -> tuple[str, ...]:
        canonical, order = self.canonical, self.order
        manual = tuple(dict.fromkeys(canonical.get(name, name) for name in paper.tags))
        rejected = {canonical.get(name, name) for name in paper.tags_exclude} - set(manual)
        strengths = {
            name: strength for name, strength in tag_strengths(paper, self.matchers).items() if name not in rejected
        }
        ranked = sorted(strengths, key=lambda name: (-strengths[name], order[name]))
        automatic = [name for name in ranked if strengths[name] >= MIN_STRENGTH]
        if not automatic and not manual and ranked:
            automatic = ranked[:1]
        room = max(MAX_TAGS - len(manual), 0)
        return manual + tuple(name for name in automatic if name not in manual)[:room]
