"""The home page: the catalog at a glance, and every browse page within reach."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from site_builder.model import EnrichedPaper, Tag
from site_builder.render.browse import AUTHORS_PER_INDEX_PAGE
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, relative_url, text
from site_builder.render.lists import PAGE_SIZE, block, newest_first, paper_list
from site_builder.render.paths import (
    AUTHORS_INDEX,
    HOME,
    MAP_PAGE,
    NEWEST,
    TAGS_INDEX,
    YEARS_INDEX,
    authors_index_path,
    index_path,
    paper_path,
    tag_path,
    year_path,
)
from site_builder.render.tag_pages import Members, tag_cloud
from site_builder.render.topic_map import legend, tag_colours, topic_map_svg
from site_builder.textnorm import title_key

LATEST_COUNT = 10
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
    authors = {name for entry in papers for name in entry.paper.authors}
    years = sorted({entry.paper.year for entry in papers if entry.paper.year}, reverse=True)
    counts = (
        f'<p class="home-counts"><strong>{len(papers)}</strong> papers · <strong>{len(tags)}</strong> tags · '
        f"<strong>{len(authors)}</strong> authors · <strong>{len(years)}</strong> years</p>"
    )
    parts = [
        f"<h1>{text(site_name)}</h1>",
        f'<p class="home-description">{text(site_description)}</p>' if site_description else "",
        counts,
        "<h2>Browse</h2>",
        _browse_links(here, len(papers), years, len({title_key(name) for name in authors})),
        "<h2>Tags</h2>",
        tag_cloud(tags, members, here),
        "<h2>Latest additions</h2>",
        paper_list(sorted(papers, key=newest_first)[:LATEST_COUNT], here),
        "<h2>Topic map</h2>",
        _map_section(papers, points, here),
    ]
    return page_text({"title": site_name}, block([part for part in parts if part]))


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
