"""Generated pages: one per paper, per tag, the paper index and the home page.

Each function returns ``{docs-relative path: page text}``. Paper text goes
into raw HTML blocks, escaped by ``render.html``; only our own structure is
markup. Blocks have no blank lines inside, so any Markdown engine passes them
through whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from site_builder.model import EnrichedPaper, Paper, Tag
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, notes_html, relative_url, safe_url, text
from site_builder.render.lists import block, newest_first, paginated, paper_list, paper_path
from site_builder.textnorm import title_key

LATEST_COUNT = 10


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What the home page says about the catalog as a whole."""

    name: str
    description: str = ""


def tag_path(tag_name: str, page: int = 1) -> str:
    return f"tags/{tag_name}.md" if page == 1 else f"tags/{tag_name}/page-{page}.md"


def index_path(page: int = 1) -> str:
    return "browse/all.md" if page == 1 else f"browse/all-{page}.md"


TAGS_INDEX = "tags/index.md"
HOME = "index.md"


def render_pages(papers: Sequence[EnrichedPaper], tags: Sequence[Tag], site: SiteInfo) -> dict[str, str]:
    """Every generated page of the site."""
    titles = {entry.paper.id: entry.paper.title for entry in papers}
    pages: dict[str, str] = {}
    for entry in papers:
        pages[paper_path(entry.paper.id)] = paper_page(entry, titles)
    by_title = sorted(papers, key=lambda entry: (title_key(entry.paper.title), entry.paper.id))
    pages.update(paginated(by_title, index_path, "All papers", intro=""))
    members = _papers_by_tag(papers, tags)
    for tag in tags:
        intro = f'<p class="tag-description">{text(tag.description)}</p>' if tag.description else ""
        ordered = sorted(members[tag.name], key=newest_first)
        pages.update(paginated(ordered, partial(tag_path, tag.name), f"Tag: {tag.name}", intro))
    pages[TAGS_INDEX] = tags_index_page(tags, members)
    pages[HOME] = home_page(papers, tags, members, site)
    return pages


def paper_page(entry: EnrichedPaper, titles: dict[str, str]) -> str:
    paper, here = entry.paper, paper_path(entry.paper.id)
    parts = ['<article class="paper">', f'<h1 class="paper-title">{text(paper.title)}</h1>']
    meta = [text(value) for value in (", ".join(paper.authors), paper.year or "", paper.venue) if value]
    if meta:
        parts.append(f'<p class="paper-meta">{" · ".join(meta)}</p>')
    links = _paper_links(paper)
    if links:
        parts.append(f'<p class="paper-links">{" ".join(links)}</p>')
    if entry.tags:
        parts.append(_tag_list(entry.tags, here))
    parts.append("<h2>Abstract</h2>")
    parts.append(f'<p class="paper-abstract">{text(paper.abstract) or "<em>No abstract in the catalog.</em>"}</p>')
    if paper.notes:
        parts.append("<h2>Notes</h2>")
        parts.append(f'<div class="paper-notes">{notes_html(paper.notes)}</div>')
    if entry.related:
        parts.append("<h2>Related papers</h2>")
        items = "".join(
            f"<li>{link(relative_url(here, paper_path(related.paper_id)), titles[related.paper_id])}</li>"
            for related in entry.related
        )
        parts.append(f'<ol class="paper-related">{items}</ol>')
    source = f"Source: {text(paper.source)}" if paper.source else ""
    added = f"added {paper.added.isoformat()}" if paper.added else ""
    record = f"record: <code>catalog/papers/{text(paper.id)}.yaml</code>"
    parts.append(f'<p class="paper-source">{" · ".join(filter(None, [source, added, record]))}</p>')
    parts.append("</article>")
    meta_data = {
        "title": paper.title,
        "tags": list(entry.tags),
        "related": [related.paper_id for related in entry.related],
    }
    return page_text(meta_data, block(parts))


def _paper_links(paper: Paper) -> list[str]:
    candidates = [
        ("arXiv", f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else ""),
        ("PDF", paper.pdf or (f"https://arxiv.org/pdf/{paper.arxiv}" if paper.arxiv else "")),
        ("Code", paper.code),
        ("DOI", f"https://doi.org/{paper.doi}" if paper.doi else ""),
        ("Web", paper.url),
    ]
    links = []
    for label, url in candidates:
        href = safe_url(url) if url else None
        if href:
            links.append(f'<a href="{href}" rel="noopener">{label}</a>')
    return links


def _tag_list(tag_names: Sequence[str], here: str) -> str:
    items = "".join(f"<li>{link(relative_url(here, tag_path(name)), name, 'tag')}</li>" for name in tag_names)
    return f'<ul class="paper-tags">{items}</ul>'


def tags_index_page(tags: Sequence[Tag], members: dict[str, list[EnrichedPaper]]) -> str:
    here = TAGS_INDEX
    rows = []
    for tag in sorted(tags, key=lambda tag: (-len(members[tag.name]), tag.name)):
        rows.append(
            f"<tr><td>{link(relative_url(here, tag_path(tag.name)), tag.name, 'tag')}</td>"
            f"<td>{len(members[tag.name])}</td><td>{text(tag.description)}</td></tr>"
        )
    table = (
        '<table class="tags-table"><thead><tr><th>Tag</th><th>Papers</th><th>Description</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return page_text({"title": "Tags"}, block(["<h1>Tags</h1>", f"<p>{len(tags)} tags.</p>", table]))


def home_page(
    papers: Sequence[EnrichedPaper], tags: Sequence[Tag], members: dict[str, list[EnrichedPaper]], site: SiteInfo
) -> str:
    here = HOME
    counts = (
        f'<p class="home-counts"><strong>{len(papers)}</strong> papers · '
        f"<strong>{len(tags)}</strong> tags · "
        f"{link(relative_url(here, index_path()), 'browse all papers')} · "
        f"{link(relative_url(here, TAGS_INDEX), 'all tags')}</p>"
    )
    cloud = "".join(
        f"<li>{link(relative_url(here, tag_path(tag.name)), tag.name, 'tag')} "
        f'<span class="count">{len(members[tag.name])}</span></li>'
        for tag in sorted(tags, key=lambda tag: tag.name)
        if members[tag.name]
    )
    latest = sorted(papers, key=newest_first)[:LATEST_COUNT]
    parts = [
        f"<h1>{text(site.name)}</h1>",
        f'<p class="home-description">{text(site.description)}</p>' if site.description else "",
        counts,
        "<h2>Tags</h2>",
        f'<ul class="tag-cloud">{cloud}</ul>',
        "<h2>Latest additions</h2>",
        paper_list(latest, here),
    ]
    return page_text({"title": site.name}, block([part for part in parts if part]))


def _papers_by_tag(papers: Sequence[EnrichedPaper], tags: Sequence[Tag]) -> dict[str, list[EnrichedPaper]]:
    members: dict[str, list[EnrichedPaper]] = {tag.name: [] for tag in tags}
    for entry in papers:
        for name in entry.tags:
            members.setdefault(name, []).append(entry)
    return members
