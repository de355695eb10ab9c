"""lunr.js 2.3.9's serialized index, written directly from the terms of each document.

lunr.py's ``Builder`` gives the same JSON (tests/test_lunr_format.py compares
them byte for byte) but spends most of its time on things a prebuilt index
never uses: a Token object per word, a sorted-list insert per vector entry and
a TokenSet trie that ``serialize`` drops. At 10,000 papers it took 19 s.

A 10,000-paper catalog has 1.5 million postings (a term in a field of a
document), and Python code per posting, even a dict lookup, took most of the
time. So the postings are numpy arrays: each term gets its number from one
dict lookup per word, and the rest is array work (one sort puts the postings
in field-vector order, another in inverted-index order). Python runs once per
distinct term, weight or document, and ``LunrIndex.to_json`` joins the JSON
from texts made once per distinct value (``json.dumps`` spent 1 µs on each of
the million ``"ref":{}`` postings).

The arithmetic is lunr.py's own, in the same order: numpy's float64 ``*``,
``/`` and ``+`` are IEEE operations like Python's, one ufunc per operator (so
nothing is fused), and the logarithm and ``round`` are Python's, called per
distinct value. So every weight is the same float.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

LUNR_VERSION = "2.3.9"
# BM25 parameters: lunr's defaults (Builder._k1, Builder._b).
K1 = 1.2
B = 0.75

# What json.dumps(..., ensure_ascii=False, separators=(",", ":")) runs.
COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class LunrIndex:
    """A lunr index as arrays of its postings, in lunr's field-vector order.

    Field vector ``v`` is field ``v % len(fields)`` of the document at
    position ``v // len(fields)`` (refs are positions, as strings): the order
    lunr lists them in. Within a vector, postings go by term number.
    """

    fields: list[str]
    terms: list[str]  # by number: lunr's "_index", the order terms were first seen
    document_count: int
    vector_of: Ints  # each posting's field vector
    term_of: Ints  # each posting's term number
    weight_of: Ints  # each posting's weight, as a place in weight_table
    weight_table: Floats  # a posting's weight is weight_table[weight_of]: ~1 in 10 distinct
    pipeline: list[str]

    def serialize(self) -> dict[str, Any]:
        """What lunr.py's ``Index.serialize`` gives."""
        numbers, weights = self.term_of.tolist(), self.weight_table[self.weight_of].tolist()
        vectors = [
            [name, list(itertools.chain.from_iterable(zip(numbers[start:end], weights[start:end], strict=True)))]
            for name, start, end in self._vectors()
        ]
        refs = [str(position) for position in range(self.document_count)]
        by_term, bounds = self._postings_by_term()
        positions = by_term.tolist()
        inverted_index = []
        for term, number in self._terms_by_text():
            posting: dict[str, Any] = {
                field: {refs[position]: {} for position in positions[start:end]}
                for field, (start, end) in zip(self.fields, _runs(bounds, number, len(self.fields)), strict=True)
            }
            posting["_index"] = number
            inverted_index.append([term, posting])
        return {
            "version": LUNR_VERSION,
            "fields": list(self.fields),
            "fieldVectors": vectors,
            "invertedIndex": inverted_index,
            "pipeline": list(self.pipeline),
        }

    def to_json(self) -> str:
        """``COMPACT_JSON.encode(self.serialize())``, written directly (about five times faster)."""
        if not all(isinstance(field, str) for field in self.fields) or "_index" in self.fields:
            return COMPACT_JSON.encode(self.serialize())  # keys json writes its own way: no fast path
        return json_object(
            {
                "version": COMPACT_JSON.encode(LUNR_VERSION),
                "fields": COMPACT_JSON.encode(self.fields),
                "fieldVectors": self._vectors_json(),
                "invertedIndex": self._inverted_index_json(),
                "pipeline": COMPACT_JSON.encode(self.pipeline),
            }
        )

    def rounded(self, decimals: int) -> LunrIndex:
        """The same index with each weight rounded again, by ``round(weight, decimals)``."""
        return dataclasses.replace(self, weight_table=rounded_values(self.weight_table, decimals))

    def _vectors(self) -> Iterator[tuple[str, int, int]]:
        """Each field vector's name ("field/ref") and where its postings start and end."""
        vector_count = self.document_count * len(self.fields)
        bounds = np.searchsorted(self.vector_of, np.arange(vector_count + 1)).tolist()
        names = (f"{field}/{position}" for position in range(self.document_count) for field in self.fields)
        return zip(names, bounds[:-1], bounds[1:], strict=True)

    def _postings_by_term(self) -> tuple[Ints, list[int]]:
        """The postings' positions by term number, then field, then position; and where each run starts.

        A run is a term's postings in one field: run ``number * len(fields) +
        field``, with one more bound at the end (see ``_runs``).
        """
        field_count = max(len(self.fields), 1)
        run_count = len(self.terms) * field_count
        run = self.term_of * field_count + self.vector_of % field_count
        # Stable, so a run stays in vector order, which is position order. In
        # the smallest type that holds the runs: numpy sorts 16 bits by radix.
        order = np.argsort(run.astype(np.min_scalar_type(max(run_count - 1, 0))), kind="stable")
        bounds = np.zeros(run_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(run, minlength=run_count), out=bounds[1:])
        return self.vector_of[order] // field_count, bounds.tolist()

    def _vectors_json(self) -> str:
        # Interleaved texts of each posting's term number and weight, each made once.
        numbers = np.array([str(number) for number in range(len(self.terms))], dtype=object)
        texts = np.empty(2 * len(self.term_of), dtype=object)
        texts[0::2] = numbers[self.term_of]
        texts[1::2] = _float_texts(self.weight_table)[self.weight_of]
        values = texts.tolist()
        vectors = (
            f"[{COMPACT_JSON.encode(name)},[{','.join(values[2 * start : 2 * end])}]]"
            for name, start, end in self._vectors()
        )
        return f"[{','.join(vectors)}]"

    def _inverted_index_json(self) -> str:
        # '"12":{}' for each posting: lunr keeps no metadata here.
        refs = [f"{COMPACT_JSON.encode(str(position))}:{{}}" for position in range(self.document_count)]
        positions, bounds = self._postings_by_term()
        entries = np.array(refs, dtype=object)[positions].tolist()
        runs = [",".join(entries[start:end]) for start, end in zip(bounds[:-1], bounds[1:], strict=True)]
        # '["term",{"title":{<run>},"tags":{<run>},"_index":7}]'
        fields = "".join(f"{COMPACT_JSON.encode(field).replace('%', '%%')}:{{%s}}," for field in self.fields)
        template = f'[%s,{{{fields}"_index":%d}}]'
        field_count = len(self.fields)
        terms = [
            template % (COMPACT_JSON.encode(term), *runs[number * field_count : (number + 1) * field_count], number)
            for term, number in self._terms_by_text()
        ]
        return f"[{','.join(terms)}]"

    def _terms_by_text(self) -> list[tuple[str, int]]:
        """Each term and its number, in the inverted index's order."""
        return sorted(zip(self.terms, itertools.count()))


def _runs(bounds: list[int], number: int, field_count: int) -> Iterator[tuple[int, int]]:
    """Where term ``number``'s postings in each field start and end, from ``_postings_by_term``."""
    first = number * field_count
    return zip(bounds[first : first + field_count], bounds[first + 1 : first + field_count + 1], strict=True)


def json_object(members: Mapping[str, str]) -> str:
    """The compact JSON of an object from the JSON texts of its members' values."""
    return "{" + ",".join(f"{COMPACT_JSON.encode(key)}:{text}" for key, text in members.items()) + "}"


def lunr_index(
    boosts: Mapping[str, int],
    documents: Iterable[Mapping[str, Sequence[str]]],
    pipeline: Sequence[str],
) -> dict[str, Any]:
    """The serialized index of ``documents`` (refs are their positions, as strings).

    Each document maps every field of ``boosts`` to its terms, already through
    the indexing pipeline; ``pipeline`` names the search pipeline's functions.
    """
    return build_index(boosts, documents, pipeline).serialize()


def build_index(
    boosts: Mapping[str, int],
    documents: Iterable[Mapping[str, Sequence[str]]],
    pipeline: Sequence[str],
    analyse: Callable[[str], str | None] | None = None,
) -> LunrIndex:
    """The index ``lunr_index`` serializes.

    With ``analyse``, a document's elements are words and their terms are
    ``analyse(word)`` (``None`` for no term), called once per distinct word.
    """
    fields = list(boosts)
    numbers = _TermNumbers(analyse)
    texts = [document[field] for document in documents for field in fields]  # in field-vector order
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    # Looked up in order, so each term is numbered as lunr numbers it: when first seen.
    term_of = np.fromiter(
        map(numbers.__getitem__, itertools.chain.from_iterable(texts)), dtype=np.int64, count=int(sizes.sum())
    )
    return _index_of_terms(boosts, list(numbers.terms), term_of, sizes, pipeline)


def build_index_of_numbered(
    boosts: Mapping[str, int],
    words: Sequence[str],
    elements: npt.NDArray[np.integer[Any]],
    sizes: Ints,
    pipeline: Sequence[str],
    analyse: Callable[[str], str | None],
) -> LunrIndex:
    """``build_index`` of words given as numbers: ``elements`` are places in ``words``, the field
    vectors' one after another (``sizes`` long each, in field-vector order).

    ``analyse`` is called once per word of ``words``, used or not; the rest is
    array work, where ``build_index`` looks every element up (the search body's
    1.5 million words at 10,000 papers).
    """
    keys: dict[str, int] = {}  # each distinct term's key, in no particular order
    key_of_word = np.fromiter(
        (keys.setdefault(term.lower(), len(keys)) if (term := analyse(word)) else -1 for word in words),
        dtype=np.int64,
        count=len(words),
    )
    element_keys = key_of_word[elements] if len(words) else np.zeros(0, dtype=np.int64)
    # lunr numbers terms in the order it first sees them: by where each key first appears.
    kept_keys = element_keys[element_keys >= 0]
    first = np.full(len(keys), len(kept_keys), dtype=np.int64)
    np.minimum.at(first, kept_keys, np.arange(len(kept_keys)))
    used = np.flatnonzero(first < len(kept_keys))
    in_order = used[np.argsort(first[used], kind="stable")]
    number_of_key = np.full(len(keys) + 1, -1, dtype=np.int64)  # the extra place: -1 stays -1
    number_of_key[in_order] = np.arange(len(in_order))
    key_text = list(keys)
    terms = [key_text[key] for key in in_order.tolist()]
    return _index_of_terms(boosts, terms, number_of_key[element_keys], sizes, pipeline)


def _index_of_terms(
    boosts: Mapping[str, int], terms: list[str], term_of: Ints, sizes: Ints, pipeline: Sequence[str]
) -> LunrIndex:
    """The index of elements whose term numbers are ``term_of`` (-1 for none), the field vectors'
    one after another, ``sizes`` long each; ``terms`` names the numbers."""
    fields = list(boosts)
    vector_of = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    kept = term_of >= 0
    vector_of, term_of = vector_of[kept], term_of[kept]
    # The distinct (vector, term) pairs, each with its count, sorted by vector then term number: summed
    # by scipy's COO to CSR conversion (elements counted into vectors, then each short vector sorted),
    # a third of the time of sorting every pair as one array.
    pairs = sparse.coo_matrix(
        (np.ones(len(term_of), dtype=np.int64), (vector_of, term_of)), shape=(len(sizes), max(len(terms), 1))
    ).tocsr()
    pairs.sum_duplicates()
    posting_vector = np.repeat(np.arange(len(sizes), dtype=np.int64), np.diff(pairs.indptr))
    posting_term, tf = pairs.indices.astype(np.int64), pairs.data
    lengths = np.bincount(vector_of, minlength=len(sizes))  # terms in each field vector
    document_count = len(sizes) // len(fields) if fields else 0
    score = _scores(boosts, document_count, lengths, posting_vector, posting_term, tf, len(terms))
    # lunr keeps 3 decimals of each weight; the table holds each distinct one once.
    weight_table, weight_of = _distinct_rounded(rounded_values(score, 3), 3)
    return LunrIndex(
        fields, terms, document_count, posting_vector, posting_term, weight_of, weight_table, list(pipeline)
    )


def _scores(
    boosts: Mapping[str, int],
    document_count: int,
    lengths: Ints,
    vector_of: Ints,
    term_of: Ints,
    tf: Ints,
    term_count: int,
) -> Floats:
    """lunr's BM25 score of each posting, before rounding: lunr's operations in lunr's order."""
    fields = list(boosts)
    # lunr's idf counts a document once per field that has the term.
    with_term = np.bincount(term_of, minlength=term_count).tolist()
    idf = np.array([_idf(count, document_count) for count in with_term], dtype=np.float64)
    norms = np.zeros((document_count, len(fields)), dtype=np.float64)
    by_field = lengths.reshape(document_count, len(fields))
    for number in range(len(fields)):
        average_length = int(by_field[:, number].sum()) / document_count if document_count else 0.0
        if average_length:  # else the field is empty everywhere: nothing to weigh
            norms[:, number] = K1 * (1 - B + B * (by_field[:, number] / average_length))
    boost = np.array([boosts[field] for field in fields], dtype=np.float64)
    score = idf[term_of] * ((K1 + 1) * tf) / (norms.reshape(-1)[vector_of] + tf)
    score *= boost[vector_of % max(len(fields), 1)]
    score *= 1  # lunr's document boost (none set), kept so the float steps are lunr's own
    return score


def rounded_values(values: Floats, decimals: int) -> Floats:
    """``round(value, decimals)`` of each of ``values``, as Python rounds it, in array work.

    Python rounds the exact binary value (half to even); numpy scales,
    rounds and divides back, which goes wrong only where the scaled value
    lies within its own rounding error (a 10**-16th of it) of a half, or is
    too large to have a fraction: those few, and any within a 10**-9th of a
    half, are rounded by Python. For every other value both give the float
    nearest to the same whole number over 10**decimals. (Python's ``round``
    once per distinct weight was a tenth of the search body's time.)
    """
    scale = 10.0**decimals
    with np.errstate(over="ignore", invalid="ignore"):  # huge values: Python's round takes them below
        scaled = values * scale
        result: Floats = np.rint(scaled) / scale
        doubtful = ~(np.abs(scaled - np.floor(scaled) - 0.5) > 1e-9 * np.maximum(1.0, np.abs(scaled)))
    doubtful |= np.abs(scaled) >= 2.0**52  # NaN and infinities land here too
    for place in np.flatnonzero(doubtful).tolist():
        result[place] = round(float(values[place]), decimals)
    return result


def _idf(with_term: int, document_count: int) -> float:
    """lunr's idf of a term that ``with_term`` fields of documents have."""
    x = (document_count - with_term + 0.5) / (with_term + 0.5)
    return math.log(1 + abs(x))


def _distinct(values: Floats) -> tuple[Floats, Ints]:
    """The distinct ``values`` and where each value is among them.

    Distinct by bits, not by ``==``: 0.0 and -0.0 round and print apart.
    """
    bits, inverse = np.unique(np.ascontiguousarray(values).view(np.int64), return_inverse=True)
    return bits.view(np.float64), inverse.reshape(-1)


def _distinct_rounded(values: Floats, decimals: int) -> tuple[Floats, Ints]:
    """``_distinct`` of values rounded to ``decimals``, told apart by their whole number of
    10**-decimals and their sign, without ``_distinct``'s sort (a tenth of a second at 10,000 papers)."""
    whole = np.rint(values * 10.0**decimals)
    if not len(values) or not np.isfinite(whole).all() or np.abs(whole).max() >= 2.0**52:
        return _distinct(values)
    lowest = whole.min()
    if whole.max() - lowest > 4 * len(values) + 1024:
        return _distinct(values)  # spread too thin for a table of every whole number between
    # Equal keys are equal bits: each value is the float nearest to its whole number over 10**decimals.
    keys = 2 * (whole - lowest).astype(np.int64) + np.signbit(values)
    present = np.zeros(int(keys.max()) + 1, dtype=bool)
    present[keys] = True
    place = np.cumsum(present) - 1
    inverse = place[keys]
    table = np.empty(int(place[-1]) + 1, dtype=np.float64)
    table[inverse] = values
    return table, inverse


def _float_texts(values: Floats) -> npt.NDArray[np.object_]:
    """The JSON text of each of ``values``, as json writes it; each distinct one written once."""
    distinct, inverse = _distinct(values)
    texts: npt.NDArray[np.object_] = np.array([COMPACT_JSON.encode(value) for value in distinct.tolist()], dtype=object)
    return texts[inverse]


class _TermNumbers(dict[str, int]):
    """The number of each element's term, -1 for none; ``terms`` numbers the terms."""

    def __init__(self, analyse: Callable[[str], str | None] | None) -> None:
        super().__init__()
        self.analyse = analyse
        self.terms: dict[str, int] = {}

    def __missing__(self, element: str) -> int:
        term = self.analyse(element) if self.analyse else element
        # lunr's tokenizer lowercases each element of a list it is given and
        # drops empty ones (lowercasing never empties a string).
        number = self[element] = self.terms.setdefault(term.lower(), len(self.terms)) if term else -1
        return number
