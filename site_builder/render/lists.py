"""Lists of papers shared by every generated page: item lists, pagination, page blocks."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from functools import partial

from site_builder.cache import Memo, no_memo
from site_builder.model import EnrichedPaper
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, relative_url, text
from site_builder.render.paths import paper_path
from site_builder.render.write import Page, memo_page
from site_builder.textnorm import visible

PAGE_SIZE = 50


def paper_list(papers: Sequence[EnrichedPaper], here: str) -> str:
    items = []
    for entry in papers:
        title = link(relative_url(here, paper_path(entry.paper.id)), entry.paper.title)
        items.append(f'<li>{title}<span class="paper-list-tags">{_tag_names(tuple(entry.tags))}</span></li>')
    return f'<ul class="paper-list">{"".join(items)}</ul>'


@functools.lru_cache(maxsize=1 << 16)
def _tag_names(names: tuple[str, ...]) -> str:
    # Remembered: a paper's tags are listed on every list page that shows it, the same way.
    return ", ".join(text(name) for name in names)


def clear_caches() -> None:
    """Forget the tag lists remembered (``render_pages`` does once done)."""
    _tag_names.cache_clear()


def paginated(
    papers: Sequence[EnrichedPaper],
    path_of: Callable[[int], str],
    title: str,
    intro: str | Callable[[str], str] = "",
    meta: Mapping[str, object] | None = None,
    memo: Memo = no_memo,
) -> dict[str, Page]:
    """A list split into pages of ``PAGE_SIZE`` with a pager on each.

    ``intro`` is HTML put above the list; when it has links, pass a function of
    the page's path so they are relative to each page. ``meta`` is added to
    every page's front matter (the theme reads it, e.g. a tag's feed).
    """
    chunks = [papers[start : start + PAGE_SIZE] for start in range(0, len(papers), PAGE_SIZE)] or [[]]
    # Every page's pager links them all: made once (a list of 200 pages made them 40,000 times).
    pager_paths = tuple(path_of(n) for n in range(1, len(chunks) + 1)) if len(chunks) > 1 else ()
    pages: dict[str, Page] = {}
    for number, chunk in enumerate(chunks, start=1):
        here = path_of(number)
        first = (number - 1) * PAGE_SIZE + 1
        count = (
            f"{len(papers)} papers" if len(chunks) == 1 else f"papers {first}–{first + len(chunk) - 1} of {len(papers)}"
        )
        top = intro(here) if callable(intro) else intro
        # The page is made of exactly these; a list page an edit does not touch is reused.
        shown = tuple((entry.paper.id, entry.paper.title, entry.tags) for entry in chunk)
        key = ("list page", here, title, top, count, shown, number, pager_paths, dict(meta or {}))
        pages[here] = memo_page(
            memo, key, partial(_list_page, here, title, top, count, chunk, number, pager_paths, meta)
        )
    return pages


def _list_page(
    here: str,
    title: str,
    top: str,
    count: str,
    chunk: Sequence[EnrichedPaper],
    number: int,
    pager_paths: Sequence[str],
    meta: Mapping[str, object] | None,
) -> str:
    parts = [f"<h1>{text(title)}</h1>", top, f'<p class="list-count">{count}</p>', paper_list(chunk, here)]
    if pager_paths:
        parts.append(pager(number, here, pager_paths))
    page_title = title if number == 1 else f"{title} (page {number})"
    front = {"title": visible(page_title), **(meta or {})}
    return page_text(front, block([part for part in parts if part]))


def pager(current: int, here: str, paths: Sequence[str]) -> str:
    """Links to every page of a list (``paths``, first page first); ``current`` is page ``here``."""
    items = []
    for number, path in enumerate(paths, start=1):
        if number == current:
            items.append(f'<li><strong aria-current="page">{number}</strong></li>')
        else:
            items.append(f"<li>{link(relative_url(here, path), str(number))}</li>")
    return f'<nav class="pager" aria-label="Pages"><ul>{"".join(items)}</ul></nav>'


def newest_first(entry: EnrichedPaper) -> tuple[int, str]:
    added = entry.paper.added or dt.date.min
    return (-added.toordinal(), entry.paper.id)


def block(parts: Sequence[str]) -> str:
    """One raw HTML block: no blank line inside, so Markdown leaves it whole."""
    return '<div class="catalog-page">\n' + "\n".join(parts) + "\n</div>"
