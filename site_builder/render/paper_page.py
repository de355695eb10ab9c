"""One page per paper: metadata, links, tags, the abstract with its mentions, notes, related papers, backlinks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from site_builder.model import EnrichedPaper, Mention, Paper
from site_builder.render.folding import title_key
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, notes_html, relative_url, safe_url, text
from site_builder.render.lists import block
from site_builder.render.paths import paper_bib_path, paper_path, tag_path, year_path
from site_builder.textnorm import visible


def paper_page(
    entry: EnrichedPaper, titles: Mapping[str, str], author_targets: Mapping[str, str], bibtex: str, bib_file: str = ""
) -> str:
    """The page; ``author_targets`` gives, by folded name, where the authors index lists an author's papers.

    ``bibtex`` is the entry shown to cite from; ``bib_file``, the whole entry
    (abstract included), goes into the front matter as ``bib_file``: the MkDocs
    hooks write it to papers/<id>.bib next to the page, which the page links.
    """
    paper, here = entry.paper, paper_path(entry.paper.id)
    parts = ['<article class="paper">', f'<h1 class="paper-title">{text(paper.title)}</h1>']
    if paper.authors:
        names = ", ".join(_author_html(name, author_targets.get(title_key(name)), here) for name in paper.authors)
        parts.append(f'<p class="paper-authors">{names}</p>')
    meta = []
    if paper.year:
        meta.append(link(relative_url(here, year_path(paper.year)), str(paper.year)))
    meta.extend(text(value) for value in (paper.venue, paper.category) if value)
    if meta:
        parts.append(f'<p class="paper-meta">{" · ".join(meta)}</p>')
    links = paper_links(paper)
    if links:
        parts.append(f'<p class="paper-links">{" ".join(links)}</p>')
    if entry.tags:
        parts.append(tag_list(entry.tags, here))
    parts.append("<h2>Abstract</h2>")
    abstract = abstract_html(paper.abstract, entry.mentions, here) or "<em>No abstract in the catalog.</em>"
    parts.append(f'<p class="paper-abstract">{abstract}</p>')
    if paper.notes:
        parts.append("<h2>Notes</h2>")
        parts.append(f'<div class="paper-notes">{notes_html(paper.notes)}</div>')
    if entry.related:
        parts.append("<h2>Related papers</h2>")
        items = "".join(
            f"<li>{link(relative_url(here, paper_path(related.paper_id)), titles[related.paper_id])}"
            f'<span class="related-reason">{text(related.reason)}</span></li>'
            for related in entry.related
        )
        parts.append(f'<ol class="paper-related">{items}</ol>')
    if entry.mentioned_by:
        parts.append("<h2>Mentioned by</h2>")
        items = "".join(
            f"<li>{link(relative_url(here, paper_path(source)), titles[source])}</li>" for source in entry.mentioned_by
        )
        parts.append(f'<ul class="paper-mentioned-by">{items}</ul>')
    parts.append("<h2>Cite</h2>")
    # One <pre><code> block, escaped; Material adds its copy button to it.
    parts.append(f'<pre class="bibtex"><code>{text(bibtex.rstrip())}</code></pre>')
    parts.append(f'<p class="bibtex-link">{link(relative_url(here, paper_bib_path(paper.id)), "Download .bib")}</p>')
    source = f"Source: {text(paper.source)}" if paper.source else ""
    added = f"added {paper.added.isoformat()}" if paper.added else ""
    record = f"record: <code>catalog/papers/{text(paper.id)}.yaml</code>"
    parts.append(f'<p class="paper-source">{" · ".join(filter(None, [source, added, record]))}</p>')
    parts.append("</article>")
    meta_data = {
        "title": visible(paper.title),
        "tags": list(entry.tags),
        "related": [related.paper_id for related in entry.related],
        "citation": citation_meta(paper),
    }
    if bib_file:
        # Carried in the page rather than written to docs/ as a file of its own: 10,000 files fewer to write
        # there and for MkDocs to copy, and a dirty build writes a page's .bib exactly when it renders the page.
        meta_data["bib_file"] = bib_file
    return page_text(meta_data, block(parts))


def _author_html(name: str, target: str | None, here: str) -> str:
    """An author's name, a link to where the authors index lists their papers when it does."""
    return link(relative_url(here, target), name) if target is not None else text(name)


def citation_meta(paper: Paper) -> dict[str, object]:
    """Google Scholar's citation_* values; the theme writes them as <meta> tags in the page head."""
    pdf = paper.pdf or (f"https://arxiv.org/pdf/{paper.arxiv}" if paper.arxiv else "")
    values: dict[str, object] = {
        "title": visible(paper.title),
        "authors": [visible(name) for name in paper.authors],
        "publication_date": str(paper.year) if paper.year else "",
        "journal_title": visible(paper.venue),
        "pdf_url": pdf if safe_url(pdf) else "",
        "arxiv_id": paper.arxiv,
        "doi": paper.doi,
    }
    return {key: value for key, value in values.items() if value}


def abstract_html(abstract: str, mentions: Sequence[Mention], here: str) -> str:
    """The abstract as escaped text, each mention of another paper a link (the words unchanged)."""
    pieces: list[str] = []
    position = 0
    for mention in mentions:
        pieces.append(text(abstract[position : mention.start]))
        href = relative_url(here, paper_path(mention.paper_id))
        pieces.append(f'<a class="mention" href="{text(href)}">{text(abstract[mention.start : mention.end])}</a>')
        position = mention.end
    pieces.append(text(abstract[position:]))
    return "".join(pieces)


def paper_links(paper: Paper) -> list[str]:
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


def tag_list(tag_names: Sequence[str], here: str) -> str:
    items = "".join(f"<li>{link(relative_url(here, tag_path(name)), name, 'tag')}</li>" for name in tag_names)
    return f'<ul class="paper-tags">{items}</ul>'
