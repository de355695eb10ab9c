"""The home page as a dashboard: the catalog at a glance, and every browse page within reach.

Counts, papers per year, top tags, the newest additions (with their feed), the
browse links and the topic map, all static HTML and SVG: it reads the same
from disk, on a server, in light or dark mode and on paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from site_builder.model import EnrichedPaper, Tag
from site_builder.render.browse import AUTHORS_PER_INDEX_PAGE
from site_builder.render.folding import title_key
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, relative_url, text
from site_builder.render.lists import PAGE_SIZE, block, newest_first, paper_list
from site_builder.render.paths import (
    AUTHORS_INDEX,
    FEED,
    HOME,
    MAP_PAGE,
    NEWEST,
    SEARCH_PAGE,
    TAGS_INDEX,
    YEARS_INDEX,
    authors_index_path,
    index_path,
    paper_path,
    tag_path,
    year_path,
)
from site_builder.render.tag_pages import Members, top_tags
from site_builder.render.topic_map import legend, tag_colours, topic_map_svg
from site_builder.render.year_chart import papers_per_year, year_chart_svg

LATEST_COUNT = 10
TOP_TAGS = 12
# Above this many papers the map (one link per dot) moves to its own page to keep the home page light.
MAP_ON_HOME_LIMIT = 2000


def home_page(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    members: Members,
    points: Mapping[str, tuple[float, float]],
    site_name: str,
    site_description: str,
) -> str:
    here = HOME
    author_count = len({title_key(name) for entry in papers for name in entry.paper.authors})
    per_year = papers_per_year(papers)
    parts = [
        f"<h1>{text(site_name)}</h1>",
        f'<p class="home-description">{text(site_description)}</p>' if site_description else "",
        _counts(here, len(papers), len(tags), author_count, len(per_year)),
        _search_pointer(here),
        '<div class="home-grid">',
        _card("Papers per year", _year_section(papers, per_year, here), wide=True),
        _card("Top tags", _top_tags_section(tags, members, here)),
        _card("Browse", _browse_links(here, len(papers), sorted(per_year, reverse=True), author_count)),
        _card("Newest additions", _newest_section(papers, here), wide=True),
        "</div>",
        "<h2>Topic map</h2>",
        _map_section(papers, points, here),
    ]
    return page_text({"title": site_name}, block([part for part in parts if part]))


def _counts(here: str, papers: int, tags: int, authors: int, years: int) -> str:
    """The four numbers, each a link to the list it counts."""
    items = [
        (index_path(), papers, "papers"),
        (TAGS_INDEX, tags, "tags"),
        (AUTHORS_INDEX, authors, "authors"),
        (YEARS_INDEX, years, "years"),
    ]
    cells = "".join(
        f'<li><a href="{text(relative_url(here, path))}"><strong>{count}</strong> {label}</a></li>'
        for path, count, label in items
    )
    return f'<ul class="home-stats">{cells}</ul>'


def _search_pointer(here: str) -> str:
    """Points at the one search box, in the header of every page, rather than adding a second one."""
    search_page = link(relative_url(here, SEARCH_PAGE), "search page")
    return (
        '<p class="home-search">Search titles, authors, tags and abstracts with the box at the top of every page '
        f"(press <kbd>/</kbd>), or open the {search_page} to filter results by tag and year.</p>"
    )


def _card(title: str, body: str, *, wide: bool = False) -> str:
    """One dashboard panel; wide ones span the row (the chart and the list need the width)."""
    css_class = "home-card home-card--wide" if wide else "home-card"
    return f'<section class="{css_class}"><h2>{text(title)}</h2>{body}</section>'


def _year_section(papers: Sequence[EnrichedPaper], per_year: Mapping[int, int], here: str) -> str:
    undated = len(papers) - sum(per_year.values())
    if not per_year:
        return f"<p>None of the {len(papers)} papers has a year yet (<code>lookup</code> fills them in from arXiv).</p>"
    chart = year_chart_svg(per_year, lambda year: relative_url(here, year_path(year)), undated)
    note = f'<p class="count">{undated} more with no year.</p>' if undated else ""
    return chart + note


def _top_tags_section(tags: Sequence[Tag], members: Members, here: str) -> str:
    all_tags = link(relative_url(here, TAGS_INDEX), f"All {len(tags)} tags")
    return top_tags(tags, members, here, TOP_TAGS) + f'<p class="home-more">{all_tags}</p>'


def _newest_section(papers: Sequence[EnrichedPaper], here: str) -> str:
    newest = paper_list(sorted(papers, key=newest_first)[:LATEST_COUNT], here)
    more = link(relative_url(here, NEWEST), "All newest additions")
    feed = link(relative_url(here, FEED), "Newest papers feed", "feed-link")
    return newest + f'<p class="home-more">{more} · {feed} <small>(Atom)</small></p>'


def _browse_links(here: str, paper_count: int, years: Sequence[int], author_count: int) -> str:
    """Links to every list page, so each paper and author page is two clicks from home."""
    pages = max(1, -(-paper_count // PAGE_SIZE))
    all_pages = " ".join(link(relative_url(here, index_path(number)), str(number)) for number in range(1, pages + 1))
    author_pages = max(1, -(-author_count // AUTHORS_PER_INDEX_PAGE))
    author_links = " ".join(
        link(relative_url(here, authors_index_path(number)), str(number)) for number in range(1, author_pages + 1)
    )
    year_links = " ".join(link(relative_url(here, year_path(year)), str(year)) for year in years)
    items = [
        f"<li>{link(relative_url(here, index_path()), 'All papers')} by title"
        + (f' <span class="home-pages">(pages {all_pages})</span>' if pages > 1 else "")
        + "</li>",
        f"<li>{link(relative_url(here, NEWEST), 'Newest additions')}</li>",
        f"<li>{link(relative_url(here, YEARS_INDEX), 'By year')}" + (f": {year_links}" if years else "") + "</li>",
        f"<li>{link(relative_url(here, AUTHORS_INDEX), 'By author')}"
        + (f' <span class="home-pages">(pages {author_links})</span>' if author_pages > 1 else "")
        + "</li>",
        f"<li>{link(relative_url(here, TAGS_INDEX), 'By tag')}</li>",
        f"<li>{link(relative_url(here, MAP_PAGE), 'Topic map')}</li>",
    ]
    return f'<ul class="home-browse">{"".join(items)}</ul>'


def _map_section(papers: Sequence[EnrichedPaper], points: Mapping[str, tuple[float, float]], here: str) -> str:
    if len(papers) > MAP_ON_HOME_LIMIT:
        return f"<p>{link(relative_url(here, MAP_PAGE), 'Open the topic map')} ({len(papers)} papers).</p>"
    colours = tag_colours(papers)
    svg = topic_map_svg(papers, points, lambda paper_id: relative_url(here, paper_path(paper_id)), colours)
    return svg + legend(colours, lambda name: relative_url(here, tag_path(name)))
