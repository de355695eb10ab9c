"""The topic map as a static SVG: one dot per paper, a link each, coloured by main tag.

Drawn at build time, so it works from disk with no script at all. Every
string in it is escaped; coordinates are rounded so the bytes never change
for the same catalog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from site_builder.model import EnrichedPaper
from site_builder.render.html import text

WIDTH, HEIGHT, MARGIN = 720, 420, 10
RADIUS = 4.5
# Colour-blind-safe categorical colours (Okabe–Ito, then Tableau), readable on light and dark.
PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9",
    "#b07aa1", "#9c755f", "#edc948", "#59a14f", "#e15759",
)  # fmt: skip
OTHER = "#8c8c8c"


def tag_colours(papers: Sequence[EnrichedPaper]) -> dict[str, str]:
    """A colour for each of the most common main tags (the first tag of a paper)."""
    counts = Counter(entry.tags[0] for entry in papers if entry.tags)
    ranked = sorted(counts, key=lambda name: (-counts[name], name))
    return {name: colour for name, colour in zip(ranked, PALETTE, strict=False)}


def topic_map_svg(
    papers: Sequence[EnrichedPaper],
    points: Mapping[str, tuple[float, float]],
    url_of: Callable[[str], str],
    colours: Mapping[str, str],
) -> str:
    """The ``<svg>`` element: dots with a tooltip (title and main tag), each a link to its paper."""
    dots = []
    for entry in sorted(papers, key=lambda entry: entry.paper.id):
        x, y = points[entry.paper.id]
        main = entry.tags[0] if entry.tags else ""
        colour = colours.get(main, OTHER)
        cx = MARGIN + x * (WIDTH - 2 * MARGIN)
        cy = MARGIN + (1 - y) * (HEIGHT - 2 * MARGIN)
        tooltip = f"{entry.paper.title} ({main})" if main else entry.paper.title
        dots.append(
            f'<a href="{text(url_of(entry.paper.id))}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{RADIUS}" '
            f'fill="{colour}"><title>{text(tooltip)}</title></circle></a>'
        )
    return (
        f'<svg class="topic-map" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" '
        f'aria-label="Topic map: {len(papers)} papers, nearby dots are about similar things">'
        + "".join(dots)
        + "</svg>"
    )


def legend(colours: Mapping[str, str], url_of_tag: Callable[[str], str]) -> str:
    """The colour key, as an HTML list of tag links."""
    items = "".join(
        f'<li><span class="swatch" style="background:{colour}"></span>'
        f'<a href="{text(url_of_tag(name))}">{text(name)}</a></li>'
        for name, colour in colours.items()
    )
    other = f'<li><span class="swatch" style="background:{OTHER}"></span>other tags</li>'
    return f'<ul class="topic-map-legend">{items}{other}</ul>'
