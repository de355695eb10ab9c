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

MERGED_FIELDS = ("abstract", "authors", "year", "venue", "arxiv", "category", "doi", "url", "pdf", "code")


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would do; nothing is written until it is applied."""

    added: tuple[Paper, ...]
    updated: tuple[Paper, ...]
    unchanged: tuple[Paper, ...]
    conflicts: tuple[Problem, ...]
    skipped: tuple[Problem, ...] = ()

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.conflicts)} conflicts, {len(self.skipped)} skipped"
        )


def plan_import(
    catalog_papers: Sequence[Paper],
    incoming: Sequence[IncomingRecord],
    *,
    today: dt.date,
    record_path_of: dict[str, str] | None = None,
) -> ImportPlan:
    """Work out the records to add and update.

    Args:
        catalog_papers: the papers the catalog has now.
        incoming: records read from the sources, in source order.
        today: the ``added`` date of new papers that do not carry one.
        record_path_of: display path of each catalog paper's record, for messages.
    """
    current: dict[str, Paper] = {paper.id: paper for paper in catalog_papers}
    index: dict[tuple[str, str], str] = {}
    for paper in catalog_papers:
        for key in _match_keys(paper):
            index.setdefault(key, paper.id)
    added_ids: list[str] = []
    touched: set[str] = set()
    matched: set[str] = set()
    seen_at: dict[str, str] = {}  # paper id -> where this import first met it
    conflicts: list[Problem] = []
    skipped: list[Problem] = []

    for record in incoming:
        keys = _match_keys(record.paper)
        paper_id = next((index[key] for key in keys if key in index), None)
        if paper_id is None:
            paper_id = unique_id(record.paper.title, current)
            current[paper_id] = _new_paper(paper_id, record, today)
            added_ids.append(paper_id)
        else:
            if paper_id in seen_at:
                skipped.append(
                    Problem(
                        record.path,
                        record.line,
                        None,
                        f"skipped: same paper as {seen_at[paper_id]}; merged into one record",
                    )
                )
            where = (record_path_of or {}).get(paper_id) or f"catalog/papers/{paper_id}.yaml"
            merged, record_conflicts = _fill_missing(current[paper_id], record, where)
            conflicts.extend(record_conflicts)
            if merged != current[paper_id]:
                current[paper_id] = merged
                touched.add(paper_id)
            matched.add(paper_id)
        seen_at.setdefault(paper_id, record.location)
        for key in keys:
            index.setdefault(key, paper_id)

    new = set(added_ids)
    added = tuple(current[paper_id] for paper_id in added_ids)
    updated = tuple(current[paper_id] for paper_id in sorted(touched - new))
    unchanged = tuple(current[paper_id] for paper_id in sorted(matched - touched - new))
    return ImportPlan(added, updated, unchanged, tuple(conflicts), tuple(skipped))


def _match_keys(paper: Paper) -> list[tuple[str, str]]:
    keys = []
    if paper.arxiv:
        keys.append(("arxiv", paper.arxiv.lower()))
    if paper.doi:
        keys.append(("doi", paper.doi.lower()))
    keys.append(("title", title_key(paper.title)))
    return keys


def _new_paper(paper_id: str, record: IncomingRecord, today: dt.date) -> Paper:
    """A new record keeps everything the source gave, curator fields included."""
    paper = record.paper
    return dataclasses.replace(paper, id=paper_id, added=paper.added or today, source=paper.source or record.path)


def _fill_missing(paper: Paper, record: IncomingRecord, where: str) -> tuple[Paper, list[Problem]]:
    changes: dict[str, Any] = {}
    conflicts: list[Problem] = []
    for name in MERGED_FIELDS:
        ours, theirs = getattr(paper, name), getattr(record.paper, name)
        if theirs in (None, "", ()) or _same(name, ours, theirs):
            continue
        if ours in (None, "", ()):
            changes[name] = theirs
        else:
            conflicts.append(
                Problem(
                    record.path, record.line, name, f"conflict: {where} has {_show(ours)}; kept the catalog's value"
                )
            )
    return (dataclasses.replace(paper, **changes) if changes else paper), conflicts


def _same(name: str, ours: Any, theirs: Any) -> bool:
    """Equal, or equal as the merge compares them (DOIs ignore case; text ignores spacing)."""
    if ours == theirs:
        return True
    if isinstance(ours, str) and isinstance(theirs, str):
        if name == "doi":
            return ours.lower() == theirs.lower()
        return " ".join(ours.split()) == " ".join(theirs.split())
    return False


def _show(value: Any, limit: int = 50) -> str:
    shown = ", ".join(value) if isinstance(value, tuple) else str(value)
    return repr(shown if len(shown) <= limit else shown[: limit - 1] + "…")
