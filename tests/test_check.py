"""`check`: every problem in the catalog, each as path:line: field: message, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_project, run

GOOD = "title: A Good Paper\nabstract: Fine.\nauthors:\n  - Ada Lovelace\nyear: 2024\n"


def write_record(root: Path, paper_id: str, text: str) -> None:
    (root / "catalog" / "papers" / f"{paper_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def catalog_root(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", with_site=False)


def test_clean_catalog_passes(catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(catalog_root, "a-good-paper", GOOD)
    assert run(catalog_root, "check") == 0
    assert "1 papers" in capsys.readouterr().out


def test_every_problem_is_reported_with_path_and_line(catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(catalog_root, "a-good-paper", GOOD)
    write_record(catalog_root, "broken-yaml", "title: Broken\nabstract: [unclosed\n")
    write_record(
        catalog_root, "wrong-types", "title: Wrong Types\nyear: soon\nauthors: Ada Lovelace\narxiv: 2302.06675\n"
    )
    write_record(catalog_root, "unknown-key", "title: Unknown Key\nabstract: x\ntag:\n  - optimization\n")
    write_record(catalog_root, "unknown-tag", "title: Unknown Tag\ntags:\n  - optimisation\n")
    write_record(catalog_root, "no-title", "abstract: Only an abstract.\n")
    write_record(catalog_root, "Bad_Name", "title: Bad Name\n")
    write_record(catalog_root, "same-title", "title: A  GOOD paper!\n")
    write_record(catalog_root, "bad-link", "title: Bad Link\ncode: javascript:alert(1)\n")

    assert run(catalog_root, "check") == 2
    err = capsys.readouterr().err.splitlines()
    expected = [
        "catalog/papers/Bad_Name.yaml:1: bad file name for a paper id: ids use lowercase ASCII letters, digits and single '-' between words",
        "catalog/papers/bad-link.yaml:2: code: links must start with https:// or http://",
        "catalog/papers/broken-yaml.yaml:3: YAML syntax error: did not find expected ',' or ']'",
        "catalog/papers/no-title.yaml:1: every paper needs a non-empty title",
        "catalog/papers/same-title.yaml:1: title: same title as catalog/papers/a-good-paper.yaml; merge the two records into one",
        "catalog/papers/unknown-key.yaml:3: tag: unknown key; did you mean 'tags'?",
        "catalog/papers/unknown-tag.yaml:3: tags: unknown tag 'optimisation'; add it to catalog/tags.yaml or fix the spelling",
        "catalog/papers/wrong-types.yaml:2: year: expected a year like 2024, got the text 'soon'",
        "catalog/papers/wrong-types.yaml:3: authors: expected a list, one item per line starting with '- '",
        "catalog/papers/wrong-types.yaml:4: arxiv: expected text, got the number 2302.06675; put it in quotes",
    ]
    assert err[: len(expected)] == expected
    assert err[len(expected)] == "10 problem(s); nothing was written. Fix them and run again."


def test_duplicate_arxiv_ids_are_reported(catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(catalog_root, "first", "title: First\narxiv: '2302.06675'\n")
    write_record(catalog_root, "second", "title: Second\nabstract: x\narxiv: '2302.06675'\n")
    assert run(catalog_root, "check") == 2
    assert (
        "catalog/papers/second.yaml:1: arxiv: same arxiv as catalog/papers/first.yaml; merge the two records into one"
        in capsys.readouterr().err
    )


def test_broken_tag_vocabulary_is_reported(catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (catalog_root / "catalog" / "tags.yaml").write_text(
        "tags:\n  - name: ok\n    match: [x]\n  - name: Not OK\n  - name: ok\n  - name: child\n    parent: nowhere\n",
        encoding="utf-8",
    )
    assert run(catalog_root, "check") == 2
    assert capsys.readouterr().err.splitlines()[:3] == [
        "catalog/tags.yaml:4: name: tag names are lowercase words joined by '-', like zeroth-order",
        "catalog/tags.yaml:5: name: tag 'ok' is already defined at line 2",
        "catalog/tags.yaml:6: parent: unknown parent tag 'nowhere'",
    ]


def test_build_refuses_a_bad_catalog_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    write_record(root, "a-good-paper", GOOD)
    write_record(root, "wrong", "title: Wrong\nyear: [2024]\n")
    assert run(root, "build") == 2
    assert "catalog/papers/wrong.yaml:2: year: expected a year like 2024, got a list" in capsys.readouterr().err
    assert not (root / "docs" / "papers").exists()
    assert not (root / "site").exists()
