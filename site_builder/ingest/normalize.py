"""Field clean-up every reader shares: arXiv ids, DOIs, names, whitespace, years."""

from __future__ import annotations

import re

# New-style ids (2302.06675) and old-style ones (hep-th/9901001, math.GT/0309136),
# with an optional version, bare, as "arXiv:..." or inside an arxiv.org URL.
_ARXIV = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*|^)"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")


def arxiv_id(value: str) -> str:
    """The arXiv id without version from an id, ``arXiv:`` form or arxiv.org URL; "" if none."""
    found = _ARXIV.search(value.strip())
    if not found:
        return ""
    paper_id = found.group("id")
    # Old-style archive names are lower case; the subject class (GT) keeps its case.
    archive, slash, number = paper_id.partition("/")
    if slash:
        name, dot, subject = archive.partition(".")
        return f"{name.lower()}{dot}{subject.upper()}/{number}"
    return paper_id


def clean_doi(value: str) -> str:
    """A DOI without the ``https://doi.org/`` or ``doi:`` prefix."""
    return _DOI_PREFIX.sub("", value.strip())


def squash(value: str) -> str:
    """Whitespace runs (line breaks included) as one space, ends trimmed."""
    return _SPACE.sub(" ", value).strip()


def year_from(value: str) -> int | None:
    """The first plausible year in ``value`` (``2023``, ``2023-05-01``), or None."""
    found = _YEAR.search(value)
    return int(found.group(1)) if found else None


def person_name(value: str) -> str:
    """``Last, First`` → ``First Last``; ``Last, Jr., First`` → ``First Last Jr.``."""
    parts = [squash(part) for part in value.split(",")]
    parts = [part for part in parts if part]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3:
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return squash(value)


_AUTHOR_SEPARATOR = re.compile(r"\s*;\s*|\s+and\s+", re.IGNORECASE)


def split_authors(value: str) -> tuple[str, ...]:
    """Names separated by ``;`` or `` and `` (as in BibTeX), each as "First Last"."""
    return tuple(person_name(name) for name in _AUTHOR_SEPARATOR.split(value) if name.strip())
