"""Progress on long work: a bar on a terminal, one plain line per stage in a log, nothing with --quiet.

Everything goes to stderr, so the output of ``search --json`` and friends stays clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tqdm import tqdm

Item = TypeVar("Item")

_settings = {"quiet": False}
# Below this many items a bar would only flash by.
MIN_ITEMS_FOR_BAR = 200


def set_quiet(quiet: bool) -> None:
    """Silence all progress output (the CLI's ``--quiet``)."""
    _settings["quiet"] = quiet


def is_quiet() -> bool:
    return _settings["quiet"]


def say(message: str) -> None:
    """One line of progress, unless quiet."""
    if not _settings["quiet"]:
        print(message, file=sys.stderr, flush=True)


def track(
    items: Iterable[Item], label: str, total: int | None = None, unit: str = "papers", *, summary: bool = True
) -> Iterator[Item]:
    """Yield ``items`` with a bar on a terminal; one summary line at the end unless ``summary`` is False
    (when the caller's ``stage`` already reports the step)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    started = time.perf_counter()
    use_bar = not _settings["quiet"] and sys.stderr.isatty() and (total or 0) >= MIN_ITEMS_FOR_BAR
    if use_bar:
        yield from tqdm(
            items, desc=label, total=total, unit=f" {unit}", file=sys.stderr, leave=False, dynamic_ncols=True
        )
    else:
        yield from items
    if summary:
        count = f"{total} {unit} " if total is not None else ""
        say(f"{label}: {count}in {time.perf_counter() - started:.2f}s")


@contextmanager
def stage(label: str) -> Iterator[None]:
    """Time a step that has no items to count; one line when it ends."""
    started = time.perf_counter()
    yield
    say(f"{label}: {time.perf_counter() - started:.2f}s")
