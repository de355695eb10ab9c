"""Write generated pages into docs/: only changed bytes, stale files removed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from site_builder.cache import Memo
from site_builder.catalog.yamlio import write_bytes_atomic

# docs/ paths the generator owns; anything else in docs/ is hand-written.
# ("authors" held one page per author until the authors index listed their papers: kept here so a
# build removes those old pages from docs/.)
GENERATED_FOLDERS = ("papers", "tags", "browse", "authors", "search-index")
GENERATED_FILES = ("index.md", "catalog.bib", "feed.xml")


class FileStamp(NamedTuple):
    """What a generated file held when we wrote it, and its size and mtime then.

    A named tuple, not a frozen dataclass: the next build loads one per
    generated file, and a tuple loads in a tenth of the time (0.075 s ->
    0.006 s of every rebuild at 10,000 papers).
    """

    digest: bytes
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class KeptPage:
    """A page the memo says is the same as last build's: its text's digest, and how to make the text.

    Its text is neither loaded nor hashed: ``write_pages`` leaves the file
    alone while it still has the stamp the last build wrote it with, and
    calls ``remake`` only if the file was changed or removed meanwhile.
    """

    digest: bytes
    remake: Callable[[], str]


Page = str | KeptPage  # what ``render_pages`` gives for each path


def memo_page(memo: Memo, inputs: object, make: Callable[[], str]) -> Page:
    """``make()``, or a ``KeptPage`` where ``memo`` has the page from an earlier build (by ``inputs``).

    The memo keeps the page's digest, not its text: the list pages' texts,
    loaded from the cache and hashed again by every build, were 34 MB of the
    cache at 10,000 papers. Inside ``ItemMemo.group`` the group finds the
    digest again (``_Recorded.stands_for``), which ``kept_pages`` turns back into a page.
    """
    made: list[str] = []

    def made_now() -> bytes:
        made.append(make())
        return text_digest(made[0])

    page_digest = memo(inputs, made_now)
    page: Page = made[0] if made else KeptPage(page_digest, make)
    stands_for = getattr(memo, "stands_for", None)
    if stands_for is not None:
        stands_for(page, page_digest)
    return page


def kept_pages(found: Mapping[str, Page | bytes], remake: Callable[[], Mapping[str, Page | bytes]]) -> dict[str, Page]:
    """``found``'s pages, a digest standing for a page the last build wrote (a ``memo_page`` page a group
    found, a search index file), made again by ``remake()`` (the same step without a cache) if its file changed."""
    return {
        path: KeptPage(page, partial(_page_of, remake, path)) if isinstance(page, bytes) else page
        for path, page in found.items()
    }


def _page_of(pages: Callable[[], Mapping[str, Page | bytes]], path: str) -> str:
    page = pages()[path]
    assert isinstance(page, str)  # made without a memo: every page is its text
    return page


def text_digest(text: str) -> bytes:
    """The digest of a page's text as written (what a ``FileStamp`` and a ``KeptPage`` hold)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).digest()


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    stamps: dict[str, FileStamp] = field(default_factory=dict)


def write_pages(
    docs_dir: Path,
    pages: Mapping[str, Page],
    stamps: Mapping[str, FileStamp] | None = None,
    later: Callable[[], Mapping[str, Page]] | None = None,
) -> WriteReport:
    """Make docs/'s generated part exactly ``pages`` (and what ``later()`` gives).

    ``stamps`` (from the last build's report) lets a file be skipped without
    reading it back: same content digest as last time, and the file still has
    the size and mtime it had when we wrote it. Anything else is compared
    byte for byte and rewritten only if it differs. A ``KeptPage`` is
    made only if its file no longer has that stamp.

    ``later``: files still being made (the search index, in a second process),
    asked for once ``pages`` are written, so that the wait for them and the
    writing overlap.
    """
    new_stamps: dict[str, FileStamp] = {}
    root = os.fspath(docs_dir)  # str paths: pathlib's joins took seconds over 20,000 files
    write = partial(_write_batch, root, stamps=stamps or {}, new_stamps=new_stamps, folders_made=set())
    written, unchanged = write(pages)
    last_pages = later() if later is not None else {}
    more_written, more_unchanged = write(last_pages)
    written, unchanged = written + more_written, unchanged + more_unchanged
    removed = 0
    for folder in GENERATED_FOLDERS:
        for stale in _files_under(docs_dir, folder):
            if stale not in pages and stale not in last_pages:
                (docs_dir / stale).unlink()
                removed += 1
        _remove_empty_folders(docs_dir / folder)
    return WriteReport(written, unchanged, removed, new_stamps)


def _write_batch(
    root: str,
    pages: Mapping[str, Page],
    *,
    stamps: Mapping[str, FileStamp],
    new_stamps: dict[str, FileStamp],
    folders_made: set[str],
) -> tuple[int, int]:
    """Write ``pages`` where they changed (see ``write_pages``), their stamps into ``new_stamps``;
    how many were written and how many were unchanged."""
    written = unchanged = 0
    for relative in sorted(pages):
        path = f"{root}/{relative}"
        page = pages[relative]
        known = stamps.get(relative)
        on_disk = _stat(path)
        if isinstance(page, KeptPage):
            if known is not None and known.digest == page.digest and on_disk == (known.size, known.mtime_ns):
                new_stamps[relative] = known
                unchanged += 1
                continue
            page = page.remake()  # removed or changed by hand since: made again
        data = page.encode("utf-8")
        content = hashlib.blake2b(data, digest_size=20).digest()
        if known is not None and known.digest == content and on_disk == (known.size, known.mtime_ns):
            new_stamps[relative] = known
            unchanged += 1
            continue
        if on_disk is None:
            folder = os.path.dirname(path)
            if folder not in folders_made:
                os.makedirs(folder, exist_ok=True)
                folders_made.add(folder)
            size, mtime_ns = _write_new(path, data)
            written += 1
        else:
            if write_bytes_atomic(Path(path), data, durable=False):
                written += 1
            else:
                unchanged += 1
            size, mtime_ns = _stat(path) or (-1, -1)
        new_stamps[relative] = FileStamp(content, size, mtime_ns)
    return written, unchanged


def _write_new(path: str, data: bytes) -> tuple[int, int]:
    """Write a file that does not exist yet, in place; its size and mtime.

    No temp file and rename, which cost half the time of a cold build's
    writing: nothing read the old bytes, as there were none. A build cut off
    mid-write leaves a short file that matches no stamp, so the next build
    compares it and writes it again. Should the file have appeared meanwhile,
    it is replaced atomically as usual.
    """
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        write_bytes_atomic(Path(path), data, durable=False)
        return _stat(path) or (-1, -1)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        status = os.fstat(file.fileno())
    return status.st_size, status.st_mtime_ns


def _files_under(docs_dir: Path, folder: str) -> list[str]:
    """Files below docs/<folder>, as docs-relative paths (os.walk: pathlib is slow over 30,000 files)."""
    found: list[str] = []
    for directory, _, names in os.walk(docs_dir / folder):
        relative = Path(directory).relative_to(docs_dir).as_posix()
        found.extend(f"{relative}/{name}" for name in names)
    return sorted(found)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns


def _remove_empty_folders(folder: Path) -> None:
    """Folders below ``folder`` left empty by removed files (deepest first, so a chain of them goes)."""
    for directory, _, _ in os.walk(folder, topdown=False):
        if directory != str(folder) and not os.listdir(directory):
            os.rmdir(directory)
