"""Answer a query the way the search box does (``catalog-search.js`` is its twin).

A query is read as text, never as lunr syntax:

* words are what ``analysis.words`` gives (``:``, ``^``, ``~``, ``+``, ``*``
  are separators); stop words are dropped;
* ``-word`` (at the start of a word) excludes papers with that word (in any
  field of either index);
* each word matches exactly (stemmed, boost 10); a word of 5+ letters also
  matches the catalog's words one edit away (boost 1): the typo is corrected
  against the unstemmed vocabulary, then stemmed, since an edit distance on
  stems misses typos such as "optimizaton"; the last word also matches as a
  prefix (boost 2), unless the query ends with a space;
* when some papers match every word, only those are shown; when none does,
  papers matching any word are shown, ranked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lunr.index import Index
from lunr.query import Query
from lunr.token_set import TokenSet

from site_builder.search import analysis
from site_builder.search.index import url_for

EXACT_BOOST = 10
PREFIX_BOOST = 2
TYPO_BOOST = 1
TYPO_MIN_LENGTH = 5
PREFIX_MIN_LENGTH = 2

_NEGATED = re.compile(r"(?:^|\s)-(\S+)")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    words: tuple[str, ...]  # wanted words, folded, no stop words, first occurrence order
    excluded: tuple[str, ...]  # words after a leading '-'
    prefix_word: str | None  # the word being typed (matched as a prefix too)


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    url: str
    title: str
    year: int | None
    tags: tuple[str, ...]
    snippet: str
    score: float


def parse_query(text: str) -> ParsedQuery:
    """Split what the user typed into wanted and excluded words."""
    excluded = [word for match in _NEGATED.finditer(text) for word in analysis.words(match.group(1))]
    positive_text = _NEGATED.sub(" ", text)
    typed = analysis.words(positive_text)
    wanted = [word for word in typed if not analysis.is_stop_word(word)]
    ends_mid_word = bool(positive_text) and not positive_text[-1].isspace()
    being_typed = typed[-1] if ends_mid_word and typed and typed[-1] in wanted else None
    prefix_word = being_typed if being_typed and len(being_typed) >= PREFIX_MIN_LENGTH else None
    return ParsedQuery(tuple(dict.fromkeys(wanted)), tuple(dict.fromkeys(excluded)), prefix_word)


MAX_CORRECTIONS = 8


def corrections(vocabulary: TokenSet, word: str) -> list[str]:
    """Catalog words one edit (insert, delete, substitute, swap) away from ``word``."""
    if len(word) < TYPO_MIN_LENGTH:
        return []
    near = vocabulary.intersect(TokenSet.from_fuzzy_string(word, 1)).to_list()
    return sorted(candidate for candidate in near if candidate != word)[:MAX_CORRECTIONS]


def _add_word_clauses(query: Query, word: str, corrected_words: list[str], *, prefix: bool) -> None:
    query.term(word, boost=EXACT_BOOST, use_pipeline=True)
    for corrected in corrected_words:
        query.term(corrected, boost=TYPO_BOOST, use_pipeline=True)
    if prefix:
        for start in dict.fromkeys([word, analysis.stem(word)]):
            query.term(start, boost=PREFIX_BOOST, use_pipeline=False, wildcard=Query.WILDCARD_TRAILING)


def run_query(indexes: Sequence[Index], vocabulary: TokenSet, text: str) -> list[tuple[str, float]]:
    """``(ref, score)`` pairs, best first (ties by ref number).

    Each index (titles/tags/authors, then abstracts) is queried with the same
    clauses; a document's score is the sum of its scores, in index order.
    """
    parsed = parse_query(text)
    if not parsed.words:
        return []
    # Computed once: each word's clauses go into several queries on each index.
    corrected = {word: corrections(vocabulary, word) for word in parsed.words}

    def scores(words: tuple[str, ...], *, exact_only: bool = False) -> dict[str, float]:
        found: dict[str, float] = {}
        for index in indexes:
            query = index.create_query()
            for word in words:
                if exact_only:
                    query.term(word, use_pipeline=True)
                else:
                    _add_word_clauses(query, word, corrected[word], prefix=word == parsed.prefix_word)
            for result in index.query(query):
                found[result["ref"]] = found.get(result["ref"], 0.0) + result["score"]
        return found

    ranked = scores(parsed.words)
    if len(parsed.words) > 1:
        in_all: set[str] | None = None
        for word in parsed.words:
            refs = set(scores((word,)))
            in_all = refs if in_all is None else in_all & refs
        if in_all:
            ranked = {ref: score for ref, score in ranked.items() if ref in in_all}
    if parsed.excluded:
        excluded = scores(parsed.excluded, exact_only=True)
        ranked = {ref: score for ref, score in ranked.items() if ref not in excluded}
    return sorted(ranked.items(), key=lambda pair: (-pair[1], int(pair[0])))


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """A loaded index file: lunr index plus result table."""

    indexes: tuple[Index, ...]
    vocabulary: TokenSet
    docs: list[list[Any]]

    @classmethod
    def from_payload(cls, head: dict[str, Any], body: dict[str, Any] | None = None) -> SearchIndex:
        """The small file's payload, and the abstracts' one when it is there."""
        indexes = (Index.load(head["index"]),) + ((Index.load(body["index"]),) if body else ())
        return cls(indexes=indexes, vocabulary=TokenSet.from_list(head["words"]), docs=head["docs"])

    def search(self, text: str, limit: int | None = 10) -> list[Hit]:
        hits = []
        for ref, score in run_query(self.indexes, self.vocabulary, text)[:limit]:
            doc_id, title, year, tags, snippet = self.docs[int(ref)]
            hits.append(Hit(doc_id, url_for(doc_id), title, year, tuple(tags), snippet, round(score, 6)))
        return hits
