"""Ingest stage: one reader per source format, behind a registry.

Every reader takes the decoded text of one file and its display path and
returns the records it found, each with its location, plus every problem
(it never stops at the first one).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.errors import BadInput, Problem


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    """A paper as a source file describes it, before it joins the catalog."""

    path: str
    line: int
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    arxiv: str = ""
    doi: str = ""
    url: str = ""
    pdf: str = ""
    code: str = ""

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


def _readers() -> dict[str, Reader]:
    from site_builder.ingest.listing import read_listing

    return {"listing": read_listing}


FORMATS: tuple[str, ...] = ("auto", "listing")


def detect_format(path: Path, text: str) -> str | None:
    """The format a file is in, from its extension and content, or None."""
    if path.suffix.lower() in {".txt", ".listing", ""}:
        return "listing"
    return None


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
    readers = _readers()
    if chosen not in readers:
        known = ", ".join(sorted(readers))
        raise BadInput(
            [Problem(display_path, None, None, f"cannot tell the format of this file; pass --format ({known})")]
        )
    return readers[chosen](text, display_path)


def today() -> dt.date:
    """Today's date, or the one SOURCE_DATE_EPOCH fixes (reproducible runs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()
