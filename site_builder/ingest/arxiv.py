"""Reader for arXiv API answers: the Atom XML ``export.arxiv.org/api/query`` returns.

Parsed with defusedxml, so a document that declares entities (the "billion
laughs" bomb), refers to external files or carries a DTD is refused with a
message instead of being expanded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser

from site_builder.errors import Problem
from site_builder.ingest import IncomingRecord, ReadResult
from site_builder.ingest.latex import decode_latex
from site_builder.ingest.normalize import arxiv_id, clean_doi, squash, year_from
from site_builder.model import Paper

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def read_arxiv(text: str, path: str) -> ReadResult:
    """Parse an arXiv API answer into records, one per ``<entry>``, each with the line its tag starts on."""
    try:
        feed, lines = _parse(text)
    except defusedxml.DefusedXmlException as error:
        return ReadResult((), (Problem(path, 1, None, _refused(error)),))
    except ElementTree.ParseError as error:
        line = error.position[0] if error.position else 1
        return ReadResult((), (Problem(path, line, None, f"this is not well-formed XML: {_parse_reason(error)}"),))
    if feed.tag != f"{ATOM}feed":
        return ReadResult((), (Problem(path, 1, None, "not an arXiv API answer: the document is not an Atom <feed>"),))
    records: list[IncomingRecord] = []
    problems: list[Problem] = []
    for entry in feed.findall(f"{ATOM}entry"):
        record = _record(entry, path, lines.get(entry, 1), problems)
        if record is not None:
            records.append(record)
    return ReadResult(tuple(records), tuple(problems))


class _LineTreeBuilder(ElementTree.TreeBuilder):
    """A tree builder that notes the line each element's start tag is on (expat knows it at that moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[ElementTree.Element, int] = {}

    def start(self, tag: Any, attrs: Any) -> ElementTree.Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber
        return element


def _parse(text: str) -> tuple[ElementTree.Element, dict[ElementTree.Element, int]]:
    """The root element and each element's line.

    Raises:
        defusedxml.DefusedXmlException: the document declares entities, refers
            to an external file or has a DTD.
        ElementTree.ParseError: it is not well-formed.
    """
    builder = _LineTreeBuilder()
    # Entity declarations and external references raise as they are met. A DTD
    # alone is only noted: refusing it at once would hide the more telling
    # "declares entities" of a billion-laughs document behind "has a DTD".
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    doctypes: list[tuple[Any, ...]] = []
    parser.parser.StartDoctypeDeclHandler = lambda *declaration: doctypes.append(declaration)
    parser.feed(text)
    root = parser.close()
    if doctypes:
        raise defusedxml.DTDForbidden(*doctypes[0][:3])
    return root, builder.lines


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
