"""Every generated page, as ``{docs-relative path: page text}``.

Paper text goes into raw HTML blocks, escaped by ``render.html``; only our
own structure is markup. Blocks have no blank lines inside, so any Markdown
engine passes them through whole.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial

from site_builder.cache import Memo, day_key, grouped, made_so_far, mostly_reused, no_memo, step_beside
from site_builder.model import EnrichedPaper, Mention, RelatedLink, Tag
from site_builder.progress import track
from site_builder.render.bibtex import bibtex_entries, bibtex_keys
from site_builder.render.bibtex import clear_caches as clear_bibtex_caches
from site_builder.render.browse import AuthorIndex, author_index, author_targets, browse_lists, map_page_of
from site_builder.render.feeds import feed_pages
from site_builder.render.folding import clear_caches as clear_folding_caches
from site_builder.render.folding import folds as this_renders_folds
from site_builder.render.folding import remember as remember_folds
from site_builder.render.folding import title_key
from site_builder.render.home import home_page
from site_builder.render.html import clear_caches as clear_html_caches
from site_builder.render.html import link, relative_url
from site_builder.render.lists import clear_caches as clear_list_caches
from site_builder.render.lists import newest_first, paginated
from site_builder.render.paper_page import paper_page
from site_builder.render.paths import CATALOG_BIB, HOME, MAP_PAGE, index_path, paper_path, tag_bib_path
from site_builder.render.tag_pages import papers_by_tag, tag_pages
from site_builder.render.write import KeptPage, Page, kept_pages, text_digest


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What the home page and the feeds say about the catalog as a whole."""

    name: str
    description: str = ""
    site_url: str = ""  # mkdocs.yml's site_url: feeds link absolutely under it; "" keeps their links relative


def render_pages(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    site: SiteInfo,
    points: Mapping[str, tuple[float, float]],
    memo: Memo = no_memo,
    fingerprints: Mapping[str, bytes] | None = None,
    folds: dict[str, str] | None = None,
) -> dict[str, Page]:
    """Every generated page of the site: papers, lists, tags, browse pages, feeds, home.

    ``memo`` may return a paper's page and BibTeX from an earlier build (see
    ``paper_files``: the page then is a ``KeptPage``) and list pages (``paginated``) from an earlier build.
    ``fingerprints`` (``Catalog.fingerprints``) stand for the papers in its keys.
    ``folds``: titles and names folded by the last build (folding.py), given
    back filled with this render's, for the next build.
    """
    try:
        if folds:
            remember_folds(folds)
        return _all_pages(papers, tags, site, points, memo, fingerprints or {})
    finally:
        if folds is not None:
            folds.clear()
            folds.update(this_renders_folds())
        # The per-string caches pay off within one render; kept, they would hold some 80 MB
        # at 10,000 papers through the rest of the build.
        for clear_caches in (clear_html_caches, clear_folding_caches, clear_list_caches, clear_bibtex_caches):
            clear_caches()


def _all_pages(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    site: SiteInfo,
    points: Mapping[str, tuple[float, float]],
    memo: Memo,
    fingerprints: Mapping[str, bytes],
) -> dict[str, Page]:
    titles = {entry.paper.id: entry.paper.title for entry in papers}
    author_list = author_index(papers, memo)
    authors = author_targets(author_list)
    # Keys depend on each paper's first author, year, title and date added (bibtex_keys): kept while those are.
    cite_inputs = [
        (e.paper.id, e.paper.authors[:1], e.paper.year, e.paper.title, day_key(e.paper.added)) for e in papers
    ]
    cite_keys = memo(("citation keys", cite_inputs), lambda: bibtex_keys([entry.paper for entry in papers]))
    pages: dict[str, Page] = {}
    # Entries to cite from (the page, the tag and catalog files) leave the abstract out, as Google Scholar's
    # do: repeated in every tag's file it was the largest part of the site. papers/<id>.bib has it all (the
    # hooks write it from the page's front matter).
    entries: dict[str, str] = {}
    by_title = sorted(papers, key=lambda entry: (title_key(entry.paper.title), entry.paper.id))
    members = papers_by_tag(papers, tags)
    lists = partial(_list_pages, papers, tags, site, points, author_list, by_title, members)
    made = partial(_paper_files_of, titles=titles, authors=authors, cite_keys=cite_keys, fingerprints=fingerprints)
    # The list pages and some paper pages are made in a second process meanwhile (background.py),
    # unless the first pages show that the memo has nearly all of them (a rebuild after an edit):
    # then the fork and sending the pages back would cost more than they save (0.3 s at 10,000 papers).
    made_before = made_so_far(memo)
    probed = made(papers[: min(PROBE_PAPERS, len(papers) // 10)], memo) if len(papers) >= PARALLEL_PAPERS else []
    parallel = bool(probed) and not mostly_reused(memo, made_before, len(probed))
    rest = papers[len(probed) :]
    cut = round(len(papers) * (1 - SHARE_BESIDE)) - len(probed) if parallel else len(rest)
    beside = step_beside(memo, partial(_lists_and_files, lists, made, rest[cut:]), parallel=parallel)
    label = "render paper pages" if not parallel else "render paper pages (most; the rest in parallel)"
    here = probed + made(track(rest[:cut], label, summary=False), memo)
    list_pages, there = beside()
    for entry, files in zip(papers, here + there, strict=True):
        pages[paper_path(entry.paper.id)], entries[entry.paper.id] = files
    pages.update(list_pages)
    pages[CATALOG_BIB] = "\n".join(entries[entry.paper.id] for entry in by_title)
    for tag in tags:
        ordered = sorted(members[tag.name], key=newest_first)
        pages[tag_bib_path(tag.name)] = "\n".join(entries[entry.paper.id] for entry in ordered)
    return pages


# From this many papers, the list pages and a share of the paper pages are rendered in a second
# process (background.py). Each paper page depends only on its own paper and the names it links to;
# the list pages only on the enriched papers. This process renders the rest of the paper pages.
PARALLEL_PAPERS = 2000
SHARE_BESIDE = 0.25
PROBE_PAPERS = 200  # at most (and a tenth of the papers): rendered first, here, to see how many the memo had


def _list_pages(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    site: SiteInfo,
    points: Mapping[str, tuple[float, float]],
    author_list: AuthorIndex,
    by_title: Sequence[EnrichedPaper],
    members: Mapping[str, Sequence[EnrichedPaper]],
    memo: Memo,
) -> dict[str, Page]:
    """The pages that list papers: all papers, tags, browse pages, feeds and home."""
    # These lists show of each paper only what ``listed`` holds (and of the vocabulary, its tags): a
    # build where none of that changed (a notes or abstract edit) finds them all by one key, not
    # the thousand keys of their pages, each of which repeats the papers it lists.
    listed = tuple(
        (e.paper.id, e.paper.title, e.paper.authors, e.paper.year, day_key(e.paper.added), e.tags) for e in papers
    )

    lists = partial(_paper_lists, papers, tags, author_list, by_title, members)
    found = grouped(memo, ("paper lists", listed, tuple(map(_TAG_FIELDS, tags))), lists)
    pages = kept_pages(found, partial(lists, no_memo))
    pages[MAP_PAGE] = map_page_of(papers, points, memo)
    pages.update(feed_pages(papers, tags, members, site.name, site.description, site.site_url, memo))
    pages[HOME] = home_page(papers, tags, members, points, site.name, site.description)
    return pages


def _paper_lists(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    author_list: AuthorIndex,
    by_title: Sequence[EnrichedPaper],
    members: Mapping[str, Sequence[EnrichedPaper]],
    memo: Memo,
) -> dict[str, Page | bytes]:
    """All papers, tags and browse pages (a digest for a page a group found: ``kept_pages``)."""
    pages: dict[str, Page | bytes] = {}
    pages.update(paginated(by_title, index_path, "All papers", intro=_catalog_bib_link, memo=memo))
    pages.update(tag_pages(tags, members, memo))
    pages.update(browse_lists(papers, memo, author_list))
    return pages


def _lists_and_files(
    lists: Callable[[Memo], dict[str, Page]],
    made: Callable[[Sequence[EnrichedPaper], Memo], list[PaperFiles]],
    papers: Sequence[EnrichedPaper],
    memo: Memo,
) -> tuple[dict[str, Page], list[PaperFiles]]:
    return lists(memo), made(papers, memo)


PaperFiles = tuple[Page, str]  # a paper's page (its .bib file in its front matter) and its entry to cite from


def _paper_files_of(
    papers: Iterable[EnrichedPaper],
    memo: Memo,
    *,
    titles: Mapping[str, str],
    authors: Mapping[str, str],
    cite_keys: Mapping[str, str],
    fingerprints: Mapping[str, bytes],
) -> list[PaperFiles]:
    return [
        paper_files(entry, titles, authors, cite_keys[entry.paper.id], memo, fingerprints.get(entry.paper.id))
        for entry in papers
    ]


def paper_files(
    entry: EnrichedPaper,
    titles: Mapping[str, str],
    authors: Mapping[str, str],
    cite_key: str,
    memo: Memo,
    fingerprint: bytes | None = None,
) -> PaperFiles:
    """A paper's page (with its full BibTeX in the front matter) and its BibTeX without the abstract.

    The page is a ``KeptPage`` where the memo has it from an earlier build.

    They depend on the enriched paper, its citation key, and of the whole
    catalog only the titles it links to and where the authors index lists its authors:
    that is the memo's key, so an edit elsewhere leaves this page alone.
    The paper's ``fingerprint``, if given, stands for the paper in the key
    (digesting every field of 10,000 papers took most of a cached render).
    """
    linked = [related.paper_id for related in entry.related] + list(entry.mentioned_by)
    linked_titles = dict(zip(linked, map(titles.__getitem__, linked), strict=True))
    author_links = {key: authors[key] for key in map(title_key, entry.paper.authors) if key in authors}

    made: list[str] = []

    def make() -> tuple[bytes, str]:
        page, citation = _paper_texts(entry, linked_titles, author_links, cite_key)
        made.append(page)
        return text_digest(page), citation  # the memo keeps the page's digest, not its text

    paper = entry.paper if fingerprint is None else fingerprint
    page_digest, citation = memo(
        (
            "paper files",
            paper,
            _enrichment(entry),
            linked_titles,  # in the order of the links and names above: the same for equal inputs
            author_links,
            cite_key,
        ),
        make,
    )
    if made:
        return made[0], citation
    # The last build's page: written then, and left alone by write_pages unless its file changed since.
    return KeptPage(page_digest, partial(_paper_page_text, entry, linked_titles, author_links, cite_key)), citation


def _paper_texts(
    entry: EnrichedPaper, linked_titles: Mapping[str, str], author_links: Mapping[str, str], cite_key: str
) -> tuple[str, str]:
    """A paper's page and its entry to cite from (``paper_files``)."""
    full, citation = bibtex_entries(entry.paper, cite_key)
    return paper_page(entry, linked_titles, author_links, citation, full), citation


def _paper_page_text(
    entry: EnrichedPaper, linked_titles: Mapping[str, str], author_links: Mapping[str, str], cite_key: str
) -> str:
    return _paper_texts(entry, linked_titles, author_links, cite_key)[0]


def _enrichment(entry: EnrichedPaper) -> tuple[object, ...]:
    """Every field of ``entry`` but the paper, its links (what the page shows of them) and mentions as plain
    tuples.

    A dataclass's generated repr runs Python code per object: digesting the
    links of 10,000 pages that way took over half a second of a cached render.
    """
    return (entry.tags, tuple(map(_LINK_FIELDS, entry.related)), tuple(map(_MENTION_FIELDS, entry.mentions)),
            entry.mentioned_by)  # fmt: skip


# A page shows each related paper and the reason, not the score: a tags edit moves the scores of every
# paper with a tag whose rarity changed, and their pages stay as they were unless a list or reason changed.
_SHOWN_LINK_FIELDS = ("paper_id", "shared_tags", "shared_terms", "shared_authors")
_LINK_FIELDS = operator.attrgetter(*_SHOWN_LINK_FIELDS)
# A field RelatedLink gains must be named here, shown or not: this fails at import until it is.
assert sorted(item.name for item in fields(RelatedLink)) == sorted((*_SHOWN_LINK_FIELDS, "score"))
_MENTION_FIELDS = operator.attrgetter(*(item.name for item in fields(Mention)))
_TAG_FIELDS = operator.attrgetter(*(item.name for item in fields(Tag)))
# _enrichment names every field; this fails at import if EnrichedPaper gains one it does not.
assert [item.name for item in fields(EnrichedPaper)] == ["paper", "tags", "related", "mentions", "mentioned_by"]


def _catalog_bib_link(here: str) -> str:
    return f'<p class="bibtex-link">{link(relative_url(here, CATALOG_BIB), "BibTeX of every paper")}</p>'
