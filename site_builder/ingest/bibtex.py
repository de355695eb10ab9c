"""Reader for BibTeX files as reference managers export them.

bibtexparser v2 splits the file into blocks (with their line numbers),
resolves ``@string`` macros and splits author lists into name parts, so
``Last, First`` and ``First Last`` both come out as "First Last". Text is
then decoded by the same ``decode_latex`` the other readers use, so a paper's
abstract reads the same whichever source it came from, and re-importing it
from another source is not reported as a conflict.

An entry that cannot be read is a problem with its line; the other entries
are still read (and the import then refuses the whole file, so nothing is
half-imported).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import bibtexparser
from bibtexparser import model
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.middlewares import MergeNameParts, SeparateCoAuthors, SplitNameParts

from site_builder.errors import Problem
from site_builder.ingest import IncomingRecord, ReadResult
from site_builder.ingest.latex import decode_latex
from site_builder.ingest.normalize import arxiv_id, clean_doi, year_from
from site_builder.model import Paper

_NOT_PAPERS = {"comment", "preamble", "string"}
# bibtexparser logs each broken block as a warning; we report it ourselves, with its line.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())


def read_bibtex(text: str, path: str) -> ReadResult:
    """Parse a BibTeX file into records, one per entry."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[SeparateCoAuthors(), SplitNameParts(), MergeNameParts(style="first")],
    )
    records: list[IncomingRecord] = []
    problems: list[Problem] = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, model.Entry):
            # The same citation key twice is the file's business; the merge
            # decides whether the two entries are the same paper.
            block = block.ignore_error_block
        if isinstance(block, model.ParsingFailedBlock):
            problems.append(Problem(path, line, None, _failure_message(block, text)))
        elif isinstance(block, model.Entry) and block.entry_type.lower() not in _NOT_PAPERS:
            record, entry_problems = _record(block, path, line)
            problems.extend(entry_problems)
            if record is not None:
                records.append(record)
    return ReadResult(tuple(records), tuple(problems))


def _record(entry: model.Entry, path: str, line: int) -> tuple[IncomingRecord | None, list[Problem]]:
    fields = {field.key.lower(): field for field in entry.fields}
    problems: list[Problem] = []

    def value(name: str) -> str:
        field = fields.get(name)
        return "" if field is None else str(field.value)

    def report(name: str, message: str) -> None:
        field = fields.get(name)
        at = line if field is None or field.start_line is None else field.start_line + 1
        problems.append(Problem(path, at, name, f"{message} (entry '{entry.key}')"))

    title = decode_latex(value("title"), literal_braces=False)
    if not title:
        report("title", "entry has no title; add one or remove the entry")
    year = None
    if value("year"):
        year = year_from(value("year"))
        if year is None:
            report("year", f"'{value('year')}' is not a year like 2023")
    arxiv = _arxiv_of(value)
    if value("arxiv") and not arxiv:
        report("arxiv", f"'{value('arxiv')}' is not an arXiv id like 2302.06675")
    url = value("url").strip()
    venue = decode_latex(value("journal") or value("booktitle"), literal_braces=False)
    if arxiv and arxiv_id(venue) == arxiv:
        venue = ""  # Google Scholar's "arXiv preprint arXiv:1406.1078" is not a venue
    paper = Paper(
        id="",
        title=title,
        abstract=decode_latex(value("abstract"), literal_braces=False),
        authors=_authors(fields.get("author")),
        year=year,
        venue=venue,
        arxiv=arxiv,
        category=value("primaryclass").strip(),
        doi=clean_doi(value("doi")),
        # An arXiv URL is the arXiv link the page shows anyway.
        url="" if arxiv and arxiv_id(url) == arxiv else url,
        pdf=_pdf_of(value),
    )
    return (None if not title else IncomingRecord(path, line, paper)), problems


def _arxiv_of(value: Callable[[str], str]) -> str:
    """arXiv id from ``arxiv``, ``eprint`` (when the archive is arXiv) or an arXiv URL."""
    if value("arxiv"):
        return arxiv_id(value("arxiv"))
    if value("eprint") and value("archiveprefix").strip().lower() in ("", "arxiv"):
        found = arxiv_id(value("eprint"))
        if found:
            return found
    return arxiv_id(value("url")) or arxiv_id(value("journal"))


def _pdf_of(value: Callable[[str], str]) -> str:
    for name in ("pdf", "file"):
        link = value(name).strip()
        if link.startswith(("https://", "http://")):
            return link
    return ""


def _authors(field: model.Field | None) -> tuple[str, ...]:
    if field is None:
        return ()
    names = field.value if isinstance(field.value, list) else [str(field.value)]
    # "and others" marks a truncated list; it is not a person.
    return tuple(
        decoded
        for name in names
        if (decoded := decode_latex(str(name), literal_braces=False)) and decoded.lower() != "others"
    )


def _failure_message(block: model.ParsingFailedBlock, text: str) -> str:
    error = block.error
    if isinstance(block, model.DuplicateFieldKeyBlock):
        keys = ", ".join(sorted(block.duplicate_keys))
        return f"this entry has the field {keys} twice; keep one"
    if isinstance(error, BlockAbortedException):
        if error.end_index is not None:
            next_line = text.count("\n", 0, error.end_index) + 1
            return (
                f"this entry is not closed: a brace or quote is missing before line {next_line}, "
                "where the next entry starts; fix it and import again"
            )
        return "this entry is not closed before the end of the file: a brace or quote is missing"
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"this entry cannot be read: {reason}"
