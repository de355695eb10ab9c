"""Reader for arXiv API answers: the Atom XML ``export.arxiv.org/api/query`` returns.

Parsed with defusedxml, so a document that declares entities (the "billion
laughs" bomb), refers to external files or carries a DTD is refused with a
message instead of being expanded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import defusedxml
from defusedxml.ElementTree import fromstring

from site_builder.errors import Problem
from site_builder.ingest import IncomingRecord, ReadResult
from site_builder.ingest.latex import decode_latex
from site_builder.ingest.normalize import arxiv_id, clean_doi, squash, year_from
from site_builder.model import Paper

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_ENTRY_START = re.compile(r"<(?:[\w.-]+:)?entry[\s>/]")


def read_arxiv(text: str, path: str) -> ReadResult:
    """Parse an arXiv API answer into records, one per ``<entry>``."""
    try:
        feed = fromstring(text)
    except defusedxml.DefusedXmlException as error:
        return ReadResult((), (Problem(path, 1, None, _refused(error)),))
    except ElementTree.ParseError as error:
        line = error.position[0] if error.position else 1
        return ReadResult((), (Problem(path, line, None, f"this is not well-formed XML: {_parse_reason(error)}"),))
    if feed.tag != f"{ATOM}feed":
        return ReadResult((), (Problem(path, 1, None, "not an arXiv API answer: the document is not an Atom <feed>"),))
    lines = [text.count("\n", 0, match.start()) + 1 for match in _ENTRY_START.finditer(text)]
    records: list[IncomingRecord] = []
    problems: list[Problem] = []
    for number, entry in enumerate(feed.findall(f"{ATOM}entry")):
        line = lines[number] if number < len(lines) else 1
        record = _record(entry, path, line, problems)
        if record is not None:
            records.append(record)
    return ReadResult(tuple(records), tuple(problems))


def _record(entry: ElementTree.Element, path: str, line: int, problems: list[Problem]) -> IncomingRecord | None:
    entry_id = _text(entry, f"{ATOM}id")
    if "arxiv.org/api/errors" in entry_id:
        # arXiv answers a bad query with one entry that explains the error.
        problems.append(Problem(path, line, None, f"arXiv answered with an error: {_text(entry, f'{ATOM}summary')}"))
        return None
    title = decode_latex(_text(entry, f"{ATOM}title"))
    if not title:
        problems.append(Problem(path, line, "title", "entry has no title"))
        return None
    category = entry.find(f"{ARXIV}primary_category")
    paper = Paper(
        id="",
        title=title,
        abstract=decode_latex(_text(entry, f"{ATOM}summary")),
        authors=tuple(
            squash(name.text or "") for name in entry.findall(f"{ATOM}author/{ATOM}name") if (name.text or "").strip()
        ),
        year=year_from(_text(entry, f"{ATOM}published")),
        venue=squash(_text(entry, f"{ARXIV}journal_ref")),
        arxiv=arxiv_id(entry_id),
        category=(category.get("term") or "").strip() if category is not None else "",
        doi=clean_doi(_text(entry, f"{ARXIV}doi")),
        pdf=_pdf_link(entry),
    )
    return IncomingRecord(path, line, paper)


def _text(element: ElementTree.Element, tag: str) -> str:
    found = element.find(tag)
    return squash(found.text or "") if found is not None else ""


def _pdf_link(entry: ElementTree.Element) -> str:
    for link in entry.findall(f"{ATOM}link"):
        href = (link.get("href") or "").strip()
        if link.get("title") == "pdf" and href.startswith(("http://", "https://")):
            return "https://" + href.removeprefix("http://").removeprefix("https://")
    return ""


def _refused(error: Exception) -> str:
    kind = type(error).__name__
    what = {
        "EntitiesForbidden": "declares entities",
        "DTDForbidden": "has a document type declaration (DTD)",
        "ExternalReferenceForbidden": "refers to an external file",
    }.get(kind, "uses an XML feature that is not allowed")
    return f"this XML {what}; refused for safety (an arXiv API answer never needs it)"


def _parse_reason(error: ElementTree.ParseError) -> str:
    return str(error).split(":")[0]
