"""Mentions: a paper's abstract names another catalog paper, by its method's name or its title.

The names a paper goes by:

* its record's ``aliases`` (the curator's: "Lion", "SAM", "Muon");
* the name before a colon in its title, when it is a coined name and not
  ordinary words ("DocLayout-YOLO: ...", "Entropy-SGD: ...", "ECoFLaP: ...");
* its whole title, when it has at least four words.

Names match as whole words, case-sensitively ("SAM" in capitals only, "Lion"
capitalised), and a name two papers share links neither. An all-lowercase
alias is an ordinary word ("attention") and never links. Titles match in
any case. The text itself is never changed: a mention is a span.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial

from site_builder.cache import Memo, digest, no_memo
from site_builder.model import Mention, Paper, pickled_by_fields

MIN_TITLE_WORDS = 4
# A word: letters/digits, with inner hyphens or dots ("Entropy-SGD", "GPT-4", "v2.1").
_WORD = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")
_COINED = re.compile(r"^(?=.*[A-Z].*[A-Z]|.*\d|.*[a-z][A-Z])[^\s]{3,}$")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class _Name:
    words: tuple[str, ...]
    paper_id: str


def find_mentions(
    papers: Sequence[Paper], memo: Memo = no_memo, index_memo: Memo = no_memo
) -> dict[str, tuple[Mention, ...]]:
    """Each paper's mentions of other catalog papers in its abstract, in text order.

    They depend on the paper's abstract and on every paper's names (the
    index) only, so ``memo`` may keep them per paper: an abstract edit finds
    again the mentions of one paper; a title or alias edit, of all.
    ``index_memo`` may keep the index of names while every paper's are unchanged.
    """
    names = [(paper.id, paper.title, paper.aliases) for paper in papers]
    names_key = digest(names)
    # Made (or loaded) only if some paper's mentions are not kept: 0.4 s to make at 10,000 papers.
    index = cache(lambda: index_memo(("name index", names_key), partial(_name_index, papers)))

    def mentions_of(paper: Paper) -> tuple[Mention, ...]:
        return _mentions_in(paper, index())

    return {
        paper.id: memo(("mentions", names_key, paper.id, paper.abstract), partial(mentions_of, paper))
        for paper in papers
    }


def mentioned_by(mentions: dict[str, tuple[Mention, ...]]) -> dict[str, tuple[str, ...]]:
    """For each paper, the ids of the papers whose abstract mentions it (sorted)."""
    backlinks: dict[str, set[str]] = defaultdict(set)
    for source, found in mentions.items():
        for mention in found:
            backlinks[mention.paper_id].add(source)
    return {target: tuple(sorted(sources)) for target, sources in backlinks.items()}


def names_of(paper: Paper) -> tuple[list[str], list[str]]:
    """(names matched case-sensitively, titles matched in any case) for a paper."""
    exact = [alias.strip() for alias in paper.aliases if alias.strip() and alias.strip() != alias.strip().lower()]
    head, colon, _ = paper.title.partition(":")
    if colon and _COINED.match(head.strip()):
        exact.append(head.strip())
    folded = [paper.title] if len(_WORD.findall(paper.title)) >= MIN_TITLE_WORDS else []
    return exact, folded


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class _NameIndex:
    """Names by their first word; titles by their first ``MIN_TITLE_WORDS`` words, casefolded.

    Keyed so that a lookup finds few names to compare: a title's first two
    words ("learning to") start dozens of titles, its first four almost never.
    """

    exact: dict[str, list[_Name]]
    folded: dict[tuple[str, ...], list[_Name]]
    folded_first: frozenset[str]  # the first word of every title in ``folded``


def _name_index(papers: Sequence[Paper]) -> _NameIndex:
    """Every paper's names, longest first under each key; a name two papers share is left out."""
    owners: dict[tuple[bool, tuple[str, ...]], set[str]] = defaultdict(set)
    for paper in papers:
        exact, folded = names_of(paper)
        for name in exact:
            owners[(True, tuple(_WORD.findall(name)))].add(paper.id)
        for title in folded:
            owners[(False, tuple(word.casefold() for word in _WORD.findall(title)))].add(paper.id)
    exact_index: dict[str, list[_Name]] = defaultdict(list)
    folded_index: dict[tuple[str, ...], list[_Name]] = defaultdict(list)
    for (case_sensitive, words), ids in sorted(owners.items()):
        if len(ids) != 1 or not words:
            continue
        if case_sensitive:
            exact_index[words[0]].append(_Name(words, next(iter(ids))))
        else:  # a title has at least MIN_TITLE_WORDS words (names_of)
            folded_index[words[:MIN_TITLE_WORDS]].append(_Name(words, next(iter(ids))))
    for index in (exact_index, folded_index):
        for names in index.values():
            names.sort(key=lambda name: (-len(name.words), name.paper_id))  # longest name first
    folded_first = frozenset(key[0] for key in folded_index)
    return _NameIndex(dict(exact_index), dict(folded_index), folded_first)


def _mentions_in(paper: Paper, index: _NameIndex) -> tuple[Mention, ...]:
    words = _WORD.findall(paper.abstract)
    folded = [word.casefold() for word in words]
    spans: list[tuple[int, int]] = []  # each word's (start, end), found only once a mention is
    found: list[Mention] = []
    # Most words start no name: set lookups skip them, in one pass.
    exact, folded_first = index.exact, index.folded_first
    starts = [
        position
        for position, (word, folded_word) in enumerate(zip(words, folded, strict=True))
        if word in exact or folded_word in folded_first or "-" in word
    ]
    free_from = 0  # a mention's words are not searched again
    for position in starts:
        if position < free_from:
            continue
        match = _match_at(words, folded, position, index, paper.id)
        if match is None:
            continue
        length, target, head_only = match
        spans = spans or [found_word.span() for found_word in _WORD.finditer(paper.abstract)]
        start, end = spans[position][0], spans[position + length - 1][1]
        found.append(Mention(start, start + len(words[position].partition("-")[0]) if head_only else end, target))
        free_from = position + length
    return tuple(found)


def _match_at(
    words: list[str], folded: list[str], position: int, index: _NameIndex, own_id: str
) -> tuple[int, str, bool] | None:
    """(words used, paper id, whether only the part before a hyphen) of the longest name at ``words[position]``."""
    word = words[position]
    candidates: list[tuple[int, str, bool]] = []
    for name in index.exact.get(word, ()):
        if name.paper_id != own_id and tuple(words[position : position + len(name.words)]) == name.words:
            candidates.append((len(name.words), name.paper_id, False))
            break
    for name in index.folded.get(tuple(folded[position : position + MIN_TITLE_WORDS]), ()):
        if name.paper_id != own_id and tuple(folded[position : position + len(name.words)]) == name.words:
            candidates.append((len(name.words), name.paper_id, False))
            break
    # "SAM-based": a coined name glued to an ordinary lowercase word still names the paper.
    head, hyphen, tail = word.partition("-")
    if hyphen and tail.islower() and not candidates:
        for name in index.exact.get(head, ()):
            if len(name.words) == 1 and name.paper_id != own_id:
                candidates.append((1, name.paper_id, True))
                break
    return max(candidates, key=lambda item: item[0]) if candidates else None
