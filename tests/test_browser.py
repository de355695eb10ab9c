"""Browser tests: a reader walks the built seed site in headless Chromium, from disk and over HTTP.

The site is the one `built_seed_site` (conftest.py) builds from the shipped catalog. Chromium is
Debian's /usr/bin/chromium (never a Playwright download); a missing browser fails, it does not skip.
The fixtures and helpers shared with test_search_browser.py live in browser_support.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import browser_support
from tests.browser_support import (
    DROPDOWN,
    LOCAL_SCHEMES,
    TAG_URL,
    Watched,
    assert_clean,
    check_paper_page,
    linked_ids,
    normalized,
    record,
    search,
)

# The shared fixtures; pytest finds a fixture as a member of the test module.
chromium = browser_support.chromium
watched = browser_support.watched
http_site = browser_support.http_site

RELATED_PER_PAPER = 5


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
    site = built_seed_site / "site"
    page.goto((site / "index.html").as_uri(), wait_until="networkidle")
    assert_clean(watched)

    links = search(page, "Lion", open_with="click")
    expect(links.first).to_be_visible()
    assert watched.index_requests() == [(site / "search-index" / "catalog.js").as_uri()], watched.requests
    assert_clean(watched)

    page.goto(
        (site / "papers" / "symbolic-discovery-of-optimization-algorithms.html").as_uri(),
        wait_until="networkidle",
    )
    check_paper_page(page, built_seed_site)
    assert_clean(watched)


@pytest.mark.parametrize(
    ("term", "paper_id", "open_with"),
    [
        ("Lion", "symbolic-discovery-of-optimization-algorithms", "click"),
        ("DocLayout", "doclayout-yolo-enhancing-document-layout-analysis-through", "/"),
        ("Lojasiewicz", "from-optimization-dynamics-to-generalization-bounds-via", "s"),
    ],
    ids=["lion-click-box", "doclayout-slash-key", "lojasiewicz-s-key"],
)
def test_search_works_offline_from_disk(
    built_seed_site: Path, watched: Watched, term: str, paper_id: str, open_with: str
) -> None:
    page = watched.page
    page.goto((built_seed_site / "site" / "index.html").as_uri())
    links = search(page, term, open_with)

    assert paper_id in linked_ids(links), f"{term!r} does not list papers/{paper_id}.html"
    title = normalized(record(built_seed_site, paper_id)["title"])
    hit = page.locator(f"{DROPDOWN} .catalog-result").filter(has=page.locator(f'a[href$="papers/{paper_id}.html"]'))
    expect(hit.locator(".catalog-result__title")).to_have_text(title)
    hit.locator("a.catalog-result__link").click()
    assert check_paper_page(page, built_seed_site) == paper_id
    assert_clean(watched)
