"""The hostile corpus (tests/data/hostile/): every field tries to run, and every string must show as written.

Attack classes covered (each is in the corpus, in one or more fields):
script tags, attribute breakers, javascript: links (in text, in link fields, in
notes), SVG onload, </textarea> and </script> breakers, Jinja/MkDocs template
syntax, snippet lines (--8<--), HTML comments that look like MkDocs markers,
HTML entities that must stay as typed (&lt;b&gt;), Markdown and attr_list
syntax in paper text, a YAML front-matter breaker, a 5,000-character word, a
10,000-character title, RTL override and zero-width characters, NUL and other
control characters, emoji, and an SQL-injection-shaped author name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Dialog

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.render.bibtex import bibtex_entries, bibtex_keys
from site_builder.textnorm import visible
from tests.browser_support import (  # noqa: F401  (chromium fixture below)
    LAUNCH_ARGS,
    chromium,  # noqa: F401
    normalized,
)
from tests.conftest import broken_links, make_project, run

HOSTILE = Path(__file__).parent / "data" / "hostile"
SOURCES = ("listing.txt", "hostile.bib", "records.jsonl")
# Strings that must appear literally, as text, on the page of the paper that carries them.
LITERALS = (
    "<script>alert('xss-script')</script>",
    "\"><img src=x onerror=alert('xss-img')>",
    "javascript:alert('xss-js')",
    "<svg onload=alert('xss-svg')>",
    "</textarea><script>alert('xss-textarea')</script>",
    "{{ config.site_name }} {% include 'secret.txt' %}",
    "<!-- more --> <!-- md:annotation -->",
    "&lt;b&gt;not bold&lt;/b&gt; &amp;",
    "[click](javascript:alert('xss-md')) *emph* _under_ `tick` {: onclick=\"alert('xss-attr')\" }",
    "'); alert('xss-quote'); //</script>",
    "emoji 😀👨\u200d👩\u200d👧 ok",
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile") / "p")
    assert run(root, "import", *(str(HOSTILE / name) for name in SOURCES)) == 0
    assert run(root, "check") == 0
    assert run(root, "build") == 0
    return root


def records(project: Path) -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((project / "catalog" / "papers").glob("*.yaml"))
    }


def test_ids_from_hostile_titles_are_safe_and_bounded(project: Path) -> None:
    ids = list(records(project))
    assert len(ids) == 8
    for paper_id in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", paper_id) and len(paper_id) <= 60, paper_id
    # Nothing was written outside catalog/, docs/, site/ and the build cache.
    top = sorted(path.name for path in project.iterdir())
    assert top == [".cache", "catalog", "docs", "mkdocs.yml", "site", "site_builder"]
    assert [path.name for path in (project / ".cache").iterdir()] == ["build"]


def test_no_broken_internal_link(project: Path) -> None:
    assert broken_links(project / "site") == []


def test_each_papers_bib_file_is_its_entry_byte_for_byte(project: Path) -> None:
    """papers/<id>.bib travels in the page's front matter (YAML) to the hooks: nothing may change on the way."""
    catalog = load_catalog(CatalogPaths(project))
    keys = bibtex_keys(catalog.papers)
    for paper in catalog.papers:
        full, _ = bibtex_entries(paper, keys[paper.id])
        assert (project / "site" / "papers" / f"{paper.id}.bib").read_bytes() == full.encode("utf-8"), paper.id


def test_no_hostile_string_becomes_markup_in_the_html(project: Path) -> None:
    for page in (project / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("alert('xss", "alert(&#39;xss", "alert(&#x27;xss"):
            for found in re.finditer(re.escape(marker), text):
                # Wherever an attack string appears, it is inside escaped text: the "<" before it is escaped.
                before = text[max(0, found.start() - 200) : found.start()]
                assert "<script>" not in before.split(">")[-1], (page, before[-80:])
        assert not re.search(r"<(script|img|svg)[^>]*\bon\w+=", text, re.I), page
        assert 'href="javascript:' not in text.lower(), page
        assert "<script>alert" not in text, page


@pytest.fixture
def page_watch(chromium: Browser) -> Iterator[tuple]:  # noqa: F811
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/*", lambda route, request: route.continue_() if request.url.startswith("file:") else route.abort())
    try:
        yield page, dialogs, errors
    finally:
        context.close()


def test_every_page_opens_with_no_dialog_and_no_error(project: Path, page_watch: tuple) -> None:
    page, dialogs, errors = page_watch
    site = project / "site"
    # 404.html uses root-relative links for a web server to serve it at any depth; it has no paper text.
    pages = sorted(path for path in site.rglob("*.html") if "assets" not in path.parts and path.name != "404.html")
    assert len(pages) > 20
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
    assert dialogs == []
    assert errors == []


def test_each_hostile_string_shows_as_literal_text(project: Path, page_watch: tuple) -> None:
    page, dialogs, errors = page_watch
    site = project / "site"
    for paper_id, record in records(project).items():
        page.goto((site / "papers" / f"{paper_id}.html").as_uri())
        title = page.locator("h1.paper-title").text_content() or ""
        assert normalized(title) == normalized(visible(record["title"])), paper_id
        abstract = page.locator("p.paper-abstract").text_content() or ""
        assert normalized(abstract) == normalized(visible(record.get("abstract", ""))), paper_id
        # The browser tab shows the title as text too.
        assert normalized(visible(record["title"]))[:40] in normalized(page.title())
    page.goto((site / "papers" / "hostile-script-alert-xss-title-script-quotes-x.html").as_uri())
    shown = page.locator("p.paper-abstract").text_content() or ""
    for literal in LITERALS:
        assert literal in shown, literal
    assert dialogs == [] and errors == []


def test_rtl_override_and_zero_width_do_not_reorder_or_hide_text(project: Path, page_watch: tuple) -> None:
    page, _, _ = page_watch
    page.goto((project / "site" / "papers" / "right-to-left-eulav-gnidih-and-zero-width-title.html").as_uri())
    title = page.locator("h1.paper-title").text_content() or ""
    assert "\u202e" not in title and "\u200b" not in title
    assert "eulav-gnidih" in title and "zerowidth" in title
    abstract = page.locator("p.paper-abstract").text_content() or ""
    assert "\x00" not in abstract and "\x07" not in abstract and "txt.exe" in abstract


def test_notes_keep_formatting_and_lose_scripts(project: Path, page_watch: tuple) -> None:
    page, dialogs, _ = page_watch
    page.goto((project / "site" / "papers" / "links-that-try-to-run-code.html").as_uri())
    notes = page.locator("div.paper-notes")
    assert notes.locator("strong").text_content() == "bold"
    assert notes.locator("a[href='https://example.org']").count() == 1
    hrefs = notes.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(href is None or href.startswith("https://") for href in hrefs), hrefs
    assert notes.locator("script, img").count() == 0
    # The web link with a quote in it stays one escaped attribute.
    web = page.locator("p.paper-links a", has_text="Web")
    assert web.get_attribute("href") == "http://example.org/\"onmouseover=\"alert('xss-href')"
    assert web.get_attribute("onmouseover") is None
    assert dialogs == []


def test_search_shows_hostile_titles_as_text(project: Path, page_watch: tuple) -> None:
    page, dialogs, errors = page_watch
    page.goto((project / "site" / "search.html").as_uri() + "?q=alert")
    page.wait_for_function("document.querySelectorAll('ol.catalog-results > li').length > 0")
    results = page.locator("ol.catalog-results").text_content() or ""
    assert "<script>alert('xss-title')</script>" in results
    assert dialogs == [] and errors == []


def test_paper_text_stays_inert_even_with_snippets_and_attr_list_enabled(tmp_path: Path) -> None:
    """A curator may enable file-reading or attribute extensions for their own pages; paper text never feeds them."""
    root = make_project(tmp_path / "p")
    (root / "secret.txt").write_text("TOP-SECRET-CONTENT\n", encoding="utf-8")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "markdown_extensions:\n",
        "markdown_extensions:\n  - attr_list\n  - pymdownx.snippets:\n      base_path: [.]\n",
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    abstract = 'First line\n--8<-- "secret.txt"\n{: onclick="alert(1)" }\n{{ config.site_name }}'
    notes = 'A note\n--8<-- "secret.txt"\n\n```\n--8<-- "secret.txt"\n```'
    record = {"title": 'Snippet {: .x } --8<-- "secret.txt"', "abstract": abstract, "notes": notes}
    (root / "catalog" / "papers" / "snippets.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")
    assert run(root, "build") == 0
    # In the generated Markdown, paper text never starts a line and never holds a brace a template could read.
    generated = (root / "docs" / "papers" / "snippets.md").read_text(encoding="utf-8")
    body = generated.split("---\n", 2)[2]
    assert not any(line.lstrip().startswith("--8<--") for line in body.splitlines())
    assert "{{" not in body and "{:" not in body
    page = (root / "site" / "papers" / "snippets.html").read_text(encoding="utf-8")
    assert "TOP-SECRET-CONTENT" not in page
    assert 'onclick="alert(1)"' not in page
    shown = re.search(r'<p class="paper-abstract">(.*?)</p>', page, re.S)
    assert shown is not None
    assert html.unescape(shown.group(1)) == abstract
