"""Papers per year as a small static SVG bar chart for the home page.

Drawn at build time, so it needs no script and works from disk. Every bar has
its count and year written next to it (the numbers, not only the bar length)
and links to that year's page. Colours come from classes that
docs/assets/catalog.css maps to Material's CSS variables, so the chart follows
the light and dark palettes; the fill attributes are only a fallback. Integer
coordinates keep the bytes the same for the same catalog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from site_builder.model import EnrichedPaper
from site_builder.render.html import text

SLOT = 44  # width per year, room for a four-digit label
BAR = 30
PLOT_HEIGHT = 120
TOP = 20  # room for the count above the tallest bar
BOTTOM = 24  # room for the year below the bars
MARGIN = 8
FALLBACK_BAR = "#4051b5"  # Material's default indigo, when catalog.css is not loaded
FALLBACK_TEXT = "#555555"


def papers_per_year(papers: Sequence[EnrichedPaper]) -> dict[int, int]:
    """Paper count for each year that has papers, oldest first (papers with no year are left out)."""
    counts = Counter(entry.paper.year for entry in papers if entry.paper.year)
    return {year: counts[year] for year in sorted(counts)}


def year_chart_svg(counts: Mapping[int, int], url_of_year: Callable[[int], str], undated: int = 0) -> str:
    """The ``<svg>``: one linked, labelled bar per year; its title and description say the same in words.

    Its role is "group", not "img": an image's parts are hidden from assistive technology, so links inside
    ``role="img"`` could not be reached (axe-core reports that as a serious "nested-interactive" violation).
    As a group, the title names the chart, the description gives every count, and each bar is a named link.
    """
    if not counts:
        return ""
    width = 2 * MARGIN + SLOT * len(counts)
    height = TOP + PLOT_HEIGHT + BOTTOM
    tallest = max(counts.values())
    bars = [_bar(index, year, count, tallest, url_of_year(year)) for index, (year, count) in enumerate(counts.items())]
    words = "; ".join(f"{year}: {_papers(count)}" for year, count in counts.items())
    if undated:
        words += f"; {_papers(undated)} with no year"
    return (
        f'<svg class="year-chart" role="group" aria-labelledby="year-chart-title" aria-describedby="year-chart-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        '<title id="year-chart-title">Papers per year</title>'
        f'<desc id="year-chart-desc">{text(words)}</desc>'
        f'<line class="year-chart__axis" x1="{MARGIN}" y1="{TOP + PLOT_HEIGHT}" x2="{width - MARGIN}" '
        f'y2="{TOP + PLOT_HEIGHT}" stroke="{FALLBACK_TEXT}"/>' + "".join(bars) + "</svg>"
    )


def _bar(index: int, year: int, count: int, tallest: int, href: str) -> str:
    """One year: a link around its bar, its count above and its year below (so each bar reads without colour)."""
    bar_height = max(2, round(PLOT_HEIGHT * count / tallest))
    left = MARGIN + index * SLOT
    middle = left + SLOT // 2
    base = TOP + PLOT_HEIGHT
    return (
        f'<a class="year-chart__link" href="{text(href)}"><title>{year}: {_papers(count)}</title>'
        f'<rect class="year-chart__bar" x="{middle - BAR // 2}" y="{base - bar_height}" width="{BAR}" '
        f'height="{bar_height}" fill="{FALLBACK_BAR}"/>'
        f'<text class="year-chart__count" x="{middle}" y="{base - bar_height - 5}" text-anchor="middle" '
        f'fill="{FALLBACK_TEXT}">{count}</text>'
        f'<text class="year-chart__year" x="{middle}" y="{base + 17}" text-anchor="middle" '
        f'fill="{FALLBACK_TEXT}">{year}</text></a>'
    )


def _papers(count: int) -> str:
    return f"{count} paper" if count == 1 else f"{count} papers"
