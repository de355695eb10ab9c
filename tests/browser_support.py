"""What the browser tests share: Debian's Chromium, a watched page, the site over HTTP, helpers.

The fixtures here are plain module members, not a conftest: a browser test module imports the
ones it uses (`from tests.browser_support import chromium, watched, ...`), so they stay importable
and conftest.py stays as it is. Chromium is Debian's /usr/bin/chromium (never a Playwright
download); a missing browser fails, it does not skip.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Request, Route, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
PAPER_URL = re.compile(r"/papers/([^/?#]+)\.html$")
TAG_URL = re.compile(r"/tags/[^/?#]+\.html$")
INDEX_FILE = "search-index/catalog.js"

# The catalog's search box in the header of every page (site_builder/theme/partials/catalog-search.html).
SEARCH_INPUT = "header input.catalog-search__input"
DROPDOWN = ".catalog-search__dropdown"


def normalized(text: str) -> str:
    return " ".join(text.split())


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium)",
            pytrace=False,
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A fresh page plus what it did: every request URL (via page.route), console errors, exceptions.

    Requests to anything but `allowed` (file:, data:, blob:, about: unless a test adds its own
    server) are recorded and aborted, so nothing a test does ever leaves the machine.
    """

    page: Page
    allowed: tuple[str, ...] = LOCAL_SCHEMES
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: Route, request: Request) -> None:
        self.requests.append(request.url)
        if request.url.startswith(self.allowed):
            route.continue_()
        else:
            route.abort()  # recorded above; assert_clean reports it

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def off_machine(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.allowed)]

    def index_requests(self) -> list[str]:
        return [url for url in self.requests if url.split("?")[0].endswith("/" + INDEX_FILE)]


@pytest.fixture
def watched(chromium: Browser) -> Iterator[Watched]:
    context = chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log = Watched(page)
    page.route("**/*", log.route)
    page.on("console", log.console)
    page.on("pageerror", lambda exc: log.errors.append(f"pageerror: {exc}"))
    try:
        yield log
    finally:
        context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_site(built_seed_site: Path) -> Iterator[str]:
    """The built site served over http://127.0.0.1:<free port>/; stopped at teardown."""
    handler = functools.partial(_QuietHandler, directory=str(built_seed_site / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(params=["file", "http"])
def site_root(request: pytest.FixtureRequest, built_seed_site: Path, watched: Watched) -> str:
    """The built site's root URL, ending in "/": from disk (file://) or from the local HTTP server.

    Over HTTP, that server (and nothing else) is added to what `watched` lets through.
    """
    if request.param == "file":
        return (built_seed_site / "site").as_uri() + "/"
    server = request.getfixturevalue("http_site")
    watched.allowed = (*LOCAL_SCHEMES, server)
    return server


# --- helpers -----------------------------------------------------------------


def assert_clean(watched: Watched) -> None:
    """Nothing left the machine and the page logged no error."""
    off_machine = watched.off_machine()
    assert not off_machine, "requests that leave the machine:\n" + "\n".join(off_machine)
    assert not watched.errors, "errors in the browser:\n" + "\n".join(watched.errors)


def record(project: Path, paper_id: str) -> dict:
    path = project / "catalog" / "papers" / f"{paper_id}.yaml"
    assert path.is_file(), f"the page papers/{paper_id}.html has no record {path}"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_paper_page(page: Page, project: Path) -> str:
    """The page shown is a paper page whose heading and abstract are its record's; returns the id."""
    page.wait_for_url(PAPER_URL)
    match = PAPER_URL.search(page.url)
    assert match, page.url
    paper_id = match.group(1)
    paper = record(project, paper_id)
    title = page.locator("h1.paper-title")
    expect(title).to_have_count(1)
    assert normalized(title.inner_text()) == normalized(paper["title"]), page.url
    abstract = page.locator("p.paper-abstract")
    expect(abstract).to_have_count(1)
    assert normalized(abstract.inner_text()) == normalized(paper["abstract"]), page.url
    return paper_id


def open_search(page: Page, open_with: str = "click") -> Locator:
    """Focus the header's search box as a reader would: a click, or the "/" or "s" key."""
    box = page.locator(SEARCH_INPUT)
    expect(box).to_have_count(1)
    if open_with == "click":
        box.click()
    else:
        page.locator("body").press(open_with)
    expect(box).to_be_focused()
    return box


# True once the dropdown shows the answer to `q` itself (not to what was typed before it): the
# "All N results" link carries the query, and the no-results message quotes it.
_DROPDOWN_ANSWERS = """q => {
  const dropdown = document.querySelector(".catalog-search__dropdown");
  if (!dropdown || dropdown.hidden) return false;
  const all = dropdown.querySelector("a.catalog-search__all");
  if (all) return all.getAttribute("href").endsWith("search.html?q=" + encodeURIComponent(q));
  const status = dropdown.querySelector(".catalog-search__status");
  return !!status && status.textContent.includes("\\u201c" + q.trim() + "\\u201d");
}"""


def search(page: Page, term: str, open_with: str = "click") -> Locator:
    """Focus the box, replace what is in it by `term` typed key by key, wait for its answer.

    Returns the dropdown's result links (`a.catalog-result__link`), best first.
    """
    box = open_search(page, open_with)
    if box.input_value():
        box.fill("")
    box.press_sequentially(term)
    page.wait_for_function(_DROPDOWN_ANSWERS, arg=term)
    return page.locator(f"{DROPDOWN} .catalog-result a.catalog-result__link")


def linked_ids(links: Locator) -> list[str]:
    """Paper ids of result links, in order (other pages, such as about.html, are left out)."""
    ids = []
    for href in links.evaluate_all("links => links.map(link => link.href)"):
        match = PAPER_URL.search(href.split("?")[0])
        if match:
            ids.append(match.group(1))
    return ids


def papers_tagged(project: Path, tag: str) -> set[str]:
    """Ids of the papers listed on the built tag page site/tags/<tag>.html."""
    html = (project / "site" / "tags" / f"{tag}.html").read_text(encoding="utf-8")
    listing = re.search(r'<ul class="paper-list">(.*?)</ul>', html, re.S)
    assert listing, f"tags/{tag}.html has no paper list"
    ids = set(re.findall(r'href="\.\./papers/([^"/]+)\.html"', listing.group(1)))
    assert ids, f"tags/{tag}.html lists no paper"
    return ids
