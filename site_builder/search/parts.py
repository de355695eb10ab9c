"""The search index files, made from two parts that an edit reaches apart.

* the head index (titles, tags, authors): made again after a title, tags or
  authors edit;
* the body file (abstracts and page text: about four fifths of the work): made
  again after an abstract edit.

``catalog.js`` itself, the head index with the vocabulary of both parts and
the result table, is joined from them in a fraction of a second
(``index_files`` makes both files at once). tests/test_search_index_speed.py
checks the bytes against lunr.py's and a reference of the whole; the build
caches each part by the digest of what it reads (build.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from site_builder.search.analysis import FOLD_TABLE, words
from site_builder.search.body_words import BodyWords, body_words
from site_builder.search.index import (
    BODY_BOOSTS,
    BODY_GLOBAL_NAME,
    BODY_INDEX_FILE,
    FORMAT_VERSION,
    GLOBAL_NAME,
    HEAD_BOOSTS,
    INDEX_FILE,
    SearchDocument,
    Stems,
    lunr_index_of,
    lunr_index_of_numbered,
    script_of,
    snippet,
)
from site_builder.search.lunr_format import COMPACT_JSON, json_object


@dataclass(frozen=True, slots=True)
class IndexPart:
    """A part's text (the head index's JSON; the whole body file) and the words of its fields that have a term."""

    text: str
    words: tuple[str, ...]


def head_inputs(documents: Sequence[SearchDocument]) -> list[tuple[object, ...]]:
    """What the head index reads of each document, in order (its refs are positions)."""
    return [(document.title, document.tags, document.authors) for document in documents]


def body_inputs(documents: Sequence[SearchDocument]) -> list[str]:
    """What the body file reads of each document, in order."""
    return [document.body for document in documents]


def table_inputs(documents: Sequence[SearchDocument]) -> list[tuple[object, ...]]:
    """What the result table shows besides the head's and the body's fields."""
    return [(document.id, document.year) for document in documents]


def head_part(documents: Sequence[SearchDocument], stems: Stems) -> IndexPart:
    """The lunr index of titles, tags and authors (the "index" of ``catalog.js``)."""
    fields = [
        {
            "title": words(document.title),
            "tags": words(" ".join(document.tags)),
            "authors": words(" ".join(document.authors)),
        }
        for document in documents
    ]
    return IndexPart(lunr_index_of(HEAD_BOOSTS, fields, stems).to_json(), _with_terms(fields, stems))


def body_part(documents: Sequence[SearchDocument], stems: Stems, analysed: BodyWords | None = None) -> IndexPart:
    """The whole ``catalog-body.js`` file (``analysed``: ``body_words`` of the documents' bodies, if made)."""
    if analysed is None:
        analysed = body_words(body_inputs(documents))
    index = lunr_index_of_numbered(BODY_BOOSTS, analysed.words, analysed.numbers, analysed.sizes, stems)
    payload = json_object({"version": COMPACT_JSON.encode(FORMAT_VERSION), "index": index.to_json()})
    with_terms = tuple(sorted(word for word in analysed.used_words if stems[word] is not None))
    return IndexPart(script_of(payload, BODY_GLOBAL_NAME), with_terms)


def index_files(documents: Sequence[SearchDocument], stems: Stems) -> dict[str, str]:
    """Both search index files by their docs-relative path, made whole (``stems`` saves stemming again)."""
    head, body = head_part(documents, stems), body_part(documents, stems)
    return {INDEX_FILE: head_file(documents, head, body.words), BODY_INDEX_FILE: body.text}


def vocabulary(head_words: Iterable[str], body_words: Iterable[str]) -> list[str]:
    """Every word of every field that has a term (the parts' ``words``), folded and sorted: what typo
    matching corrects against."""
    return sorted(set(head_words).union(body_words))


def head_file(
    documents: Sequence[SearchDocument],
    head: IndexPart,
    body_words: Iterable[str],
    *,
    table: list[list[object]] | None = None,
    words: list[str] | None = None,
) -> str:
    """``catalog.js``: versions, fold table, vocabulary, result table and the head index (``body_words``:
    the body part's ``words``; ``table``: ``result_table(documents)`` and ``words``: the ``vocabulary``, if made)."""
    payload = json_object(
        {
            "version": COMPACT_JSON.encode(FORMAT_VERSION),
            "fold": COMPACT_JSON.encode(FOLD_TABLE),
            "words": COMPACT_JSON.encode(words if words is not None else vocabulary(head.words, body_words)),
            "docs": COMPACT_JSON.encode(table if table is not None else result_table(documents)),
            "index": head.text,
        }
    )
    return script_of(payload, GLOBAL_NAME)


def result_table(documents: Sequence[SearchDocument]) -> list[list[object]]:
    """What a result shows of each document: id, title, year, tags and the start of its body."""
    return [
        [document.id, document.title, document.year, list(document.tags), snippet(document.body)]
        for document in documents
    ]


def _with_terms(fields: Iterable[dict[str, list[str]]], stems: Stems) -> tuple[str, ...]:
    seen = {word for document in fields for field_words in document.values() for word in field_words}
    return tuple(sorted(word for word in seen if stems[word] is not None))
