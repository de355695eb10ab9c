"""Browser tests: a reader walks the built seed site in headless Chromium, from disk and over HTTP.

The site is the one `built_seed_site` (conftest.py) builds from the shipped catalog. Chromium is
Debian's /usr/bin/chromium (never a Playwright download); a missing browser fails, it does not skip.
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
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, expect, sync_playwright

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
RELATED_PER_PAPER = 5
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
PAPER_URL = re.compile(r"/papers/([^/?#]+)\.html$")
TAG_URL = re.compile(r"/tags/[^/?#]+\.html$")


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


def walk_tag_to_related(page: Page, home_url: str, project: Path) -> None:
    """Home → first tag in the cloud → its first paper → that paper's first related paper."""
    page.goto(home_url)
    tag = page.locator("ul.tag-cloud a.tag").first
    expect(tag).to_be_visible()
    tag_name = normalized(tag.inner_text())
    tag.click()
    page.wait_for_url(TAG_URL)
    expect(page.locator("h1")).to_contain_text(tag_name)

    papers = page.locator("ul.paper-list a")
    expect(papers.first).to_be_visible()
    listed_title = normalized(papers.first.inner_text())
    papers.first.click()
    first_id = check_paper_page(page, project)
    assert normalized(page.locator("h1.paper-title").inner_text()) == listed_title
    expect(page.locator("ul.paper-tags a.tag", has_text=tag_name)).to_have_count(1)

    related = page.locator("ol.paper-related a")
    expect(related).to_have_count(RELATED_PER_PAPER)
    related_title = normalized(related.first.inner_text())
    related.first.click()
    second_id = check_paper_page(page, project)
    assert second_id != first_id, "the first related paper links back to the paper itself"
    assert normalized(page.locator("h1.paper-title").inner_text()) == related_title
    expect(page.locator("ol.paper-related a")).to_have_count(RELATED_PER_PAPER)


def search(page: Page, term: str, open_with: str) -> None:
    """Open Material's search as a reader would and type `term` key by key."""
    query = page.locator("input.md-search__input")
    if open_with == "click":
        query.click()
    else:
        page.locator("body").press(open_with)
    expect(query).to_be_focused()
    query.press_sequentially(term)


# --- tests -------------------------------------------------------------------


def test_walk_from_disk(built_seed_site: Path, watched: Watched) -> None:
    walk_tag_to_related(watched.page, (built_seed_site / "site" / "index.html").as_uri(), built_seed_site)
    assert_clean(watched)


def test_walk_over_http(built_seed_site: Path, http_site: str, watched: Watched) -> None:
    watched.allowed = (*LOCAL_SCHEMES, http_site)
    walk_tag_to_related(watched.page, http_site + "index.html", built_seed_site)
    assert_clean(watched)


def test_no_request_leaves_the_machine_and_no_console_errors(built_seed_site: Path, watched: Watched) -> None:
    """Home page, search (which loads the index lazily) and a paper page, opened from disk.

    Every test records its requests through page.route (see Watched); this one also checks the
    recording saw the lazily loaded search index, so an empty list cannot pass for a clean one.
    """
    page = watched.page
    page.goto((built_seed_site / "site" / "index.html").as_uri(), wait_until="networkidle")
    assert_clean(watched)

    search(page, "Lion", open_with="click")
    expect(page.locator(".md-search-result__item").first).to_be_visible()
    assert any(url.endswith("/search/search_index.js") for url in watched.requests), watched.requests
    assert_clean(watched)

    page.goto(
        (built_seed_site / "site" / "papers" / "symbolic-discovery-of-optimization-algorithms.html").as_uri(),
        wait_until="networkidle",
    )
    check_paper_page(page, built_seed_site)
    assert_clean(watched)


@pytest.mark.parametrize(
    ("term", "paper_id", "open_with"),
    [
        ("Lion", "symbolic-discovery-of-optimization-algorithms", "click"),
        ("DocLayout", "doclayout-yolo-enhancing-document-layout-analysis-through", "/"),
    ],
    ids=["lion-click-box", "doclayout-slash-key"],
)
def test_search_works_offline_from_disk(
    built_seed_site: Path, watched: Watched, term: str, paper_id: str, open_with: str
) -> None:
    page = watched.page
    page.goto((built_seed_site / "site" / "index.html").as_uri())
    search(page, term, open_with)

    title = normalized(record(built_seed_site, paper_id)["title"])
    hit = page.locator(".md-search-result__item").filter(has_text=title)
    expect(hit.first).to_be_visible()
    hit.first.locator("a").first.click()
    assert check_paper_page(page, built_seed_site) == paper_id
    assert_clean(watched)
