"""BibTeX out: readable stable keys, entries that read back the same, on every page and per tag; citation meta tags."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import bibtexparser
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser

from site_builder.ingest.bibtex import read_bibtex
from site_builder.model import Paper
from site_builder.render.bibtex import bibtex_entry, bibtex_file, bibtex_keys
from tests import browser_support
from tests.conftest import make_project, run

chromium = browser_support.chromium  # the shared fixture; pytest finds it as a member of this module

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


def test_keys_stay_when_other_papers_come_and_do_not_depend_on_order() -> None:
    lion = Paper(id="lion", title="Symbolic Discovery of Optimization Algorithms", authors=("Xiangning Chen",),
                 year=2023, added=dt.date(2024, 1, 1))  # fmt: skip
    clash = Paper(id="a-clash", title="Symbolic Music", authors=("Li Chen",), year=2023, added=dt.date(2024, 6, 1))
    unrelated = Paper(id="adam", title="Adam: A Method for Stochastic Optimization", authors=("Diederik P. Kingma",),
                      year=2014)  # fmt: skip
    before = bibtex_keys([lion, clash])
    assert before == {"lion": "chen2023symbolic", "a-clash": "chen2023symbolica"}
    after = bibtex_keys([unrelated, clash, lion])
    assert after == {**before, "adam": "kingma2014adam"}
    # A paper without a date sorts after dated ones, so it cannot take an older paper's key.
    undated = Paper(id="0-first-by-id", title="Symbolic Logic", authors=("Wei Chen",), year=2023)
    assert bibtex_keys([lion, clash, undated])["0-first-by-id"] == "chen2023symbolicb"


def test_key_parts_fold_to_ascii_and_skip_what_is_missing() -> None:
    cases = {
        Paper(id="a", title="Łojasiewicz Inequalities", authors=("Stanisław Łojasiewicz",), year=1963): (
            "lojasiewicz1963lojasiewicz"
        ),
        Paper(id="b", title="Towards a Theory of Everything", authors=("Martin Luther King Jr.",)): "kingtheory",
        Paper(id="c", title="The Zeroth-Order Method", year=2020): "2020zeroth",
        Paper(id="d", title="Von Neumann Algebras", authors=("John von Neumann",), year=1936): "neumann1936von",
        Paper(id="e", title="On the", authors=("Ann Lee",)): "leeon",
        Paper(id="f", title="😀"): "paper",
    }
    for paper, key in cases.items():
        assert bibtex_keys([paper]) == {paper.id: key}, paper


def test_many_clashes_get_unique_suffixes() -> None:
    papers = [
        Paper(id=f"p{number:02}", title="Same Title", year=2020, added=dt.date(2020, 1, 1)) for number in range(30)
    ]
    keys = bibtex_keys(papers)
    assert len(set(keys.values())) == 30
    assert [keys["p00"], keys["p01"], keys["p26"], keys["p27"]] == ["2020same", "2020samea", "2020samez", "2020sameaa"]


def test_entry_format() -> None:
    lion = Paper(
        id="lion",
        title="Symbolic Discovery of Optimization Algorithms",
        authors=("Xiangning Chen", "Chen Liang"),
        year=2023,
        arxiv="2302.06675",
        category="cs.LG",
        abstract="We present a method to formulate algorithm discovery as program search.",
    )
    assert bibtex_entry(lion, "chen2023symbolic") == (
        "@misc{chen2023symbolic,\n"
        "  title = {{Symbolic Discovery of Optimization Algorithms}},\n"
        "  author = {Xiangning Chen and Chen Liang},\n"
        "  year = {2023},\n"
        "  url = {https://arxiv.org/abs/2302.06675},\n"
        "  eprint = {2302.06675},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.LG},\n"
        "  abstract = {We present a method to formulate algorithm discovery as program search.}\n"
        "}\n"
    )
    published = Paper(id="p", title="T", venue="Journal of ML", doi="10.1000/182", url="https://example.org/p")
    assert bibtex_entry(published, "t") == (
        "@article{t,\n  title = {{T}},\n  journal = {Journal of ML},\n  doi = {10.1000/182},\n"
        "  url = {https://example.org/p}\n}\n"
    )


EVERY_SPECIAL = "\\ { } % & # $ _ ~ ^ -- --- `` '' ?` !` \" @ = , <tag> {a}} {{b} x_{1} n^{2} é Ł 😀"


LATEX_ESCAPE = re.compile(r"\\(?:[%&#$_{}]|string\^|(?:textasciitilde|textbackslash|lbrace|rbrace)\{\})")


def bibtex_braces_balance(value: str) -> bool:
    """Whether BibTeX itself would read ``value`` whole: it counts every brace, escaped or not."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_every_special_character_is_escaped_so_any_parser_reads_the_field_whole() -> None:
    paper = Paper(id="x", title=EVERY_SPECIAL, authors=(EVERY_SPECIAL,), venue=EVERY_SPECIAL, abstract=EVERY_SPECIAL,
                  doi="10.1/{x", url="https://example.org/a}b")  # fmt: skip
    entry = bibtex_entry(paper, "key")
    for line in entry.splitlines()[1:-1]:
        value = re.fullmatch(r"  (\w+) = \{(.*)\},?", line)
        assert value and bibtex_braces_balance(value.group(2)), line
        if value.group(1) in ("title", "author", "journal", "abstract"):
            # Our reader would forgive a bare % or &; LaTeX would not.
            assert not re.search(r"[\\%&#$_~^]", LATEX_ESCAPE.sub("", value.group(2))), line
    # bibtexparser alone (no decoding) sees one entry with every field.
    library = bibtexparser.parse_string(entry)
    assert not library.failed_blocks
    (parsed,) = library.entries
    assert list(parsed.fields_dict) == ["title", "author", "journal", "doi", "url", "abstract"]
    # Our reader decodes each text back to what was written.
    (record,) = read_bibtex(entry, "x.bib").records
    assert (record.paper.title, record.paper.abstract, record.paper.venue) == (EVERY_SPECIAL,) * 3
    assert record.paper.authors == (EVERY_SPECIAL,)


# Text as a catalog holds it: any printable characters, whitespace runs already squeezed.
_TEXT_PIECES = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")),
    st.sampled_from(list("\\{}%&#$_~^`'-?!@\",=<>") + [" https://example.org/a_b?c=1%20d ", " and ", "--", "''"]),
)
CATALOG_TEXT = st.lists(_TEXT_PIECES, max_size=30).map(lambda pieces: " ".join("".join(pieces).split()))


@settings(max_examples=150, deadline=None)
@given(title=CATALOG_TEXT.filter(bool), abstract=CATALOG_TEXT, authors=st.lists(CATALOG_TEXT.filter(bool), max_size=3))
def test_any_text_reads_back_unchanged(title: str, abstract: str, authors: list[str]) -> None:
    authors = [name for name in authors if name.lower() != "others"]  # the reader's "and others" marker
    paper = Paper(id="x", title=title, abstract=abstract, authors=tuple(authors), venue=abstract)
    result = read_bibtex(bibtex_entry(paper, "key"), "x.bib")
    assert result.problems == ()
    (record,) = result.records
    assert (record.paper.title, record.paper.abstract, record.paper.authors, record.paper.venue) == (
        title, abstract, tuple(authors), abstract,
    )  # fmt: skip


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
        "other": {"title": "Federated Optimizers", "abstract": "Federated learning with an optimizer.",
                  "authors": ["Ada Lovelace"], "year": 2022, "venue": 'Journal of <Federated> & "Co"',
                  "doi": "10.1000/fed_1", "pdf": "https://example.org/fed.pdf"},
        "lonely": {"title": "Language Model Things", "abstract": "A large language model."},
    }  # fmt: skip
    for paper_id, record in records.items():
        (root / "catalog" / "papers" / f"{paper_id}.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")
    assert run(root, "build") == 0
    return root / "site"


def meta_tags(page: str) -> list[tuple[str, str]]:
    """The citation_* meta tags of the page's head, values unescaped, in order."""
    head = page.split("</head>")[0]
    return [
        (name, html.unescape(content))
        for name, content in re.findall(r'<meta name="(citation_\w+)" content="([^"]*)">', head)
    ]


def bibtex_block(page: str) -> str:
    block = re.search(r'<pre class="bibtex"><code>(.*?)</code></pre>', page, re.S)
    assert block is not None, "no BibTeX block"
    return html.unescape(block.group(1))


def test_paper_page_has_its_bibtex_and_citation_meta_tags(built: Path) -> None:
    page = (built / "papers" / "hostile.html").read_text(encoding="utf-8")
    entry = bibtex_block(page)
    assert entry.startswith("@misc{muller2023snakecase,")
    # The same entry, with the same key, in the catalog's .bib.
    assert entry + "\n" in (built / "catalog.bib").read_text(encoding="utf-8")
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
    everything = (built / "catalog.bib").read_text(encoding="utf-8")
    assert len(read_bibtex(everything, "all.bib").records) == 3
    assert '<a href="../catalog.bib">BibTeX of every paper</a>' in (built / "browse" / "all.html").read_text("utf-8")


def test_venue_doi_and_pdf_meta_tags(built: Path) -> None:
    page = (built / "papers" / "other.html").read_text(encoding="utf-8")
    assert meta_tags(page) == [
        ("citation_title", "Federated Optimizers"),
        ("citation_author", "Ada Lovelace"),
        ("citation_publication_date", "2022"),
        ("citation_journal_title", 'Journal of <Federated> & "Co"'),
        ("citation_pdf_url", "https://example.org/fed.pdf"),
        ("citation_doi", "10.1000/fed_1"),
    ]
    assert 'content="Journal of &lt;Federated&gt; &amp; &#34;Co&#34;"' in page
    assert bibtex_block(page).startswith("@article{lovelace2022federated,\n")
    # The page's metadata line shows the venue as text.
    assert "Journal of &lt;Federated&gt; &amp; &quot;Co&quot;" in page


def test_pages_without_citation_data_have_no_citation_tags(built: Path) -> None:
    assert meta_tags((built / "index.html").read_text(encoding="utf-8")) == []
    assert meta_tags((built / "tags" / "federated-learning.html").read_text(encoding="utf-8")) == []


def test_material_adds_its_copy_button_to_the_bibtex_block(built: Path, chromium: Browser) -> None:
    page = chromium.new_page()
    try:
        page.goto((built / "papers" / "hostile.html").as_uri())
        button = page.locator("pre.bibtex button.md-code__button[data-md-type=copy]")
        button.wait_for(state="attached")
        target = button.get_attribute("data-clipboard-target")
        assert target is not None
        # The button copies the code element's text: the entry exactly as written in the block.
        copied = page.locator(target).inner_text()
        assert read_bibtex(copied, "clipboard").records[0].paper.title == HOSTILE_TITLE
    finally:
        page.close()


def test_rebuild_keeps_bib_files_and_removes_stale_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    for paper_id, title in (("fed", "Federated Averaging"), ("opt", "An Optimizer")):
        (root / "catalog" / "papers" / f"{paper_id}.yaml").write_text(f"title: {title}\n", encoding="utf-8")
    assert run(root, "build") == 0
    site = root / "site"
    assert {path.relative_to(site).as_posix() for path in site.rglob("*.bib")} == {
        "catalog.bib", "papers/fed.bib", "papers/opt.bib",
        "tags/federated-learning.bib", "tags/optimization.bib", "tags/language-models.bib",
    }  # fmt: skip
    # A paper's own .bib travels in its page's front matter; the hooks write it into site/.
    assert not list((root / "docs" / "papers").glob("*.bib"))
    capsys.readouterr()
    assert run(root, "build") == 0
    assert "0 written" in capsys.readouterr().err
    (root / "catalog" / "papers" / "fed.yaml").unlink()
    tags = (root / "catalog" / "tags.yaml").read_text(encoding="utf-8")
    (root / "catalog" / "tags.yaml").write_text(tags.split("  - name: federated-learning")[0], encoding="utf-8")
    assert run(root, "build") == 0
    assert not (site / "tags" / "federated-learning.bib").exists()
    assert not (site / "papers" / "fed.bib").exists()
    assert (site / "papers" / "opt.bib").read_text(encoding="utf-8").startswith("@misc{optimizer,")
    assert (site / "tags" / "optimization.bib").read_text(encoding="utf-8").startswith("@misc{optimizer,")
    assert "Federated" not in (site / "catalog.bib").read_text(encoding="utf-8")


def test_each_paper_page_links_its_own_bib_file(built: Path) -> None:
    page = (built / "papers" / "hostile.html").read_text(encoding="utf-8")
    assert '<a href="hostile.bib">Download .bib</a>' in page
    entry = (built / "papers" / "hostile.bib").read_text(encoding="utf-8")
    (record,) = read_bibtex(entry, "hostile.bib").records
    assert record.paper.title == HOSTILE_TITLE
    # The downloadable file carries the abstract; the entries to cite from (page, tag and catalog files) do not.
    assert record.paper.abstract == "Federated clients, federated averaging."
    assert "abstract = " not in html.unescape(page) and "abstract = " not in (built / "catalog.bib").read_text("utf-8")
