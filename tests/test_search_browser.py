"""The catalog's own search in headless Chromium: the header box on every page and search.html.

docs/assets/catalog-search.js drives both, on the lunr index the build writes to
site/search-index/catalog.js (loaded by a <script> tag when the box is focused or the page is
idle). Every test runs from disk (file://) and over a local HTTP server (`site_root`), most of them
from the home page and from a paper page (whose links are "../"-relative), and ends with
assert_clean: no request left the machine and the page logged no error.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests import browser_support
from tests.browser_support import (
    DROPDOWN,
    INDEX_FILE,
    PAPER_URL,
    SEARCH_INPUT,
    Watched,
    assert_clean,
    check_paper_page,
    linked_ids,
    normalized,
    open_search,
    papers_tagged,
    record,
    search,
)

# The shared fixtures; pytest finds a fixture as a member of the test module.
chromium = browser_support.chromium
watched = browser_support.watched
http_site = browser_support.http_site
site_root = browser_support.site_root

LION = "symbolic-discovery-of-optimization-algorithms"
DOCLAYOUT = "doclayout-yolo-enhancing-document-layout-analysis-through"
LOJASIEWICZ = "from-optimization-dynamics-to-generalization-bounds-via"
HOLDER = "gradient-normalized-smoothness-for-optimization-with"
TYR = "tyr-the-pruner-structural-pruning-llms-via-global-sparsity"
AMPERSAND_TITLE = "think-before-draw-decomposing-emotion-semantics-fine-grained"
AMPERSAND_SNIPPET = "tackling-prevalent-conditions-in-unsupervised-combinatorial"

START_PAGES = {"home": "index.html", "paper": f"papers/{LION}.html"}
start_page = pytest.mark.parametrize("start", list(START_PAGES))

DROPDOWN_SIZE = 8
RESULTS_PAGE_SIZE = 50
RESULTS_PAGE = re.compile(r"/search\.html\?")


def text_of(project: Path, paper_id: str) -> str:
    paper = record(project, paper_id)
    return normalized(f"{paper['title']} {paper['abstract']}").lower()


def result(page: Page, paper_id: str):
    """The dropdown's entry for papers/<paper_id>.html."""
    return page.locator(f"{DROPDOWN} .catalog-result").filter(
        has=page.locator(f'a.catalog-result__link[href$="papers/{paper_id}.html"]')
    )


def go(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(SEARCH_INPUT)).to_be_visible()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# Every element the dropdown may hold, and title/snippet/meta made of text and text-only <mark>s.
_MARKUP_PROBLEMS = """dropdown => {
  const allowed = ["OL", "LI", "A", "SPAN", "MARK", "P"];
  const problems = [];
  for (const el of dropdown.querySelectorAll("*")) {
    if (!allowed.includes(el.tagName)) problems.push("unexpected element: " + el.outerHTML);
  }
  for (const part of dropdown.querySelectorAll(".catalog-result__title, .catalog-result__snippet, .catalog-result__meta")) {
    for (const node of part.childNodes) {
      const textOnlyMark = node.nodeName === "MARK" && node.childNodes.length === 1 && node.firstChild.nodeType === 3;
      if (node.nodeType !== 3 && !textOnlyMark) problems.push("not text: " + part.outerHTML);
    }
  }
  return problems;
}"""


def assert_markup_is_text(page: Page) -> None:
    problems = page.locator(DROPDOWN).evaluate(_MARKUP_PROBLEMS)
    assert not problems, "\n".join(problems)


# --- finding papers ----------------------------------------------------------


@start_page
def test_words_find_their_papers(built_seed_site: Path, watched: Watched, site_root: str, start: str) -> None:
    """Title words, spellings without diacritics, a prefix and one-letter typos."""
    page = watched.page
    go(page, site_root + START_PAGES[start])

    exact = [
        ("DocLayout", DOCLAYOUT, None),
        ("Lion", LION, None),
        ("Lojasiewicz", LOJASIEWICZ, "łojasiewicz"),
        ("holder", HOLDER, "hölder"),
        ("tyr", TYR, "týr"),
    ]
    for term, paper_id, written in exact:
        if written:
            assert written in text_of(built_seed_site, paper_id), f"the seed changed: {paper_id} has no {written!r}"
        links = search(page, term)
        ids = linked_ids(links)
        assert paper_id in ids, f"{term!r} lists {ids}, not {paper_id}"
        title = normalized(record(built_seed_site, paper_id)["title"])
        expect(result(page, paper_id).locator(".catalog-result__title")).to_have_text(title)

    # A prefix: "bilev" finds the bilevel papers (tag bilevel-optimization, "bi-level" in the text).
    bilevel = papers_tagged(built_seed_site, "bilevel-optimization")
    ids = linked_ids(search(page, "bilev"))
    assert ids and ids[0] in bilevel, f"'bilev' lists {ids}"
    strays = [i for i in ids if i not in bilevel and "bi-level" not in text_of(built_seed_site, i)]
    assert not strays, f"'bilev' lists papers that are not about bilevel optimization: {strays}"

    # One-letter typos (a swap, a missing letter) still find the papers with the word.
    for typo, word in [("hessain", "hessian"), ("optimizaton", "optimiz")]:
        ids = linked_ids(search(page, typo))
        assert ids, f"the typo {typo!r} finds nothing"
        missing = [i for i in ids if word not in text_of(built_seed_site, i)]
        assert not missing, f"{typo!r} lists papers without {word!r}: {missing}"
    assert_clean(watched)


@start_page
def test_query_syntax_is_plain_text(watched: Watched, site_root: str, start: str) -> None:
    """lunr's query syntax is not special in the box: no syntax error, thrown or logged."""
    page = watched.page
    go(page, site_root + START_PAGES[start])

    links = search(page, ":^~+-*")
    expect(links).to_have_count(0)
    status = page.locator(f"{DROPDOWN} .catalog-search__status")
    expect(status).to_be_visible()
    expect(status).to_have_text(re.compile(r"^No results"))
    expect(page.locator(f"{DROPDOWN} a.catalog-search__all")).to_have_count(0)
    assert_clean(watched)

    for term in ["title:foo", "zeroth~1", "learning^10", "gradient* descent", "+required -", '"local sgd"']:
        search(page, term)  # waits for the dropdown's answer (results or "No results")
        expect(page.locator(DROPDOWN)).to_be_visible()
        assert_clean(watched)
    expect(page.locator(f"{DROPDOWN} .catalog-result").first).to_be_visible()  # '"local sgd"' does find


# --- keyboard ----------------------------------------------------------------


@start_page
def test_keyboard(built_seed_site: Path, watched: Watched, site_root: str, start: str) -> None:
    """The keys "/" and "s" focus the box; ArrowDown + Enter opens the first result; Escape closes."""
    page = watched.page
    go(page, site_root + START_PAGES[start])
    dropdown = page.locator(DROPDOWN)
    box = page.locator(SEARCH_INPUT)

    links = search(page, "Lion", open_with="/")
    first_href = links.first.get_attribute("href")
    box.press("ArrowDown")
    expect(links.first).to_have_class(re.compile(r"\bcatalog-result--active\b"))
    expect(links.first).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"{DROPDOWN} .catalog-result--active")).to_have_count(1)
    box.press("Enter")
    page.wait_for_url(PAPER_URL)
    assert page.url.endswith(first_href.lstrip("./")), (page.url, first_href)
    assert check_paper_page(page, built_seed_site) == LION
    assert_clean(watched)

    # On the paper page: "s" focuses the box; Escape closes the dropdown and leaves the box.
    search(page, "DocLayout", open_with="s")
    expect(dropdown).to_be_visible()
    box.press("Escape")
    expect(dropdown).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_be_focused()
    # (A type=search box also clears itself on Escape in Chromium: not asserted either way.)
    # "/" again focuses the box, and the dropdown answers what is typed next.
    search(page, "DocLayout", open_with="/")
    expect(dropdown).to_be_visible()
    expect(result(page, DOCLAYOUT)).to_have_count(1)
    # A click elsewhere closes it too.
    page.locator("h1.paper-title").click(position={"x": 5, "y": 5})  # its left end, clear of the dropdown
    expect(dropdown).to_be_hidden()

    # Enter with nothing selected opens the results page for what was typed.
    search(page, "federated", open_with="/")
    box.press("Enter")
    page.wait_for_url(lambda url: query_of(url) == {"q": ["federated"]})
    expect(page.locator("ol.catalog-results .catalog-result").first).to_be_visible()
    assert_clean(watched)


def test_arrow_up_from_the_box_selects_the_last_item(watched: Watched, site_root: str) -> None:
    """ArrowUp with nothing selected wraps to the last item, the link to the results page."""
    page = watched.page
    go(page, site_root + "index.html")
    box = page.locator(SEARCH_INPUT)
    for term in ["DocLayout", "Lion"]:  # one result + the link; two results + the link
        search(page, term)
        items = page.locator(f"{DROPDOWN} a.catalog-result__link, {DROPDOWN} a.catalog-search__all")
        box.press("ArrowUp")
        active = page.locator(f"{DROPDOWN} .catalog-result--active")
        expect(active).to_have_count(1)
        assert active.get_attribute("href") == items.last.get_attribute("href"), (
            f"{term!r}: ArrowUp selected {active.get_attribute('href')}, not the last item {items.last.get_attribute('href')}"
        )
    box.press("Enter")
    page.wait_for_url(RESULTS_PAGE)
    assert query_of(page.url) == {"q": ["Lion"]}, page.url
    # The two papers that say "Lion" (the guide, which shows a record with aliases: [Lion], is a third result).
    expect(page.locator('ol.catalog-results .catalog-result a[href*="/papers/"]')).to_have_count(2)
    assert_clean(watched)


# --- what the dropdown shows -------------------------------------------------


def test_matches_are_marked_and_titles_are_text(built_seed_site: Path, watched: Watched, site_root: str) -> None:
    page = watched.page
    go(page, site_root + "index.html")

    for term, paper_id, marked in [
        ("Lojasiewicz", LOJASIEWICZ, "Łojasiewicz"),
        ("tyr", TYR, "Týr"),
        ("DocLayout", DOCLAYOUT, "DocLayout"),
    ]:
        search(page, term)
        title_marks = result(page, paper_id).locator(".catalog-result__title mark")
        expect(title_marks.first).to_be_visible()
        assert set(title_marks.all_inner_texts()) == {marked}, (term, title_marks.all_inner_texts())
        assert_markup_is_text(page)

    # "&" in a title and in an abstract is shown as written, as text.
    search(page, "emotion semantics")
    title = normalized(record(built_seed_site, AMPERSAND_TITLE)["title"])
    assert "&" in title
    expect(result(page, AMPERSAND_TITLE).locator(".catalog-result__title")).to_have_text(title)
    assert {"Emotion", "Semantics"} <= set(
        result(page, AMPERSAND_TITLE).locator(".catalog-result__title mark").all_inner_texts()
    )
    assert_markup_is_text(page)

    search(page, "Karalias")
    expect(result(page, AMPERSAND_SNIPPET).locator(".catalog-result__snippet")).to_contain_text("Karalias & Loukas")
    assert_markup_is_text(page)
    assert_clean(watched)


def test_a_title_with_markup_is_shown_as_text(built_seed_site: Path, watched: Watched, site_root: str) -> None:
    """An index whose DocLayout title holds HTML: the dropdown shows it as characters, runs nothing."""
    page = watched.page
    hostile = '<img src="x-evil.png" onerror="window.__xss = 1">Doc<b>Layout</b> & <i>YOLO</i> &lt;3'
    original = "DocLayout-YOLO: Enhancing Document Layout Analysis"
    script = (built_seed_site / "site" / INDEX_FILE).read_text(encoding="utf-8")
    assert script.count(original) == 1, "the index no longer holds the DocLayout title once, as written"
    # The index file is JSON in a JS string: escape the quotes twice over.
    served = script.replace(original, hostile.replace('"', '\\\\\\"') + " " + original)

    def serve_index(route: Route) -> None:
        watched.requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body=served)

    page.route(f"**/{INDEX_FILE}", serve_index)
    go(page, site_root + "index.html")
    search(page, "DocLayout")
    title = result(page, DOCLAYOUT).locator(".catalog-result__title")
    full_title = normalized(record(built_seed_site, DOCLAYOUT)["title"])
    expect(title).to_have_text(f"{hostile} {full_title}", use_inner_text=False)
    expect(page.locator(f"{DROPDOWN} img, {DROPDOWN} b, {DROPDOWN} i")).to_have_count(0)
    assert_markup_is_text(page)
    assert page.evaluate("window.__xss") is None
    assert not [url for url in watched.requests if "x-evil" in url], watched.requests
    assert_clean(watched)


# --- the results page --------------------------------------------------------


@start_page
def test_all_results_link_and_results_page(built_seed_site: Path, watched: Watched, site_root: str, start: str) -> None:
    page = watched.page
    go(page, site_root + START_PAGES[start])

    links = search(page, "distributed")
    all_link = page.locator(f"{DROPDOWN} a.catalog-search__all")
    match = re.fullmatch(r"All (\d+) results →", normalized(all_link.inner_text()))
    assert match, all_link.inner_text()
    total = int(match.group(1))
    assert total > DROPDOWN_SIZE, "pick a word with more results than the dropdown shows"
    expect(links).to_have_count(DROPDOWN_SIZE)
    dropdown_ids = linked_ids(links)
    all_link.click()

    page.wait_for_url(RESULTS_PAGE)
    assert page.url == site_root + "search.html?q=distributed", page.url
    form = page.locator("#catalog-search-page form")
    expect(form.locator("input[name=q]")).to_have_value("distributed")
    status = page.locator("#catalog-search-page [data-catalog-search-status]")
    expect(status).to_have_text(f"{total} results")
    listed = page.locator("ol.catalog-results .catalog-result a.catalog-result__link")
    expect(listed).to_have_count(min(total, RESULTS_PAGE_SIZE))
    all_ids = linked_ids(listed)
    assert all_ids[:DROPDOWN_SIZE] == dropdown_ids, "the results page and the dropdown rank differently"
    expect(page.locator("ol.catalog-results mark").first).to_be_visible()

    # A tag checkbox narrows the list to that tag's papers and goes into the URL.
    tagged = papers_tagged(built_seed_site, "federated-learning")
    expected = [paper_id for paper_id in all_ids if paper_id in tagged]
    assert 0 < len(expected) < len(all_ids), "pick a word whose results are partly tagged federated-learning"
    checkboxes = page.locator(".catalog-filters__tags input[type=checkbox]")
    expect(checkboxes.first).to_be_visible()
    assert len(checkboxes.all()) > 1
    page.locator('.catalog-filters__tags input[type=checkbox][value="federated-learning"]').check()
    expect(status).to_have_text(f"{len(expected)} result" + ("" if len(expected) == 1 else "s"))
    assert linked_ids(listed) == expected
    assert query_of(page.url) == {"q": ["distributed"], "tag": ["federated-learning"]}, page.url
    expect(page.locator('.catalog-filters__tags input[value="federated-learning"]')).to_be_checked()
    expect(page.locator(".catalog-filters__tags label", has_text="federated-learning")).to_contain_text(
        f"({len(expected)})"
    )

    # Unchecking puts everything back.
    page.locator('.catalog-filters__tags input[value="federated-learning"]').uncheck()
    expect(status).to_have_text(f"{total} results")
    assert query_of(page.url) == {"q": ["distributed"]}, page.url

    # Years: the seed has none, so only check they work without breaking anything.
    from_year, to_year = form.locator("input[name=from]"), form.locator("input[name=to]")
    expect(from_year).to_have_count(1)
    expect(to_year).to_have_count(1)
    from_year.fill("2000")
    to_year.fill("2030")
    expect(status).to_have_text(re.compile(r"^\d+ results?$"))
    assert query_of(page.url) == {"q": ["distributed"], "from": ["2000"], "to": ["2030"]}, page.url
    from_year.fill("")
    to_year.fill("")
    expect(status).to_have_text(f"{total} results")
    assert query_of(page.url) == {"q": ["distributed"]}, page.url

    # Typing in the page's own box searches again, in place.
    form.locator("input[name=q]").fill("")
    form.locator("input[name=q]").press_sequentially("Lion")
    expect(listed.first).to_have_attribute("href", re.compile(rf"papers/{LION}\.html$"))
    assert query_of(page.url) == {"q": ["Lion"]}, page.url
    assert_clean(watched)


def test_results_page_opened_with_a_tag(built_seed_site: Path, watched: Watched, site_root: str) -> None:
    page = watched.page
    go(page, site_root + "search.html?q=federated&tag=federated-learning")
    expect(page.locator("#catalog-search-page input[name=q]")).to_have_value("federated")
    box = page.locator('.catalog-filters__tags input[type=checkbox][value="federated-learning"]')
    expect(box).to_be_checked()
    expect(page.locator(".catalog-filters__tags input[type=checkbox]:checked")).to_have_count(1)
    listed = page.locator("ol.catalog-results .catalog-result a.catalog-result__link")
    expect(listed.first).to_be_visible()
    ids = linked_ids(listed)
    tagged = papers_tagged(built_seed_site, "federated-learning")
    assert ids and set(ids) <= tagged, [i for i in ids if i not in tagged]
    status = page.locator("#catalog-search-page [data-catalog-search-status]")
    expect(status).to_have_text(f"{len(ids)} result" + ("" if len(ids) == 1 else "s"))
    assert query_of(page.url) == {"q": ["federated"], "tag": ["federated-learning"]}, page.url
    assert_clean(watched)


# --- the index file ----------------------------------------------------------


def test_index_is_loaded_from_the_site_when_idle_or_on_focus(watched: Watched, site_root: str) -> None:
    page = watched.page
    index_url = site_root + INDEX_FILE
    not_in_markup = f'script[src$="{INDEX_FILE}"]'

    # Left alone, the page fetches the index when idle, from the site itself.
    page.goto(site_root + "index.html")
    page.wait_for_function("() => window.__catalogSearch !== undefined")
    assert watched.index_requests() == [index_url], watched.requests

    # Without idle callbacks, it waits for the box: not loaded by the page itself, loaded on focus.
    page.add_init_script("delete window.requestIdleCallback;")
    watched.requests.clear()
    page.goto(site_root + START_PAGES["paper"], wait_until="load")
    assert page.evaluate("'requestIdleCallback' in window") is False
    page.wait_for_timeout(300)
    assert watched.index_requests() == [], "the index was loaded before anyone used the box"
    assert page.evaluate("typeof window.__catalogSearch") == "undefined"
    assert page.locator(not_in_markup).count() == 0
    open_search(page, "click")
    page.wait_for_function("() => window.__catalogSearch !== undefined")
    assert watched.index_requests() == [index_url], watched.requests
    ids = linked_ids(search(page, "Lion"))
    assert LION in ids
    assert watched.index_requests() == [index_url], "the index was loaded twice"
    assert_clean(watched)
