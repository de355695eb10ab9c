"""What a reader sees of relevance: mentions and backlinks, related reasons, browse pages, the topic map."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests.conftest import make_project, run

TAGS = """\
tags:
  - name: optimization
    description: How to minimise a loss.
    match: [optimizer, optimization]
  - name: zeroth-order
    description: Gradient-free methods.
    match: [zeroth-order, derivative-free]
    parent: optimization
  - name: language-models
    description: Large language models.
    match: [language model, LLM]
"""

RECORDS = {
    "symbolic-discovery": {
        "title": "Symbolic Discovery of Optimization Algorithms",
        "aliases": ["Lion"],
        "authors": ["Xiangning Chen", "Chen Liang"],
        "year": 2023,
        "abstract": "We discover Lion, a simple and memory-efficient optimizer found by program search.",
    },
    "grams": {
        "title": "Grams: Gradient Descent with Adaptive Momentum Scaling",
        "authors": ["Yang Cao", "Xiangning Chen"],
        "year": 2024,
        "abstract": "Grams beats Adam and Lion on language model pretraining; a lion in the zoo is not linked.",
    },
    "zo-survey": {
        "title": "A Survey of Zeroth-Order Optimization",
        "year": 2024,
        "abstract": "Zeroth-order and derivative-free optimization for black-box problems, with variance reduction.",
    },
    "zo-llm": {
        "title": "Zeroth-Order Fine-Tuning of Language Models",
        "year": 2024,
        "abstract": "A zeroth-order optimizer with variance reduction fine-tunes a language model in memory.",
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("relevance") / "p", tags_yaml=TAGS)
    for paper_id, record in RECORDS.items():
        path = root / "catalog" / "papers" / f"{paper_id}.yaml"
        path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    assert run(root, "build") == 0
    return root / "site"


def page(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


def test_a_named_method_is_linked_in_the_abstract_and_backlinked(site: Path) -> None:
    grams = page(site, "papers/grams.html")
    abstract = re.search(r'<p class="paper-abstract">(.*?)</p>', grams, re.S)
    assert abstract is not None
    assert abstract.group(1) == (
        'Grams beats Adam and <a class="mention" href="symbolic-discovery.html">Lion</a> on language model '
        "pretraining; a lion in the zoo is not linked."
    )
    lion = page(site, "papers/symbolic-discovery.html")
    assert '<h2>Mentioned by</h2>\n<ul class="paper-mentioned-by"><li><a href="grams.html">Grams:' in lion


def test_related_papers_show_why(site: Path) -> None:
    survey = page(site, "papers/zo-survey.html")
    related = re.search(r'<ol class="paper-related">(.*?)</ol>', survey, re.S)
    assert related is not None
    first = related.group(1).split("</li>")[0]
    assert 'href="zo-llm.html"' in first
    assert '<span class="related-reason">both: zeroth-order' in first
    assert "variance reduction" in first
    grams = page(site, "papers/grams.html")
    assert "same author: Xiangning Chen" in grams


def test_tag_pages_show_hierarchy_and_related_tags(site: Path) -> None:
    zeroth = page(site, "tags/zeroth-order.html")
    assert 'Part of: <a href="optimization.html" class="tag">optimization</a>' in zeroth
    optimization = page(site, "tags/optimization.html")
    assert 'Narrower: <a href="zeroth-order.html" class="tag">zeroth-order</a>' in optimization
    assert "Often together with:" in optimization
    index = page(site, "tags/index.html")
    assert re.search(r'<li class="tag-size-\d">', index)


def test_browse_by_year_author_and_newest(site: Path) -> None:
    years = page(site, "browse/years.html")
    assert '<a href="years/2024.html">2024</a> <span class="count">3</span>' in years
    assert "Zeroth-Order Fine-Tuning of Language Models" in page(site, "browse/years/2024.html")
    authors = page(site, "browse/authors.html")
    # An author of several papers: their papers under their name, the place their name links to.
    chen = re.search(r'<li id="xiangning-chen">.*?</ul></li>', authors, re.S)
    assert chen and "Symbolic Discovery of Optimization Algorithms" in chen.group(0) and "Grams:" in chen.group(0)
    assert '<a href="../browse/authors.html#xiangning-chen">Xiangning Chen</a>' in page(site, "papers/grams.html")
    # An author of one paper has no page of their own: the index links their paper.
    assert 'Yang Cao <span class="author-paper">— <a href="../papers/grams.html">Grams:' in authors
    assert not (site / "authors").exists()  # no page per author
    assert "4 papers" in page(site, "browse/newest.html")


def test_the_topic_map_has_one_linked_dot_per_paper_and_the_same_bytes_twice(site: Path, tmp_path: Path) -> None:
    home = page(site, "index.html")
    svg = re.search(r'<svg class="topic-map".*?</svg>', home, re.S)
    assert svg is not None
    dots = re.findall(r'<a href="([^"]+)"><circle [^>]+><title>([^<]+)</title>', svg.group(0))
    assert sorted(href for href, _ in dots) == sorted(f"papers/{paper_id}.html" for paper_id in RECORDS)
    for href, _ in dots:
        assert (site / href).is_file()
    assert dict((href, title) for href, title in dots)["papers/zo-llm.html"].startswith(
        "Zeroth-Order Fine-Tuning of Language Models ("
    )
    # A second build of the same catalog: byte for byte the same map and pages.
    root = site.parent
    before = hashlib.sha256(home.encode()).hexdigest()
    assert run(root, "build") == 0
    assert hashlib.sha256(page(site, "index.html").encode()).hexdigest() == before


def test_every_browse_page_is_within_two_clicks_of_home(site: Path) -> None:
    depth = {site / "index.html": 0}
    queue = deque([site / "index.html"])
    while queue:
        current = queue.popleft()
        if depth[current] == 2:
            continue
        for href in re.findall(r'href="([^"#?]+\.html)"', current.read_text(encoding="utf-8")):
            if urlsplit(href).scheme:
                continue
            target = (current.parent / unquote(href)).resolve()
            if target.is_file() and target not in depth:
                depth[target] = depth[current] + 1
                queue.append(target)
    generated = [
        path.resolve() for folder in ("papers", "tags", "browse", "authors") for path in (site / folder).rglob("*.html")
    ]
    far = [path.relative_to(site.resolve()).as_posix() for path in generated if path not in depth]
    assert far == []
