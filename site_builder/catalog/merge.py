"""Merge incoming records into the catalog without losing anything.

A record matches a catalog paper by arXiv id, else DOI, else folded title.
A match only fills fields the catalog lacks; a differing value is reported
as a conflict and the catalog's value kept. ``tags`` and ``notes`` belong to
the curator and are never touched. A new paper gets a fresh id that no
existing paper has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from site_builder.errors import Problem
from site_builder.ids import unique_id
from site_builder.ingest import IncomingRecord
from site_builder.model import Paper
from site_builder.textnorm import title_key

MERGED_FIELDS = ("abstract", "authors", "year", "venue", "arxiv", "doi", "url", "pdf", "code")


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would do; nothing is written until it is applied."""

    added: tuple[Paper, ...]
    updated: tuple[Paper, ...]
    unchanged: tuple[Paper, ...]
    conflicts: tuple[Problem, ...]

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.conflicts)} conflicts"
        )


def plan_import(
    catalog_papers: Sequence[Paper],
    incoming: Sequence[IncomingRecord],
    *,
    today: dt.date,
    source_of: dict[str, str],
    record_path_of: dict[str, str] | None = None,
) -> ImportPlan:
    """Work out the records to add and update.

    Args:
        catalog_papers: the papers the catalog has now.
        incoming: records read from the sources, in source order.
        today: the ``added`` date of new papers.
        source_of: the ``source`` value for each incoming record's path.
        record_path_of: display path of each catalog paper's record, for messages.
    """
    current: dict[str, Paper] = {paper.id: paper for paper in catalog_papers}
    index: dict[tuple[str, str], str] = {}
    for paper in catalog_papers:
        for key in _match_keys(paper.arxiv, paper.doi, paper.title):
            index.setdefault(key, paper.id)
    added_ids: list[str] = []
    touched: set[str] = set()
    matched: set[str] = set()
    conflicts: list[Problem] = []

    for record in incoming:
        keys = _match_keys(record.arxiv, record.doi, record.title)
        paper_id = next((index[key] for key in keys if key in index), None)
        if paper_id is None:
            paper_id = unique_id(record.title, current.keys())
            current[paper_id] = _new_paper(paper_id, record, today, source_of[record.path])
            added_ids.append(paper_id)
        else:
            merged, record_conflicts = _fill_missing(current[paper_id], record, (record_path_of or {}).get(paper_id))
            conflicts.extend(record_conflicts)
            if merged != current[paper_id]:
                current[paper_id] = merged
                touched.add(paper_id)
            matched.add(paper_id)
        for key in keys:
            index.setdefault(key, paper_id)

    added = tuple(current[paper_id] for paper_id in added_ids)
    updated = tuple(current[paper_id] for paper_id in sorted(touched - set(added_ids)))
    unchanged = tuple(current[paper_id] for paper_id in sorted(matched - touched - set(added_ids)))
    return ImportPlan(added, updated, unchanged, tuple(conflicts))


def _match_keys(arxiv: str, doi: str, title: str) -> list[tuple[str, str]]:
    keys = []
    if arxiv:
        keys.append(("arxiv", arxiv.lower()))
    if doi:
        keys.append(("doi", doi.lower()))
    keys.append(("title", title_key(title)))
    return keys


def _new_paper(paper_id: str, record: IncomingRecord, today: dt.date, source: str) -> Paper:
    fields = {name: getattr(record, name) for name in MERGED_FIELDS}
    return Paper(id=paper_id, title=record.title, added=today, source=source, **fields)


def _fill_missing(paper: Paper, record: IncomingRecord, record_path: str | None) -> tuple[Paper, list[Problem]]:
    changes: dict[str, Any] = {}
    conflicts: list[Problem] = []
    for name in MERGED_FIELDS:
        ours, theirs = getattr(paper, name), getattr(record, name)
        if theirs in (None, "", ()) or ours == theirs:
            continue
        if ours in (None, "", ()):
            changes[name] = theirs
        else:
            where = record_path or f"catalog/papers/{paper.id}.yaml"
            conflicts.append(Problem(record.path, record.line, name, f"differs from {where}; kept the catalog's value"))
    return (dataclasses.replace(paper, **changes) if changes else paper), conflicts
