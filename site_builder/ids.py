"""Paper ids: readable ASCII slugs of the title, unique, never reassigned."""

from __future__ import annotations

import re
from collections.abc import Container

from slugify import slugify

MAX_ID_LENGTH = 60
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Names a paper page must not take: site pages, and names Windows refuses
# as file names (a site is also unzipped on Windows laptops).
RESERVED_IDS = frozenset(
    {"index", "search", "404", "tags", "papers", "browse", "authors", "assets", "search-index", "sitemap"}
    | {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(10)}
    | {f"lpt{n}" for n in range(10)}
)


def slug_for_title(title: str) -> str:
    """The id a title would get if no other paper had it yet."""
    slug = slugify(title, max_length=MAX_ID_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        return "paper"
    if slug in RESERVED_IDS:
        return f"paper-{slug}"
    return slug


def unique_id(title: str, taken: Container[str]) -> str:
    """A slug for ``title`` that is not in ``taken`` (``-2``, ``-3``... if needed).

    ``taken`` is anything with a fast ``in`` (a set, a dict of papers by id).
    """
    base = slug_for_title(title)
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        suffix = f"-{counter}"
        candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def id_problem(paper_id: str) -> str | None:
    """Why ``paper_id`` is not a valid id, or None if it is."""
    if not ID_PATTERN.match(paper_id):
        return "ids use lowercase ASCII letters, digits and single '-' between words"
    if len(paper_id) > MAX_ID_LENGTH + 4:
        return f"ids are at most {MAX_ID_LENGTH} characters"
    if paper_id in RESERVED_IDS:
        return f"'{paper_id}' is reserved for a site page; rename the file"
    return None
