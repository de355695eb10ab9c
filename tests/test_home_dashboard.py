"""The home page as a dashboard: counts, papers per year, top tags, newest additions; and print styles.

A small fixture catalog is built for real; the HTML is read as a user would see it, then opened in
headless Chromium in the light and the dark palette, and a paper page in print media.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests import browser_support
from tests.browser_support import Watched, assert_clean, normalized
from tests.conftest import make_project, run

chromium = browser_support.chromium
watched = browser_support.watched

LONG_ABSTRACT = " ".join(f"Sentence {number} of a long abstract about optimization methods." for number in range(60))
# (id, year, authors, title) — "Jörg Müller" and "Jorg Muller" are one author, as on the author pages.
PAPERS = [
    ("alpha", 2021, ["Jörg Müller"], "Alpha optimization"),
    ("bravo", 2022, ["Jorg Muller", "Ada Lovelace"], "Bravo federated learning"),
    ("charlie", 2022, ["Ada Lovelace"], "Charlie optimization"),
    ("delta", 2022, ["Alan Turing"], "Delta language model"),
    ("echo", 2023, ["Grace Hopper"], "Echo optimization"),
    ("foxtrot", 2023, ["Grace Hopper"], "Foxtrot federated"),
    ("golf", 2024, ["Ada Lovelace"], "Golf optimization"),
    ("hotel", 2024, [], "Hotel language model"),
    ("india", 2024, ["Alan Turing"], "India optimization"),
    ("juliet", 2024, ["Edsger Dijkstra"], "Juliet federated"),
    ("kilo", 2024, ["Edsger Dijkstra"], "Kilo optimization"),
    ("lima", None, ["Barbara Liskov"], "Lima optimization"),
]
YEARS = {2021: 1, 2022: 3, 2023: 2, 2024: 5}
AUTHORS = 6  # Müller/Muller, Lovelace, Turing, Hopper, Dijkstra, Liskov
PRINTED = "india"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("home") / "p")
    for number, (paper_id, year, authors, title) in enumerate(PAPERS):
        record: dict = {"title": title, "authors": authors, "added": f"2025-02-{number + 1:02d}"}
        if year:
            record["year"] = year
        record["abstract"] = LONG_ABSTRACT if paper_id == PRINTED else f"{title}: a short abstract."
        if paper_id == PRINTED:
            record["arxiv"] = "2401.00042"
        text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
        (root / "catalog" / "papers" / f"{paper_id}.yaml").write_text(
            re.sub(r"'(2025-02-\d\d)'", r"\1", text), encoding="utf-8"
        )
    assert run(root, "build") == 0
    return root


def home(built: Path) -> str:
    return (built / "site" / "index.html").read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return normalized(html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def resolves(built: Path, href: str) -> Path:
    target = (built / "site" / html.unescape(href)).resolve()
    assert target.is_file(), href
    return target


def test_counts_match_the_catalog_and_link_their_lists(built: Path) -> None:
    stats = re.search(r'<ul class="home-stats">(.*?)</ul>', home(built), re.S)
    assert stats
    items = re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', stats.group(1))
    assert [text_of(label) for _, label in items] == [
        f"{len(PAPERS)} papers",
        "3 tags",
        f"{AUTHORS} authors",
        f"{len(YEARS)} years",
    ]
    targets = [resolves(built, href).relative_to((built / "site").resolve()).as_posix() for href, _ in items]
    assert targets == ["browse/all.html", "tags/index.html", "browse/authors.html", "browse/years.html"]


def test_year_chart_has_one_linked_bar_per_year_with_its_count(built: Path) -> None:
    svg = re.search(r'<svg class="year-chart".*?</svg>', home(built), re.S)
    assert svg
    chart = svg.group(0)
    assert 'role="group" aria-labelledby="year-chart-title" aria-describedby="year-chart-desc"' in chart
    assert '<title id="year-chart-title">Papers per year</title>' in chart
    description = re.search(r'<desc id="year-chart-desc">(.*?)</desc>', chart)
    assert description and description.group(1) == (
        "2021: 1 paper; 2022: 3 papers; 2023: 2 papers; 2024: 5 papers; 1 paper with no year"
    )
    bars = re.findall(
        r'<a class="year-chart__link" href="([^"]+)"><title>[^<]*</title><rect [^>]*height="(\d+)"[^>]*/>'
        r'<text class="year-chart__count"[^>]*>(\d+)</text><text class="year-chart__year"[^>]*>(\d+)</text></a>',
        chart,
    )
    assert {int(year): int(count) for _, _, count, year in bars} == YEARS
    assert len(bars) == len(YEARS)
    heights = {int(year): int(height) for _, height, _, year in bars}
    assert heights[2024] > heights[2022] > heights[2023] > heights[2021] > 0
    for href, _, count, year in bars:
        year_page = resolves(built, href).read_text(encoding="utf-8")
        assert f"<h1>Papers from {year}</h1>" in year_page
        assert f'<p class="list-count">{count} papers</p>' in year_page
    assert "1 more with no year." in home(built)


def test_top_tags_newest_additions_and_search_pointer(built: Path) -> None:
    page = home(built)
    top = re.search(r'<ul class="tag-cloud top-tags">(.*?)</ul>', page, re.S)
    assert top
    assert text_of(top.group(1)) == "optimization 7 federated-learning 3 language-models 2"
    newest = re.search(r"<h2>Newest additions</h2><ul class=\"paper-list\">(.*?)</ul>", page, re.S)
    assert newest
    titles = re.findall(r'<a href="papers/[^"]+">([^<]+)</a>', newest.group(1))
    assert titles == [title for _, _, _, title in reversed(PAPERS)][:10]
    pointer = re.search(r'<p class="home-search">(.*?)</p>', page, re.S)
    assert pointer and "with the box at the top of every page (press /" in text_of(pointer.group(1))
    search_link = re.search(r'<a href="([^"]+)">search page</a>', pointer.group(1))
    assert search_link and resolves(built, search_link.group(1)).name == "search.html"
    assert "<h2>Topic map</h2>" in page


def chart_colours(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => {
          const style = (selector, pseudo) => getComputedStyle(document.querySelector(selector), pseudo);
          return {
            scheme: document.body.getAttribute("data-md-color-scheme"),
            background: style("body").backgroundColor,
            text: style(".md-typeset").color,
            bar: style("svg.year-chart .year-chart__bar").fill,
            label: style("svg.year-chart .year-chart__year").fill,
            link: style(".home-more a").color,
          };
        }"""
    )


def brightness(colour: str) -> float:
    """0 (black) to 255 (white), from a computed "rgb(r, g, b)"."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return 0.299 * red + 0.587 * green + 0.114 * blue


@pytest.mark.parametrize(("scheme", "palette"), [("light", "default"), ("dark", "slate")])
def test_chart_shows_in_light_and_dark_and_its_bars_open_the_years(
    built: Path, watched: Watched, scheme: str, palette: str
) -> None:
    page = watched.page
    page.emulate_media(color_scheme=scheme)  # a first visit: Material picks the palette that matches
    page.goto((built / "site" / "index.html").as_uri())
    chart = page.locator("svg.year-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box and box["height"] > 100
    expect(page.locator("svg.year-chart a.year-chart__link")).to_have_count(len(YEARS))
    colours = chart_colours(page)
    assert colours["scheme"] == palette
    assert (brightness(colours["background"]) > 128) == (scheme == "light")
    # Labels are the palette's text colour and bars its link colour (they are links), never the background.
    assert colours["label"] == colours["text"]
    assert colours["bar"] == colours["link"] != colours["background"]
    assert abs(brightness(colours["label"]) - brightness(colours["background"])) > 100
    page.locator("svg.year-chart a.year-chart__link", has_text="2022").click()
    page.wait_for_url("**/browse/years/2022.html")
    expect(page.locator("h1")).to_have_text("Papers from 2022")
    assert_clean(watched)


def test_a_paper_page_prints_without_header_or_navigation(built: Path, watched: Watched) -> None:
    page = watched.page
    page.emulate_media(media="print")
    page.goto((built / "site" / "papers" / f"{PRINTED}.html").as_uri())
    for selector in ("header.md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".catalog-search"):
        expect(page.locator(selector)).to_be_hidden()
    abstract = page.locator("p.paper-abstract")
    expect(abstract).to_be_visible()
    assert normalized(abstract.inner_text()) == LONG_ABSTRACT
    box = abstract.bounding_box()
    assert box and box["height"] > 100  # all of it, not a clipped preview
    arxiv = page.locator(".paper-links a", has_text="arXiv")
    after = arxiv.evaluate("link => getComputedStyle(link, '::after').content")
    assert "https://arxiv.org/abs/2401.00042" in after
    text_colour = page.evaluate("() => getComputedStyle(document.querySelector('.md-typeset')).color")
    assert text_colour == "rgb(0, 0, 0)"
    page.emulate_media(media="screen")
    expect(page.locator("header.md-header")).to_be_visible()
    assert_clean(watched)
