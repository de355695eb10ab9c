"""Import from every source format, as a user would: real files, the real CLI, a real catalog."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from site_builder.ingest import detect_format, read_source
from tests.conftest import REPO, make_project, run

DATA = Path(__file__).parent / "data"


def seed_project(tmp_path: Path) -> Path:
    """A project holding a copy of the shipped catalog (119 papers, no authors, years or arXiv ids)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(REPO / "catalog", root / "catalog")
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file under catalog/ with a hash of its bytes."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((root / "catalog").rglob("*"))
        if path.is_file()
    }


def record(root: Path, paper_id: str) -> dict:
    return yaml.safe_load((root / "catalog" / "papers" / f"{paper_id}.yaml").read_text(encoding="utf-8"))


def records_by_title(root: Path) -> dict[str, dict]:
    found = {}
    for path in (root / "catalog" / "papers").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["title"]] = {**data, "id": path.stem}
    return found


# --- format detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zotero-export.bib", "bibtex"),
        ("hf-daily-papers.json", "hf"),
        ("reading-list.csv", "csv"),
    ],
)
def test_format_is_detected_from_the_extension(name: str, expected: str) -> None:
    path = DATA / name
    assert detect_format(path, path.read_text(encoding="utf-8")) == expected


def test_format_is_detected_from_the_content_when_the_extension_says_nothing(tmp_path: Path) -> None:
    cases = {
        "refs.txt": ("@article{x,\n  title = {A},\n}\n", "bibtex"),
        "answer": ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "arxiv"),
        "records.txt": ('[{"title": "A"}]', "json"),
        "daily.txt": ('[{"paper": {"id": "2302.06675", "title": "A"}}]', "hf"),
        "listing.txt": (
            "Some Title\n" + "An abstract that is long enough to be one, ending here. " * 3 + "\n",
            "listing",
        ),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert detect_format(path, text) == expected, name


# --- BibTeX -------------------------------------------------------------------------------------------------


def test_bibtex_fields_as_a_reference_manager_exports_them() -> None:
    result = read_source(DATA / "zotero-export.bib", "zotero-export.bib")
    assert result.problems == ()
    papers = {record.paper.title: record for record in result.records}

    bubeck = papers["Convex optimization: Algorithms and complexity"]
    assert bubeck.location == "zotero-export.bib:9"
    assert bubeck.paper.authors == ("Sébastien Bubeck",)
    assert bubeck.paper.venue == "Foundations and Trends in Machine Learning"  # @string macro resolved
    assert (bubeck.paper.year, bubeck.paper.arxiv, bubeck.paper.category) == (2015, "1405.4980", "math.OC")
    assert bubeck.paper.doi == "10.1561/2200000050"

    adam = papers["Adam: A Method for Stochastic Optimization"]
    assert adam.paper.authors == ("Diederik P. Kingma", "Jimmy Ba")
    assert adam.paper.arxiv == "1412.6980"  # from an arXiv URL with a version
    assert adam.paper.url == ""  # the arXiv link is shown anyway
    assert "We introduce Adam, an algorithm" in adam.paper.abstract  # {\em ...} decoded, lines joined
    assert "uses 50% less tuning in our “default” setting." in adam.paper.abstract

    attention = papers["Attention Is All You Need"]
    assert attention.paper.authors[-2:] == ("Łukasz Kaiser", "Illia Polosukhin")
    assert attention.paper.arxiv == "1706.03762"

    cho = papers["Learning Phrase Representations using RNN Encoder–Decoder for Statistical Machine Translation"]
    assert cho.paper.authors[:3] == ("Kyunghyun Cho", "Bart van Merriënboer", "Çağlar Gülçehre")
    assert (cho.paper.arxiv, cho.paper.venue) == ("1406.1078", "")  # "arXiv preprint arXiv:..." is no venue

    assert papers[
        "Learning with Kernels: Support Vector Machines, Regularization, Optimization, and Beyond"
    ].paper.authors == (
        "Bernhard Schölkopf",
        "Alexander J. Smola",
    )
    # "and others" is not an author.
    assert papers["Entropy-SGD: biasing gradient descent into wide valleys"].paper.authors == ("Pratik Chaudhari",)


def test_bibtex_import_adds_new_papers_fills_seed_records_and_skips_the_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = seed_project(tmp_path)
    assert run(root, "import", str(DATA / "zotero-export.bib")) == 0
    out, err = capsys.readouterr()

    papers = records_by_title(root)
    assert len(papers) == 119 + 4  # Adam, Attention, Cho et al., Schölkopf; Bubeck and Entropy-SGD are seed papers
    convex = papers["Convex Optimization: Algorithms and Complexity"]  # the seed's title is kept
    assert convex["id"] == "convex-optimization-algorithms-and-complexity"
    assert (convex["authors"], convex["year"], convex["arxiv"]) == (["Sébastien Bubeck"], 2015, "1405.4980")
    assert convex["source"] == "catalog/sources/hf-papers-listing.txt"  # where it first came from
    entropy = papers["Entropy-SGD: Biasing Gradient Descent Into Wide Valleys"]
    assert entropy["arxiv"] == "1611.01838"
    assert len(entropy["authors"]) == 9
    # The second Entropy-SGD entry (same arXiv id) filled the venue, and its shorter author list is a conflict.
    assert entropy["venue"] == "International Conference on Learning Representations"
    assert "zotero-export.bib:72: authors: conflict: catalog/papers/" in err
    assert "zotero-export.bib:72: skipped: same paper as " in err
    adam = papers["Adam: A Method for Stochastic Optimization"]
    assert adam["added"] is not None and adam["source"].endswith("zotero-export.bib")
    assert "import: 4 added, 2 updated, 0 unchanged, 1 conflicts (catalog values kept), 1 skipped" in out


def test_reimporting_the_same_files_changes_no_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = seed_project(tmp_path)
    sources = [str(DATA / name) for name in ("zotero-export.bib", "hf-daily-papers.json", "reading-list.csv")]
    assert run(root, "import", *sources) == 0
    before = snapshot(root)
    capsys.readouterr()
    assert run(root, "import", *sources) == 0
    assert snapshot(root) == before
    assert "import: 0 added, 0 updated" in capsys.readouterr().out
    assert run(root, "check") == 0


def test_hand_edits_and_comments_survive_an_import_that_fills_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = seed_project(tmp_path)
    path = root / "catalog" / "papers" / "convex-optimization-algorithms-and-complexity.yaml"
    original = path.read_text(encoding="utf-8")
    edited = "# Bubeck's monograph: read chapters 3 and 6 first.\n" + original.replace(
        "added:", "tags:\n- convex-optimization\n# the notes are mine\nnotes: Start with *mirror descent*.\nadded:"
    )
    assert "tags:\n- convex-optimization" in edited
    path.write_text(edited, encoding="utf-8")
    capsys.readouterr()

    assert run(root, "import", str(DATA / "zotero-export.bib")) == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Bubeck's monograph: read chapters 3 and 6 first.\ntitle: 'Convex Optimization")
    assert "# the notes are mine\nnotes: Start with *mirror descent*.\n" in text
    data = yaml.safe_load(text)
    assert data["tags"] == ["convex-optimization"]
    assert (data["year"], data["arxiv"], data["doi"]) == (2015, "1405.4980", "10.1561/2200000050")
    assert list(data) == ["title", "authors", "year", "venue", "arxiv", "category", "doi", "tags", "notes", "added",
                          "source", "abstract"]  # fmt: skip
    # Every line the curator wrote is still there, in order.
    kept = [line for line in text.splitlines() if line in edited.splitlines()]
    assert kept == edited.splitlines()


def test_a_broken_entry_in_the_middle_leaves_the_catalog_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = seed_project(tmp_path)
    before = snapshot(root)
    broken = DATA / "broken-middle.bib"
    assert run(root, "import", str(DATA / "zotero-export.bib"), str(broken)) == 2
    err = capsys.readouterr().err
    assert f"{broken}:8: this entry is not closed" in err
    assert "nothing was written" in err
    assert snapshot(root) == before


def test_dry_run_says_what_would_happen_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = seed_project(tmp_path)
    before = snapshot(root)
    assert run(root, "import", "--dry-run", str(DATA / "zotero-export.bib")) == 0
    out = capsys.readouterr().out
    assert "would add    catalog/papers/adam-a-method-for-stochastic-optimization.yaml" in out
    assert "would update catalog/papers/convex-optimization-algorithms-and-complexity.yaml" in out
    assert "import (dry run): 4 added, 2 updated" in out and "nothing written" in out
    assert snapshot(root) == before


# --- Hugging Face, JSON, CSV ---------------------------------------------------------------------------------


def test_hugging_face_answer_fills_a_seed_paper_and_adds_a_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = seed_project(tmp_path)
    assert run(root, "import", str(DATA / "hf-daily-papers.json")) == 0
    lion = record(root, "symbolic-discovery-of-optimization-algorithms")
    assert lion["authors"] == ["Xiangning Chen", "Chen Liang", "Da Huang"]
    assert (lion["year"], lion["arxiv"], lion["code"]) == (2023, "2302.06675", "https://github.com/google/automl")
    ssm = records_by_title(root)[
        "Transformers are SSMs: Generalized Models and Efficient Algorithms Through Structured State Space Duality"
    ]
    assert ssm["arxiv"] == "2405.21060" and ssm["year"] == 2024
    assert "scale. We show that" in ssm["abstract"]  # the line break became a space
    assert "import: 1 added, 1 updated" in capsys.readouterr().out


def test_csv_with_quotes_commas_and_line_breaks_in_cells(tmp_path: Path) -> None:
    root = seed_project(tmp_path)
    assert run(root, "import", str(DATA / "reading-list.csv")) == 0
    papers = records_by_title(root)
    assert len(papers) == 119 + 3
    resnet = papers["Deep Residual Learning for Image Recognition"]
    assert resnet["authors"] == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert resnet["notes"] == 'Read for the "skip connection" idea, section 3.'
    dropout = papers["Dropout: A Simple Way to Prevent Neural Networks from Overfitting"]
    assert dropout["authors"] == ["Nitish Srivastava", "Geoffrey Hinton", "Alex Krizhevsky"]
    assert dropout["venue"] == "Journal of Machine Learning Research, 15(56)"
    assert dropout["notes"] == "Two lines\nof notes, with a comma, here."
    assert dropout["tags"] == ["first-order-methods"]  # a new record keeps the curator fields it came with
    assert (
        papers["Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift"]["arxiv"]
        == "1502.03167"
    )
    assert run(root, "check") == 0


def test_csv_problems_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "project", with_site=False)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        'title,year,tags\n"Fine Paper",2020,\n"Bad Year",twenty,\n"Two\nLines",2021,no-such-tag\nOnly,2020,a,b\n',
        encoding="utf-8",
    )
    assert run(root, "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: year: expected a year like 2024, got the text 'twenty'" in err
    assert f"{bad}:4: tags: unknown tag 'no-such-tag'" in err  # the row starts on line 4
    assert f"{bad}:6: row has 4 cells but the header has 3" in err
    assert list((root / "catalog" / "papers").iterdir()) == []

    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("titel,year\nA,2020\n", encoding="utf-8")
    assert run(root, "import", str(wrong_header)) == 2
    err = capsys.readouterr().err
    assert f"{wrong_header}:1: titel: unknown column; did you mean 'title'?" in err


def test_json_and_json_lines_in_the_record_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "project", with_site=False)
    records = [
        {"id": "ignored", "title": "Paper From JSON", "authors": ["Ada Lovelace"], "year": 1843,
         "added": "2024-01-02", "tags": ["optimization"], "notes": "kept"},
        {"title": "Second <Paper> & Co", "abstract": "Uses `code`, *stars* and {{ braces }}."},
    ]  # fmt: skip
    as_json = tmp_path / "records.json"
    as_json.write_text(json.dumps(records, indent=2), encoding="utf-8")
    as_lines = tmp_path / "more.jsonl"
    as_lines.write_text(json.dumps({"title": "Third Paper", "arxiv": "2401.00001"}) + "\n", encoding="utf-8")
    assert run(root, "import", str(as_json), str(as_lines)) == 0
    papers = records_by_title(root)
    first = papers["Paper From JSON"]
    assert first["id"] == "paper-from-json"
    assert (first["year"], str(first["added"]), first["tags"], first["notes"]) == (
        1843, "2024-01-02", ["optimization"], "kept"
    )  # fmt: skip
    assert papers["Second <Paper> & Co"]["abstract"] == "Uses `code`, *stars* and {{ braces }}."
    assert papers["Third Paper"]["arxiv"] == "2401.00001"

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "Good"}\n{"title": "Bad",}\n{"titel": "Typo"}\n', encoding="utf-8")
    capsys.readouterr()
    assert run(root, "import", str(broken)) == 2
    err = capsys.readouterr().err
    assert f"{broken}:2: invalid JSON" in err
    assert f"{broken}:3: titel: unknown key; did you mean 'title'?" in err


# --- files that cannot be read at all -----------------------------------------------------------------------


def test_unreadable_sources_get_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "project", with_site=False)
    latin1 = tmp_path / "refs.bib"
    latin1.write_bytes("@article{a,\n  title = {Caf\u00e9}\n}\n".encode("latin-1"))
    empty = tmp_path / "empty.csv"
    empty.write_text("  \n", encoding="utf-8")
    unknown = tmp_path / "paper.pdf"
    unknown.write_text("%PDF-1.5 something", encoding="utf-8")
    expected = {
        latin1: f"{latin1}:2: file is not UTF-8 text; save it as UTF-8 and import again",
        empty: f"{empty}: file is empty; nothing to import",
        unknown: f"{unknown}: cannot tell the format of this file; pass --format (listing, bibtex, arxiv, hf, json, csv)",
    }
    for path, message in expected.items():
        assert run(root, "import", str(path)) == 2
        assert message in capsys.readouterr().err


# --- arXiv API answers ------------------------------------------------------------------------------------------


def test_arxiv_answer_fields() -> None:
    result = read_source(DATA / "arxiv-answer.xml", "arxiv-answer.xml")
    assert result.problems == ()
    lion, convex, entropy, adam = (record.paper for record in result.records)
    assert [record.location for record in result.records][:2] == ["arxiv-answer.xml:10", "arxiv-answer.xml:85"]
    assert lion.arxiv == "2302.06675"  # no version
    assert lion.authors[0] == "Xiangning Chen" and lion.authors[-1] == "Quoc V. Le" and len(lion.authors) == 12
    assert (lion.year, lion.category, lion.venue) == (2023, "cs.LG", "NeurIPS 2023")
    assert lion.pdf == "https://arxiv.org/pdf/2302.06675v4"
    assert convex.title == "Convex Optimization: Algorithms and Complexity"  # line break in the title squashed
    assert convex.doi == "10.1561/2200000050"
    assert convex.venue == "In Foundations and Trends in Machine Learning, Vol. 8: No. 3-4, pp 231-357, 2015"
    assert "\n" not in convex.abstract and "  " not in convex.abstract
    assert adam.abstract.startswith("We introduce Adam, an algorithm for first-order gradient-based optimization of")
    assert entropy.year == 2016


def test_xml_that_declares_entities_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "project", with_site=False)
    bomb = tmp_path / "laughs.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol3;</title></entry></feed>\n',
        encoding="utf-8",
    )
    assert run(root, "import", str(bomb)) == 2
    assert f"{bomb}:1: this XML declares entities; refused for safety" in capsys.readouterr().err
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n</feed>\n')
    assert run(root, "import", str(broken)) == 2
    assert f"{broken}:4: this is not well-formed XML: mismatched tag" in capsys.readouterr().err
    assert list((root / "catalog" / "papers").iterdir()) == []


def test_arxiv_error_answer_is_reported(tmp_path: Path) -> None:
    answer = tmp_path / "error.xml"
    answer.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>\n"
        "    <title>Error</title>\n    <summary>incorrect id format for 1234</summary>\n  </entry>\n</feed>\n",
        encoding="utf-8",
    )
    result = read_source(answer, "error.xml")
    assert [str(problem) for problem in result.problems] == [
        "error.xml:3: arXiv answered with an error: incorrect id format for 1234"
    ]


def test_bibtex_and_arxiv_overlapping_the_seed_add_only_new_papers_and_fill_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's 'done when': import both, the seed records gain authors/years/arXiv ids, a rerun changes nothing."""
    root = seed_project(tmp_path)
    sources = [str(DATA / "arxiv-answer.xml"), str(DATA / "zotero-export.bib")]
    assert run(root, "import", *sources) == 0
    out = capsys.readouterr().out
    papers = records_by_title(root)
    assert len(papers) == 119 + 4  # Adam (in both files, once), Attention, Cho et al., Schölkopf
    lion = papers["Symbolic Discovery of Optimization Algorithms"]
    assert (lion["year"], lion["arxiv"], len(lion["authors"])) == (2023, "2302.06675", 12)
    assert lion["aliases"] == ["Lion"]  # the curator's field is untouched
    convex = papers["Convex Optimization: Algorithms and Complexity"]
    assert convex["year"] == 2014  # the first source wins; the BibTeX's 2015 is reported as a conflict
    assert "import: 4 added, 3 updated" in out
    assert run(root, "check") == 0
    before = snapshot(root)
    assert run(root, "import", *sources) == 0
    assert snapshot(root) == before
