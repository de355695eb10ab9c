"""Accessibility: axe-core finds nothing serious on the built site, and the keyboard reaches everything.

The site is the shipped catalog built once (`built_seed_site`, conftest.py), opened from disk. axe-core
is vendored in tests/vendor/axe-core/ (see its README) and injected into the home, a paper, a tag, the
search and a guide page, and into the open search dropdown; a violation of impact "serious" or
"critical" fails, in the light and in the dark palette. The keyboard tests walk the home page with Tab,
search and open a result with the arrows and Enter, and switch the palette with Enter.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Page, expect

from tests import browser_support
from tests.browser_support import DROPDOWN, PAPER_URL, SEARCH_INPUT, Watched, check_paper_page

chromium = browser_support.chromium
watched = browser_support.watched

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
PAPER = "symbolic-discovery-of-optimization-algorithms"  # the Lion paper: related papers, mentions, BibTeX
TAG = "first-order-methods"
Palette = Literal["light", "dark"]
PALETTES: dict[Palette, str] = {"light": "default", "dark": "slate"}
MAX_TABS = 1000

# The page at rest: Material's drawer slides in over 0.25 s; the focus checks look where it ends up.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"

# Where the focus is and how it shows. A palette radio (input.md-option) is drawn by the label after it.
FOCUS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const shown = element.matches("input.md-option") ? element.nextElementSibling : element;
  const style = getComputedStyle(shown);
  const box = shown.getBoundingClientRect();
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    name: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
      (element.getAttribute("href") ? "[href=" + element.getAttribute("href") + "]" : "") +
      (element.className && element.className.baseVal === undefined ? "." + element.className.split(" ")[0] : ""),
    key: element.getAttribute("href") || element.id || element.className.baseVal || element.className,
    seen: element.dataset.tabSeen === "yes",
    indicator: outlined || style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 &&
      box.left < innerWidth && box.top < innerHeight,
  };
}"""

# Every link a reader can see or reach on the page: not hidden, not in a collapsed menu section, tabindex >= 0.
REACHABLE_LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .filter(a => a.getClientRects().length > 0 && getComputedStyle(a).visibility === "visible" && a.tabIndex >= 0)
  .map(a => a.getAttribute("href"))"""


def site_url(project: Path, path: str) -> str:
    page = project / "site" / path.split("?")[0]
    assert page.is_file(), f"the build wrote no {path.split('?')[0]}"
    return page.as_uri() + (path[len(path.split("?")[0]) :])


def open_page(page: Page, url: str, palette: Palette) -> None:
    page.emulate_media(color_scheme=palette)
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", PALETTES[palette])


def serious_violations(page: Page) -> list[str]:
    """Run axe on the page as it is now; one line per serious or critical rule, then its nodes."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more nodes")
    return lines


def assert_no_serious_violations(page: Page, what: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe on {what} ({page.url}):\n" + "\n".join(violations)


# --- axe ---------------------------------------------------------------------

PAGES = {
    "home": "index.html",
    "paper": f"papers/{PAPER}.html",
    "tag": f"tags/{TAG}.html",
    "search": "search.html?q=optimization",
    "guide": "guide/adding-papers.html",  # hand-written: tables, code blocks, links in code
}


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_serious(built_seed_site: Path, watched: Watched, name: str, palette: Palette) -> None:
    page = watched.page
    open_page(page, site_url(built_seed_site, PAGES[name]), palette)
    if name == "search":
        # The results and tag filters are drawn by script: check them once the abstracts are searched too.
        expect(page.locator("[data-catalog-search-status]")).to_have_text(re.compile(r"^\d+ results?$"))
        expect(page.locator("ol.catalog-results .catalog-result").first).to_be_visible()
        expect(page.locator(".catalog-filters__tags input").first).to_be_visible()
    assert_no_serious_violations(page, f"the {name} page, {palette} palette")


@pytest.mark.parametrize("palette", PALETTES)
def test_axe_finds_nothing_serious_in_the_open_search_dropdown(
    built_seed_site: Path, watched: Watched, palette: Palette
) -> None:
    page = watched.page
    open_page(page, site_url(built_seed_site, "index.html"), palette)
    page.locator(SEARCH_INPUT).focus()
    page.keyboard.type("optimization")
    expect(page.locator(f"{DROPDOWN} a.catalog-search__all")).to_have_attribute("href", re.compile(r"q=optimization$"))
    # The results are in before a key selects one (the "all results" link is set as soon as the query is:
    # under load, ArrowDown pressed before the first results came selected nothing).
    expect(page.locator(f"{DROPDOWN} .catalog-result").first).to_be_visible()
    page.keyboard.press("ArrowDown")  # one result selected: its highlighted colours are checked too
    expect(page.locator(f"{DROPDOWN} .catalog-result--active")).to_have_count(1)
    assert_no_serious_violations(page, f"the home page with the search dropdown open, {palette} palette")


# --- keyboard ----------------------------------------------------------------


def tab_to(page: Page, selector: str, most: int = 20) -> int:
    """Press Tab until the focus is on `selector`; returns how many presses it took."""
    target = page.locator(selector)
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    pytest.fail(f"{most} presses of Tab never reached {selector} on {page.url}")


def assert_focus_visible(page: Page) -> dict:
    focus = page.evaluate(FOCUS)
    assert focus, f"the focus left the page ({page.url})"
    assert focus["indicator"], f"{focus['name']} has the focus but shows no outline"
    assert focus["onScreen"], f"{focus['name']} has the focus but is off screen"
    return focus


def test_tab_reaches_the_search_box(built_seed_site: Path, watched: Watched) -> None:
    page = watched.page
    page.goto(site_url(built_seed_site, "index.html"))
    presses = tab_to(page, SEARCH_INPUT, most=5)
    assert_focus_visible(page)
    assert presses <= 3, f"the search box is Tab stop {presses}; it should come right after the header's buttons"


def test_search_and_open_a_result_by_keyboard_alone(built_seed_site: Path, watched: Watched) -> None:
    """Tab to the box, type, ArrowDown selects the first result (announced to screen readers), Enter opens it."""
    page = watched.page
    page.goto(site_url(built_seed_site, "index.html"))
    tab_to(page, SEARCH_INPUT, most=5)
    box = page.locator(SEARCH_INPUT)
    page.keyboard.type("Lion")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"{DROPDOWN} a.catalog-search__all")).to_have_attribute("href", re.compile(r"q=Lion$"))
    options = page.locator(f'{DROPDOWN} [role="listbox"] [role="option"]')
    expect(options.first).to_be_visible()

    page.keyboard.press("ArrowDown")
    first = options.first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(box).to_be_focused()  # the focus stays in the box while the arrows move the selection
    page.keyboard.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")

    href = first.get_attribute("href") or ""
    page.keyboard.press("Enter")
    page.wait_for_url(PAPER_URL)
    assert page.url.endswith(href.lstrip("./")), (page.url, href)
    check_paper_page(page, built_seed_site)


@pytest.mark.parametrize("width", [1280, 1000], ids=["wide", "narrow"])
def test_every_link_and_the_palette_toggle_take_a_visible_focus(
    built_seed_site: Path, watched: Watched, width: int
) -> None:
    """Tab walks the whole home page: every stop shows an outline on screen, and every link is a stop.

    At 1000 px Material's navigation is a drawer off the left edge; its links must still show when focused.
    """
    page = watched.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_url(built_seed_site, "index.html"))
    page.add_style_tag(content=NO_TRANSITIONS)
    links = set(page.evaluate(REACHABLE_LINKS))
    assert len(links) > 20, f"the home page shows only {len(links)} links"

    stops: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus is None or focus["seen"]:
            break  # past the last stop: the focus left the page or came round again
        page.evaluate("() => { document.activeElement.dataset.tabSeen = 'yes'; }")
        assert focus["indicator"], f"Tab stop {len(stops) + 1}, {focus['name']}, shows no focus outline"
        assert focus["onScreen"], f"Tab stop {len(stops) + 1}, {focus['name']}, is off screen"
        stops.append(focus["key"])
    else:
        pytest.fail(f"{MAX_TABS} presses of Tab did not get through the home page")

    assert "__palette_0" in stops, "Tab never reaches the light/dark palette toggle"
    assert any("catalog-search__input" in stop for stop in stops), "Tab never reaches the search box"
    missed = sorted(links - set(stops))
    assert not missed, f"links Tab never reaches: {missed}"


def test_the_palette_toggle_works_from_the_keyboard(built_seed_site: Path, watched: Watched) -> None:
    page = watched.page
    page.emulate_media(color_scheme="light")
    page.goto(site_url(built_seed_site, "index.html"))
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    tab_to(page, "#__palette_0", most=5)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert_focus_visible(page)  # the focus moved to the other toggle ("Switch to light mode")
    page.keyboard.press("Enter")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
