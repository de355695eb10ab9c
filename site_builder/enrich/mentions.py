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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial

from site_builder.cache import Memo, digest, no_memo
from site_builder.model import Mention, Paper, pickled_by_fields
from site_builder.textnorm import text_digest

MIN_TITLE_WORDS = 4
# A word: letters/digits, with inner hyphens or dots ("Entropy-SGD", "GPT-4", "v2.1").
_WORD = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")
_COINED = re.compile(r"^(?=.*[A-Z].*[A-Z]|.*\d|.*[a-z][A-Z])[^\s]{3,}$")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class _Name:
    words: tuple[str, ...]
    paper_id: str


@dataclass(frozen=True)
class MentionState:
    """One build's mentions, and what the next build needs to find again only those an edit may change.

    Held as a few strings and tuples: as a set of 11,000 names and a dict of 10,000 papers it took 0.05 s
    to write and as long to read at 10,000 papers, after every edit.
    """

    names_key: bytes  # the digest of every paper's id, title and aliases
    names: str  # every name in the index, one per line (``_NameIndex.entries``)
    ids: tuple[str, ...]
    fingerprints: tuple[bytes | None, ...]  # each paper's record fingerprint, where given
    digests: tuple[bytes, ...]  # each paper's abstract's digest
    found: tuple[tuple[Mention, ...], ...]  # each paper's mentions
    made: int  # papers whose abstract this build searched (all of them when cold)

    @property
    def mentions(self) -> dict[str, tuple[Mention, ...]]:
        return dict(zip(self.ids, self.found, strict=True))


def find_mentions(papers: Sequence[Paper]) -> dict[str, tuple[Mention, ...]]:
    """Each paper's mentions of other catalog papers in its abstract, in text order."""
    return update_mentions(papers, None).mentions


def update_mentions(
    papers: Sequence[Paper],
    previous: MentionState | None,
    index_memo: Memo = no_memo,
    fingerprints: Mapping[str, bytes] | None = None,
) -> MentionState:
    """``find_mentions``, searching again only the abstracts whose mentions may differ from ``previous``'s.

    A paper's mentions depend on its abstract and on the index of every
    paper's names. An abstract that is unchanged keeps them unless a name
    that came into the index or left it (a title or alias edited, a paper
    added or removed, a name now shared by two papers) may occur in it: each
    of its words, casefolded, is in the casefolded abstract. Otherwise
    each place in it matches the same names as before, and the same longest
    one. A title edit searched all 10,000 abstracts again at 10,000 papers
    (1.2 s); now the few that may name it. A paper's record ``fingerprints``
    (``Catalog.fingerprints``), where given, stand for its abstract while unchanged.
    ``index_memo`` may keep the index of names while every paper's are unchanged.
    """
    names_key = digest([(paper.id, paper.title, paper.aliases) for paper in papers])
    # Made (or loaded) only if an abstract is searched or a name changed: 0.4 s to make at 10,000 papers.
    index = cache(lambda: index_memo(("name index", names_key), partial(_name_index, papers)))
    if previous is not None and previous.names_key == names_key:
        names, changed = previous.names, set()
    else:
        entries = index().entries()
        names = "\n".join(sorted(entries))
        changed = entries ^ set(filter(None, previous.names.split("\n"))) if previous is not None else set()
    wanted = sorted({_telling_first(entry.split("\t")[1].split(" ")) for entry in changed})  # names come or gone
    before = {} if previous is None else {
        paper_id: (fingerprint, abstract_digest, mentions)
        for paper_id, fingerprint, abstract_digest, mentions
        in zip(previous.ids, previous.fingerprints, previous.digests, previous.found, strict=True)
    }  # fmt: skip
    by_id = fingerprints or {}
    record_of: list[bytes | None] = []
    digests: list[bytes] = []
    found: list[tuple[Mention, ...]] = []
    made = 0
    for paper in papers:
        fingerprint, kept = by_id.get(paper.id), before.get(paper.id)
        # The same record file has the same abstract: not digested again (10,000 abstracts took 0.02 s).
        same_file = kept is not None and fingerprint is not None and kept[0] == fingerprint
        abstract_digest = kept[1] if kept is not None and same_file else text_digest(paper.abstract)
        record_of.append(fingerprint)
        digests.append(abstract_digest)
        if kept is not None and kept[1] == abstract_digest:
            folded = paper.abstract.casefold() if wanted else ""
            if not any(all(word in folded for word in words) for words in wanted):
                found.append(kept[2])
                continue
        found.append(_mentions_in(paper, index()))
        made += 1
    ids = tuple(paper.id for paper in papers)
    return MentionState(names_key, names, ids, tuple(record_of), tuple(digests), tuple(found), made)


def _telling_first(words: Sequence[str]) -> tuple[str, ...]:
    """A name's words casefolded (as a casefolded abstract holds them), the longest and most telling first: a
    title's first word alone ("a", "towards") is in nearly every abstract."""
    return tuple(sorted({word.casefold() for word in words}, key=lambda word: (-len(word), word)))


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

    def entries(self) -> set[str]:
        """Every name in the index as a line: whether it matches case-sensitively (1 or 0), its words
        joined by spaces and its paper's id, tab-separated (no word holds a space or tab, no id a tab)."""
        return {
            f"{int(case_sensitive)}\t{' '.join(name.words)}\t{name.paper_id}"
            for case_sensitive, index in ((True, self.exact), (False, self.folded))
            for names in index.values()
            for name in names
        }


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
