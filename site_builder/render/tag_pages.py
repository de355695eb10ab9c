"""Tag pages (description, broader and narrower tags, related tags, papers newest first) and the tags index."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial

from site_builder.cache import Memo, no_memo
from site_builder.model import EnrichedPaper, Tag
from site_builder.render.frontmatter import page_text
from site_builder.render.html import link, relative_url, text
from site_builder.render.lists import block, newest_first, paginated
from site_builder.render.paths import TAGS_INDEX, tag_bib_path, tag_feed_path, tag_path
from site_builder.render.write import Page

RELATED_TAGS = 6

Members = Mapping[str, Sequence[EnrichedPaper]]


def papers_by_tag(papers: Sequence[EnrichedPaper], tags: Sequence[Tag]) -> dict[str, list[EnrichedPaper]]:
    members: dict[str, list[EnrichedPaper]] = {tag.name: [] for tag in tags}
    for entry in papers:
        for name in entry.tags:
            members.setdefault(name, []).append(entry)
    return members


def related_tags(members: Members) -> dict[str, tuple[str, ...]]:
    """For each tag, the tags most often on the same papers (by Jaccard overlap), best first."""
    result: dict[str, tuple[str, ...]] = {}
    for name, entries in members.items():
        together = Counter(other for entry in entries for other in entry.tags if other != name and other in members)
        scored = []
        for other, count in together.items():
            union = len(entries) + len(members[other]) - count
            scored.append((count / union, other))
        scored.sort(key=lambda item: (-item[0], item[1]))
        result[name] = tuple(other for _, other in scored[:RELATED_TAGS])
    return result


def tag_pages(tags: Sequence[Tag], members: Members, memo: Memo = no_memo) -> dict[str, Page]:
    """Every tag's pages (paginated) and the tags index."""
    neighbours = related_tags(members)
    children: dict[str, list[str]] = {tag.name: [] for tag in tags}
    for tag in tags:
        if tag.parent in children:
            children[tag.parent].append(tag.name)
    pages: dict[str, Page] = {}
    for tag in tags:
        intro = partial(_tag_intro, tag, children[tag.name], neighbours.get(tag.name, ()))
        ordered = sorted(members[tag.name], key=newest_first)
        pages.update(
            paginated(ordered, partial(tag_path, tag.name), f"Tag: {tag.name}", intro, tag_feed_meta(tag), memo)
        )
    pages[TAGS_INDEX] = tags_index_page(tags, members)
    return pages


def _tag_intro(tag: Tag, narrower: Sequence[str], related: Sequence[str], here: str) -> str:
    parts = []
    if tag.description:
        parts.append(f'<p class="tag-description">{text(tag.description)}</p>')
    relations = []
    if tag.parent:
        relations.append(f"Part of: {_tag_links([tag.parent], here)}")
    if narrower:
        relations.append(f"Narrower: {_tag_links(narrower, here)}")
    if related:
        relations.append(f"Often together with: {_tag_links(related, here)}")
    if relations:
        parts.append('<p class="tag-relations">' + "<br>".join(relations) + "</p>")
    bib = link(relative_url(here, tag_bib_path(tag.name)), "BibTeX of these papers")
    feed = link(relative_url(here, tag_feed_path(tag.name)), "Atom feed of this tag", "feed-link")
    parts.append(f'<p class="bibtex-link">{bib} · {feed}</p>')
    return "\n".join(parts)


def tag_feed_meta(tag: Tag) -> dict[str, object]:
    """Front matter naming the tag's feed, so the theme links it in each tag page's head for feed readers.

    The path is docs-relative; the theme puts ``base_url`` before it, so it works from any page depth.
    """
    return {"feed": {"path": tag_feed_path(tag.name), "title": f"Newest papers tagged {tag.name}"}}


def _tag_links(names: Sequence[str], here: str) -> str:
    return " ".join(link(relative_url(here, tag_path(name)), name, "tag") for name in names)


def tag_cloud(tags: Sequence[Tag], members: Members, here: str) -> str:
    """Tags in name order, each sized by how many papers carry it (five steps, log scale)."""
    counts = {tag.name: len(members[tag.name]) for tag in tags if members[tag.name]}
    if not counts:
        return ""
    low, high = math.log(min(counts.values())), math.log(max(counts.values()))
    items = []
    for name in sorted(counts):
        size = 1 + round(4 * (math.log(counts[name]) - low) / (high - low)) if high > low else 3
        items.append(
            f'<li class="tag-size-{size}">{link(relative_url(here, tag_path(name)), name, "tag")} '
            f'<span class="count">{counts[name]}</span></li>'
        )
    return f'<ul class="tag-cloud">{"".join(items)}</ul>'


def top_tags(tags: Sequence[Tag], members: Members, here: str, limit: int) -> str:
    """The ``limit`` tags with most papers, most first (ties by name), each with its count."""
    ranked = sorted((tag.name for tag in tags if members[tag.name]), key=lambda name: (-len(members[name]), name))
    items = "".join(
        f'<li>{link(relative_url(here, tag_path(name)), name, "tag")} <span class="count">{len(members[name])}</span>'
        "</li>"
        for name in ranked[:limit]
    )
    return f'<ul class="tag-cloud top-tags">{items}</ul>' if items else "<p>No paper has a tag yet.</p>"


def tags_index_page(tags: Sequence[Tag], members: Members) -> str:
    here = TAGS_INDEX
    rows = []
    for tag in sorted(tags, key=lambda tag: (-len(members[tag.name]), tag.name)):
        parent = f" <small>(in {text(tag.parent)})</small>" if tag.parent else ""
        rows.append(
            f"<tr><td>{link(relative_url(here, tag_path(tag.name)), tag.name, 'tag')}{parent}</td>"
            f"<td>{len(members[tag.name])}</td><td>{text(tag.description)}</td></tr>"
        )
    table = (
        '<table class="tags-table"><thead><tr><th>Tag</th><th>Papers</th><th>Description</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    body = ["<h1>Tags</h1>", f"<p>{len(tags)} tags, sized by how many papers carry them.</p>"]
    body += [tag_cloud(tags, members, here), table]
    return page_text({"title": "Tags"}, block([part for part in body if part]))
