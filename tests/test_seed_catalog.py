"""The shipped catalog: clean, tagged, related, and built faithfully."""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.enrich import enrich
from tests.conftest import REPO, broken_links, run

PAPERS = REPO / "catalog" / "papers"


@pytest.fixture(scope="module")
def enriched():  # type: ignore[no-untyped-def]
    catalog = load_catalog(CatalogPaths(REPO))
    return catalog, enrich(catalog)


def test_shipped_catalog_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(REPO, "check") == 0
    captured = capsys.readouterr()
    assert "check: 119 papers" in captured.out
    assert captured.err == ""


def test_tags_cover_and_discriminate(enriched) -> None:  # type: ignore[no-untyped-def]
    catalog, papers = enriched
    counts = Counter(name for entry in papers for name in entry.tags)
    for entry in papers:
        assert 1 <= len(entry.tags) <= 8, entry.paper.id
    assert max(counts.values()) <= len(papers) / 2, counts.most_common(3)
    assert {tag.name for tag in catalog.tags} >= set(counts)


def test_related_papers_are_at_most_five_with_a_reason_each(enriched) -> None:  # type: ignore[no-untyped-def]
    _, papers = enriched
    counts = [len(entry.related) for entry in papers]
    for entry in papers:
        related = [link.paper_id for link in entry.related]
        assert len(related) <= 5, entry.paper.id
        assert entry.paper.id not in related
        assert len(set(related)) == len(related)
        assert [link.score for link in entry.related] == sorted((link.score for link in entry.related), reverse=True)
        assert all(link.reason.startswith(("both: ", "same author")) for link in entry.related), entry.paper.id
    # Most papers of a topical catalog do have five good neighbours; the threshold only trims outliers.
    assert sum(count == 5 for count in counts) >= 0.8 * len(papers)


def test_reimporting_the_seed_listing_changes_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "copy"
    shutil.copytree(REPO / "catalog", root / "catalog")
    before = {path.name: path.read_bytes() for path in (root / "catalog" / "papers").iterdir()}
    assert run(root, "import", str(root / "catalog" / "sources" / "hf-papers-listing.txt")) == 0
    after = {path.name: path.read_bytes() for path in (root / "catalog" / "papers").iterdir()}
    assert after == before
    assert "0 added, 0 updated, 119 unchanged, 0 conflicts" in capsys.readouterr().out


def _inner(page: str, css_class: str, tag: str) -> str:
    match = re.search(rf'<{tag} class="{css_class}">(.*?)</{tag}>', page, re.S)
    assert match, css_class
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def test_every_built_page_shows_its_record_exactly(built_seed_site: Path) -> None:
    site = built_seed_site / "site"
    records = sorted(PAPERS.glob("*.yaml"))
    assert len(records) == 119
    assert len(list((site / "papers").glob("*.html"))) == 119
    for record_path in records:
        record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
        page = (site / "papers" / f"{record_path.stem}.html").read_text(encoding="utf-8")
        assert _inner(page, "paper-title", "h1") == record["title"]
        assert _inner(page, "paper-abstract", "p") == record["abstract"]
        generated = (built_seed_site / "docs" / "papers" / f"{record_path.stem}.md").read_text(encoding="utf-8")
        related = yaml.safe_load(generated.split("---\n")[1])["related"]
        listed = re.findall(r'<ol class="paper-related">(.*?)</ol>', page, re.S)
        assert (len(listed[0].split("<li>")) - 1 if listed else 0) == len(related)


def test_decoded_latex_shows_on_the_pages(built_seed_site: Path) -> None:
    site = built_seed_site / "site" / "papers"
    tyr = (site / "tyr-the-pruner-structural-pruning-llms-via-global-sparsity.html").read_text(encoding="utf-8")
    assert "Týr-the-Pruner" in tyr and "T\\'yr" not in tyr
    newton = next(site.glob("damped-newton-method*.html")).read_text(encoding="utf-8")
    assert "Near-Optimal Global O(k^{-3}) Convergence Rate" in newton
    lion = (site / "symbolic-discovery-of-optimization-algorithms.html").read_text(encoding="utf-8")
    assert "Lion (EvoLved Sign Momentum)" in lion


def test_every_tag_has_a_page_and_the_index_is_split(built_seed_site: Path) -> None:
    site = built_seed_site / "site"
    catalog = load_catalog(CatalogPaths(built_seed_site))
    for tag in catalog.tags:
        assert (site / "tags" / f"{tag.name}.html").exists(), tag.name
    index_pages = sorted((site / "browse").glob("all*.html"))
    assert len(index_pages) == 3  # 119 papers, 50 a page
    listed = sum(page.read_text(encoding="utf-8").count('href="../papers/') for page in index_pages)
    assert listed == 119


def test_no_broken_internal_link_in_the_seed_site(built_seed_site: Path) -> None:
    assert broken_links(built_seed_site / "site") == []
