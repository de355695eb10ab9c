"""Where each generated page lives in docs/ (its built URL is the same path with .html)."""

from __future__ import annotations

HOME = "index.md"
TAGS_INDEX = "tags/index.md"
NEWEST = "browse/newest.md"
YEARS_INDEX = "browse/years.md"
AUTHORS_INDEX = "browse/authors.md"
MAP_PAGE = "browse/map.md"
CATALOG_BIB = "catalog.bib"
FEED = "feed.xml"  # the site-wide Atom feed of the newest papers
SEARCH_PAGE = "search.md"  # hand-written (docs/search.md): full results with filters


def paper_path(paper_id: str) -> str:
    return f"papers/{paper_id}.md"


def tag_path(tag_name: str, page: int = 1) -> str:
    return f"tags/{tag_name}.md" if page == 1 else f"tags/{tag_name}/page-{page}.md"


def paper_bib_path(paper_id: str) -> str:
    return f"papers/{paper_id}.bib"


def tag_bib_path(tag_name: str) -> str:
    return f"tags/{tag_name}.bib"


def tag_feed_path(tag_name: str) -> str:
    """The tag's Atom feed, next to its page and its .bib."""
    return f"tags/{tag_name}.xml"


def index_path(page: int = 1) -> str:
    return "browse/all.md" if page == 1 else f"browse/all-{page}.md"


def newest_path(page: int = 1) -> str:
    return NEWEST if page == 1 else f"browse/newest-{page}.md"


def year_path(year: int, page: int = 1) -> str:
    return f"browse/years/{year}.md" if page == 1 else f"browse/years/{year}-{page}.md"


def authors_index_path(page: int = 1) -> str:
    return AUTHORS_INDEX if page == 1 else f"browse/authors-{page}.md"
