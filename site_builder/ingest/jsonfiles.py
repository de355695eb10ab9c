"""Readers for JSON sources: records in our own schema, and Hugging Face Papers answers.

Both accept a JSON array, a single object, or JSON Lines (one object per
line). Each item keeps the line it starts on, so a problem names it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from site_builder.catalog.records import Report, paper_from_mapping
from site_builder.errors import Problem
from site_builder.ingest import IncomingRecord, ReadResult
from site_builder.ingest.latex import decode_latex
from site_builder.ingest.normalize import arxiv_id, squash, year_from
from site_builder.model import Paper

_DECODER = json.JSONDecoder()


def json_items(text: str, path: str) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """The items of a JSON array, object or JSON Lines text, each with its first line."""
    start = _skip_space(text, 0)
    if text.startswith("[", start):
        return _array_items(text, path, start)
    items: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    position = start
    while position < len(text):
        try:
            value, end = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problems.append(Problem(path, error.lineno, None, f"invalid JSON: {error.msg}"))
            # Go on with the next line, so every broken line is reported.
            position = _skip_space(text, text.find("\n", error.pos) if "\n" in text[error.pos :] else len(text))
            continue
        items.append((_line_of(text, position), value))
        position = _skip_space(text, end)
    return items, problems


def _array_items(text: str, path: str, start: int) -> tuple[list[tuple[int, Any]], list[Problem]]:
    items: list[tuple[int, Any]] = []
    position = _skip_space(text, start + 1)
    if text.startswith("]", position):
        return items, []
    while True:
        try:
            value, end = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            return items, [Problem(path, error.lineno, None, f"invalid JSON: {error.msg}")]
        items.append((_line_of(text, position), value))
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif text.startswith("]", position):
            rest = _skip_space(text, position + 1)
            if rest < len(text):
                return items, [Problem(path, _line_of(text, rest), None, "invalid JSON: extra data after the list")]
            return items, []
        else:
            return items, [Problem(path, _line_of(text, position), None, "invalid JSON: expected ',' or ']'")]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def read_json(text: str, path: str) -> ReadResult:
    """Records in our own schema (the keys of ``catalog/papers/<id>.yaml``)."""
    items, problems = json_items(text, path)
    records = []
    for line, item in items:
        record = _schema_record(item, path, line, problems)
        if record is not None:
            records.append(record)
    return ReadResult(tuple(records), tuple(problems))


def _schema_record(item: Any, path: str, line: int, problems: list[Problem]) -> IncomingRecord | None:
    def report(key: str | None, message: str, at: int | None = None) -> None:
        problems.append(Problem(path, at or line, key, message))

    if isinstance(item, dict):
        # An id from another catalog is not ours to keep: the merge assigns one.
        item = {key: value for key, value in item.items() if key != "id"}
        if isinstance(item.get("added"), str):
            added = parse_added(item["added"], report)
            if added is None:
                return None
            item["added"] = added
    paper = paper_from_mapping("", item, report, known_tags=None)
    return None if paper is None else IncomingRecord(path, line, paper)


def parse_added(value: str, report: Report) -> dt.date | None:
    """An ``added`` date written as text (JSON and CSV have no date type)."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        report("added", f"'{value}' is not a date like 2024-05-31")
        return None


def is_hugging_face(text: str) -> bool:
    """Whether JSON text looks like a Hugging Face Papers answer (items with a ``paper``)."""
    items, _ = json_items(text, "")
    first = items[0][1] if items else None
    return isinstance(first, dict) and isinstance(first.get("paper"), dict)


def read_hugging_face(text: str, path: str) -> ReadResult:
    """Hugging Face daily-papers items: ``paper.id``, ``.title``, ``.summary``, ``.authors[].name``."""
    items, problems = json_items(text, path)
    records = []
    for line, item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict):
            problems.append(Problem(path, line, "paper", "expected an item with a 'paper' object"))
            continue
        title = decode_latex(str(paper.get("title") or ""))
        if not title:
            problems.append(Problem(path, line, "paper.title", "item has no title"))
            continue
        published = str(paper.get("publishedAt") or item.get("publishedAt") or "")
        authors = tuple(
            squash(str(author.get("name")))
            for author in paper.get("authors") or []
            if isinstance(author, dict) and author.get("name")
        )
        record = Paper(
            id="",
            title=title,
            abstract=decode_latex(str(paper.get("summary") or "")),
            authors=authors,
            year=year_from(published),
            arxiv=arxiv_id(str(paper.get("id") or "")),
            code=_github_link(paper),
        )
        records.append(IncomingRecord(path, line, record))
    return ReadResult(tuple(records), tuple(problems))


def _github_link(paper: dict[str, Any]) -> str:
    link = str(paper.get("githubRepo") or "")
    return link if link.startswith("https://") else ""
