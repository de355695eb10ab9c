"""Atom feeds: the site-wide feed.xml (50 newest papers) and one per tag, as a feed reader sees them.

A fixture catalog of 61 papers (synthetic ones, the hostile corpus and one record full of XML breakers)
is built for real; the feeds are read with xml.etree and feedparser, and the built pages are checked
for the links that announce the feeds.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import feedparser
import pytest
import yaml

from site_builder.textnorm import visible
from tests import browser_support
from tests.browser_support import LOCAL_SCHEMES, Watched, assert_clean
from tests.conftest import make_project, run

chromium = browser_support.chromium
watched = browser_support.watched

HOSTILE = Path(__file__).parent / "data" / "hostile"
ATOM = "{http://www.w3.org/2005/Atom}"
FIXED_DAY = 1740787200  # 2025-03-01, the `added` date the hostile corpus gets on import
BREAKER_TITLE = "Feed breaker <script>alert('feed')</script> ]]> <![CDATA[ & \"quotes\" \x01\x7f \u202eevil\u202c"
BREAKER_ABSTRACT = (
    "Ends a CDATA ]]> early, opens <entry><id>x</id></entry>, rings \x07 and \x0b, hides \u200bzero width."
)
SITE_URL = "https://example.org/catalog/"


def write_records(root: Path) -> None:
    """52 synthetic papers (two added each day, so ties are broken by id) and the breaker (newest of all)."""
    start = dt.date(2024, 12, 1)
    for number in range(52):
        topic = "optimization" if number % 2 == 0 else "federated learning"
        record = {
            "title": f"Study {number:02d} of {topic}",
            "abstract": f"Paper number {number} about {topic}.",
            "authors": [f"Author {number % 5}"],
            "year": 2020 + number % 4,
            "added": start + dt.timedelta(days=number // 2),
        }
        write_record(root, f"study-{number:02d}", record)
    breaker = {"title": BREAKER_TITLE, "abstract": BREAKER_ABSTRACT, "tags": ["optimization"]}
    write_record(root, "feed-breaker", {**breaker, "added": dt.date(2025, 4, 1)})


def write_record(root: Path, paper_id: str, record: dict) -> None:
    text = yaml.safe_dump(record, sort_keys=False, allow_unicode=False)
    (root / "catalog" / "papers" / f"{paper_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("feeds") / "p")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(FIXED_DAY))
        patch.delenv("SITE_URL", raising=False)
        assert (
            run(root, "import", *(str(HOSTILE / name) for name in ("listing.txt", "hostile.bib", "records.jsonl"))) == 0
        )
        write_records(root)
        assert run(root, "build") == 0
    return root


def records(root: Path) -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((root / "catalog" / "papers").glob("*.yaml"))
    }


def page_tags(root: Path, paper_id: str) -> list[str]:
    """The tags a paper's generated page carries (its front matter)."""
    text = (root / "docs" / "papers" / f"{paper_id}.md").read_text(encoding="utf-8")
    front_matter = text.removeprefix("---\n").split("\n---\n", 1)[0]
    return yaml.safe_load(front_matter)["tags"]


def parse(path: Path) -> ET.Element:
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{ATOM}feed", path
    return root


def one(element: ET.Element, name: str) -> ET.Element:
    found = element.findall(f"{ATOM}{name}")
    assert len(found) == 1, f"expected one atom:{name}, found {len(found)}"
    return found[0]


def link(element: ET.Element, rel: str) -> str:
    hrefs = [item.get("href", "") for item in element.findall(f"{ATOM}link") if item.get("rel", "alternate") == rel]
    assert len(hrefs) == 1, f"expected one link rel={rel}, found {hrefs}"
    return hrefs[0]


def resolve(site: Path, feed: str, href: str) -> Path:
    """The file a relative href of the feed at site/<feed> points at."""
    return (site / PurePosixPath(feed).parent / href).resolve()


def entry_id(site: Path, feed: str, entry: ET.Element) -> str:
    """The paper an entry links to: its page must exist in the built site."""
    target = resolve(site, feed, link(entry, "alternate"))
    assert target.is_file(), target
    assert target.parent == (site / "papers").resolve()
    return target.stem


def newest(root: Path, ids: list[str] | None = None, limit: int = 50) -> list[str]:
    """What a feed should list: newest `added` first, ties by id, at most `limit`."""
    catalog = records(root)
    chosen = ids if ids is not None else list(catalog)
    return sorted(chosen, key=lambda paper_id: (-catalog[paper_id]["added"].toordinal(), paper_id))[:limit]


def test_site_feed_is_atom_with_the_50_newest_papers_newest_first(built: Path) -> None:
    site = built / "site"
    feed = parse(site / "feed.xml")
    assert one(feed, "title").text == "Paper Catalog"
    assert one(feed, "id").text.startswith("urn:uuid:")
    assert resolve(site, "feed.xml", link(feed, "self")) == (site / "feed.xml").resolve()
    assert resolve(site, "feed.xml", link(feed, "alternate")) == (site / "index.html").resolve()
    assert one(one(feed, "author"), "name").text == "Paper Catalog"
    # The newest paper's day, never the clock.
    assert one(feed, "updated").text == "2025-04-01T00:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert len(records(built)) == 61 and len(entries) == 50
    assert [entry_id(site, "feed.xml", entry) for entry in entries] == newest(built)
    ids = [one(entry, "id").text for entry in entries]
    assert len(set(ids)) == 50 and all(value.startswith("urn:uuid:") for value in ids)


def test_every_entry_has_its_papers_text_date_and_tags(built: Path) -> None:
    site = built / "site"
    catalog = records(built)
    for entry in parse(site / "feed.xml").findall(f"{ATOM}entry"):
        paper_id = entry_id(site, "feed.xml", entry)
        record = catalog[paper_id]
        assert one(entry, "title").text == visible(record["title"])
        assert one(entry, "updated").text == f"{record['added'].isoformat()}T00:00:00Z"
        summary = one(entry, "summary")
        assert summary.get("type") == "text" and summary.text == visible(record["abstract"])
        names = [one(author, "name").text for author in entry.findall(f"{ATOM}author")]
        assert names == [visible(name) for name in record.get("authors", [])]
        terms = [category.get("term") for category in entry.findall(f"{ATOM}category")]
        assert terms == page_tags(built, paper_id)


def test_hostile_text_comes_out_escaped_and_the_feed_still_parses(built: Path) -> None:
    raw = (built / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert('feed')&lt;/script&gt; ]]&gt; &lt;![CDATA[ &amp;" in raw
    assert "<script" not in raw and "<entry><id>x" not in raw
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u202a-\u202e]", raw)
    entries = parse(built / "site" / "feed.xml").findall(f"{ATOM}entry")
    entry = next(item for item in entries if one(item, "title").text.startswith("Feed breaker"))
    # As written, less the invisible characters: a reader shows the tags and brackets as text.
    assert one(entry, "title").text == "Feed breaker <script>alert('feed')</script> ]]> <![CDATA[ & \"quotes\"  evil"
    assert one(entry, "summary").text == (
        "Ends a CDATA ]]> early, opens <entry><id>x</id></entry>, rings  and , hides zero width."
    )


def test_feedparser_reads_every_feed_without_error(built: Path) -> None:
    feeds = [built / "site" / "feed.xml", *sorted((built / "site" / "tags").glob("*.xml"))]
    assert len(feeds) == 4  # the site feed and one per fixture tag
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10"


def test_each_tag_has_a_feed_of_its_papers(built: Path) -> None:
    site = built / "site"
    for tag in ("optimization", "federated-learning", "language-models"):
        feed_path = f"tags/{tag}.xml"
        feed = parse(site / feed_path)
        assert one(feed, "title").text == f"Paper Catalog: {tag}"
        assert resolve(site, feed_path, link(feed, "self")) == (site / feed_path).resolve()
        assert resolve(site, feed_path, link(feed, "alternate")) == (site / "tags" / f"{tag}.html").resolve()
        tagged = [paper_id for paper_id in records(built) if tag in page_tags(built, paper_id)]
        listed = [entry_id(site, feed_path, entry) for entry in feed.findall(f"{ATOM}entry")]
        assert listed == newest(built, tagged)
    assert len(newest(built, [i for i in records(built) if "optimization" in page_tags(built, i)])) > 20


def test_every_page_announces_the_feeds_in_its_head(built: Path) -> None:
    site = built / "site"
    pages = ["index.html", "about.html", "papers/study-03.html", "tags/optimization.html", "browse/years/2021.html"]
    for name in pages:
        head = (site / name).read_text(encoding="utf-8").split("</head>")[0]
        feeds = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">', head)
        assert feeds, f"{name} has no feed link in its head"
        assert feeds[0][0] == "Paper Catalog: newest papers"
        assert (site / PurePosixPath(name).parent / feeds[0][1]).resolve() == (site / "feed.xml").resolve()
    tag_head = (site / "tags" / "optimization.html").read_text(encoding="utf-8").split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml" title="Newest papers tagged optimization" ' in tag_head
    assert 'href="../tags/optimization.xml">' in tag_head


def test_home_and_tag_pages_link_their_feed_visibly(built: Path) -> None:
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a href="feed.xml" class="feed-link">Newest papers feed</a>' in home
    tag_page = (built / "site" / "tags" / "optimization.html").read_text(encoding="utf-8")
    assert (
        '<p class="bibtex-link"><a href="optimization.bib">BibTeX of these papers</a> · '
        '<a href="optimization.xml" class="feed-link">Atom feed of this tag</a></p>'
    ) in tag_page


def test_same_catalog_same_feed_bytes(built: Path, tmp_path: Path) -> None:
    again = make_project(tmp_path / "again")
    shutil.rmtree(again / "catalog")
    shutil.copytree(built / "catalog", again / "catalog")
    assert run(again, "build", "--no-mkdocs") == 0
    for name in ["feed.xml", *(f"tags/{tag}.xml" for tag in ("optimization", "federated-learning"))]:
        assert (again / "docs" / name).read_bytes() == (built / "site" / name).read_bytes(), name


def test_with_site_url_links_are_absolute_and_ids_unchanged(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "published")
    shutil.rmtree(root / "catalog")
    shutil.copytree(built / "catalog", root / "catalog")
    config = root / "mkdocs.yml"
    kept = [line for line in config.read_text(encoding="utf-8").splitlines() if not line.startswith("site_url:")]
    config.write_text("\n".join([*kept, "site_url: !ENV [SITE_URL, null]", ""]), encoding="utf-8")
    monkeypatch.setenv("SITE_URL", SITE_URL)
    assert run(root, "build", "--no-mkdocs") == 0
    feed = parse(root / "docs" / "tags" / "optimization.xml")
    assert link(feed, "self") == SITE_URL + "tags/optimization.xml"
    assert link(feed, "alternate") == SITE_URL + "tags/optimization.html"
    first = feed.findall(f"{ATOM}entry")[0]
    assert link(first, "alternate") == SITE_URL + "papers/feed-breaker.html"
    local = parse(built / "site" / "tags" / "optimization.xml")
    # Ids name the paper, not where the site lives: setting site_url shows readers no paper twice.
    assert [one(entry, "id").text for entry in feed.iter(f"{ATOM}entry")] == [
        one(entry, "id").text for entry in local.iter(f"{ATOM}entry")
    ]
    assert one(feed, "id").text == one(local, "id").text


def test_a_removed_tag_loses_its_feed(built: Path, tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    shutil.rmtree(root / "catalog")
    shutil.copytree(built / "catalog", root / "catalog")
    assert run(root, "build", "--no-mkdocs") == 0
    assert (root / "docs" / "tags" / "language-models.xml").is_file()
    tags_file = root / "catalog" / "tags.yaml"
    vocabulary = yaml.safe_load(tags_file.read_text(encoding="utf-8"))
    vocabulary["tags"] = [tag for tag in vocabulary["tags"] if tag["name"] != "language-models"]
    tags_file.write_text(yaml.safe_dump(vocabulary, sort_keys=False), encoding="utf-8")
    assert run(root, "build", "--no-mkdocs") == 0
    assert not (root / "docs" / "tags" / "language-models.xml").exists()
    assert (root / "docs" / "feed.xml").is_file()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    """The fixture site over http://127.0.0.1:<free port>/, where a missing file is a real 404."""
    handler = functools.partial(_QuietHandler, directory=str(built / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_feed_links_cost_the_browser_no_request_and_no_error(
    built: Path, served: str, watched: Watched, scheme: str
) -> None:
    """Material looks for a sitemap.xml beside every rel=alternate link; beside a tag feed there is none."""
    root = (built / "site").as_uri() + "/" if scheme == "file" else served
    if scheme == "http":
        watched.allowed = (*LOCAL_SCHEMES, served)
    page = watched.page
    page.goto(root + "tags/optimization.html", wait_until="load")
    page.wait_for_load_state("networkidle")
    feeds = page.evaluate(
        "() => [...document.head.querySelectorAll('link[rel=alternate][type=\"application/atom+xml\"]')]"
        ".map(link => link.href)"
    )
    assert feeds == [root + "feed.xml", root + "tags/optimization.xml"]
    assert [url for url in watched.requests if url.endswith((".xml", ".xml.gz"))] == []
    assert_clean(watched)


def test_a_feed_reads_nothing_of_a_paper_beyond_what_its_cache_key_holds() -> None:
    # The build keeps a feed while the fields _entry_fields names are unchanged: any other field must not show.
    import dataclasses

    from site_builder.model import EnrichedPaper, Mention, Paper, RelatedLink
    from site_builder.render import feeds

    paper = Paper(id="p", title="A Title", abstract="Text.", authors=("Ada",), added=dt.date(2025, 1, 2))
    entry = EnrichedPaper(paper=paper, tags=("optimization",))
    feed = feeds.atom_feed("feed.xml", "Site", "", "index.md", [entry], "Site", "")
    kept = feeds._entry_fields(entry)
    for field in dataclasses.fields(Paper):
        changed_value = (
            ("x",)
            if isinstance(getattr(paper, field.name), tuple)
            else 2001
            if field.name == "year"
            else dt.date(2030, 1, 1)
            if field.name == "added"
            else "x"
        )
        other = EnrichedPaper(paper=dataclasses.replace(paper, **{field.name: changed_value}), tags=entry.tags)
        if feeds._entry_fields(other) == kept:
            assert feeds.atom_feed("feed.xml", "Site", "", "index.md", [other], "Site", "") == feed, field.name
    linked = dataclasses.replace(
        entry, related=(RelatedLink("q", 0.5),), mentions=(Mention(0, 1, "q"),), mentioned_by=("q",)
    )
    assert feeds._entry_fields(linked) == kept
    assert feeds.atom_feed("feed.xml", "Site", "", "index.md", [linked], "Site", "") == feed
