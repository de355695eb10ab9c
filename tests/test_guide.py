"""The guide (docs/guide/) stays true to the tool, so it cannot go stale silently.

- Every `python -m site_builder ...` command shown in the guide (in code blocks and `code`) parses
  with the real command-line parser, and every `make ...` names a real Makefile target.
- The guide shows every subcommand and every documented (`## ...`) Makefile target.
- Every message quoted in troubleshooting.md (its ```text blocks) is one the tool can print: after
  any `prefix: ` (file, line, field), it matches a format string in site_builder/, each {placeholder}
  standing for any text. And every message site_builder builds directly as a `Problem(...)` is quoted.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import re
import shlex
from pathlib import Path

from site_builder.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "guide"
TROUBLESHOOTING = GUIDE / "troubleshooting.md"
PACKAGE = REPO / "site_builder"

FENCED = re.compile(r"^```([^\n]*)\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`([^`\n]+)`")
SITE_BUILDER = re.compile(r"python -m site_builder\b(.*)")
MAKE = re.compile(r"(?:^|[\s;&|(])make((?:\s+[^\s#;&|)]+)*)")
TARGET = re.compile(r"^([A-Za-z0-9_.-]+):(?!=)(.*)$", re.M)
# BibTeX problems end with the entry's key, added in ingest/bibtex.py around the message.
BIBTEX_ENTRY = re.compile(r" \(entry '[^']*'\)$")


def guide_pages() -> list[Path]:
    pages = sorted(GUIDE.glob("*.md"))
    assert len(pages) >= 7, f"the guide has only {[page.name for page in pages]}"
    return pages


def code_lines() -> list[tuple[str, str]]:
    """(page name, line) for every line of code the guide shows: fenced blocks and `inline code`.

    ```text blocks hold data and messages as the tool prints them, not commands: they are left out.
    """
    found = []
    for page in guide_pages():
        text = page.read_text(encoding="utf-8")
        for lang, block in FENCED.findall(text):
            if lang.strip() != "text":
                found += [(page.name, line) for line in block.splitlines()]
        found += [(page.name, span) for span in INLINE.findall(FENCED.sub("", text))]
    return found


def shown_commands() -> list[tuple[str, str, list[str]]]:
    """(page, command as shown, its arguments) for every `python -m site_builder` command."""
    commands = []
    for page, line in code_lines():
        for match in SITE_BUILDER.finditer(line):
            rest = re.split(r"\s#|\||&&|;|>", match.group(1))[0]
            commands.append((page, match.group(0).strip(), shlex.split(rest)))
    return commands


def shown_make_targets() -> list[tuple[str, str]]:
    targets = []
    for page, line in code_lines():
        for match in MAKE.finditer(line):
            words = [word for word in match.group(1).split() if "=" not in word]  # NAME=value sets a variable
            targets += [(page, word) for word in words]
    return targets


def makefile_targets() -> dict[str, bool]:
    """Each Makefile target, and whether it has a `## help` comment."""
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return {name: "##" in rest for name, rest in TARGET.findall(text) if not name.startswith((".", "$"))}


def subcommands() -> set[str]:
    """Every command the CLI accepts, with `tags` as `tags suggest`."""
    names = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, parser in action.choices.items():
                nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
                names |= {f"{name} {sub}" for a in nested for sub in a.choices} if nested else {name}
    return names


def test_every_site_builder_command_in_the_guide_parses() -> None:
    commands = shown_commands()
    assert len(commands) >= 15, f"the guide shows only {len(commands)} site_builder commands"
    parser = build_parser()
    for page, shown, args in commands:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as errors:
            try:
                parser.parse_args(args)
            except SystemExit as exit_request:  # --help exits 0; a wrong command or option exits 2
                assert exit_request.code == 0, f"{page}: `{shown}` is not a valid command: {errors.getvalue()}"


def test_the_guide_shows_every_command() -> None:
    shown = set()
    for _, _, args in shown_commands():
        words = [arg for arg in args if not arg.startswith("-")]
        shown |= {" ".join(words[:2]), words[0]} if words else set()
    missing = sorted(subcommands() - shown)
    assert not missing, f"the guide never shows these commands: {missing}"


def test_every_make_target_in_the_guide_exists() -> None:
    targets = makefile_targets()
    shown = shown_make_targets()
    assert len(shown) >= 10, f"the guide shows only {len(shown)} make commands"
    unknown = sorted({f"{page}: make {name}" for page, name in shown if name not in targets})
    assert not unknown, f"no such Makefile target: {unknown}"
    documented = {name for name, has_help in targets.items() if has_help}
    missing = sorted(documented - {name for _, name in shown})
    assert not missing, f"the guide never shows these Makefile targets: {missing}"


# --- messages ----------------------------------------------------------------


def pattern_of(node: ast.Constant | ast.JoinedStr) -> tuple[str, str]:
    """A string literal or f-string as a regular expression, and its literal text."""
    if isinstance(node, ast.Constant):
        return re.escape(str(node.value)), str(node.value)
    regex, literal = "", ""
    for part in node.values:
        if isinstance(part, ast.Constant):
            regex += re.escape(str(part.value))
            literal += str(part.value)
        else:
            regex += ".*?"
    return regex, literal


def string_literals() -> list[tuple[ast.Constant | ast.JoinedStr, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                found.append((node, path))
    return found


def message_formats() -> list[re.Pattern[str]]:
    """Every string in site_builder/ with some words in it (so "{a}: {b}" matches nothing by itself)."""
    formats = []
    for node, _ in string_literals():
        regex, literal = pattern_of(node)
        if len(re.findall(r"[A-Za-z]{3,}", literal)) >= 2:
            formats.append(re.compile(regex, re.S))
    return formats


def quoted_messages() -> list[str]:
    text = TROUBLESHOOTING.read_text(encoding="utf-8")
    lines = [line for lang, block in FENCED.findall(text) if lang.strip() == "text" for line in block.splitlines()]
    messages = [line.strip() for line in lines if line.strip()]
    assert len(messages) >= 40, f"troubleshooting.md quotes only {len(messages)} messages"
    return messages


def readings(message: str) -> list[str]:
    """The message after each `prefix: ` (file:line, field, status), with and without a BibTeX entry key."""
    parts = message.split(": ")
    tails = [": ".join(parts[start:]) for start in range(len(parts))]
    return tails + [BIBTEX_ENTRY.sub("", tail) for tail in tails]


def test_every_quoted_message_is_one_the_tool_prints() -> None:
    formats = message_formats()
    unknown = [
        message
        for message in quoted_messages()
        if not any(pattern.fullmatch(reading) for reading in readings(message) for pattern in formats)
    ]
    assert not unknown, "troubleshooting.md quotes messages site_builder/ does not print:\n" + "\n".join(unknown)


def problem_messages() -> list[tuple[str, str, re.Pattern[str]]]:
    """(file:line, source, pattern) of each message written out in a `Problem(path, line, field, message)`."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem" and len(node.args) == 4:
                message = node.args[3]
                if isinstance(message, ast.JoinedStr) or isinstance(message, ast.Constant):
                    regex, _ = pattern_of(message)
                    where = f"{path.relative_to(REPO)}:{node.lineno}"
                    found.append((where, ast.unparse(message), re.compile(regex, re.S)))
    assert len(found) >= 30, f"found only {len(found)} Problem(...) messages in site_builder/"
    return found


def test_every_problem_message_is_in_troubleshooting() -> None:
    messages = quoted_messages()
    missing = [
        f"{where}: {source}"
        for where, source, pattern in problem_messages()
        if not any(pattern.fullmatch(reading) for message in messages for reading in readings(message))
    ]
    assert not missing, "messages troubleshooting.md does not explain (quote one in a ```text block):\n" + "\n".join(
        missing
    )


def test_every_guide_page_is_reached_from_the_guide_in_the_nav() -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:") : config.index("\nnot_in_nav:")]
    assert "Guide: guide/index.md" in nav
    index = (REPO / "docs" / "guide" / "index.md").read_text(encoding="utf-8")
    missing = [page.name for page in guide_pages() if page.name != "index.md" and f"]({page.name})" not in index]
    assert not missing, f"guide pages the guide's index does not link: {missing}"
