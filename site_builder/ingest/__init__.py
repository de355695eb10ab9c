"""Ingest stage: one reader per source format, behind a registry.

Every reader takes the decoded text of one file and its display path and
returns the records it found, each with its location, plus every problem
(it never stops at the first one).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.errors import BadInput, Problem
from site_builder.model import Paper


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    """A paper as a source file describes it, before it joins the catalog.

    ``paper.id`` is empty: the merge gives a new paper its id.
    """

    path: str
    line: int
    paper: Paper

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What a reader found: records, errors (stop the import) and notices."""

    records: tuple[IncomingRecord, ...]
    problems: tuple[Problem, ...] = ()
    notices: tuple[Problem, ...] = field(default=())


Reader = Callable[[str, str], ReadResult]

# Format name -> (module, function). Readers are imported when used: they
# import this module's records, and most runs need only one of them.
_READERS: dict[str, tuple[str, str]] = {
    "listing": ("site_builder.ingest.listing", "read_listing"),
    "bibtex": ("site_builder.ingest.bibtex", "read_bibtex"),
    "arxiv": ("site_builder.ingest.arxiv", "read_arxiv"),
    "hf": ("site_builder.ingest.jsonfiles", "read_hugging_face"),
    "json": ("site_builder.ingest.jsonfiles", "read_json"),
    "csv": ("site_builder.ingest.csvfile", "read_csv"),
}
FORMATS: tuple[str, ...] = ("auto", *_READERS)

_BY_EXTENSION = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".xml": "arxiv",
    ".atom": "arxiv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".csv": "csv",
}
_BIBTEX_ENTRY = re.compile(r"^\s*@[a-zA-Z]+\s*[{(]", re.MULTILINE)


def reader_for(fmt: str) -> Reader:
    module_name, function_name = _READERS[fmt]
    reader: Reader = getattr(importlib.import_module(module_name), function_name)
    return reader


def detect_format(path: Path, text: str) -> str | None:
    """The format a file is in, from its extension, else its content; None if unknown."""
    fmt = _BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        start = text.lstrip()[:1]
        if start == "<":
            fmt = "arxiv"
        elif start in ("[", "{"):
            fmt = "json"
        elif _BIBTEX_ENTRY.search(text):
            fmt = "bibtex"
        elif path.suffix.lower() in {".txt", ".text", ".listing", ""}:
            fmt = "listing"
    if fmt == "json":
        from site_builder.ingest.jsonfiles import is_hugging_face

        return "hf" if is_hugging_face(text) else "json"
    return fmt


def read_source(path: Path, display_path: str, fmt: str = "auto") -> ReadResult:
    """Read one source file with the reader for its format.

    Raises:
        BadInput: the file cannot be read at all (missing, not UTF-8, empty,
            unknown format).
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BadInput([Problem(display_path, None, None, f"cannot read file: {error.strerror}")]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BadInput(
            [Problem(display_path, line, None, "file is not UTF-8 text; save it as UTF-8 and import again")]
        ) from error
    if not text.strip():
        raise BadInput([Problem(display_path, None, None, "file is empty; nothing to import")])
    chosen = detect_format(path, text) if fmt == "auto" else fmt
    if chosen not in _READERS:
        known = ", ".join(_READERS)
        raise BadInput(
            [Problem(display_path, None, None, f"cannot tell the format of this file; pass --format ({known})")]
        )
    return reader_for(chosen)(text, display_path)


def today() -> dt.date:
    """Today's date, or the one SOURCE_DATE_EPOCH fixes (reproducible runs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()
