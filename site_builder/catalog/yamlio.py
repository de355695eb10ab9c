"""YAML in and out: parse with line numbers, write with ``yaml.safe_dump``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from site_builder.errors import Problem

# libyaml's parser when PyYAML was built with it (the wheels are): same results and
# line marks, several times faster on a catalog of thousands of records.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class ParsedYaml:
    """A YAML document's value and its node tree (which carries line marks)."""

    value: Any
    node: yaml.Node | None


def parse_yaml(text: str, display_path: str) -> ParsedYaml | Problem:
    """Parse one YAML document safely, or say where and why it is broken."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or error.context or "invalid YAML"
        return Problem(display_path, line, None, f"YAML syntax error: {reason}")
    except yaml.YAMLError as error:
        return Problem(display_path, None, None, f"YAML error: {error}")
    finally:
        loader.dispose()
    return ParsedYaml(value, node)


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Line number (1-based) of each key of a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def item_lines(node: yaml.Node | None, key: str) -> list[int]:
    """Line number (1-based) of each item of the list under ``key``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key and isinstance(value_node, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value_node.value]
    return []


def node_line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


class _RecordDumper(yaml.SafeDumper):
    """Long text as folded block scalars, so records read and diff well."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if len(value) > 80 and "\n" not in value and value == value.strip() and "  " not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_RecordDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """YAML text for ``data``: block style, keys in the given order, Unicode kept."""
    text = yaml.dump(
        data,
        Dumper=_RecordDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=88,
    )
    if yaml.safe_load(text) != data:
        # The folded style cannot carry every string exactly (e.g. trailing
        # spaces); fall back to PyYAML's own choice of quoting.
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    return text


def write_text_atomic(path: Path, text: str, *, durable: bool = True) -> bool:
    """Write ``text`` to ``path`` through a temp file + rename.

    Returns False (and touches nothing) when the file already has these bytes.
    ``durable`` also flushes the bytes to disk before the rename, so a power cut
    cannot leave an empty record; generated pages, which the next build
    recreates, skip that cost (a reader never sees a half-written file either way).
    """
    return write_bytes_atomic(path, text.encode("utf-8"), durable=durable)


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """``write_text_atomic`` for bytes already encoded."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # One temp name per process (two builds at once never share one); created
    # with the usual mode, which the umask trims as for any new file.
    temp_name = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        handle = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            if durable:
                temp_file.flush()
                os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        temp_name.unlink(missing_ok=True)
        raise
    return True
