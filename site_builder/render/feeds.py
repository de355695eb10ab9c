"""Atom feeds (RFC 4287): the newest papers of the whole catalog, and of each tag.

Written with ``xml.etree.ElementTree`` rather than feedgen: ElementTree escapes
every text and attribute value, keeps attributes in the order we add them and
adds nothing of its own, so the same catalog always gives the same bytes.
feedgen would bring lxml in as a dependency and stamps its own version (and the
clock, unless every date is set by hand) into each feed.

Paper text is data here as on the pages: it goes in as element text (escaped
by ElementTree), without the characters XML 1.0 cannot carry at all.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from functools import partial
from urllib.parse import urljoin

from site_builder.cache import Memo, day_key, no_memo
from site_builder.model import EnrichedPaper, Tag
from site_builder.render.html import relative_url
from site_builder.render.lists import newest_first
from site_builder.render.paths import FEED, HOME, paper_path, tag_feed_path, tag_path
from site_builder.render.write import Page, memo_page
from site_builder.textnorm import visible

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
# Ids name a paper or a feed, never a URL: RFC 4287 (4.2.6) wants them never to change, and a URL-based id
# would change when site_url is set or the site moves, so readers would show every paper as new again.
_ID_NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-5c4e-9a10-2f6d8e4b7c31")
# A date for papers with no `added`: fixed (never the clock), and older than any real addition.
_NO_DATE = dt.date(1970, 1, 1)
# Not allowed anywhere in an XML 1.0 document, beyond the controls that textnorm.visible already removes.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def feed_pages(
    papers: Sequence[EnrichedPaper],
    tags: Sequence[Tag],
    members: Mapping[str, Sequence[EnrichedPaper]],
    site_name: str,
    site_description: str,
    site_url: str = "",
    memo: Memo = no_memo,
) -> dict[str, Page]:
    """The site-wide feed (``feed.xml``) and one feed per tag (``tags/<tag>.xml``), as docs-relative files.

    Links are absolute under ``site_url`` when it is an http(s) URL, else relative to each feed file.
    A feed depends only on its newest papers, so ``memo`` may keep it from an earlier build.
    """
    base = _base_url(site_url)
    feeds = [(FEED, site_name, site_description, HOME, papers)] + [
        (tag_feed_path(tag.name), f"{site_name}: {tag.name}", tag.description, tag_path(tag.name), members[tag.name])
        for tag in tags
    ]
    pages: dict[str, Page] = {}
    for path, title, subtitle, alternate, listed in feeds:
        newest = sorted(listed, key=newest_first)[:FEED_SIZE]
        pages[path] = memo_page(
            memo,
            ("feed", path, title, subtitle, alternate, site_name, base, [_entry_fields(entry) for entry in newest]),
            partial(atom_feed, path, title, subtitle, alternate, newest, site_name, base),
        )
    return pages


def atom_feed(
    path: str,
    title: str,
    subtitle: str,
    alternate: str,
    papers: Sequence[EnrichedPaper],
    site_name: str,
    base: str,
) -> str:
    """One Atom document: the ``FEED_SIZE`` newest papers by ``added`` (ties by id), newest first.

    ``path`` is the feed's own docs path: its id comes from it and the site name, and relative links start there.
    """
    newest = sorted(papers, key=newest_first)[:FEED_SIZE]
    feed = ET.Element("feed", {"xmlns": ATOM})
    _child(feed, "id", _urn(f"feed/{visible(site_name)}/{path}"))
    _child(feed, "title", title)
    if subtitle:
        _child(feed, "subtitle", subtitle)
    _child(feed, "updated", _timestamp(newest[0] if newest else None))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": _href(path, path, base)})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": _href(path, alternate, base)})
    # Entries without authors of their own take this one (RFC 4287 4.1.1): the catalog that lists them.
    _child(ET.SubElement(feed, "author"), "name", site_name)
    for entry in newest:
        feed.append(_entry(entry, path, base))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _entry_fields(entry: EnrichedPaper) -> tuple[object, ...]:
    """Everything ``_entry`` reads of a paper (a notes edit leaves the feeds alone): keep the two in step."""
    paper = entry.paper
    return paper.id, paper.title, day_key(paper.added), paper.authors, paper.abstract, entry.tags


def _entry(entry: EnrichedPaper, feed_path: str, base: str) -> ET.Element:
    paper = entry.paper
    element = ET.Element("entry")
    _child(element, "id", _urn(f"paper/{paper.id}"))
    _child(element, "title", paper.title)
    _child(element, "updated", _timestamp(entry))
    for name in paper.authors:
        _child(ET.SubElement(element, "author"), "name", name)
    href = _href(feed_path, paper_path(paper.id), base)
    ET.SubElement(element, "link", {"rel": "alternate", "type": "text/html", "href": href})
    if paper.abstract:
        _child(element, "summary", paper.abstract, {"type": "text"})
    for name in entry.tags:
        ET.SubElement(element, "category", {"term": _xml_text(name)})
    return element


def _child(parent: ET.Element, tag: str, value: str, attributes: Mapping[str, str] | None = None) -> ET.Element:
    """A child element whose text is ``value`` as plain text (escaped on output, illegal characters removed)."""
    element = ET.SubElement(parent, tag, dict(attributes or {}))
    element.text = _xml_text(value)
    return element


def _xml_text(value: str) -> str:
    """``value`` without what would hide or reorder text (as on the pages) or make the XML unreadable."""
    return _NOT_XML.sub("", visible(value))


def _timestamp(entry: EnrichedPaper | None) -> str:
    """RFC 3339 date-time of the day a paper was added (midnight UTC); deterministic, never the clock."""
    added = entry.paper.added if entry and entry.paper.added else _NO_DATE
    return f"{added.isoformat()}T00:00:00Z"


def _urn(name: str) -> str:
    """A stable ``urn:uuid:`` id for ``name``: the same name gives the same id on every build and host."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, name)}"


def _base_url(site_url: str) -> str:
    """``site_url`` ending in "/" when it is an http(s) URL; "" (relative links) otherwise."""
    cleaned = visible(site_url).strip()
    if not cleaned.lower().startswith(("https://", "http://")):
        return ""
    return cleaned if cleaned.endswith("/") else cleaned + "/"


def _href(feed_path: str, target: str, base: str) -> str:
    """The URL of a docs path (``.md`` pages become ``.html``), absolute under ``base`` or relative to the feed."""
    if not base:
        return relative_url(feed_path, target)
    built = target[: -len(".md")] + ".html" if target.endswith(".md") else target
    return urljoin(base, built)
