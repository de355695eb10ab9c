"""The typed, frozen records that flow between pipeline stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Record keys in the order they are written to catalog/papers/<id>.yaml.
RECORD_KEYS: tuple[str, ...] = (
    "title",
    "authors",
    "year",
    "venue",
    "arxiv",
    "category",
    "doi",
    "url",
    "pdf",
    "code",
    "tags",
    "added",
    "source",
    "abstract",
    "notes",
)


@dataclass(frozen=True, slots=True)
class Paper:
    """One catalog record, as validated from ``catalog/papers/<id>.yaml``."""

    id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    arxiv: str = ""
    category: str = ""  # arXiv primary category, e.g. cs.LG
    doi: str = ""
    url: str = ""
    pdf: str = ""
    code: str = ""
    tags: tuple[str, ...] = ()
    notes: str = ""
    added: dt.date | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Tag:
    """One entry of the tag vocabulary (``catalog/tags.yaml``)."""

    name: str
    description: str = ""
    match: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    parent: str = ""


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every paper (sorted by id) and the tag vocabulary (in file order)."""

    papers: tuple[Paper, ...]
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A related paper and how similar it is (cosine similarity, 0..1)."""

    paper_id: str
    score: float


@dataclass(frozen=True, slots=True)
class EnrichedPaper:
    """A paper with what the enrich stage derived from the whole catalog."""

    paper: Paper
    tags: tuple[str, ...]  # manual tags first, then automatic ones by strength
    related: tuple[RelatedLink, ...] = field(default=())
