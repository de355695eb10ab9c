"""The tag vocabulary, ``catalog/tags.yaml``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from site_builder.catalog.yamlio import key_lines, node_line, parse_yaml
from site_builder.errors import Problem
from site_builder.model import Tag

TAG_KEYS = ("name", "description", "match", "aliases", "parent")
TAG_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load_vocabulary(path: Path, display_path: str) -> tuple[tuple[Tag, ...], list[Problem]]:
    """Read ``tags.yaml``; a missing file is an empty vocabulary."""
    if not path.exists():
        return (), []
    parsed = parse_yaml(path.read_text(encoding="utf-8", errors="replace"), display_path)
    if isinstance(parsed, Problem):
        return (), [parsed]
    if parsed.value is None:
        return (), []
    top_lines = key_lines(parsed.node)
    if not isinstance(parsed.value, dict) or not isinstance(parsed.value.get("tags"), list):
        line = top_lines.get("tags", 1)
        return (), [Problem(display_path, line, "tags", "expected 'tags:' followed by a list of tag entries")]

    assert isinstance(parsed.node, yaml.MappingNode)
    items_node = next(value for key, value in parsed.node.value if key.value == "tags")
    tags: list[Tag] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for item, item_node in zip(parsed.value["tags"], items_node.value, strict=True):
        lines = key_lines(item_node)
        entry_line = node_line(item_node) or 1

        def report(key: str, message: str, lines: dict[str, int] = lines, at: int = entry_line) -> None:
            problems.append(Problem(display_path, lines.get(key, at), key, message))

        tag = _tag_from_entry(item, report)
        if tag is None:
            continue
        if tag.name in seen:
            report("name", f"tag '{tag.name}' is already defined at line {seen[tag.name]}")
            continue
        seen[tag.name] = lines.get("name", entry_line)
        tags.append(tag)

    names = {tag.name for tag in tags}
    for tag in tags:
        if tag.parent and tag.parent not in names:
            problems.append(Problem(display_path, seen[tag.name], "parent", f"unknown parent tag '{tag.parent}'"))
    return tuple(tags), problems


def _tag_from_entry(item: Any, report: Any) -> Tag | None:
    if not isinstance(item, dict):
        report("name", "each tag entry is a mapping with at least 'name:'")
        return None
    for key in item:
        if key not in TAG_KEYS:
            report(str(key), f"unknown key; tag entries use {', '.join(TAG_KEYS)}")
    name = item.get("name")
    if not isinstance(name, str) or not TAG_NAME.match(name):
        report("name", "tag names are lowercase words joined by '-', like zeroth-order")
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("match", "aliases"):
        value = item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(term, str) and term.strip() for term in value):
            report(key, "expected a list of words or phrases")
            value = []
        lists[key] = tuple(term.strip() for term in value)
    description = item.get("description") or ""
    parent = item.get("parent") or ""
    if not isinstance(description, str):
        report("description", "expected one line of text")
        description = ""
    if not isinstance(parent, str):
        report("parent", "expected the name of another tag")
        parent = ""
    return Tag(
        name=name, description=description.strip(), match=lists["match"], aliases=lists["aliases"], parent=parent
    )
