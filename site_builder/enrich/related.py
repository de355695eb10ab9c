"""Related papers: text similarity, shared rare tags and shared authors, each with its reason.

Three signals, each a sparse matrix with one row per paper:

* text: TF-IDF over title and abstract (the title repeated so its words weigh
  more; bigrams catch two-word names such as "gradient descent");
* tags: the paper's tags weighted by rarity (a tag on three papers says more
  than one on forty);
* authors: shared author names.

A pair's score is the text cosine plus weighted tag and author terms. Up to
``RELATED_COUNT`` papers above ``MIN_SCORE`` are kept, best first: a paper
with no good match shows fewer, not noise. The score matrix is computed a
block of rows at a time and only each row's best few kept, so memory
grows with N × block, never N × N at once. Time still grows with N²
(every pair is scored), but common words go through BLAS (_BlockScores):
at 10,000 papers that is a few seconds; docs/scaling.md says what changes
beyond.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from site_builder.enrich.words import GENERIC
from site_builder.model import Paper, RelatedLink
from site_builder.textnorm import title_key

RELATED_COUNT = 5
TITLE_REPEAT = 3
TAG_WEIGHT = 0.25
AUTHOR_WEIGHT = 0.1
MIN_SCORE = 0.1
BLOCK_ROWS = 512
# Words on more papers than this are scored with a dense product (see _BlockScores).
DENSE_SHARED_BY = 500
REASON_ITEMS = 3  # tags and terms shown in a reason, at most
REASON_TAGS = 2
# A term explains a link only if few papers use it (at most this share of the catalog).
DISTINCTIVE_SHARE = 0.12
# ...and only if it weighs something in both (product of the two TF-IDF weights).
MIN_TERM_WEIGHT = 0.003


def related_papers(
    papers: Sequence[Paper],
    tags_by_id: Mapping[str, Sequence[str]] | None = None,
    count: int = RELATED_COUNT,
) -> dict[str, tuple[RelatedLink, ...]]:
    """The ``count`` closest papers to each paper, best first, each with what they share."""
    if len(papers) < 2:
        return {paper.id: () for paper in papers}
    tags_by_id = tags_by_id or {}
    text, terms = _text_matrix(papers)
    tag_lists = [tuple(tags_by_id.get(paper.id, ())) for paper in papers]
    tag_rarity = _rarity(tag_lists)
    tags = _weighted_rows(tag_lists, tag_rarity)
    author_keys = [tuple(title_key(name) for name in paper.authors) for paper in papers]
    authors = _weighted_rows([tuple(dict.fromkeys(keys)) for keys in author_keys], None)

    scores_of = _BlockScores(text, tags, authors)
    reasons = _Reasons(papers, text, terms, tag_lists, tag_rarity, author_keys)
    result: dict[str, tuple[RelatedLink, ...]] = {}
    for start in range(0, len(papers), BLOCK_ROWS):
        rows = slice(start, min(start + BLOCK_ROWS, len(papers)))
        scores = scores_of(rows)
        for offset, row_scores in enumerate(scores):
            row = start + offset
            row_scores[row] = -np.inf
            best = _best_columns(row_scores, papers, count)
            result[papers[row].id] = reasons.links(row, [(column, float(row_scores[column])) for column in best])
    return result


def _text_matrix(papers: Sequence[Paper]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """TF-IDF rows, and the terms usable in a reason (distinctive ones; "" elsewhere)."""
    documents = [" ".join([paper.title] * TITLE_REPEAT + [paper.abstract]) for paper in papers]
    vectorizer = TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b[^\W\d_][\w-]*\w\b",  # words, not bare numbers
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform(documents)  # rows are L2-normalised
    terms = vectorizer.get_feature_names_out()
    # idf = ln((1 + n) / (1 + df)) + 1, so this is the term's document frequency.
    frequency = (1 + len(papers)) / np.exp(vectorizer.idf_ - 1) - 1
    usable = (frequency <= max(2.0, DISTINCTIVE_SHARE * len(papers))) & np.array(
        [not any(word in GENERIC for word in term.split()) for term in terms]
    )
    return matrix.tocsr(), np.where(usable, terms, "")


@functools.lru_cache(maxsize=1 << 16)
def _term_words(term: str) -> frozenset[str]:
    """A term's words, singular ("variance reduction" → {"variance", "reduction"})."""
    return frozenset(_singular(word) for word in re.split(r"[\s-]+", term))


def _covers(kept: str, words: Iterable[str]) -> bool:
    """Whether a term already shown contains every word of this one."""
    return _term_words(kept).issuperset(words)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _plain(paper: Paper) -> str:
    return " ".join(f"{paper.title} {paper.abstract}".lower().split())


def _rarity(lists: Sequence[Sequence[str]]) -> dict[str, float]:
    """Inverse document frequency of each item (tag) over the catalog."""
    counts: dict[str, int] = {}
    for items in lists:
        for item in items:
            counts[item] = counts.get(item, 0) + 1
    total = len(lists)
    return {item: math.log((1 + total) / (1 + count)) + 1 for item, count in counts.items()}


def _weighted_rows(lists: Sequence[Sequence[str]], weights: Mapping[str, float] | None) -> sparse.csr_matrix:
    """One L2-normalised row per paper over the items it has (weighted, or 1 each)."""
    columns = {item: index for index, item in enumerate(sorted({item for items in lists for item in items}))}
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for items in lists:
        values = [weights[item] if weights else 1.0 for item in items]
        norm = math.sqrt(sum(value * value for value in values)) or 1.0
        data.extend(value / norm for value in values)
        indices.extend(columns[item] for item in items)
        indptr.append(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(lists), max(len(columns), 1)), dtype=np.float32)


class _BlockScores:
    """Scores of a block of papers against every paper: text cosine plus the tag and author terms.

    Common words cost the most in a sparse product: a word on a fifth of the
    catalog pairs a fifth of it with itself (at 10,000 papers, the thousand
    most common words were 93% of the work). So the columns of words on more
    than ``DENSE_SHARED_BY`` papers, and the few dozen tags, are multiplied as
    one dense matrix (BLAS); the rarer words as a sparse one. The tag columns
    are scaled by √TAG_WEIGHT = 0.5, exactly, so their dot products come out
    weighted. Same sums as one sparse product, in another order: scores are
    rounded, so the order does not show.
    """

    def __init__(self, text: sparse.csr_matrix, tags: sparse.csr_matrix, authors: sparse.csr_matrix) -> None:
        shared_by = np.bincount(text.indices, minlength=text.shape[1])
        common = shared_by > DENSE_SHARED_BY
        self.dense = np.ascontiguousarray(
            np.hstack([text[:, np.flatnonzero(common)].toarray(), math.sqrt(TAG_WEIGHT) * tags.toarray()]),
            dtype=np.float32,
        )
        self.rare = text[:, np.flatnonzero(~common)].tocsr()
        # Transposed once: a CSR product converts a CSC right-hand side on every call.
        self.rare_t = self.rare.T.tocsr()
        self.authors = authors
        self.authors_t = authors.T.tocsr()

    def __call__(self, rows: slice) -> np.ndarray:
        scores = self.dense[rows] @ self.dense.T
        scores += (self.rare[rows] @ self.rare_t).toarray()
        # Shared authors: a few pairs per row, so added where they are rather than as a dense matrix.
        shared = (self.authors[rows] @ self.authors_t).tocoo()
        scores[shared.row, shared.col] += np.float32(AUTHOR_WEIGHT)
        # Rounded so that ties, and so the order, are the same on every machine.
        return np.round(scores, 4)


def _best_columns(row_scores: np.ndarray, papers: Sequence[Paper], count: int) -> list[int]:
    candidates = np.flatnonzero(row_scores >= MIN_SCORE)
    if len(candidates) > count * 4:
        # Keep a margin over `count` so ties at the cut are broken by id, not by position.
        cut = np.partition(row_scores[candidates], -count * 4)[-count * 4]
        candidates = candidates[row_scores[candidates] >= cut]
    ranked = sorted((int(column) for column in candidates), key=lambda column: (-row_scores[column], papers[column].id))
    return ranked[:count]


class _Reasons:
    """Links with what the two papers share: their rarest common tags, distinctive terms and authors."""

    def __init__(
        self,
        papers: Sequence[Paper],
        text: sparse.csr_matrix,
        terms: np.ndarray,
        tag_lists: Sequence[Sequence[str]],
        tag_rarity: Mapping[str, float],
        author_keys: Sequence[tuple[str, ...]],
    ) -> None:
        self.papers, self.text, self.terms = papers, text, terms
        self.tag_lists, self.tag_rarity, self.author_keys = tag_lists, tag_rarity, author_keys
        # One paper's TF-IDF weights spread over the whole vocabulary: a link's shared terms are then
        # a lookup of the other paper's columns, not an intersection of two sorted lists.
        self._spread = np.zeros(text.shape[1], dtype=np.float32)
        self._plain: dict[int, str] = {}  # each paper's lowercased text, made once (a paper is in many links)

    def links(self, row: int, best: Sequence[tuple[int, float]]) -> tuple[RelatedLink, ...]:
        """``row``'s links to the (column, score) pairs in ``best``."""
        columns, weights = _row(self.text, row)
        self._spread[columns] = weights
        try:
            return tuple(self._link(row, column, score) for column, score in best)
        finally:
            self._spread[columns] = 0.0

    def _link(self, row: int, column: int, score: float) -> RelatedLink:
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
        products = self._spread[their_columns] * their_weights
        shared = products > 0
        return RelatedLink(
            paper_id=theirs.id,
            score=round(score, 4),
            shared_tags=tuple(shared_tags[:REASON_TAGS]),
            shared_terms=_shared_terms(
                their_columns[shared],
                products[shared],
                self.terms,
                shared_tags,
                [self.plain(row), self.plain(column)],
                REASON_ITEMS - min(len(shared_tags), REASON_TAGS),
            ),
            shared_authors=shared_authors,
        )

    def plain(self, row: int) -> str:
        if row not in self._plain:
            self._plain[row] = _plain(self.papers[row])
        return self._plain[row]


def _row(matrix: sparse.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """A CSR row as (column indices, values), without building a scipy object (thousands of times per build)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[start:end], matrix.data[start:end]


def _shared_terms(
    columns: np.ndarray,
    weights: np.ndarray,
    terms: np.ndarray,
    exclude: Sequence[str],
    texts: Sequence[str],
    limit: int,
) -> tuple[str, ...]:
    """The words or phrases that weigh most in both papers; a phrase hides the words in it.

    ``columns`` are the terms both papers use, ``weights`` the products of their two
    TF-IDF weights. Bigrams are built after stop words are dropped, so a phrase is only
    shown when both papers really write it ("rate of convergence" is not "rate convergence").
    """
    # Only terms that weigh enough can be shown; compared as Python floats, as the loop below would.
    heavy = weights.astype(np.float64) >= MIN_TERM_WEIGHT
    ranked = sorted(
        zip(weights[heavy].tolist(), columns[heavy].tolist(), strict=True), key=lambda item: (-item[0], terms[item[1]])
    )
    # Words of a shared tag's name, and plurals of words already shown, say nothing new.
    excluded = {word for tag in exclude for word in tag.split("-")}
    chosen: list[str] = []
    for _, column in ranked:
        term = str(terms[column])
        if not term:
            continue
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
