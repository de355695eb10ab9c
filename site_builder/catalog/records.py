"""One paper record: YAML mapping ⇄ ``Paper``, with every check on the way."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from site_builder.catalog.yamlio import ParsedYaml, item_lines, key_lines, node_line
from site_builder.errors import Problem
from site_builder.ids import id_problem
from site_builder.model import RECORD_KEYS, Paper

_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?/\d{7})$")
_LINK_KEYS = ("url", "pdf", "code")
_TAG_LIST_KEYS = ("tags", "tags_exclude")
# report(key, message[, line]): how a check hands over one problem.
Report = Callable[..., None]
_TEXT_KEYS = ("title", "abstract", "venue", "arxiv", "category", "doi", "url", "pdf", "code", "notes", "source")


def paper_from_yaml(
    paper_id: str, parsed: ParsedYaml, display_path: str, known_tags: Collection[str]
) -> tuple[Paper | None, list[Problem]]:
    """Check one parsed record and build its ``Paper``.

    Returns the paper (None when the record is unusable) and every problem.
    """
    problems: list[Problem] = []
    lines = key_lines(parsed.node)

    def report(key: str | None, message: str, line: int | None = None) -> None:
        if line is None:
            line = lines.get(key, node_line(parsed.node) or 1) if key else 1
        problems.append(Problem(display_path, line, key, message))

    reason = id_problem(paper_id)
    if reason:
        report(None, f"bad file name for a paper id: {reason}")
    paper = paper_from_mapping(
        paper_id, parsed.value, report, known_tags, {key: item_lines(parsed.node, key) for key in _TAG_LIST_KEYS}
    )
    return (None if problems else paper), problems


def paper_from_mapping(
    paper_id: str,
    data: Any,
    report: Report,
    known_tags: Collection[str] | None,
    tag_lines: Mapping[str, Sequence[int]] | None = None,
) -> Paper | None:
    """Check a record's keys and values (from YAML, JSON or CSV) and build its ``Paper``.

    Each problem goes to ``report(key, message[, line])``; the paper is None if
    there was any. ``known_tags`` None skips the tag check (the import does it).
    """
    reported: list[str | None] = []

    def note(key: str | None, message: str, line: int | None = None) -> None:
        reported.append(key)
        report(key, message, line)

    if not isinstance(data, dict):
        note(None, "a paper record is a mapping of keys (title: ..., abstract: ...)")
        return None
    for key in data:
        if str(key) not in RECORD_KEYS:
            hint = difflib.get_close_matches(str(key), RECORD_KEYS, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(RECORD_KEYS)}"
            note(str(key), f"unknown key{suggestion}")

    values: dict[str, Any] = {}
    for key in _TEXT_KEYS:
        if key in data and data[key] is not None:
            values[key] = _check(key, data[key], _text, note)
    title = values.get("title")
    if not title or not str(title).strip():
        note("title" if "title" in data else None, "every paper needs a non-empty title")
    if "authors" in data:
        values["authors"] = _check("authors", data["authors"], _names, note)
    if "aliases" in data:
        values["aliases"] = _check("aliases", data["aliases"], _names, note)
    for key in _TAG_LIST_KEYS:
        if key not in data:
            continue
        lines = (tag_lines or {}).get(key, ())
        tags = _check(key, data[key], _names, note)
        for position, tag in enumerate(tags or ()):
            if known_tags is not None and tag not in known_tags:
                line = lines[position] if position < len(lines) else None
                note(key, f"unknown tag '{tag}'; add it to catalog/tags.yaml or fix the spelling", line)
        values[key] = tags
    if "year" in data and data["year"] is not None:
        values["year"] = _check("year", data["year"], _year, note)
    if "added" in data and data["added"] is not None:
        values["added"] = _check("added", data["added"], _date, note)
    arxiv = values.get("arxiv")
    if arxiv and not _ARXIV_ID.match(arxiv):
        note("arxiv", f"'{arxiv}' is not an arXiv id without version, like 2302.06675")
    for key in _LINK_KEYS:
        link = values.get(key)
        if link and not link.startswith(("https://", "http://")):
            note(key, "links must start with https:// or http://")

    if reported:
        return None
    clean = {key: value for key, value in values.items() if value is not None}
    return Paper(id=paper_id, **clean)


def _check(key: str, value: Any, convert: Callable[[Any], Any], report: Report) -> Any:
    try:
        return convert(value)
    except ValueError as error:
        report(key, str(error))
        return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"expected text, got the number {value!r}; put it in quotes")
    raise ValueError(f"expected text, got {_kind(value)}")


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError("expected a list, one item per line starting with '- '")
    if not isinstance(value, list):
        raise ValueError(f"expected a list of names, got {_kind(value)}")
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"expected a list of names, but one item is {_kind(item)}")
        names.append(item.strip())
    return tuple(names)


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a year like 2024, got {_kind(value)}")
    if not 1500 <= value <= 2200:
        raise ValueError(f"{value} is not a plausible publication year")
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"expected a date like 2024-05-31, got {_kind(value)}")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def paper_problems(paper: Paper, known_tags: Collection[str]) -> list[tuple[str, str]]:
    """(field, message) for each value of an incoming paper the catalog would refuse."""
    problems = []
    if not paper.title.strip():
        problems.append(("title", "every paper needs a non-empty title"))
    if paper.arxiv and not _ARXIV_ID.match(paper.arxiv):
        problems.append(("arxiv", f"'{paper.arxiv}' is not an arXiv id without version, like 2302.06675"))
    if paper.year is not None:
        try:
            _year(paper.year)
        except ValueError as error:
            problems.append(("year", str(error)))
    for key in _LINK_KEYS:
        link = getattr(paper, key)
        if link and not link.startswith(("https://", "http://")):
            problems.append((key, f"'{link}' is not a link; links must start with https:// or http://"))
    for key in _TAG_LIST_KEYS:
        for tag in getattr(paper, key):
            if tag not in known_tags:
                problems.append((key, f"unknown tag '{tag}'; add it to catalog/tags.yaml or fix the spelling"))
    return problems


def paper_to_yaml_data(paper: Paper) -> dict[str, Any]:
    """The mapping written to ``catalog/papers/<id>.yaml`` (empty keys left out)."""
    data: dict[str, Any] = {}
    for key in RECORD_KEYS:
        value = getattr(paper, key)
        if value in (None, "", ()):
            continue
        data[key] = list(value) if isinstance(value, tuple) else value
    return data
