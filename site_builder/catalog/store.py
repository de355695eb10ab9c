"""Write paper records back to ``catalog/papers/`` without losing hand edits.

A curator may have written comments or laid a record out by hand. When an
import or a lookup fills a missing field, only that key's lines change: the
new key is inserted where the record's key order puts it, every other line is
kept byte for byte. If that cannot be done exactly (flow-style YAML, say),
the whole record is rewritten from its data, which is still correct.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from site_builder.catalog.load import CatalogPaths
from site_builder.catalog.records import paper_to_yaml_data
from site_builder.catalog.yamlio import dump_yaml, write_text_atomic
from site_builder.model import RECORD_KEYS, Paper
from site_builder.progress import track


def write_papers(paths: CatalogPaths, papers: Iterable[Paper]) -> list[Path]:
    """Write each paper's record atomically; returns the files whose bytes changed."""
    changed = []
    for paper in track(list(papers), "write catalog/papers", unit="records"):
        record_path = paths.record_path(paper.id)
        try:
            current = record_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if write_text_atomic(record_path, record_text(paper, current)):
            changed.append(record_path)
    return changed


def record_text(paper: Paper, current: str | None = None) -> str:
    """The record's YAML text, editing ``current`` in place where it can."""
    data = paper_to_yaml_data(paper)
    if current is None:
        return dump_yaml(data)
    edited = _edit_in_place(current, data)
    return edited if edited is not None else dump_yaml(data)


def _edit_in_place(current: str, data: dict[str, Any]) -> str | None:
    try:
        node = yaml.compose(current, Loader=yaml.SafeLoader)
        old = yaml.safe_load(current)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not isinstance(old, dict):
        return None
    if any(key not in data for key in old if old[key] not in (None, "", [])):
        return None  # a key would disappear: not an edit we make in place
    lines = current.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = {str(key.value): key.start_mark.line for key, _ in node.value}
    if any(key.start_mark.column != 0 for key, _ in node.value):
        return None
    # Work from the bottom up so earlier line numbers stay valid; keys inserted
    # at the same line go in last-first, so they end up in record order.
    rank = {name: number for number, name in enumerate(RECORD_KEYS)}
    changed = [key for key in data if old.get(key) != data[key]]
    where = {key: _position(key, starts, lines) for key in changed}
    for key in sorted(changed, key=lambda k: (-where[k], -rank[k])):
        snippet = dump_yaml({key: data[key]}).splitlines(keepends=True)
        at = where[key]
        end = _span_end(at, starts, lines) if key in starts else at
        lines[at:end] = snippet
    text = "".join(lines)
    try:
        if yaml.safe_load(text) != data:
            return None
    except yaml.YAMLError:
        return None
    return text


def _span_end(start: int, starts: dict[str, int], lines: list[str]) -> int:
    """Line after a key's value: the next key, less the comments and blanks before it."""
    following = [line for line in starts.values() if line > start]
    end = min(following) if following else len(lines)
    while end > start + 1 and _is_loose(lines[end - 1]):
        end -= 1
    return end


def _position(key: str, starts: dict[str, int], lines: list[str]) -> int:
    """Line where ``key`` is (or would go, before the comments of the key that follows it)."""
    if key in starts:
        return starts[key]
    rank = {name: number for number, name in enumerate(RECORD_KEYS)}
    later = [starts[name] for name in starts if rank.get(name, len(rank)) > rank[key]]
    if later:
        at = min(later)
        while at > 0 and lines[at - 1].lstrip().startswith("#"):
            at -= 1
        return at
    end = len(lines)
    while end > 0 and _is_loose(lines[end - 1]):
        end -= 1
    return end


def _is_loose(line: str) -> bool:
    """A blank line or a comment at the start of a line (it belongs to no value)."""
    stripped = line.strip()
    return not stripped or (line.startswith("#"))
