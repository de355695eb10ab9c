"""What a related-papers link says: the rarest tags, distinctive terms and authors two papers share.

"both: zeroth-order, variance reduction; same author: Ada Lovelace". A term
is shown only if few papers use it (``usable``, decided in related.py) and
it weighs something in both papers; a phrase hides the words in it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

from site_builder.enrich.text_features import UNIT
from site_builder.model import Paper, RelatedLink

REASON_ITEMS = 3  # tags and terms shown in a reason, at most
REASON_TAGS = 2
# A term explains a link only if it weighs something in both (product of the two TF-IDF weights).
MIN_TERM_WEIGHT = 0.003
MIN_TERM_UNITS = MIN_TERM_WEIGHT * UNIT


class Reasons:
    """Links with what the two papers share: their rarest common tags, distinctive terms and authors."""

    def __init__(
        self,
        papers: Sequence[Paper],
        text: sparse.csr_matrix,
        vocabulary: Sequence[str],
        usable: np.ndarray,
        tag_lists: Sequence[Sequence[str]],
        tag_rarity: Mapping[str, float],
        author_keys: Sequence[tuple[str, ...]],
    ) -> None:
        self.papers, self.text, self.vocabulary, self.usable = papers, text, vocabulary, usable
        self.tag_lists, self.tag_rarity, self.author_keys = tag_lists, tag_rarity, author_keys
        # One paper's weights spread over the whole vocabulary: a link's shared terms are then
        # a lookup of the other paper's columns, not an intersection of two sorted lists.
        self._spread = np.zeros(text.shape[1], dtype=np.float32)
        self._spread_row = -1
        self._plain: dict[int, str] = {}  # each paper's lowercased text, made once (a paper is in many links)

    def link(self, row: int, column: int, score: int) -> RelatedLink:
        mine, theirs = self.papers[row], self.papers[column]
        rarity = self.tag_rarity
        shared_tags = sorted(
            set(self.tag_lists[row]) & set(self.tag_lists[column]), key=lambda tag: (-rarity[tag], tag)
        )
        their_authors = set(self.author_keys[column])
        shared_authors = tuple(
            name for name, key in zip(mine.authors, self.author_keys[row], strict=True) if key in their_authors
        )
        their_columns, their_weights = _row(self.text, column)
        products = self._spread_of(row)[their_columns] * their_weights
        shared = (products >= MIN_TERM_UNITS) & self.usable[their_columns]
        return RelatedLink(
            paper_id=theirs.id,
            score=round(score / UNIT, 4),
            shared_tags=tuple(shared_tags[:REASON_TAGS]),
            shared_terms=_shared_terms(
                [self.vocabulary[index] for index in their_columns[shared].tolist()],
                products[shared].tolist(),
                shared_tags,
                [self.plain(row), self.plain(column)],
                REASON_ITEMS - min(len(shared_tags), REASON_TAGS),
            ),
            shared_authors=shared_authors,
        )

    def _spread_of(self, row: int) -> np.ndarray:
        if row != self._spread_row:
            if self._spread_row >= 0:
                self._spread[_row(self.text, self._spread_row)[0]] = 0.0
            columns, weights = _row(self.text, row)
            self._spread[columns] = weights
            self._spread_row = row
        return self._spread

    def plain(self, row: int) -> str:
        if row not in self._plain:
            paper = self.papers[row]
            self._plain[row] = " ".join(f"{paper.title} {paper.abstract}".lower().split())
        return self._plain[row]


def _row(matrix: sparse.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """A CSR row as (column indices, values), without building a scipy object (thousands of times per build)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[start:end], matrix.data[start:end]


@functools.lru_cache(maxsize=1 << 16)
def _term_words(term: str) -> frozenset[str]:
    """A term's words, singular ("variance reduction" → {"variance", "reduction"})."""
    return frozenset(_singular(word) for word in re.split(r"[\s-]+", term))


def _covers(kept: str, words: Iterable[str]) -> bool:
    """Whether a term already shown contains every word of this one."""
    return _term_words(kept).issuperset(words)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _shared_terms(
    terms: Sequence[str], weights: Sequence[float], exclude: Sequence[str], texts: Sequence[str], limit: int
) -> tuple[str, ...]:
    """The words or phrases that weigh most in both papers; a phrase hides the words in it.

    ``terms`` are the distinctive terms both papers use, ``weights`` the products
    of their two weights. Bigrams are built after stop words are dropped, so a
    phrase is only shown when both papers really write it ("rate of
    convergence" is not "rate convergence").
    """
    ranked = sorted(zip(weights, terms, strict=True), key=lambda item: (-item[0], item[1]))
    # Words of a shared tag's name, and plurals of words already shown, say nothing new.
    excluded = {word for tag in exclude for word in tag.split("-")}
    chosen: list[str] = []
    for _, term in ranked:
        words = _term_words(term)
        if words <= excluded or any(_covers(kept, words) for kept in chosen):
            continue
        if " " in term and not all(term in text for text in texts):
            continue
        # A phrase takes the place of the words it contains ("variance" → "variance reduction").
        absorbed = [i for i, kept in enumerate(chosen) if _covers(term, _term_words(kept))]
        at = absorbed[0] if absorbed else len(chosen)
        chosen = [kept for i, kept in enumerate(chosen) if i not in absorbed]
        chosen.insert(at, term)
        if len(chosen) >= limit + 3:  # a few spare, in case a phrase below absorbs one of them
            break
    return tuple(chosen[:limit])
