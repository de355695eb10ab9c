"""Build the search index once, at build time, with lunr.py.

The file the site loads (``docs/search-index/catalog.js``) sets one global
through ``JSON.parse("...")``: it loads through a ``<script>`` tag on
``file://`` and parses fast. It holds the lunr index (lunr.js 2.3.9's
format), a compact result table so the dropdown shows results without
fetching pages, the fold table of ``analysis``, and the folded vocabulary
(unstemmed words) that typo matching corrects against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lunr.builder import Builder

from site_builder.model import EnrichedPaper
from site_builder.search.analysis import (
    FOLD_TABLE,
    fold_pipeline_function,
    is_stop_word,
    stem,
    stem_pipeline_function,
    words,
)

INDEX_FILE = "search-index/catalog.js"
GLOBAL_NAME = "__catalogSearch"
FORMAT_VERSION = 1
SNIPPET_LENGTH = 240
FIELD_BOOSTS = {"title": 10, "tags": 5, "authors": 5, "body": 1}


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One searchable thing: a paper or a hand-written page."""

    id: str
    url: str  # relative to the site root
    title: str
    body: str
    year: int | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()


def paper_documents(papers: Sequence[EnrichedPaper]) -> list[SearchDocument]:
    return [
        SearchDocument(
            id=entry.paper.id,
            url=f"papers/{entry.paper.id}.html",
            title=entry.paper.title,
            body=entry.paper.abstract,
            year=entry.paper.year,
            tags=entry.tags,
            authors=entry.paper.authors,
        )
        for entry in papers
    ]


def build_payload(documents: Sequence[SearchDocument]) -> dict[str, Any]:
    """The index and result table for ``documents`` (refs are list positions)."""
    builder = Builder()
    builder.pipeline.add(fold_pipeline_function, stem_pipeline_function)
    builder.search_pipeline.add(fold_pipeline_function, stem_pipeline_function)
    builder.ref("ref")
    for field, boost in FIELD_BOOSTS.items():
        builder.field(field, boost=boost)
    for position, document in enumerate(documents):
        builder.add(
            {
                "ref": str(position),
                "title": _terms(document.title),
                "tags": _terms(" ".join(document.tags)),
                "authors": _terms(" ".join(document.authors)),
                "body": _terms(document.body),
            }
        )
    index = builder.build()
    vocabulary = sorted({word for document in documents for text in _texts(document) for word in _terms(text)})
    table = [
        [document.id, document.url, document.title, document.year, list(document.tags), snippet(document.body)]
        for document in documents
    ]
    return {
        "version": FORMAT_VERSION,
        "fold": FOLD_TABLE,
        "words": vocabulary,
        "docs": table,
        "index": index.serialize(),
    }


def _texts(document: SearchDocument) -> tuple[str, ...]:
    return (document.title, " ".join(document.tags), " ".join(document.authors), document.body)


def _terms(text: str) -> list[str]:
    # Pre-split words go in as a list: lunr.py's tokenizer splits only on
    # whitespace and '-', ours on anything that is not a letter or digit.
    # Stop words are dropped here; folding and stemming run in lunr's pipeline.
    return [word for word in words(text) if not is_stop_word(word)]


def snippet(text: str, length: int = SNIPPET_LENGTH) -> str:
    """The start of ``text``, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def payload_script(payload: dict[str, Any]) -> str:
    """The ``.js`` file: a global set from a JSON string (fast to parse)."""
    compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    literal = json.dumps(compact, ensure_ascii=True)
    return f"window.{GLOBAL_NAME}=JSON.parse({literal});\n"


_SCRIPT = re.compile(r"^window\.__catalogSearch=JSON\.parse\((.*)\);\s*$", re.S)


def parse_payload_script(text: str) -> dict[str, Any]:
    """Read back what ``payload_script`` wrote."""
    match = _SCRIPT.match(text)
    if not match:
        raise ValueError("not a catalog search index file")
    return json.loads(json.loads(match.group(1)))


__all__ = ["INDEX_FILE", "SearchDocument", "build_payload", "paper_documents", "payload_script", "stem"]
