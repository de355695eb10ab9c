"""Write generated pages into docs/: only changed bytes, stale files removed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.catalog.yamlio import write_bytes_atomic
from site_builder.model import pickled_by_fields

# docs/ paths the generator owns; anything else in docs/ is hand-written.
# ("authors" held one page per author until the authors index listed their papers: kept here so a
# build removes those old pages from docs/.)
GENERATED_FOLDERS = ("papers", "tags", "browse", "authors", "search-index")
GENERATED_FILES = ("index.md", "catalog.bib", "feed.xml")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a generated file held when we wrote it, and its size and mtime then."""

    digest: bytes
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    stamps: dict[str, FileStamp] = field(default_factory=dict)


def write_pages(docs_dir: Path, pages: dict[str, str], stamps: Mapping[str, FileStamp] | None = None) -> WriteReport:
    """Make docs/'s generated part exactly ``pages``.

    ``stamps`` (from the last build's report) lets a file be skipped without
    reading it back: same content digest as last time, and the file still has
    the size and mtime it had when we wrote it. Anything else is compared
    byte for byte and rewritten only if it differs.
    """
    stamps = stamps or {}
    written = unchanged = 0
    new_stamps: dict[str, FileStamp] = {}
    for relative in sorted(pages):
        path = docs_dir / relative
        data = pages[relative].encode("utf-8")
        content = hashlib.blake2b(data, digest_size=20).digest()
        known = stamps.get(relative)
        if known is not None and known.digest == content and _stat(path) == (known.size, known.mtime_ns):
            new_stamps[relative] = known
            unchanged += 1
            continue
        if write_bytes_atomic(path, data, durable=False):
            written += 1
        else:
            unchanged += 1
        size, mtime_ns = _stat(path) or (-1, -1)
        new_stamps[relative] = FileStamp(content, size, mtime_ns)
    removed = 0
    for folder in GENERATED_FOLDERS:
        for stale in _files_under(docs_dir, folder):
            if stale not in pages:
                (docs_dir / stale).unlink()
                removed += 1
        _remove_empty_folders(docs_dir / folder)
    return WriteReport(written, unchanged, removed, new_stamps)


def _files_under(docs_dir: Path, folder: str) -> list[str]:
    """Files below docs/<folder>, as docs-relative paths (os.walk: pathlib is slow over 30,000 files)."""
    found: list[str] = []
    for directory, _, names in os.walk(docs_dir / folder):
        relative = Path(directory).relative_to(docs_dir).as_posix()
        found.extend(f"{relative}/{name}" for name in names)
    return sorted(found)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns


def _remove_empty_folders(folder: Path) -> None:
    """Folders below ``folder`` left empty by removed files (deepest first, so a chain of them goes)."""
    for directory, _, _ in os.walk(folder, topdown=False):
        if directory != str(folder) and not os.listdir(directory):
            os.rmdir(directory)
