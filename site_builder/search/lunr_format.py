"""lunr.js 2.3.9's serialized index, written directly from the terms of each document.

lunr.py's ``Builder`` gives the same JSON (tests/test_lunr_format.py compares
them byte for byte) but spends most of its time on things a prebuilt index
never uses: a Token object per word, a sorted-list insert per vector entry and
a TokenSet trie that ``serialize`` drops. At 10,000 papers it took 19 s; this
takes a small fraction of that. The arithmetic is lunr.py's own, in the same
order and with Python's ``round``, so every weight is the same float.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

LUNR_VERSION = "2.3.9"
# BM25 parameters: lunr's defaults (Builder._k1, Builder._b).
K1 = 1.2
B = 0.75


def lunr_index(
    boosts: Mapping[str, int],
    documents: Iterable[Mapping[str, Sequence[str]]],
    pipeline: Sequence[str],
) -> dict[str, Any]:
    """The serialized index of ``documents`` (refs are their positions, as strings).

    Each document maps every field of ``boosts`` to its terms, already through
    the indexing pipeline; ``pipeline`` names the search pipeline's functions.
    """
    fields = list(boosts)
    term_numbers: dict[str, int] = {}  # lunr's "_index": the order a term was first seen
    postings: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    frequencies: list[tuple[str, str, Counter[str], int]] = []  # field, ref, term counts, field length
    for position, document in enumerate(documents):
        ref = str(position)
        for field in fields:
            # lunr's tokenizer lowercases each element of a list it is given.
            terms = [term.lower() for term in document[field] if term]
            counts = Counter(terms)
            frequencies.append((field, ref, counts, len(terms)))
            for term in counts:  # first-seen order, as lunr numbers terms
                posting = postings.get(term)
                if posting is None:
                    term_numbers[term] = len(term_numbers)
                    posting = postings[term] = {name: {} for name in fields}
                posting[field][ref] = {}
    document_count = len(frequencies) // len(fields) if fields else 0
    average_length = _average_lengths(fields, frequencies)
    idf = {term: _idf(posting, document_count) for term, posting in postings.items()}

    field_vectors = []
    for field, ref, counts, length in frequencies:
        boost = boosts[field]
        vector: list[float] = []
        # (An empty field has no terms to weigh, and may have an average length of 0.)
        length_norm = K1 * (1 - B + B * (length / average_length[field])) if counts else 0.0
        for term in sorted(counts, key=term_numbers.__getitem__):
            tf = counts[term]
            score = idf[term] * ((K1 + 1) * tf) / (length_norm + tf)
            score *= boost
            score *= 1  # lunr's document boost (none set), kept so the float steps are lunr's own
            vector += (term_numbers[term], round(score, 3))
        field_vectors.append([f"{field}/{ref}", vector])

    inverted_index = [[term, {**postings[term], "_index": term_numbers[term]}] for term in sorted(postings)]
    return {
        "version": LUNR_VERSION,
        "fields": fields,
        "fieldVectors": field_vectors,
        "invertedIndex": inverted_index,
        "pipeline": list(pipeline),
    }


def _average_lengths(
    fields: Sequence[str], frequencies: Sequence[tuple[str, str, Counter[str], int]]
) -> dict[str, float]:
    totals = dict.fromkeys(fields, 0)
    counts = dict.fromkeys(fields, 0)
    for field, _, _, length in frequencies:
        totals[field] += length
        counts[field] += 1
    return {field: totals[field] / counts[field] if counts[field] else 0.0 for field in fields}


def _idf(posting: Mapping[str, Mapping[str, Any]], document_count: int) -> float:
    """lunr's idf: a document counts once per field that has the term."""
    with_term = sum(len(documents) for documents in posting.values())
    x = (document_count - with_term + 0.5) / (with_term + 0.5)
    return math.log(1 + abs(x))
