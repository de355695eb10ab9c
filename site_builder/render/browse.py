"""Browse pages: by year, by author, newest additions, and the topic map.

Every list is paginated like the tag pages. Author names are grouped by
their folded form, so "Jörg Müller" and "Jorg Muller" are one author, shown
under the spelling most records use.

Authors have no page each: the authors index lists every author by family
name, and under an author of several papers, those papers; a paper page
links each such author to their place in the index. One page per author was
6,600 of the 17,800 pages at 10,000 papers, more than a third of MkDocs'
time and of the site's bytes, for lists of two or three papers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from slugify import slugify

from site_builder.cache import Memo, no_memo
from site_builder.model import EnrichedPaper
from site_builder.render.folding import title_key
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, relative_url, text
from site_builder.render.lists import block, newest_first, paginated
from site_builder.render.paths import (
    MAP_PAGE,
    YEARS_INDEX,
    authors_index_path,
    newest_path,
    paper_path,
    tag_path,
    year_path,
)
from site_builder.render.topic_map import legend, tag_colours, topic_map_svg
from site_builder.render.write import Page, memo_page

AUTHORS_PER_INDEX_PAGE = 200
MIN_PAPERS_FOR_PAGE = 2


def author_keys(papers: Sequence[EnrichedPaper]) -> dict[str, str]:
    """Folded author name → anchor (a slug, unique), for authors listed with their papers.

    An author's papers are listed when they have ``MIN_PAPERS_FOR_PAGE``
    papers or more; for one paper the index links that paper directly.
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


@dataclass(frozen=True, slots=True)
class AuthorIndex:
    """What the authors index lists: made once for the index and for the paper pages linking to it."""

    keys: dict[str, str]  # folded name → anchor, for authors of several papers (see author_keys)
    shown: dict[str, str]  # folded name → the spelling shown
    members: dict[str, list[EnrichedPaper]]  # folded name → their papers, newest first
    chunks: list[list[str]]  # the folded names on each index page


def author_index(papers: Sequence[EnrichedPaper], memo: Memo = no_memo) -> AuthorIndex:
    """The authors index; ``memo`` may keep its shape while no paper's id, authors, year or title changed."""
    read = [(entry.paper.id, entry.paper.authors, entry.paper.year, entry.paper.title) for entry in papers]
    keys, shown, member_ids, chunks = memo(("author index", read), partial(_author_shape, papers))
    by_id = {entry.paper.id: entry for entry in papers}
    members = {folded: [by_id[paper_id] for paper_id in ids] for folded, ids in member_ids.items()}
    return AuthorIndex(keys, shown, members, chunks)


def _author_shape(
    papers: Sequence[EnrichedPaper],
) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, ...]], list[list[str]]]:
    """``AuthorIndex`` with paper ids for papers: all of it made from what ``author_index`` keys on."""
    shown, members = _authors(papers)
    member_ids = {folded: tuple(entry.paper.id for entry in entries) for folded, entries in members.items()}
    return author_keys(papers), shown, member_ids, _index_chunks(shown)


def browse_lists(
    papers: Sequence[EnrichedPaper], memo: Memo = no_memo, authors: AuthorIndex | None = None
) -> dict[str, Page]:
    """The year, author and newest pages: made from each paper's id, title, authors, year, date added and tags."""
    pages: dict[str, Page] = {}
    pages.update(paginated(sorted(papers, key=newest_first), newest_path, "Newest additions", memo=memo))
    pages.update(_year_pages(papers, memo))
    pages.update(_author_pages(authors or author_index(papers), memo))
    return pages


def map_page_of(papers: Sequence[EnrichedPaper], points: Mapping[str, tuple[float, float]], memo: Memo) -> Page:
    """The map page; it shows each paper's id, title, main tag (its first) and place: kept while none of
    those changed (a paper's other tags are not on the map)."""
    drawn = tuple((entry.paper.id, entry.paper.title, entry.tags[:1], points.get(entry.paper.id)) for entry in papers)
    return memo_page(memo, ("map page", drawn), partial(map_page, papers, points))


def _year_pages(papers: Sequence[EnrichedPaper], memo: Memo) -> dict[str, Page]:
    by_year: dict[int, list[EnrichedPaper]] = defaultdict(list)
    for entry in papers:
        if entry.paper.year:
            by_year[entry.paper.year].append(entry)
    pages: dict[str, Page] = {}
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


def author_targets(authors: AuthorIndex) -> dict[str, str]:
    """Folded author name → where the index lists their papers (``browse/authors-2.md#ada-lovelace``)."""
    keys = authors.keys
    return {
        folded: f"{authors_index_path(number)}#{keys[folded]}"
        for number, chunk in enumerate(authors.chunks, start=1)
        for folded in chunk
        if folded in keys
    }


def _author_pages(authors: AuthorIndex, memo: Memo) -> dict[str, Page]:
    keys, shown, members, chunks = authors.keys, authors.shown, authors.members, authors.chunks
    pages: dict[str, Page] = {}
    for number, chunk in enumerate(chunks or [[]], start=1):
        here = authors_index_path(number)
        rows = tuple(_author_row(folded, shown, keys, members) for folded in chunk)
        pages[here] = memo_page(
            memo,
            ("authors index", here, number, len(chunks), len(shown), rows),
            partial(_authors_index_page, here, number, len(chunks), len(shown), rows),
        )
    return pages


def _authors(papers: Sequence[EnrichedPaper]) -> tuple[dict[str, str], dict[str, list[EnrichedPaper]]]:
    """Each folded author name's spelling to show, and their papers (newest first)."""
    # Plain dicts: a Counter per author (12,000 at 10,000 papers) is several times slower to make.
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    members: dict[str, list[EnrichedPaper]] = defaultdict(list)
    for entry in papers:
        for name in dict.fromkeys(entry.paper.authors):
            folded = title_key(name)
            counts = spellings[folded]
            counts[name] = counts.get(name, 0) + 1
            # Two spellings of one name on one paper list it once (by identity: comparing
            # whole records here cost seconds at 10,000 papers).
            listed = members[folded]
            if not listed or listed[-1] is not entry:
                listed.append(entry)
    shown = {folded: min(counts, key=lambda name: (-counts[name], name)) for folded, counts in spellings.items()}
    for entries in members.values():
        entries.sort(key=lambda entry: (-(entry.paper.year or 0), title_key(entry.paper.title), entry.paper.id))
    return shown, members


def _index_chunks(shown: Mapping[str, str]) -> list[list[str]]:
    """Authors by family name (the last word), as a reader looks one up, ``AUTHORS_PER_INDEX_PAGE`` a page."""
    ordered = sorted(shown, key=lambda folded: (folded.split()[-1] if folded else "", folded))
    return [ordered[start : start + AUTHORS_PER_INDEX_PAGE] for start in range(0, len(ordered), AUTHORS_PER_INDEX_PAGE)]


AuthorRow = tuple[str, str, "str | None", tuple[tuple[str, str], ...]]  # folded, shown, anchor, (paper id, title)


def _author_row(
    folded: str, shown: Mapping[str, str], keys: Mapping[str, str], members: Mapping[str, list[EnrichedPaper]]
) -> AuthorRow:
    """What the index shows of one author (also the memo's key for the page)."""
    papers = tuple((entry.paper.id, entry.paper.title) for entry in members[folded])
    return folded, shown[folded], keys.get(folded), papers


def _authors_index_page(here: str, number: int, total: int, count: int, rows: Sequence[AuthorRow]) -> str:
    items = "".join(_author_item(row, here) for row in rows)
    pager = ""
    if total > 1:
        pager_items = "".join(
            f"<li>{link(relative_url(here, authors_index_path(page)), str(page))}</li>"
            if page != number
            else f'<li><strong aria-current="page">{page}</strong></li>'
            for page in range(1, total + 1)
        )
        pager = f'<nav class="pager" aria-label="Pages"><ul>{pager_items}</ul></nav>'
    body = [
        "<h1>Authors</h1>",
        f"<p>{count} authors.</p>" if count else "<p>No paper has authors in the catalog yet.</p>",
        f'<ul class="author-list">{items}</ul>' if items else "",
        pager,
    ]
    title = "Authors" if number == 1 else f"Authors (page {number})"
    return page_text({"title": title}, block([part for part in body if part]))


def _author_item(row: AuthorRow, here: str) -> str:
    """An author of several papers with their papers listed under the name; of one, that paper after it."""
    _, name, anchor, papers = row
    links = [link(relative_url(here, paper_path(paper_id)), title) for paper_id, title in papers]
    if anchor is None:
        return f'<li>{text(name)} <span class="author-paper">— {links[0]}</span></li>'
    listed = "".join(f"<li>{item}</li>" for item in links)
    return (
        f'<li id="{text(anchor)}"><span class="author-name">{text(name)}</span> '
        f'<span class="count">{len(papers)}</span><ul class="author-papers">{listed}</ul></li>'
    )


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
