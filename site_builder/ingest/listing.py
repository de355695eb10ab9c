"""Reader for a copied listing page (e.g. Hugging Face Papers).

The text is optional page boilerplate ("Get trending papers ...", a
"Subscribe" button glued to the first title) followed by title line /
abstract line pairs. Blank lines and CRLF do not matter. Every line that
does not pair up is reported with its line number; nothing is dropped
silently.
"""

from __future__ import annotations

import re

from site_builder.errors import Problem
from site_builder.ingest import IncomingRecord, ReadResult
from site_builder.ingest.latex import decode_latex
from site_builder.model import Paper
from site_builder.textnorm import title_key

_BOILERPLATE = re.compile(
    r"^(get trending papers\b.*|subscribe|daily papers|trending papers|papers)\s*$", re.IGNORECASE
)
# The "Subscribe" button text glued to the first title: "SubscribeDocLayout-YOLO: ...".
_GLUED_BUTTON = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_END = re.compile(r"[.!?)\]][\"'”’]?$")


def read_listing(text: str, path: str) -> ReadResult:
    """Parse a listing page into records, one per title/abstract pair."""
    lines = _content_lines(text)
    records: list[IncomingRecord] = []
    problems: list[Problem] = []
    notices: list[Problem] = []
    first_seen: dict[str, IncomingRecord] = {}

    index = 0
    while index < len(lines):
        line_number, line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        if _looks_like_abstract(line):
            problems.append(Problem(path, line_number, None, "abstract with no title line before it"))
            index += 1
            continue
        if following is None or not _looks_like_abstract(following[1]):
            problems.append(Problem(path, line_number, None, f"title with no abstract after it: {_shorten(line)!r}"))
            index += 1
            continue
        record = IncomingRecord(
            path, line_number, Paper(id="", title=decode_latex(line), abstract=decode_latex(following[1]))
        )
        key = title_key(record.paper.title)
        earlier = first_seen.get(key)
        if earlier is None:
            first_seen[key] = record
            records.append(record)
        elif earlier.paper.abstract == record.paper.abstract:
            notices.append(
                Problem(path, line_number, "title", f"skipped: same paper as line {earlier.line}; imported once")
            )
        else:
            problems.append(
                Problem(
                    path,
                    line_number,
                    "title",
                    f"same title as line {earlier.line} but a different abstract; keep one of them",
                )
            )
        index += 2
    return ReadResult(tuple(records), tuple(problems), tuple(notices))


def _content_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, page boilerplate removed."""
    numbered = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    start = 0
    while start < len(numbered) and _BOILERPLATE.match(numbered[start][1]):
        start += 1
    content = numbered[start:]
    if content:
        number, first = content[0]
        content[0] = (number, _GLUED_BUTTON.sub("", first))
    return content


def _looks_like_abstract(line: str) -> bool:
    """Abstracts are long or end like a sentence; titles are neither."""
    words = len(line.split())
    return len(line) > 300 or (words >= 12 and bool(_SENTENCE_END.search(line)))


def _shorten(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"
