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

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
from scipy import sparse

from site_builder.enrich.stop_words import ENGLISH_STOP_WORDS
from site_builder.model import Paper
from site_builder.textnorm import text_digest

TITLE_REPEAT = 3  # the title's words weigh more
QUANTUM = 2048  # weights are whole multiples of 1/QUANTUM; scores of 1/QUANTUM**2
UNIT = QUANTUM * QUANTUM  # a score of 1.0, in the integer units scores are computed in
# Words, not bare numbers; the same analysis as TfidfVectorizer(stop_words="english", ngram_range=(1, 2)).
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w-]*\w\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)


class Vocabulary(Sequence[str]):
    """The term of each column of ``TermCounts``, as text only when asked for.

    A column is a word or a two-word phrase, held as word numbers
    (``TermCounts.term_words``): making the text of all 440,000 terms at
    10,000 papers took a quarter of a second of a cold build, and hashing
    them to find them again in the next build another (they were strings then).
    """

    def __init__(self, words: tuple[str, ...], term_words: np.ndarray) -> None:
        self._words, self._term_words = words, term_words

    def __len__(self) -> int:
        return len(self._term_words)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self.terms(range(len(self))[index]))
        return self.terms([index])[0]

    def terms(self, columns: Iterable[int]) -> list[str]:
        """The text of each of ``columns``: a word, or a phrase's two words joined by a space."""
        index = columns if isinstance(columns, np.ndarray) else np.array(list(columns), dtype=np.int64)
        words, pairs = self._words, self._term_words[index].tolist()
        return [words[first] if second < 0 else f"{words[first]} {words[second]}" for first, second in pairs]


@dataclass(frozen=True)
class TermCounts:
    """How often each paper uses each term (rows in ``ids`` order, columns in ``vocabulary`` order)."""

    ids: tuple[str, ...]
    digests: tuple[bytes, ...]  # of the text each row was counted from
    words: tuple[str, ...]  # every word met, numbered in this order (append-only, like the columns)
    # Per column (int32): its word's number, and for a phrase its second word's, else -1.
    term_words: np.ndarray
    counts: sparse.csr_matrix  # each row's columns ascending

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.words, self.term_words)

    def row_of(self) -> dict[str, int]:
        return {paper_id: row for row, paper_id in enumerate(self.ids)}

    @property
    def keys(self) -> np.ndarray:
        """A number for each column's term, the same for the same words (``_term_keys``)."""
        return _term_keys(self.term_words[:, 0], self.term_words[:, 1])

    # The columns in key order: the next build finds its new texts' terms by binary search. Made when
    # first needed, which in a build is when the state is pickled for the next build (in a second
    # process, cache.py), and carried over in the pickle.
    @functools.cached_property
    def by_key(self) -> np.ndarray:
        return np.argsort(self.keys, kind="stable")

    def extends(self, other: TermCounts) -> bool:
        """Whether every column of ``other`` is the same term here (this vocabulary was carried over from it)."""
        return self.words[: len(other.words)] == other.words and np.array_equal(
            self.term_words[: len(other.term_words)], other.term_words
        )

    def __reduce__(self) -> tuple[Callable[..., TermCounts], tuple[object, ...]]:
        # The words pickled as one string: strings one by one took 0.2 s of each rebuild at 10,000 papers.
        # A word is letters, digits, "_" and "-" (TOKEN_PATTERN): never a newline.
        fields = (self.ids, self.digests, "\n".join(self.words), self.term_words, self.counts, self.by_key)
        return _unpickled_counts, fields


def _unpickled_counts(
    ids: tuple[str, ...],
    digests: tuple[bytes, ...],
    words: str,
    term_words: np.ndarray,
    counts: sparse.csr_matrix,
    by_key: np.ndarray,
) -> TermCounts:
    made = TermCounts(ids, digests, tuple(words.split("\n")) if words else (), term_words, counts)
    made.__dict__["by_key"] = by_key  # as cached_property would keep it
    return made


def _term_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One int64 per term from its word numbers (``second`` -1 for a word): distinct terms, distinct keys."""
    return (first.astype(np.int64) << 32) | (second.astype(np.int64) + 1)


def text_of(paper: Paper) -> str:
    return " ".join([paper.title] * TITLE_REPEAT + [paper.abstract])


def text_digests(papers: Sequence[Paper]) -> tuple[bytes, ...]:
    """A digest of each paper's text (``text_of``): what its term counts are made from."""
    return tuple(text_digest(text_of(paper)) for paper in papers)


def count_terms(
    papers: Sequence[Paper], previous: TermCounts | None = None, digests: tuple[bytes, ...] | None = None
) -> TermCounts:
    """Every paper's term counts, reusing ``previous`` rows whose text is unchanged.

    ``digests``: ``text_digests(papers)``, if made already.
    """
    ids = tuple(paper.id for paper in papers)
    if digests is None:
        digests = text_digests(papers)
    if previous is not None and digests == previous.digests and previous.ids == ids:
        return previous  # no title or abstract changed
    old_rows = previous.row_of() if previous is not None else {}
    reused: list[int | None] = []
    for paper, digest_now in zip(papers, digests, strict=True):
        row = old_rows.get(paper.id)
        same = row is not None and previous is not None and previous.digests[row] == digest_now
        reused.append(row if same else None)
    fresh_rows = [index for index, row in enumerate(reused) if row is None]
    fresh = _count_texts([(papers[index].title, papers[index].abstract) for index in fresh_rows])
    if previous is None or len(fresh_rows) == len(papers):
        # Columns in _count_texts's order: any order gives the same weights and scores.
        return TermCounts(ids, digests, fresh.words, fresh.term_words, fresh.counts)
    words, term_words, column_of = _carried_columns(previous, fresh)
    counts = _joined_rows(previous.counts, fresh.counts, reused, column_of, len(term_words))
    used = np.count_nonzero(np.bincount(counts.indices, minlength=len(term_words)))
    if used < len(term_words) / 2:
        return count_terms(papers, None)  # mostly dead columns: start a fresh vocabulary
    return TermCounts(ids, digests, words, term_words, counts)


def _carried_columns(previous: TermCounts, fresh: _Counted) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """``previous``'s words and columns with those of ``fresh`` it lacks appended (each in ``fresh``'s order),
    and the column of each of ``fresh``'s columns among them."""
    number_of = {word: number for number, word in enumerate(previous.words)}
    added_words = [word for word in fresh.words if word not in number_of]
    number_of.update((word, len(previous.words) + offset) for offset, word in enumerate(added_words))
    renumbered = np.array([number_of[word] for word in fresh.words], dtype=np.int64)
    first = renumbered[fresh.term_words[:, 0]]
    second = np.where(fresh.term_words[:, 1] >= 0, renumbered[fresh.term_words[:, 1]], -1)
    keys = _term_keys(first, second)
    ordered = previous.keys[previous.by_key]
    column_of = np.full(len(keys), -1, dtype=np.int64)
    if len(ordered):
        places = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
        known = ordered[places] == keys
        column_of[known] = previous.by_key[places[known]]
    else:
        known = np.zeros(len(keys), dtype=bool)
    column_of[~known] = len(previous.term_words) + np.arange(np.count_nonzero(~known))
    added_terms = np.stack([first[~known], second[~known]], axis=1).astype(np.int32)
    term_words = np.concatenate([previous.term_words, added_terms])
    return previous.words + tuple(added_words), term_words, column_of.astype(np.int32)


@dataclass(frozen=True)
class _Counted:
    words: tuple[str, ...]  # in the order first met
    term_words: np.ndarray  # per column (TermCounts.term_words): the words, then the phrases (_count_texts)
    counts: sparse.csr_matrix


class _WordIds(dict[str, int]):
    """Each word's number, given in the order words are first looked up."""

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


# A two-word phrase is numbered above every word: (first + 1) << 31 | second.
_PHRASE_SHIFT = 31


def _count_texts(texts: Sequence[tuple[str, str]]) -> _Counted:
    """Words and two-word phrases of each (title, abstract) with their counts, as in ``text_of``.

    What TfidfVectorizer(stop_words="english", ngram_range=(1, 2),
    token_pattern=TOKEN_PATTERN) counts of ``text_of(paper)``: lowercased,
    stop words dropped before the phrases are made. The title is split
    once and its words repeated: the parts are joined by spaces, which no
    word spans and which end any context of lowercasing (a final sigma).
    Only the tokenizing is done text by text; phrases and the counts are
    made for all texts at once as arrays of word numbers (at 10,000 papers
    a Counter per text and a dictionary of 440,000 terms took 5 s of the 7 s).
    """
    word_ids = _WordIds()
    numbers: list[int] = []
    lengths: list[int] = []
    for title, abstract in texts:
        title_words = [word for word in _TOKEN.findall(title.lower()) if word not in _STOP_WORDS]
        words = title_words * TITLE_REPEAT + [
            word for word in _TOKEN.findall(abstract.lower()) if word not in _STOP_WORDS
        ]
        numbers.extend(map(word_ids.__getitem__, words))
        lengths.append(len(words))
    words_of = np.array(numbers, dtype=np.int64)
    text_of_word = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    in_one_text = text_of_word[:-1] == text_of_word[1:]
    phrases = ((words_of[:-1][in_one_text] + 1) << _PHRASE_SHIFT) | words_of[1:][in_one_text]
    text_of_phrase = text_of_word[:-1][in_one_text]
    # Columns: the words in the order first met, then the phrases in the order of their numbers. Only the
    # phrases need sorting to be told apart: sorting words and phrases together took a third of the step.
    distinct_phrases, phrase_number = np.unique(phrases, return_inverse=True)
    word_count = len(word_ids)
    columns = np.concatenate([words_of, word_count + phrase_number.reshape(-1)])
    text_of_key = np.concatenate([text_of_word, text_of_phrase])
    width = max(word_count + len(distinct_phrases), 1)
    # Summed into rows by scipy (a counting sort by text, then each short row sorted): sorting every
    # (text, term) pair as one array took three times as long.
    matrix = sparse.coo_matrix(
        (np.ones(len(columns), dtype=np.int64), (text_of_key, columns)), shape=(len(texts), width)
    ).tocsr()
    matrix.sum_duplicates()  # and each row's columns ascending, whatever scipy's conversion left
    term_words = np.empty((word_count + len(distinct_phrases), 2), dtype=np.int32)
    term_words[:word_count, 0] = np.arange(word_count)
    term_words[:word_count, 1] = -1
    term_words[word_count:, 0] = (distinct_phrases >> _PHRASE_SHIFT) - 1
    term_words[word_count:, 1] = distinct_phrases & ((1 << _PHRASE_SHIFT) - 1)
    # uint16 counts: half the size of the cache file, and no abstract says a word 65,535 times.
    counts = sparse.csr_matrix(
        (
            np.minimum(matrix.data, np.iinfo(np.uint16).max).astype(np.uint16),
            matrix.indices.astype(np.int32),
            matrix.indptr.astype(np.int64),
        ),
        shape=(len(texts), width),
    )
    return _Counted(tuple(word_ids), term_words, counts)


def document_frequency(counts: sparse.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=counts.shape[1])


def sublinear_tfidf_weights(counts: sparse.csr_matrix, frequency: np.ndarray | None = None) -> np.ndarray:
    """Each stored count's weight, before normalising: (1 + ln tf) × (ln((1 + n) / (1 + df)) + 1), as float64.

    ``frequency``: ``document_frequency(counts)``, if made already.
    """
    papers = counts.shape[0]
    if frequency is None:
        frequency = document_frequency(counts)
    idf = np.log((1 + papers) / (1 + frequency.astype(np.float64))) + 1
    weights: np.ndarray = (1 + np.log(counts.data.astype(np.float64))) * idf[counts.indices]
    return weights


def quantized_tfidf(counts: sparse.csr_matrix, frequency: np.ndarray | None = None) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows, L2-normalised, rounded to multiples of 1/QUANTUM (stored as whole numbers).

    The same weights as TfidfVectorizer(sublinear_tf=True) before rounding:
    idf = ln((1 + n) / (1 + df)) + 1. Row norms are sums of squares rounded
    to multiples of 2**-NORM_BITS, added as whole numbers: exact in any order,
    so they do not depend on the order of the columns (math.fsum per row gave
    the same guarantee at 0.3 s of every rebuild at 10,000 papers). ``frequency``:
    ``document_frequency(counts)``, if made already.
    """
    weights = sublinear_tfidf_weights(counts, frequency)
    fixed = np.rint(weights * weights * 2.0**NORM_BITS).astype(np.int64)
    lengths = np.diff(counts.indptr)
    sums = np.zeros(counts.shape[0], dtype=np.int64)
    filled = np.flatnonzero(lengths)
    if len(filled):
        sums[filled] = np.add.reduceat(fixed, counts.indptr[filled])
    norms = np.sqrt(np.where(sums > 0, sums.astype(np.float64) / 2.0**NORM_BITS, 1.0))
    quantized = np.rint(weights / np.repeat(norms, lengths) * QUANTUM).astype(np.float32)
    matrix = sparse.csr_matrix((quantized, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape)
    matrix.eliminate_zeros()
    return matrix


# A square is at most (1 + ln 65,535)² × (ln(1 + n) + 1)², some 40,000 at a million papers: in units of
# 2**-30 a row of thousands of terms still sums far below 2**63.
NORM_BITS = 30


def _joined_rows(
    old: sparse.csr_matrix, fresh: sparse.csr_matrix, reused: Sequence[int | None], column_of: np.ndarray, width: int
) -> sparse.csr_matrix:
    """Rows in order: ``old``'s row ``reused[i]``, or else the next row of ``fresh`` with its columns renumbered
    by ``column_of`` (and sorted again).

    Runs of consecutive old rows are taken as one slice: after a one-record edit the whole matrix is two or
    three slices instead of 10,000 (0.08 s of every rebuild that counted a text, at 10,000 papers).
    """
    indices: list[np.ndarray] = []
    values: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    next_fresh = 0
    index = 0
    while index < len(reused):
        row = reused[index]
        if row is None:
            start, end = fresh.indptr[next_fresh], fresh.indptr[next_fresh + 1]
            columns = column_of[fresh.indices[start:end]]
            order = np.argsort(columns, kind="stable")
            indices.append(columns[order])
            values.append(fresh.data[start:end][order])
            lengths.append(np.array([end - start], dtype=np.int64))
            next_fresh += 1
            index += 1
            continue
        last = index  # the run of old rows row, row + 1, ... from ``index`` on
        while last + 1 < len(reused) and reused[last + 1] == row + (last + 1 - index):
            last += 1
        start, end = old.indptr[row], old.indptr[row + last - index + 1]
        indices.append(old.indices[start:end])
        values.append(old.data[start:end])
        lengths.append(np.diff(old.indptr[row : row + last - index + 2]))
        index = last + 1
    indptr = np.zeros(len(reused) + 1, dtype=np.int64)
    if lengths:
        np.cumsum(np.concatenate(lengths), out=indptr[1:])
    counts = np.concatenate(values).astype(np.uint16) if values else np.zeros(0, dtype=np.uint16)
    columns = np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, dtype=np.int32)
    return sparse.csr_matrix((counts, columns, indptr), shape=(len(reused), max(width, 1)))
