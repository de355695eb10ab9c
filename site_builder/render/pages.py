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
from site_builder.render.bibtex import bibtex_entry, bibtex_keys
from site_builder.render.browse import author_keys, browse_pages
from site_builder.render.home import home_page
from site_builder.render.html import link, relative_url
from site_builder.render.lists import newest_first, paginated
from site_builder.render.paper_page import paper_page
from site_builder.render.paths import CATALOG_BIB, HOME, index_path, paper_bib_path, paper_path, tag_bib_path
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
    authors = author_keys(papers)
    cite_keys = bibtex_keys([entry.paper for entry in papers])
    # Entries to cite from (the page, the tag and catalog files) leave the abstract out, as Google Scholar's
    # do: repeated in every tag's file it was the largest part of the site. papers/<id>.bib has it all.
    entries = {
        entry.paper.id: bibtex_entry(entry.paper, cite_keys[entry.paper.id], with_abstract=False) for entry in papers
    }
    pages: dict[str, str] = {}
    for entry in track(papers, "render paper pages", summary=False):
        pages[paper_path(entry.paper.id)] = paper_page(entry, titles, authors, entries[entry.paper.id])
        pages[paper_bib_path(entry.paper.id)] = bibtex_entry(entry.paper, cite_keys[entry.paper.id])
    by_title = sorted(papers, key=lambda entry: (title_key(entry.paper.title), entry.paper.id))
    pages.update(paginated(by_title, index_path, "All papers", intro=_catalog_bib_link))
    pages[CATALOG_BIB] = "\n".join(entries[entry.paper.id] for entry in by_title)
    members = papers_by_tag(papers, tags)
    pages.update(tag_pages(tags, members))
    for tag in tags:
        ordered = sorted(members[tag.name], key=newest_first)
        pages[tag_bib_path(tag.name)] = "\n".join(entries[entry.paper.id] for entry in ordered)
    pages.update(browse_pages(papers, points))
    pages[HOME] = home_page(papers, tags, members, points, site.name, site.description)
    return pages


def _catalog_bib_link(here: str) -> str:
    return f'<p class="bibtex-link">{link(relative_url(here, CATALOG_BIB), "BibTeX of every paper")}</p>'
