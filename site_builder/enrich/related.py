"""Related papers: text similarity, shared rare tags and shared authors, each with its reason.

Three signals, one row per paper:

* text: TF-IDF over title and abstract (the title repeated so its words weigh
  more; bigrams catch two-word names such as "gradient descent");
* tags: the paper's tags weighted by rarity (a tag on three papers says more
  than one on forty);
* authors: shared author names.

A pair's score is the text cosine plus weighted tag and author terms. Up to
``RELATED_COUNT`` papers above ``MIN_SCORE`` are kept, best first: a paper
with no good match shows fewer, not noise. Rows are scored a block at a
time, so memory grows with N × block, never N × N; a cold build still
scores every pair, once for both papers (docs/scaling.md says what changes beyond).

Weights are whole multiples of 1/QUANTUM (text_features.py), so scores are
exact integers, the same in any order of summation. That is what lets a
build after an edit rescore only the papers whose weights moved
(``update_related``): every other pair's score is known to be unchanged,
and each paper keeps its best ``KEPT_PER_COUNT × count`` candidates for the next build. The
result is the cold build's, exactly (tests/test_related_incremental.py).
What each link says about why is made in related_reasons.py.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import sparse

from site_builder.background import Background
from site_builder.enrich.related_reasons import Reasons
from site_builder.enrich.text_features import (
    QUANTUM,
    UNIT,
    TermCounts,
    count_terms,
    document_frequency,
    quantized_tfidf,
)
from site_builder.enrich.words import GENERIC
from site_builder.model import Paper, RelatedLink
from site_builder.textnorm import title_key

RELATED_COUNT = 5
TAG_WEIGHT = 0.25
AUTHOR_WEIGHT = 0.1
MIN_SCORE = 0.1
BLOCK_ROWS = 512
# Words on more than this share of the papers are scored with a dense product (see _Scorer). A word on
# d papers costs about d² in the sparse product and N² in the dense one, so the break-even is a share:
# at 10,000 papers 2.5% (250) scored 8-9% faster than the 500 papers used before; 1,000 papers cannot tell.
DENSE_SHARE = 0.025
KEPT_PER_COUNT = 3  # each paper keeps its best 3 × count candidates for the next build
# Above this share of changed papers, rescoring everything is cheaper than patching lists.
REBUILD_SHARE = 1 / 3
# From this many papers, a cold build scores half of the pairs in a second process (fork costs little beside).
PARALLEL_ROWS = 2000
# A term explains a link only if few papers use it (at most this share of the catalog).
DISTINCTIVE_SHARE = 0.12

MIN_UNITS = round(MIN_SCORE * UNIT)
AUTHOR_UNITS = round(AUTHOR_WEIGHT * UNIT)
# Tag weights are scaled by √TAG_WEIGHT (0.5, exactly) so that their dot products come out weighted.
TAG_SCALE = math.sqrt(TAG_WEIGHT)

Candidate = tuple[int, str]  # (score in UNITs, the other paper's id)


@dataclass(frozen=True)
class RelatedState:
    """One build's related papers and what the next build needs to rescore only what changed."""

    count: int
    terms: TermCounts
    weight_digests: tuple[bytes, ...]  # of each paper's quantized TF-IDF row: did its weights move?
    usable: np.ndarray  # per vocabulary column: may be shown in a reason
    tag_rows: tuple[tuple[tuple[str, int], ...], ...]  # per paper: (tag, quantized weight)
    tag_counts: dict[str, int]
    authors: tuple[tuple[str, ...], ...]
    best: tuple[tuple[Candidate, ...], ...]  # per paper, best first, up to KEPT_PER_COUNT × count
    complete: tuple[bool, ...]  # whether ``best`` holds every candidate above MIN_SCORE
    links: dict[str, tuple[RelatedLink, ...]]
    rescored: int  # papers whose row this build scored (all of them when cold)


def related_papers(
    papers: Sequence[Paper],
    tags_by_id: Mapping[str, Sequence[str]] | None = None,
    count: int = RELATED_COUNT,
) -> dict[str, tuple[RelatedLink, ...]]:
    """The ``count`` closest papers to each paper, best first, each with what they share."""
    return update_related(papers, tags_by_id, None, count).links


def update_related(
    papers: Sequence[Paper],
    tags_by_id: Mapping[str, Sequence[str]] | None,
    previous: RelatedState | None,
    count: int = RELATED_COUNT,
    terms: TermCounts | None = None,
) -> RelatedState:
    """``related_papers`` with its state, computed again only where ``previous`` no longer holds.

    ``terms``: ``count_terms(papers, previous.terms)``, if the caller made it already.
    """
    if terms is None:
        terms = count_terms(papers, previous.terms if previous is not None else None)
    if previous is not None and previous.count != count:
        previous = None
    tags_by_id = tags_by_id or {}
    tag_lists = [tuple(tags_by_id.get(paper.id, ())) for paper in papers]
    authors = tuple(paper.authors for paper in papers)
    if previous is not None and _same_inputs(terms, tag_lists, authors, previous):
        return previous
    if previous is not None and not terms.extends(previous.terms):
        previous = None  # a fresh vocabulary: no row can be compared
    frequency = document_frequency(terms.counts)
    text = quantized_tfidf(terms.counts, frequency)
    usable = (frequency <= max(2.0, DISTINCTIVE_SHARE * len(papers))) & _plain_terms(terms)
    weight_digests = _row_digests(text)
    tag_counts = _counts(tag_lists)
    rarity = _rarity(tag_counts, len(papers))
    weights_of: dict[tuple[str, ...], tuple[tuple[str, int], ...]] = {}  # many papers share a tag list
    if previous is not None and tag_counts == previous.tag_counts and len(papers) == len(previous.terms.ids):
        # The same rarities (no tag list changed, say an abstract edit): a tag list weighs as it did (5,000
        # distinct lists took 0.06-0.08 s to weigh again at 10,000 papers).
        weights_of = {tuple(tag for tag, _ in row): row for row in previous.tag_rows}
    tag_rows = tuple(
        weights_of[tags] if tags in weights_of else weights_of.setdefault(tags, _tag_weights(tags, rarity))
        for tags in tag_lists
    )
    key_of = {name: title_key(name) for name in {name for paper in papers for name in paper.authors}}
    author_keys = [tuple(map(key_of.__getitem__, paper.authors)) for paper in papers]

    def state(
        best: Sequence[tuple[Candidate, ...]], complete: Sequence[bool], links: dict, rescored: int
    ) -> RelatedState:
        return RelatedState(
            count,
            terms,
            weight_digests,
            usable,
            tag_rows,
            tag_counts,
            authors,
            tuple(best),
            tuple(complete),
            links,
            rescored,
        )

    if len(papers) < 2:
        return state([()] * len(papers), [True] * len(papers), {paper.id: () for paper in papers}, len(papers))
    scorer = _Scorer(text, _tag_matrix(tag_rows), _author_matrix(author_keys), frequency)
    ids = [paper.id for paper in papers]
    changed = _changed_rows(terms, weight_digests, tag_rows, authors, previous)
    kept = KEPT_PER_COUNT * count
    reasons = Reasons(papers, text, terms.vocabulary, usable, tag_lists, rarity, author_keys)
    if previous is None or np.count_nonzero(changed) > REBUILD_SHARE * len(papers):
        best, complete, made_links = _score_all(scorer, reasons, ids, kept, count)
        return state(best, complete, dict(zip(ids, made_links, strict=True)), len(papers))
    best, complete, rescored = _patched(scorer, ids, changed, previous, kept, count)
    stale_reasons = changed | _stale_reasons(text, usable, tag_lists, tag_counts, rarity, previous)
    old_links, old_best, old_rows = previous.links, previous.best, previous.terms.row_of()
    row_of = {paper_id: row for row, paper_id in enumerate(ids)}
    stale_ids = {ids[row] for row in np.flatnonzero(stale_reasons).tolist()}
    chosen: list[list[RelatedLink | None] | tuple[RelatedLink, ...]] = []
    pairs: list[tuple[int, int, int]] = []  # the links to make again, in the order of the None they fill
    for row, (paper_id, stale) in enumerate(zip(ids, stale_reasons.tolist(), strict=True)):
        before = old_rows.get(paper_id)
        if not stale and before is not None and best[row] is old_best[before]:
            # The same list as last build (the links were made from it): kept whole unless it names a
            # paper whose reasons may read differently (a loop over every link took 0.1 s at 10,000 papers).
            if stale_ids.isdisjoint([other for _, other in best[row][:count]]):
                chosen.append(old_links[paper_id])
                continue
        reusable = {} if stale else {link.paper_id: link for link in old_links.get(paper_id, ())}
        made: list[RelatedLink | None] = []
        for score, other in best[row][:count]:
            link = reusable.get(other)
            if link is None or stale_reasons[row_of[other]]:
                link = None
                pairs.append((row, row_of[other], score))
            made.append(link)
        chosen.append(made)
    remade = iter(reasons.links(pairs))
    links = {
        paper_id: made if isinstance(made, tuple) else tuple(next(remade) if link is None else link for link in made)
        for paper_id, made in zip(ids, chosen, strict=True)
    }
    return state(best, complete, links, rescored)


def _same_inputs(
    terms: TermCounts,
    tag_lists: Sequence[tuple[str, ...]],
    authors: tuple[tuple[str, ...], ...],
    previous: RelatedState,
) -> bool:
    """Whether nothing related papers depend on changed since ``previous`` (a notes edit, say)."""
    return (
        terms is previous.terms
        and authors == previous.authors
        and all(
            len(tags) == len(row) and all(tag == old for tag, (old, _) in zip(tags, row, strict=True))
            for tags, row in zip(tag_lists, previous.tag_rows, strict=True)
        )
    )


def _row_digests(text: sparse.csr_matrix) -> tuple[bytes, ...]:
    columns, weights = text.indices.astype(np.int32), text.data.astype(np.int16)  # weights are at most QUANTUM
    return tuple(
        hashlib.blake2b(columns[start:end].tobytes() + weights[start:end].tobytes(), digest_size=16).digest()
        for start, end in zip(text.indptr[:-1].tolist(), text.indptr[1:].tolist(), strict=True)
    )


def _plain_terms(terms: TermCounts) -> np.ndarray:
    """Whether each term (a word, or a phrase of two) is free of GENERIC words."""
    generic = np.array([word in GENERIC for word in terms.words], dtype=bool)
    first, second = terms.term_words[:, 0], terms.term_words[:, 1]
    return ~generic[first] & ((second < 0) | ~generic[np.maximum(second, 0)])


def _counts(lists: Sequence[Sequence[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for items in lists:
        for item in items:
            counts[item] = counts.get(item, 0) + 1
    return counts


def _rarity(counts: Mapping[str, int], total: int) -> dict[str, float]:
    """Inverse document frequency of each tag over the catalog."""
    return {item: math.log((1 + total) / (1 + count)) + 1 for item, count in counts.items()}


def _tag_weights(tags: Sequence[str], rarity: Mapping[str, float]) -> tuple[tuple[str, int], ...]:
    """A paper's tags weighted by rarity, L2-normalised, scaled by TAG_SCALE and quantized."""
    values = [rarity[tag] for tag in tags]
    norm = math.sqrt(sum(value * value for value in values)) or 1.0
    return tuple((tag, round(TAG_SCALE * value / norm * QUANTUM)) for tag, value in zip(tags, values, strict=True))


def _tag_matrix(rows: Sequence[Sequence[tuple[str, int]]]) -> np.ndarray:
    columns = {tag: index for index, tag in enumerate(sorted({tag for row in rows for tag, _ in row}))}
    matrix = np.zeros((len(rows), len(columns)), dtype=np.float32)
    for number, row in enumerate(rows):
        for tag, weight in row:
            matrix[number, columns[tag]] = weight
    return matrix


def _author_matrix(keys: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """One row per paper, 1 for each distinct author."""
    distinct = [tuple(dict.fromkeys(row)) for row in keys]
    columns = {key: index for index, key in enumerate(sorted({key for row in distinct for key in row}))}
    indices = [columns[key] for row in distinct for key in row]
    indptr = np.cumsum([0] + [len(row) for row in distinct])
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(keys), max(len(columns), 1)))


class _Scorer:
    """Scores of some papers against every paper, in UNITs: text and tag dot products plus the author bonus.

    Common words cost the most in a sparse product: a word on a fifth of the
    catalog pairs a fifth of it with itself (at 10,000 papers, the thousand
    most common words were 93% of the work). So for every pair (``upper``, a
    cold build) the columns of words on more than ``DENSE_SHARE`` of the papers,
    and the few dozen tags, are multiplied as one dense matrix (BLAS); the
    rarer words as a sparse one. Every value is a whole number and every sum
    stays below 2**24, so float32 holds the exact result whatever order the
    products are added in.
    """

    def __init__(
        self, text: sparse.csr_matrix, tags: np.ndarray, authors: sparse.csr_matrix, frequency: np.ndarray
    ) -> None:
        self.text, self.tags, self.authors, self.frequency = text, tags, authors, frequency
        self._ready = False

    def prepare(self) -> None:
        """The dense and sparse parts, made when first needed (a rebuild needs neither: ``__call__``)."""
        if self._ready:
            return
        common = self.frequency > DENSE_SHARE * self.text.shape[0]
        self.dense = np.ascontiguousarray(
            np.hstack([self.text[:, np.flatnonzero(common)].toarray(), self.tags]), dtype=np.float32
        )
        # A word on one paper pairs it with nothing: three in four of the vocabulary at 10,000 papers
        # (mostly phrases), left out of the sparse product (the pairs' scores 2.1-2.2 s -> 1.7-1.8 s).
        self.rare = self.text[:, np.flatnonzero(~common & (self.frequency > 1))].tocsr()
        # Transposed once: a CSR product converts a CSC right-hand side on every call.
        self.rare_t = self.rare.T.tocsr()
        self._ready = True

    @functools.cached_property
    def authors_t(self) -> sparse.csr_matrix:
        return self.authors.T.tocsr()

    @functools.cached_property
    def rare_t_blocks(self) -> list[sparse.csr_matrix]:
        """The rarer words of each block of papers, transposed (only a cold build needs them: ``upper``)."""
        self.prepare()
        return [self.rare[start : start + BLOCK_ROWS].T.tocsr() for start in range(0, self.rare.shape[0], BLOCK_ROWS)]

    @functools.cached_property
    def text_t(self) -> sparse.csr_matrix:
        return self.text.T.tocsr()

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        """Scores of ``rows`` (up to BLOCK_ROWS) against every paper.

        For the rows of a rebuild, which are few: one sparse product over all
        the words is faster than making the dense matrix (0.1-0.4 s at 10,000
        papers), and it stays as fast for a whole block. The same whole numbers.
        """
        scores = (self.text[rows] @ self.text_t).toarray()
        scores += self.tags[rows] @ self.tags.T
        # Shared authors: a few pairs per row, so added where they are rather than as a dense matrix.
        shared = (self.authors[rows] @ self.authors_t).tocoo()
        scores[shared.row, shared.col] += np.float32(AUTHOR_UNITS)
        scores[np.arange(len(rows)), rows] = -1.0  # a paper is not related to itself
        return scores

    def upper(self, start: int) -> np.ndarray:
        """Scores of the block of rows from ``start`` (a multiple of BLOCK_ROWS) against papers ``start`` on.

        Scores are symmetric, so the pairs of a later paper with an earlier one
        are those of the earlier one's block: half the products of ``__call__``.
        """
        self.prepare()
        end = min(start + BLOCK_ROWS, self.dense.shape[0])
        scores = self.dense[start:end] @ self.dense[start:].T
        rare = self.rare[start:end]
        for number in range(start // BLOCK_ROWS, len(self.rare_t_blocks)):
            first = number * BLOCK_ROWS - start
            part = rare @ self.rare_t_blocks[number]
            scores[:, first : first + part.shape[1]] += part.toarray()
        shared = (self.authors[start:end] @ self.authors_t).tocoo()
        later = shared.col >= start
        scores[shared.row[later], shared.col[later] - start] += np.float32(AUTHOR_UNITS)
        own = np.arange(end - start)
        scores[own, own] = -1.0  # a paper is not related to itself
        return scores

    def blocks(self, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, len(rows), BLOCK_ROWS):
            block = rows[start : start + BLOCK_ROWS]
            yield block, self(block)


def _best_of(row_scores: np.ndarray, ids: Sequence[str], kept: int) -> tuple[tuple[Candidate, ...], bool]:
    """The ``kept`` best candidates of one row, best first (ties by id), and whether that is all of them."""
    candidates = np.flatnonzero(row_scores >= MIN_UNITS)
    complete = len(candidates) <= kept
    if not complete:
        cut = np.partition(row_scores[candidates], -kept)[-kept]
        candidates = candidates[row_scores[candidates] >= cut]
    ranked = sorted((-int(row_scores[column]), ids[column]) for column in candidates.tolist())
    return tuple((-negative, other) for negative, other in ranked[:kept]), complete


Scored = tuple[list[tuple[Candidate, ...]], list[bool], list[tuple[RelatedLink, ...]]]
# Per candidate: the paper whose list it is for, the other paper, the score (see _upper_candidates).
Candidates = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _score_all(scorer: _Scorer, reasons: Reasons, ids: Sequence[str], kept: int, count: int) -> Scored:
    """Every row's best candidates, whether that is all of them, and its links.

    Each pair is scored once (``_Scorer.upper``): a block of rows against the
    papers from its own block on, whose scores serve both papers' lists.
    Above ``PARALLEL_ROWS``, the blocks are shared with a second process
    (background.py), each taking half of the pairs, and so are the reasons.
    """
    starts = list(range(0, len(ids), BLOCK_ROWS))
    blocks = scorer.rare_t_blocks  # made once, before the fork: both processes then share the matrices
    assert len(blocks) == len(range(0, len(ids), BLOCK_ROWS))
    parallel = len(ids) >= PARALLEL_ROWS
    # Block k scores (N - start_k) × rows pairs: the first process's blocks are fewer and wider.
    work = np.cumsum([len(ids) - start for start in starts])
    split = int(np.searchsorted(work, work[-1] / 2)) + 1 if parallel else len(starts)
    second = Background(partial(_upper_candidates, scorer, starts[split:], kept), parallel=parallel)
    mine = _upper_candidates(scorer, starts[:split], kept)
    theirs = second.result() if split < len(starts) else None
    best, complete = _best_lists(mine, theirs, ids, kept)
    half = len(ids) // 2 if parallel else len(ids)
    links_later = Background(partial(_links, reasons, best, ids, half, len(ids), count), parallel=parallel)
    return best, complete, _links(reasons, best, ids, 0, half, count) + links_later.result()


def _upper_candidates(scorer: _Scorer, starts: Sequence[int], kept: int) -> Candidates:
    """The candidates the blocks at ``starts`` give each paper, and how many above MIN_SCORE each got.

    Of each row's scores and of each later column's, only those that reach a
    bound of its ``kept``-th best so far are kept (all of them on a tie), so
    the merged lists are exact: a score below it has ``kept`` better ones
    already. The best so far, not this block's best: otherwise each paper
    would keep ``kept`` candidates from every block, N²/BLOCK_ROWS in all.
    """
    papers = scorer.dense.shape[0]
    counts = np.zeros(papers, dtype=np.int64)
    best_yet = np.full((papers, kept), -1.0, dtype=np.float32)  # per paper, ``kept`` of its scores so far
    owners: list[np.ndarray] = []
    others: list[np.ndarray] = []
    values: list[np.ndarray] = []

    def keep(scores: np.ndarray, first_row: int, first_column: int) -> None:
        """Candidates of rows ``first_row`` on, against columns ``first_column`` on, from ``scores``."""
        rows_of = slice(first_row, first_row + scores.shape[0])
        counts[rows_of] += np.count_nonzero(scores >= MIN_UNITS, axis=1)
        # Any ``kept`` of a row's scores bound its kept-th best from below. The maxima of groups of this
        # block's columns are such scores, found in one pass (a partition of the block's rows took 0.1 s
        # more at 10,000 papers); with 4 × kept groups the bound passes a tenth more candidates.
        groups = np.linspace(0, scores.shape[1], min(4 * kept, scores.shape[1]), endpoint=False).astype(np.int64)
        maxima = np.maximum.reduceat(scores, groups, axis=1)
        best_yet[rows_of] = _best_scores(np.hstack([best_yet[rows_of], maxima]), kept)
        cut = np.maximum(best_yet[rows_of].min(axis=1), np.float32(MIN_UNITS))
        rows, columns = np.nonzero(scores >= cut[:, None])
        owners.append(rows + first_row)
        others.append(columns + first_column)
        values.append(scores[rows, columns])

    for start in starts:
        scores = scorer.upper(start)
        end = start + scores.shape[0]
        keep(scores, start, start)
        if end < papers:
            keep(np.ascontiguousarray(scores[:, end - start :].T), end, start)  # later papers against this block
    empty = np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(owners) if owners else empty,
        np.concatenate(others) if others else empty,
        np.concatenate(values) if values else np.zeros(0, dtype=np.float32),
        counts,
    )


def _best_scores(scores: np.ndarray, kept: int) -> np.ndarray:
    """Each row's ``kept`` highest scores, in no order (``scores`` has at least ``kept`` columns)."""
    return np.partition(scores, scores.shape[1] - kept, axis=1)[:, scores.shape[1] - kept :]


def _best_lists(
    mine: Candidates, theirs: Candidates | None, ids: Sequence[str], kept: int
) -> tuple[list[tuple[Candidate, ...]], list[bool]]:
    """Each paper's ``kept`` best candidates, best first (ties by id), and whether that is all above MIN_SCORE."""
    parts = [mine] if theirs is None else [mine, theirs]
    owners, others, values = (np.concatenate([part[field] for part in parts]) for field in range(3))
    counts: np.ndarray = np.sum([part[3] for part in parts], axis=0)
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    order = np.lexsort((id_rank[others], -values, owners))
    owners, others, values = owners[order], others[order], values[order]
    first = np.searchsorted(owners, np.arange(len(ids)))
    place = np.arange(len(owners)) - first[owners]
    shown = place < kept
    by_row: list[list[Candidate]] = [[] for _ in ids]
    for owner, other, value in zip(owners[shown].tolist(), others[shown].tolist(), values[shown].tolist(), strict=True):
        by_row[owner].append((int(value), ids[other]))
    return [tuple(row) for row in by_row], [bool(number <= kept) for number in counts.tolist()]


def _links(
    reasons: Reasons, best: Sequence[tuple[Candidate, ...]], ids: Sequence[str], start: int, end: int, count: int
) -> list[tuple[RelatedLink, ...]]:
    """The links of rows ``start`` to ``end``: their ``count`` best candidates, with reasons."""
    row_of = {paper_id: row for row, paper_id in enumerate(ids)}
    pairs = [(row, row_of[other], score) for row in range(start, end) for score, other in best[row][:count]]
    made = iter(reasons.links(pairs))
    return [tuple(itertools.islice(made, min(len(best[row]), count))) for row in range(start, end)]


def _changed_rows(
    terms: TermCounts,
    weight_digests: Sequence[bytes],
    tag_rows: Sequence[tuple[tuple[str, int], ...]],
    authors: Sequence[tuple[str, ...]],
    previous: RelatedState | None,
) -> np.ndarray:
    """Papers whose scores against others may differ from the last build's: new, or any weight moved."""
    changed = np.ones(len(terms.ids), dtype=bool)
    if previous is None:
        return changed
    old_rows = previous.terms.row_of()
    for row, paper_id in enumerate(terms.ids):
        before = old_rows.get(paper_id)
        if before is None or previous.tag_rows[before] != tag_rows[row] or previous.authors[before] != authors[row]:
            continue
        changed[row] = previous.weight_digests[before] != weight_digests[row]
    return changed


def _patched(
    scorer: _Scorer, ids: Sequence[str], changed: np.ndarray, previous: RelatedState, kept: int, count: int
) -> tuple[list[tuple[Candidate, ...]], list[bool], int]:
    """Best candidates from ``previous`` lists, with the changed papers' rows and columns scored again.

    An unchanged paper's scores against other unchanged papers are as
    before, so its list needs only: its entries for changed or removed
    papers dropped, and the changed papers that now score high enough
    merged in. A list that held only its best few (not ``complete``) is
    still right down to its last entry from before; if fewer than
    ``count`` of those are left, the row is scored again.
    """
    old_rows = previous.terms.row_of()
    stale = {paper_id for row, paper_id in enumerate(ids) if changed[row]}
    stale |= set(previous.terms.ids) - set(ids)
    best: list[tuple[Candidate, ...]] = [()] * len(ids)
    complete = [True] * len(ids)
    pruned: dict[int, list[Candidate]] = {}
    threshold = np.full(len(ids), MIN_UNITS, dtype=np.float32)
    for row, paper_id in enumerate(ids):
        if changed[row]:
            continue
        before = old_rows[paper_id]
        old_best, old_complete = previous.best[before], previous.complete[before]
        kept_old = [candidate for candidate in old_best if candidate[1] not in stale]
        best[row], complete[row] = old_best, old_complete
        pruned[row] = kept_old
        if not old_complete and kept_old:
            # Only candidates that reach the last old entry can be placed; a complete list needs all
            # of them, or it would not know when it stopped being complete.
            threshold[row] = kept_old[-1][0]
    hits: dict[int, list[Candidate]] = {}
    changed_rows = np.flatnonzero(changed)
    for block, scores in scorer.blocks(changed_rows):
        for offset, row in enumerate(block):
            best[row], complete[row] = _best_of(scores[offset], ids, kept)
        scores[:, changed_rows] = -1.0  # changed rows are done above
        rows, columns = np.nonzero(scores >= threshold)
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            hits.setdefault(column, []).append((int(scores[row, column]), ids[block[row]]))
    again: list[int] = []
    for row, kept_old in pruned.items():
        found = hits.get(row, [])
        if not found and len(kept_old) == len(best[row]):
            continue  # nothing left or came in: the old list stands
        merged = sorted(kept_old + found, key=lambda candidate: (-candidate[0], candidate[1]))
        if complete[row]:
            best[row], complete[row] = tuple(merged[:kept]), len(merged) <= kept
        elif len(kept_old) < count:
            again.append(row)
        else:
            # Below the last old entry, candidates never seen may outrank the new ones: stop there.
            last = merged.index(kept_old[-1])
            best[row], complete[row] = tuple(merged[: last + 1][:kept]), False
    for block, scores in scorer.blocks(np.array(again, dtype=np.int64)):
        for offset, row in enumerate(block):
            best[row], complete[row] = _best_of(scores[offset], ids, kept)
    return best, complete, len(changed_rows) + len(again)


def _stale_reasons(
    text: sparse.csr_matrix,
    usable: np.ndarray,
    tag_lists: Sequence[Sequence[str]],
    tag_counts: Mapping[str, int],
    rarity: Mapping[str, float],
    previous: RelatedState,
) -> np.ndarray:
    """Unchanged papers whose reasons may read differently: a term became (un)usable, their tags' order moved."""
    stale = np.zeros(text.shape[0], dtype=bool)
    known = len(previous.usable)
    flipped = np.flatnonzero(usable[:known] != previous.usable)
    if len(flipped):
        stale |= np.diff(text[:, flipped].tocsr().indptr) > 0
    # Shared tags are shown rarest first: only a paper whose own tags changed order can read differently.
    old_rarity = _rarity(previous.tag_counts, len(previous.terms.ids))
    moved = {tag for tag in tag_counts if tag_counts[tag] != previous.tag_counts.get(tag)}
    for row, tags in enumerate(tag_lists):
        if len(tags) > 1 and any(tag in moved for tag in tags):
            new_order = sorted(tags, key=lambda tag: (-rarity[tag], tag))
            stale[row] |= new_order != sorted(tags, key=lambda tag: (-old_rarity.get(tag, 0.0), tag))
    return stale
