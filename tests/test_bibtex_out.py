"""BibTeX out: readable stable keys, entries that read back the same, on every page and per tag; citation meta tags."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
import yaml

from site_builder.ingest.bibtex import read_bibtex
from site_builder.model import Paper
from site_builder.render.bibtex import bibtex_entry, bibtex_file, bibtex_keys
from tests.conftest import make_project, run

HOSTILE_TITLE = "Snake_case & <b>\"not bold\"</b>: {{ x }} 50% $x_1$ ~ ^ back\\slash -- --8<-- ``q'' {unbalanced"
HOSTILE = Paper(
    id="hostile",
    title=HOSTILE_TITLE,
    abstract="We minimise f_1 + f_2 with 14.2% less <script>alert(1)</script>, {{ config }} & #hash; é ü Ł 😀.",
    authors=("Jörg Müller", "Bart van Merriënboer", "Smith, Jr., John", "Barnes and Noble"),
    year=2023,
    venue="Proc. A & B_C",
    arxiv="2302.06675",
    category="cs.LG",
    doi="10.1000/x_y{1}",
)


def test_keys_are_readable_and_unique_and_older_papers_keep_theirs() -> None:
    older = Paper(id="zz", title="Symbolic Regression", authors=("Ann Chen",), year=2023, added=dt.date(2020, 1, 1))
    newer = Paper(id="aa", title="Symbolic Discovery of Optimization Algorithms", authors=("Xiangning Chen",),
                  year=2023, added=dt.date(2024, 1, 1))  # fmt: skip
    third = Paper(id="mm", title="The Symbolic Method", authors=("Bo Chen",), year=2023, added=dt.date(2025, 1, 1))
    keys = bibtex_keys([newer, older, third])
    assert keys == {"zz": "chen2023symbolic", "aa": "chen2023symbolica", "mm": "chen2023symbolicb"}
    assert bibtex_keys([older])["zz"] == "chen2023symbolic"
    accented = Paper(id="x", title="Über Lernen", authors=("Jörg Müller",), year=2021)
    assert bibtex_keys([accented]) == {"x": "muller2021uber"}
    bare = Paper(id="y", title="On the Importance of Being Earnest")
    assert bibtex_keys([bare]) == {"y": "importance"}


def test_an_exported_entry_reads_back_as_the_same_record() -> None:
    entry = bibtex_entry(HOSTILE, "muller2023snake")
    assert entry.startswith("@article{muller2023snake,\n")
    result = read_bibtex(entry, "out.bib")
    assert result.problems == ()
    (record,) = result.records
    for field in ("title", "abstract", "authors", "year", "venue", "arxiv", "category", "doi"):
        assert getattr(record.paper, field) == getattr(HOSTILE, field), field


def test_a_whole_catalog_round_trips(tmp_path: Path) -> None:
    papers = [HOSTILE, Paper(id="plain", title="Plain Paper", authors=("Ada Lovelace",), year=1843)]
    text = bibtex_file(papers, bibtex_keys(papers))
    back = read_bibtex(text, "catalog.bib")
    assert back.problems == ()
    assert sorted(record.paper.title for record in back.records) == sorted([HOSTILE_TITLE, "Plain Paper"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("bib") / "p")
    records = {
        "hostile": {"title": HOSTILE_TITLE, "authors": list(HOSTILE.authors), "year": 2023, "arxiv": "2302.06675",
                    "abstract": "Federated clients, federated averaging."},
        "other": {"title": "Federated Optimizers", "abstract": "Federated learning with an optimizer."},
        "lonely": {"title": "Language Model Things", "abstract": "A large language model."},
    }  # fmt: skip
    for paper_id, record in records.items():
        (root / "catalog" / "papers" / f"{paper_id}.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")
    assert run(root, "build") == 0
    return root / "site"


def meta_tags(page: str) -> list[tuple[str, str]]:
    return [
        (name, html.unescape(content))
        for name, content in re.findall(r'<meta name="(citation_\w+)" content="([^"]*)">', page)
    ]


def test_paper_page_has_its_bibtex_and_citation_meta_tags(built: Path) -> None:
    page = (built / "papers" / "hostile.html").read_text(encoding="utf-8")
    block = re.search(r'<pre class="bibtex"><code>(.*?)</code></pre>', page, re.S)
    assert block is not None
    entry = html.unescape(block.group(1))
    assert entry.startswith("@misc{muller2023snakecase,")
    assert read_bibtex(entry, "page").records[0].paper.title == HOSTILE_TITLE
    assert meta_tags(page) == [
        ("citation_title", HOSTILE_TITLE),
        ("citation_author", "Jörg Müller"),
        ("citation_author", "Bart van Merriënboer"),
        ("citation_author", "Smith, Jr., John"),
        ("citation_author", "Barnes and Noble"),
        ("citation_publication_date", "2023"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2302.06675"),
        ("citation_arxiv_id", "2302.06675"),
    ]
    # Escaped exactly once: the raw title never appears as markup, and no double escaping.
    assert '<meta name="citation_title" content="Snake_case &amp; &lt;b&gt;&#34;not bold&#34;&lt;/b&gt;' in page
    assert "&amp;amp;" not in page


def test_tag_bib_lists_exactly_the_tags_papers(built: Path) -> None:
    tag_page = (built / "tags" / "federated-learning.html").read_text(encoding="utf-8")
    assert '<a href="federated-learning.bib">BibTeX of these papers</a>' in tag_page
    bib = (built / "tags" / "federated-learning.bib").read_text(encoding="utf-8")
    titles = sorted(record.paper.title for record in read_bibtex(bib, "tag.bib").records)
    assert titles == sorted([HOSTILE_TITLE, "Federated Optimizers"])
    everything = (built / "browse" / "catalog.bib").read_text(encoding="utf-8")
    assert len(read_bibtex(everything, "all.bib").records) == 3
    assert '<a href="catalog.bib">BibTeX of every paper</a>' in (built / "browse" / "all.html").read_text("utf-8")
