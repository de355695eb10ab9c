"""Write generated pages into docs/: only changed bytes, stale files removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog.yamlio import write_text_atomic

# docs/ paths the generator owns; anything else in docs/ is hand-written.
GENERATED_FOLDERS = ("papers", "tags", "browse", "authors", "search-index")
GENERATED_FILES = ("index.md", "catalog.bib")


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def write_pages(docs_dir: Path, pages: dict[str, str]) -> WriteReport:
    """Make docs/'s generated part exactly ``pages``."""
    written = unchanged = 0
    for relative in sorted(pages):
        if write_text_atomic(docs_dir / relative, pages[relative], durable=False):
            written += 1
        else:
            unchanged += 1
    removed = 0
    wanted = {docs_dir / relative for relative in pages}
    for folder in GENERATED_FOLDERS:
        for stale in sorted((docs_dir / folder).rglob("*")) if (docs_dir / folder).is_dir() else []:
            if stale.is_file() and stale not in wanted:
                stale.unlink()
                removed += 1
        _remove_empty_folders(docs_dir / folder)
    return WriteReport(written, unchanged, removed)


def _remove_empty_folders(folder: Path) -> None:
    if not folder.is_dir():
        return
    for child in sorted(folder.rglob("*"), reverse=True):
        if child.is_dir() and not any(child.iterdir()):
            child.rmdir()
