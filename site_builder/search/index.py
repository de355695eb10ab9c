"""Build the search index once, at build time, with lunr.py.

Two files, each setting one global through ``JSON.parse("...")`` (loads
through a ``<script>`` tag on ``file://`` and parses fast):

* ``search-index/catalog.js``, small, loaded first: a lunr index (lunr.js
  2.3.9's format) of titles, tags and authors, the compact result table (so
  the dropdown shows results without fetching pages), the fold table of
  ``analysis`` and the folded vocabulary that typo matching corrects against;
* ``search-index/catalog-body.js``: a lunr index of the abstracts and page
  text, about seven times larger, loaded right after.

A query runs on both indexes and adds the scores (query.py), so the first
results show as soon as the small file is in; the large one only refines
them. At 10,000 papers one combined file took 1.7 s to fetch and parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from site_builder.model import Paper
from site_builder.search.analysis import FOLD_LABEL, STEMMER_LABEL, STOP_WORDS, stem
from site_builder.search.lunr_format import Ints, LunrIndex, build_index, build_index_of_numbered
from site_builder.textnorm import visible

INDEX_FILE = "search-index/catalog.js"
BODY_INDEX_FILE = "search-index/catalog-body.js"
GLOBAL_NAME = "__catalogSearch"
BODY_GLOBAL_NAME = "__catalogSearchBody"
FORMAT_VERSION = 1
SNIPPET_LENGTH = 180  # two lines in the dropdown; the result table is a tenth of the index
WEIGHT_DECIMALS = 2
PAGE_PREFIX = "page:"
# What lunr.js runs on a query: the labels analysis.py registers, in order.
SEARCH_PIPELINE = (FOLD_LABEL, STEMMER_LABEL)
HEAD_BOOSTS = {"title": 10, "tags": 5, "authors": 5}
BODY_BOOSTS = {"body": 1}


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One searchable thing: a paper or a hand-written page."""

    id: str  # a paper id, or "page:<docs path without .md>"
    title: str
    body: str
    year: int | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()


def url_for(document_id: str) -> str:
    """Where a search result links to, relative to the site root.

    Derived from the id rather than stored: papers live at papers/<id>.html,
    hand-written pages (ids ``page:<path>``) at <path>.html.
    """
    if document_id.startswith(PAGE_PREFIX):
        return document_id[len(PAGE_PREFIX) :] + ".html"
    return f"papers/{document_id}.html"


def paper_documents(papers: Sequence[Paper], tags_by_id: Mapping[str, tuple[str, ...]]) -> list[SearchDocument]:
    """What search finds of each paper: only its own fields and its tags (so the index can be made before
    related papers and mentions)."""
    return [
        SearchDocument(
            id=paper.id,
            title=visible(paper.title),
            body=visible(paper.abstract),
            year=paper.year,
            tags=tags_by_id[paper.id],
            authors=tuple(visible(name) for name in paper.authors),
        )
        for paper in papers
    ]


class Stems(dict[str, str | None]):
    """The term of each distinct word this build meets: its ``stem``, or ``None`` for a stop word (dropped)."""

    def __init__(self, known: Mapping[str, str | None]) -> None:
        # Filled with the known stems at once: looked up through __missing__, each of the 40,000 words of
        # a rebuild at 10,000 papers was a Python call.
        super().__init__(known)

    def __missing__(self, word: str) -> str | None:
        stemmed = self[word] = None if word in STOP_WORDS else stem(word)
        return stemmed


def lunr_index_of(boosts: dict[str, int], fields: Iterable[dict[str, list[str]]], stems: Stems) -> LunrIndex:
    """The lunr index of documents' pre-split words (``fields``), ``stems`` giving each word's term."""
    # Pre-split, folded words go in as lists: lunr.py's tokenizer splits only
    # on whitespace and '-', ours on anything that is not a letter or digit.
    # The indexing pipeline (drop stop words, stem: what lunr's would give)
    # runs once per distinct word. The search pipeline is what the index
    # file names for lunr.js to run on queries.
    index = build_index(boosts, fields, pipeline=SEARCH_PIPELINE, analyse=stems.__getitem__)
    # lunr keeps 3 decimals of each term weight; 2 are plenty to rank by and
    # save about 9% of the gzipped index (bench/results/search.md).
    return index.rounded(WEIGHT_DECIMALS)


def lunr_index_of_numbered(
    boosts: dict[str, int], words: Sequence[str], numbers: npt.NDArray[np.integer[Any]], sizes: Ints, stems: Stems
) -> LunrIndex:
    """``lunr_index_of`` of words given as places in ``words`` (``numbers``: the field vectors' one after
    another, ``sizes`` long each)."""
    index = build_index_of_numbered(boosts, words, numbers, sizes, pipeline=SEARCH_PIPELINE, analyse=stems.__getitem__)
    return index.rounded(WEIGHT_DECIMALS)


def snippet(text: str, length: int = SNIPPET_LENGTH) -> str:
    """The start of ``text``, cut at a word boundary (each run of whitespace made one space)."""
    # Only the words that can show are split off and joined (splitting whole
    # abstracts took as long as all the rest): any ``shown`` words, with the
    # spaces between, are at least ``length`` long.
    shown = length // 2 + 1
    parts = text.split(maxsplit=shown)
    start = " ".join(parts[:shown])
    if len(parts) <= shown and len(start) <= length:
        return start  # the whole text
    cut = start[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def script_of(compact_json: str, global_name: str) -> str:
    """The ``.js`` file that sets ``window.<global_name>`` from ``compact_json``."""
    literal = json.dumps(compact_json, ensure_ascii=True)
    return f"window.{global_name}=JSON.parse({literal});\n"


_SCRIPT = re.compile(r"^window\.__catalogSearch(?:Body)?=JSON\.parse\((.*)\);\s*$", re.S)


def parse_payload_script(text: str) -> dict[str, Any]:
    """Read back what ``payload_script`` wrote."""
    match = _SCRIPT.match(text)
    if not match:
        raise ValueError("not a catalog search index file")
    payload: dict[str, Any] = json.loads(json.loads(match.group(1)))
    return payload


__all__ = [
    "BODY_INDEX_FILE",
    "INDEX_FILE",
    "SearchDocument",
    "paper_documents",
    "stem",
]
