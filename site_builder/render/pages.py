"""Every generated page, as ``{docs-relative path: page text}``.

Paper text goes into raw HTML blocks, escaped by ``render.html``; only our
own structure is markup. Blocks have no blank lines inside, so any Markdown
engine passes them through whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_builder.model import EnrichedPaper, Tag
from site_builder.progress import track
from site_builder.render.browse import author_keys, browse_pages
from site_builder.render.home import home_page
from site_builder.render.lists import paginated
from site_builder.render.paper_page import paper_page
from site_builder.render.paths import HOME, index_path, paper_path
from site_builder.render.tag_pages import papers_by_tag, tag_pages
from site_builder.textnorm import title_key


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What the home page says about the catalog as a whole."""

    name: str
    description: str = ""


def render_pages(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    site: SiteInfo,
    points: Mapping[str, tuple[float, float]],
) -> dict[str, str]:
    """Every generated page of the site: papers, lists, tags, browse pages, home."""
    titles = {entry.paper.id: entry.paper.title for entry in papers}
    keys = author_keys(papers)
    pages: dict[str, str] = {}
    for entry in track(papers, "render paper pages", summary=False):
        pages[paper_path(entry.paper.id)] = paper_page(entry, titles, keys)
    by_title = sorted(papers, key=lambda entry: (title_key(entry.paper.title), entry.paper.id))
    pages.update(paginated(by_title, index_path, "All papers", intro=""))
    members = papers_by_tag(papers, tags)
    pages.update(tag_pages(tags, members))
    pages.update(browse_pages(papers, points))
    pages[HOME] = home_page(papers, tags, members, points, site.name, site.description)
    return pages
