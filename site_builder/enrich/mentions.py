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

from site_builder.model import Mention, Paper

MIN_TITLE_WORDS = 4
# A word: letters/digits, with inner hyphens or dots ("Entropy-SGD", "GPT-4", "v2.1").
_WORD = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")
_COINED = re.compile(r"^(?=.*[A-Z].*[A-Z]|.*\d|.*[a-z][A-Z])[^\s]{3,}$")


@dataclass(frozen=True, slots=True)
class _Name:
    words: tuple[str, ...]
    paper_id: str


def find_mentions(papers: Sequence[Paper]) -> dict[str, tuple[Mention, ...]]:
    """Each paper's mentions of other catalog papers in its abstract, in text order."""
    exact, folded = _name_index(papers)
    result: dict[str, tuple[Mention, ...]] = {}
    for paper in papers:
        result[paper.id] = _mentions_in(paper, exact, folded)
    return result


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


def _name_index(papers: Sequence[Paper]) -> tuple[dict[str, list[_Name]], dict[str, list[_Name]]]:
    """Names keyed by their first word, titles by their first two ("a study" is rarer than "a").

    A name two papers share is left out.
    """
    owners: dict[tuple[bool, tuple[str, ...]], set[str]] = defaultdict(set)
    for paper in papers:
        exact, folded = names_of(paper)
        for name in exact:
            owners[(True, tuple(_WORD.findall(name)))].add(paper.id)
        for title in folded:
            owners[(False, tuple(word.casefold() for word in _WORD.findall(title)))].add(paper.id)
    exact_index: dict[str, list[_Name]] = defaultdict(list)
    folded_index: dict[str, list[_Name]] = defaultdict(list)
    for (case_sensitive, words), ids in sorted(owners.items()):
        if len(ids) != 1 or not words:
            continue
        if case_sensitive:
            exact_index[words[0]].append(_Name(words, next(iter(ids))))
        else:
            folded_index[" ".join(words[:2])].append(_Name(words, next(iter(ids))))
    for index in (exact_index, folded_index):
        for names in index.values():
            names.sort(key=lambda name: (-len(name.words), name.paper_id))  # longest name first
    return exact_index, folded_index


def _mentions_in(paper: Paper, exact: dict[str, list[_Name]], folded: dict[str, list[_Name]]) -> tuple[Mention, ...]:
    words = [(match.start(), match.end(), match.group(0)) for match in _WORD.finditer(paper.abstract)]
    found: list[Mention] = []
    position = 0
    while position < len(words):
        match = _match_at(words, position, exact, folded, paper.id)
        if match is None:
            position += 1
            continue
        length, target, end = match
        found.append(Mention(words[position][0], end, target))
        position += length
    return tuple(found)


def _match_at(
    words: list[tuple[int, int, str]],
    position: int,
    exact: dict[str, list[_Name]],
    folded: dict[str, list[_Name]],
    own_id: str,
) -> tuple[int, str, int] | None:
    """(words used, paper id, end offset) of the longest name starting at ``words[position]``."""
    start, _, word = words[position]
    pair = word.casefold() + (" " + words[position + 1][2].casefold() if position + 1 < len(words) else "")
    candidates: list[tuple[int, str, int]] = []
    for key, index, fold in ((word, exact, False), (pair, folded, True)):
        for name in index.get(key, ()):
            if name.paper_id != own_id and _words_equal(words, position, name.words, fold):
                candidates.append((len(name.words), name.paper_id, words[position + len(name.words) - 1][1]))
                break
    # "SAM-based": a coined name glued to an ordinary lowercase word still names the paper.
    head, hyphen, tail = word.partition("-")
    if hyphen and tail.islower() and not candidates:
        for name in exact.get(head, ()):
            if len(name.words) == 1 and name.paper_id != own_id:
                candidates.append((1, name.paper_id, start + len(head)))
                break
    return max(candidates, key=lambda item: item[0]) if candidates else None


def _words_equal(words: list[tuple[int, int, str]], position: int, name: tuple[str, ...], fold: bool) -> bool:
    if position + len(name) > len(words):
        return False
    for offset, expected in enumerate(name):
        actual = words[position + offset][2]
        if (actual.casefold() if fold else actual) != expected:
            return False
    return True
