"""Each paper's words and phrases, counted once and carried to the next build.

Tokenizing every abstract is most of the cost of TF-IDF. ``count_terms``
keeps each paper's counts (a row of a sparse matrix) with a digest of the
text they came from, so the next build counts only the papers whose title
or abstract changed. Columns are terms of an append-only vocabulary: a new
word gets the next column and every existing row stays valid. The
vocabulary starts afresh when a cold build makes it or when half
of it is no longer used.

``quantized_tfidf`` turns counts into TF-IDF weights rounded to whole
multiples of ``1 / QUANTUM``. Whole numbers make a dot product exact in any
order of summation (they stay far below 2**24, so float32 holds them), so
a pair's score is the same whether a cold build or an incremental one
computed it, and a paper whose rounded weights did not move need not be
scored again.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from site_builder.enrich.stop_words import ENGLISH_STOP_WORDS
from site_builder.model import Paper

TITLE_REPEAT = 3  # the title's words weigh more
QUANTUM = 2048  # weights are whole multiples of 1/QUANTUM; scores of 1/QUANTUM**2
UNIT = QUANTUM * QUANTUM  # a score of 1.0, in the integer units scores are computed in
# Words, not bare numbers; the same analysis as TfidfVectorizer(stop_words="english", ngram_range=(1, 2)).
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w-]*\w\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)


@dataclass(frozen=True)
class TermCounts:
    """How often each paper uses each term (rows in ``ids`` order, columns in ``vocabulary`` order)."""

    ids: tuple[str, ...]
    digests: tuple[bytes, ...]  # of the text each row was counted from
    vocabulary: tuple[str, ...]
    counts: sparse.csr_matrix  # each row's columns ascending
    # A stable 64-bit hash of each term, and the columns in hash order: the next build finds
    # its new texts' terms by binary search instead of hashing the whole vocabulary into a dict.
    hashes: np.ndarray
    by_hash: np.ndarray

    def row_of(self) -> dict[str, int]:
        return {paper_id: row for row, paper_id in enumerate(self.ids)}

    def __reduce__(self) -> tuple[Callable[..., TermCounts], tuple[object, ...]]:
        # The vocabulary pickled as one string: 440,000 strings one by one took 0.2 s of each
        # rebuild at 10,000 papers. Terms are words joined by single spaces: never a newline.
        fields = (self.ids, self.digests, "\n".join(self.vocabulary), self.counts, self.hashes, self.by_hash)
        return _unpickled_counts, fields

    def columns_of(self, terms: Sequence[str]) -> list[int | None]:
        """Each term's column, or None for a term not in the vocabulary."""
        wanted = _term_hashes(terms)
        ordered = self.hashes[self.by_hash]
        places = np.minimum(np.searchsorted(ordered, wanted), max(len(ordered) - 1, 0))
        found: list[int | None] = []
        for term, hashed, place in zip(terms, wanted.tolist(), places.tolist(), strict=True):
            column = None
            # Equal hashes sit together; the term itself decides (two terms may share a hash).
            while place < len(ordered) and int(ordered[place]) == hashed:
                candidate = int(self.by_hash[place])
                if self.vocabulary[candidate] == term:
                    column = candidate
                    break
                place += 1
            found.append(column)
        return found


def _unpickled_counts(ids: tuple[str, ...], digests: tuple[bytes, ...], vocabulary: str, *arrays: Any) -> TermCounts:
    return TermCounts(ids, digests, tuple(vocabulary.split("\n")) if vocabulary else (), *arrays)


def text_of(paper: Paper) -> str:
    return " ".join([paper.title] * TITLE_REPEAT + [paper.abstract])


def terms_of(text: str) -> Counter[str]:
    """Words and two-word phrases of ``text`` with their counts.

    What TfidfVectorizer(stop_words="english", ngram_range=(1, 2),
    token_pattern=TOKEN_PATTERN) counts: lowercased, stop words dropped
    before the phrases are made; a quarter faster written out.
    """
    words = [word for word in _TOKEN.findall(text.lower()) if word not in _STOP_WORDS]
    counts = Counter(words)
    counts.update(map(" ".join, zip(words, words[1:], strict=False)))
    return counts


def count_terms(papers: Sequence[Paper], previous: TermCounts | None = None) -> TermCounts:
    """Every paper's term counts, reusing ``previous`` rows whose text is unchanged."""
    ids = tuple(paper.id for paper in papers)
    digests = tuple(_digest(text_of(paper)) for paper in papers)
    if previous is not None and digests == previous.digests and previous.ids == ids:
        return previous  # no title or abstract changed
    old_rows = previous.row_of() if previous is not None else {}
    reused: list[int | None] = []
    for paper, text_digest in zip(papers, digests, strict=True):
        row = old_rows.get(paper.id)
        same = row is not None and previous is not None and previous.digests[row] == text_digest
        reused.append(row if same else None)
    fresh = {index: terms_of(text_of(papers[index])) for index, row in enumerate(reused) if row is None}
    if previous is None or all(row is None for row in reused):
        # Columns in the order terms first appear: any order gives the same weights and scores.
        vocabulary = tuple(dict.fromkeys(itertools.chain.from_iterable(fresh.values())))
        column = dict(zip(vocabulary, range(len(vocabulary)), strict=True))
        hashes = _term_hashes(vocabulary)
    else:
        new_terms = list(dict.fromkeys(itertools.chain.from_iterable(fresh.values())))
        known = previous.columns_of(new_terms)
        added = tuple(term for term, place in zip(new_terms, known, strict=True) if place is None)
        vocabulary = previous.vocabulary + added
        column = {term: place for term, place in zip(new_terms, known, strict=True) if place is not None}
        column.update(zip(added, range(len(previous.vocabulary), len(vocabulary)), strict=True))
        hashes = np.concatenate([previous.hashes, _term_hashes(added)])
    pieces_indices: list[np.ndarray] = []
    pieces_counts: list[np.ndarray] = []
    for index, row in enumerate(reused):
        if row is not None:
            assert previous is not None
            start, end = previous.counts.indptr[row], previous.counts.indptr[row + 1]
            pieces_indices.append(previous.counts.indices[start:end])
            pieces_counts.append(previous.counts.data[start:end])
        else:
            counter = fresh[index]
            columns = np.array([column[term] for term in counter] if len(counter) < 2 else _lookup(counter, column))
            values = np.fromiter(counter.values(), dtype=np.int32, count=len(counter))
            order = np.argsort(columns, kind="stable")
            pieces_indices.append(columns[order].astype(np.int32))
            pieces_counts.append(values[order])
    counts = _csr(pieces_indices, pieces_counts, len(vocabulary))
    if previous is not None:
        used = np.count_nonzero(np.bincount(counts.indices, minlength=len(vocabulary)))
        if used < len(vocabulary) / 2:
            return count_terms(papers, None)  # mostly dead columns: start a fresh vocabulary
    return TermCounts(ids, digests, vocabulary, counts, hashes, np.argsort(hashes, kind="stable"))


def _lookup(counter: Counter[str], column: dict[str, int]) -> tuple[int, ...]:
    return operator.itemgetter(*counter)(column)  # type: ignore[no-any-return]


def _term_hashes(terms: Sequence[str]) -> np.ndarray:
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).digest())
            for term in terms
        ],
        dtype=np.uint64,
    )


def document_frequency(counts: sparse.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=counts.shape[1])


def sublinear_tfidf_weights(counts: sparse.csr_matrix) -> np.ndarray:
    """Each stored count's weight, before normalising: (1 + ln tf) × (ln((1 + n) / (1 + df)) + 1), as float64."""
    papers = counts.shape[0]
    idf = np.log((1 + papers) / (1 + document_frequency(counts).astype(np.float64))) + 1
    weights: np.ndarray = (1 + np.log(counts.data.astype(np.float64))) * idf[counts.indices]
    return weights


def quantized_tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows, L2-normalised, rounded to multiples of 1/QUANTUM (stored as whole numbers).

    The same weights as TfidfVectorizer(sublinear_tf=True) before rounding:
    idf = ln((1 + n) / (1 + df)) + 1. Row norms are summed with math.fsum,
    exactly rounded, so they do not depend on the order of the columns.
    """
    weights = sublinear_tfidf_weights(counts)
    squares = (weights * weights).tolist()
    norms = np.array(
        [math.fsum(squares[start:end]) for start, end in zip(counts.indptr[:-1], counts.indptr[1:], strict=True)]
    )
    norms = np.sqrt(np.where(norms > 0, norms, 1.0))
    lengths = np.diff(counts.indptr)
    quantized = np.rint(weights / np.repeat(norms, lengths) * QUANTUM).astype(np.float32)
    matrix = sparse.csr_matrix((quantized, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape)
    matrix.eliminate_zeros()
    return matrix


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _csr(indices: list[np.ndarray], values: list[np.ndarray], width: int) -> sparse.csr_matrix:
    indptr = np.zeros(len(indices) + 1, dtype=np.int64)
    np.cumsum([len(piece) for piece in indices], out=indptr[1:])
    data = np.concatenate(values) if values else np.zeros(0, dtype=np.int32)
    columns = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
    # uint16 counts: half the size of the cache file, and no abstract says a word 65,535 times.
    counts = np.minimum(data, np.iinfo(np.uint16).max).astype(np.uint16)
    return sparse.csr_matrix((counts, columns.astype(np.int32), indptr), shape=(len(indices), max(width, 1)))
