"""Reader for CSV spreadsheets whose header row names record keys.

``title`` is the only column required; the others are any of the record
keys. Authors are separated by ``;`` or `` and ``, tags by ``;`` or ``,``.
Empty cells are missing values. Cells may hold commas, quotes and line
breaks when quoted, as every spreadsheet program writes them.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from typing import Any

from site_builder.catalog.records import paper_from_mapping
from site_builder.errors import Problem
from site_builder.ingest import IncomingRecord, ReadResult
from site_builder.ingest.jsonfiles import parse_added
from site_builder.ingest.normalize import split_authors
from site_builder.model import RECORD_KEYS

_TAG_SEPARATOR = re.compile(r"\s*[;,]\s*")


def read_csv(text: str, path: str) -> ReadResult:
    """Parse CSV rows into records, one per row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error) as error:
        return ReadResult((), (Problem(path, 1, None, f"cannot read the header row: {error}"),))
    problems = _header_problems(header, path)
    if problems:
        return ReadResult((), tuple(problems))
    records: list[IncomingRecord] = []
    line = reader.line_num + 1  # where the next row starts
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(path, line, None, f"this row cannot be read: {error}"))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(
                    path,
                    start,
                    None,
                    f"row has {len(row)} cells but the header has {len(header)}; quote cells that contain commas",
                )
            )
            continue
        record = _row_record(dict(zip(header, row, strict=True)), path, start, problems)
        if record is not None:
            records.append(record)
    return ReadResult(tuple(records), tuple(problems))


def _header_problems(header: list[str], path: str) -> list[Problem]:
    problems = []
    for name in header:
        if name not in RECORD_KEYS:
            hint = difflib.get_close_matches(name, RECORD_KEYS, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; known columns: {', '.join(RECORD_KEYS)}"
            problems.append(Problem(path, 1, name or None, f"unknown column{suggestion}"))
    if "title" not in header:
        problems.append(Problem(path, 1, "title", "the header needs a 'title' column"))
    duplicates = sorted({name for name in header if header.count(name) > 1})
    for name in duplicates:
        problems.append(Problem(path, 1, name, "this column appears twice"))
    return problems


def _row_record(cells: dict[str, str], path: str, line: int, problems: list[Problem]) -> IncomingRecord | None:
    def report(key: str | None, message: str, at: int | None = None) -> None:
        problems.append(Problem(path, at or line, key, message))

    data: dict[str, Any] = {key: value.strip() for key, value in cells.items() if value.strip()}
    if "authors" in data:
        data["authors"] = list(split_authors(data["authors"]))
    if "tags" in data:
        data["tags"] = [tag for tag in _TAG_SEPARATOR.split(data["tags"]) if tag]
    if "year" in data:
        year = data["year"]
        data["year"] = int(year) if year.isdigit() else year
    if "added" in data:
        added = parse_added(data["added"], report)
        if added is None:
            return None
        data["added"] = added
    paper = paper_from_mapping("", data, report, known_tags=None)
    return None if paper is None else IncomingRecord(path, line, paper)
