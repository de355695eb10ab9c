"""Browse pages: by year, by author, newest additions, and the topic map.

Every list is paginated like the tag pages. Author names are grouped by
their folded form, so "Jörg Müller" and "Jorg Muller" are one author, shown
under the spelling most records use.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import partial

from slugify import slugify

from site_builder.cache import Memo, no_memo
from site_builder.model import EnrichedPaper
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, relative_url, text
from site_builder.render.lists import block, newest_first, paginated
from site_builder.render.paths import (
    MAP_PAGE,
    YEARS_INDEX,
    author_path,
    authors_index_path,
    newest_path,
    paper_path,
    tag_path,
    year_path,
)
from site_builder.render.topic_map import legend, tag_colours, topic_map_svg
from site_builder.textnorm import title_key

AUTHORS_PER_INDEX_PAGE = 300
MIN_PAPERS_FOR_PAGE = 2


def author_keys(papers: Sequence[EnrichedPaper]) -> dict[str, str]:
    """Folded author name → page key (a slug, unique), for authors with a page.

    An author gets a page when they have ``MIN_PAPERS_FOR_PAGE`` papers or
    more; a page for one paper would only repeat that paper's link, and in a
    real catalog most authors appear once (at 10,000 papers such pages would
    be most of the site).
    """
    counts = Counter(title_key(name) for entry in papers for name in dict.fromkeys(entry.paper.authors))
    keys: dict[str, str] = {}
    used: set[str] = set()
    for folded in sorted(name for name, count in counts.items() if count >= MIN_PAPERS_FOR_PAGE):
        base = slugify(folded, max_length=60, word_boundary=True) or "author"
        key, number = base, 2
        while key in used:
            key, number = f"{base}-{number}", number + 1
        used.add(key)
        keys[folded] = key
    return keys


def browse_pages(
    papers: Sequence[EnrichedPaper], points: Mapping[str, tuple[float, float]], memo: Memo = no_memo
) -> dict[str, str]:
    """Year, author, newest and map pages (``memo`` may reuse list pages; see ``paginated``)."""
    pages: dict[str, str] = {}
    pages.update(paginated(sorted(papers, key=newest_first), newest_path, "Newest additions", memo=memo))
    pages.update(_year_pages(papers, memo))
    pages.update(_author_pages(papers, memo))
    pages[MAP_PAGE] = map_page(papers, points)
    return pages


def _year_pages(papers: Sequence[EnrichedPaper], memo: Memo) -> dict[str, str]:
    by_year: dict[int, list[EnrichedPaper]] = defaultdict(list)
    for entry in papers:
        if entry.paper.year:
            by_year[entry.paper.year].append(entry)
    pages: dict[str, str] = {}
    for year, members in by_year.items():
        ordered = sorted(members, key=lambda entry: (title_key(entry.paper.title), entry.paper.id))
        pages.update(paginated(ordered, partial(year_path, year), f"Papers from {year}", memo=memo))
    undated = sum(1 for entry in papers if not entry.paper.year)
    rows = "".join(
        f"<li>{link(relative_url(YEARS_INDEX, year_path(year)), str(year))} "
        f'<span class="count">{len(by_year[year])}</span></li>'
        for year in sorted(by_year, reverse=True)
    )
    note = f"<p>{undated} papers have no year in the catalog.</p>" if undated else ""
    body = [
        "<h1>Papers by year</h1>",
        f'<ul class="year-list">{rows}</ul>' if rows else "<p>No paper has a year yet.</p>",
        note,
    ]
    pages[YEARS_INDEX] = page_text({"title": "Papers by year"}, block([part for part in body if part]))
    return pages


def _author_pages(papers: Sequence[EnrichedPaper], memo: Memo) -> dict[str, str]:
    keys = author_keys(papers)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, list[EnrichedPaper]] = defaultdict(list)
    for entry in papers:
        for name in dict.fromkeys(entry.paper.authors):
            folded = title_key(name)
            spellings[folded][name] += 1
            # Two spellings of one name on one paper list it once (by identity: comparing
            # whole records here cost seconds at 10,000 papers).
            if not members[folded] or members[folded][-1] is not entry:
                members[folded].append(entry)
    shown = {folded: min(counts, key=lambda name: (-counts[name], name)) for folded, counts in spellings.items()}
    pages: dict[str, str] = {}
    for folded, entries in members.items():
        if folded not in keys:
            continue
        ordered = sorted(entries, key=lambda entry: (-(entry.paper.year or 0), title_key(entry.paper.title)))
        pages.update(paginated(ordered, partial(author_path, keys[folded]), shown[folded], memo=memo))
    pages.update(_authors_index(shown, keys, members))
    return pages


def _authors_index(
    shown: Mapping[str, str], keys: Mapping[str, str], members: Mapping[str, list[EnrichedPaper]]
) -> dict[str, str]:
    # Sorted by family name (the last word), as a reader looks an author up.
    ordered = sorted(shown, key=lambda folded: (folded.split()[-1] if folded else "", folded))
    chunks = [
        ordered[start : start + AUTHORS_PER_INDEX_PAGE] for start in range(0, len(ordered), AUTHORS_PER_INDEX_PAGE)
    ]
    pages: dict[str, str] = {}
    for number, chunk in enumerate(chunks or [[]], start=1):
        here = authors_index_path(number)
        items = "".join(_author_item(folded, shown, keys, members, here) for folded in chunk)
        pager = ""
        if len(chunks) > 1:
            pager_items = "".join(
                f"<li>{link(relative_url(here, authors_index_path(page)), str(page))}</li>"
                if page != number
                else f'<li><strong aria-current="page">{page}</strong></li>'
                for page in range(1, len(chunks) + 1)
            )
            pager = f'<nav class="pager" aria-label="Pages"><ul>{pager_items}</ul></nav>'
        body = [
            "<h1>Authors</h1>",
            f"<p>{len(ordered)} authors.</p>" if ordered else "<p>No paper has authors in the catalog yet.</p>",
            f'<ul class="author-list">{items}</ul>' if items else "",
            pager,
        ]
        title = "Authors" if number == 1 else f"Authors (page {number})"
        pages[here] = page_text({"title": title}, block([part for part in body if part]))
    return pages


def _author_item(
    folded: str,
    shown: Mapping[str, str],
    keys: Mapping[str, str],
    members: Mapping[str, list[EnrichedPaper]],
    here: str,
) -> str:
    """An author with a page links to it; an author of one paper links straight to that paper."""
    if folded in keys:
        return (
            f"<li>{link(relative_url(here, author_path(keys[folded])), shown[folded])} "
            f'<span class="count">{len(members[folded])}</span></li>'
        )
    (entry,) = members[folded]
    paper = link(relative_url(here, paper_path(entry.paper.id)), entry.paper.title)
    return f'<li>{text(shown[folded])} <span class="author-paper">— {paper}</span></li>'


def map_page(papers: Sequence[EnrichedPaper], points: Mapping[str, tuple[float, float]]) -> str:
    here = MAP_PAGE
    colours = tag_colours(papers)
    svg = topic_map_svg(papers, points, lambda paper_id: relative_url(here, paper_path(paper_id)), colours)
    key = legend(colours, lambda name: relative_url(here, tag_path(name)))
    body = [
        "<h1>Topic map</h1>",
        "<p>Each dot is a paper, placed so that papers about similar things are close. "
        "The colour is the paper's main tag; hover for the title, click to open it.</p>",
        svg,
        key,
    ]
    return page_text({"title": "Topic map"}, block(body))
