"""What a related-papers link says: the rarest tags, distinctive terms and authors two papers share.

"both: zeroth-order, variance reduction; same author: Ada Lovelace". A term
is shown only if few papers use it (``usable``, decided in related.py) and
it weighs something in both papers; a phrase hides the words in it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

from site_builder.enrich.text_features import UNIT, Vocabulary
from site_builder.model import Paper, RelatedLink

REASON_ITEMS = 3  # tags and terms shown in a reason, at most
REASON_TAGS = 2
# A term explains a link only if it weighs something in both (product of the two TF-IDF weights).
MIN_TERM_WEIGHT = 0.003
MIN_TERM_UNITS = MIN_TERM_WEIGHT * UNIT
FEW_PAIRS = 1000  # up to this many links at once, the usable columns are not taken out first


class Reasons:
    """Links with what the two papers share: their rarest common tags, distinctive terms and authors."""

    def __init__(
        self,
        papers: Sequence[Paper],
        text: sparse.csr_matrix,
        vocabulary: Vocabulary,
        usable: np.ndarray,
        tag_lists: Sequence[Sequence[str]],
        tag_rarity: Mapping[str, float],
        author_keys: Sequence[tuple[str, ...]],
    ) -> None:
        self.papers, self.text, self.vocabulary, self.usable = papers, text, vocabulary, usable
        self.tag_lists, self.tag_rarity, self.author_keys = tag_lists, tag_rarity, author_keys
        self._plain: dict[int, str] = {}  # each paper's lowercased text, made once (a paper is in many links)

    def links(self, pairs: Sequence[tuple[int, int, int]]) -> list[RelatedLink]:
        """The link from paper ``row`` to paper ``column`` with its ``score`` (in UNITs), for each pair.

        The terms both papers weigh are found for all pairs at once, as the
        elementwise product of the two papers' rows: at 10,000 papers, a
        few array operations per link took 3 of the 4 seconds of reasons.
        """
        if not pairs:
            return []
        rows = np.array([row for row, _, _ in pairs], dtype=np.int64)
        columns = np.array([column for _, column, _ in pairs], dtype=np.int64)
        # Many pairs (a cold build): only the usable terms' columns, taken out once, are multiplied (at
        # 10,000 papers a fifth of the time of all of them). Few pairs: taking them out would cost more.
        text, column_terms = (self._usable_text, self._usable_columns) if len(pairs) > FEW_PAIRS else (self.text, None)
        products = text[rows].multiply(text[columns]).tocsr()
        products.sort_indices()
        shared = products.data >= MIN_TERM_UNITS
        if column_terms is None:
            shared &= self.usable[products.indices]
        pair_of = np.repeat(np.arange(len(pairs)), np.diff(products.indptr))[shared]
        bounds = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pair_of, minlength=len(pairs)), out=bounds[1:])
        term_columns = products.indices[shared] if column_terms is None else column_terms[products.indices[shared]]
        terms = self.vocabulary.terms(term_columns)
        weights = (-products.data[shared]).tolist()  # negated: sorted best first by plain tuple order
        rarity = self.tag_rarity
        made = []
        for (row, column, score), start, end in zip(pairs, bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            mine, theirs = self.papers[row], self.papers[column]
            shared_tags = sorted(
                set(self.tag_lists[row]) & set(self.tag_lists[column]), key=lambda tag: (-rarity[tag], tag)
            )
            their_authors = set(self.author_keys[column])
            shared_authors = tuple(
                name for name, key in zip(mine.authors, self.author_keys[row], strict=True) if key in their_authors
            )
            made.append(
                RelatedLink(
                    paper_id=theirs.id,
                    score=round(score / UNIT, 4),
                    shared_tags=tuple(shared_tags[:REASON_TAGS]),
                    shared_terms=_shared_terms(
                        sorted(zip(weights[start:end], terms[start:end], strict=True)),
                        shared_tags,
                        (row, column),
                        self.plain,
                        REASON_ITEMS - min(len(shared_tags), REASON_TAGS),
                    ),
                    shared_authors=shared_authors,
                )
            )
        return made

    @functools.cached_property
    def _usable_columns(self) -> np.ndarray:
        return np.flatnonzero(self.usable)

    @functools.cached_property
    def _usable_text(self) -> sparse.csr_matrix:
        """``text`` with only the usable terms' columns (renumbered in the same order)."""
        return self.text[:, self._usable_columns].tocsr()

    def plain(self, row: int) -> str:
        if row not in self._plain:
            paper = self.papers[row]
            self._plain[row] = " ".join(f"{paper.title} {paper.abstract}".lower().split())
        return self._plain[row]


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
    ranked: Sequence[tuple[float, str]],
    exclude: Sequence[str],
    rows: tuple[int, int],
    plain: Callable[[int], str],
    limit: int,
) -> tuple[str, ...]:
    """The words or phrases that weigh most in both papers; a phrase hides the words in it.

    ``ranked`` are the distinctive terms both papers use, best first, each
    after minus the product of their two weights (ties by term). Bigrams
    are built after stop words are dropped, so a phrase is only shown when
    both papers (``rows``, whose lowercased text ``plain`` gives) really
    write it ("rate of convergence" is not "rate convergence").
    """
    # Words of a shared tag's name, and plurals of words already shown, say nothing new.
    excluded = {word for tag in exclude for word in tag.split("-")}
    chosen: list[str] = []
    for _, term in ranked:
        words = _term_words(term)
        if words <= excluded or any(_covers(kept, words) for kept in chosen):
            continue
        if " " in term and not all(term in plain(row) for row in rows):
            continue
        # A phrase takes the place of the words it contains ("variance" → "variance reduction").
        absorbed = [i for i, kept in enumerate(chosen) if _covers(term, _term_words(kept))]
        at = absorbed[0] if absorbed else len(chosen)
        chosen = [kept for i, kept in enumerate(chosen) if i not in absorbed]
        chosen.insert(at, term)
        if len(chosen) >= limit + 3:  # a few spare, in case a phrase below absorbs one of them
            break
    return tuple(chosen[:limit])
