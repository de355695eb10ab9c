"""`make offline`: the zip a reader carries to a laptop, unzipped and read in Chromium from disk.

A small fixture catalog is built in tmp_path, zipped with `python -m site_builder offline`
(what `make offline` runs after `make build`), unzipped into another temp folder and opened
from file:// with every request off the machine refused (the `watched` fixture).
"""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from site_builder.offline import write_archive
from tests import browser_support
from tests.browser_support import Watched, assert_clean, check_paper_page, linked_ids, search
from tests.conftest import make_project, run

# The shared fixtures; pytest finds a fixture as a member of the test module.
chromium = browser_support.chromium
watched = browser_support.watched

NAME = "paper-catalog"  # the slug of site_name "Paper Catalog" in mkdocs.yml
PAPERS: dict[str, dict[str, Any]] = {
    "federated-averaging-revisited": {
        "title": "Federated Averaging Revisited",
        "abstract": "We revisit federated averaging across many clients and its optimizers.",
        "authors": ["Ada Lovelace"],
        "year": 2024,
        "added": datetime.date(2025, 1, 2),
    },
    "large-language-model-optimizers": {
        "title": "Large Language Model Optimizers",
        "abstract": "A study of gradient descent variants for language model pretraining.",
        "authors": ["Alan Turing"],
        "year": 2023,
        "added": datetime.date(2025, 1, 3),
    },
    "sharpness-aware-minimization": {
        "title": "Sharpness-Aware Minimization",
        "abstract": "Seeking flat minima improves generalization of an optimizer.",
        "year": 2021,
        "added": datetime.date(2025, 1, 4),
    },
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fixture catalog, built (no SITE_URL: the offline copy is a laptop build)."""
    root = make_project(tmp_path_factory.mktemp("offline") / "p")
    for paper_id, paper in PAPERS.items():
        path = root / "catalog" / "papers" / f"{paper_id}.yaml"
        path.write_text(yaml.safe_dump(paper, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SITE_URL", raising=False)
        assert run(root, "--quiet", "build") == 0
    return root


@pytest.fixture(scope="module")
def archive(project: Path) -> Path:
    """What `make offline` writes: dist/<name>-<today>.zip."""
    assert run(project, "offline") == 0
    path = project / "dist" / f"{NAME}-{datetime.date.today().isoformat()}.zip"
    assert path.is_file(), f"no {path.name} in dist/: {sorted(p.name for p in (project / 'dist').iterdir())}"
    return path


@pytest.fixture(scope="module")
def unzipped(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive unzipped into a fresh folder, far from the project; returns that folder."""
    target = tmp_path_factory.mktemp("laptop")
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(target)
    return target


def test_offline_says_where_it_wrote(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, "offline") == 0
    said = capsys.readouterr().out
    assert f"dist/{NAME}-{datetime.date.today().isoformat()}.zip" in said, said
    assert f"{NAME}/index.html" in said, said


def test_archive_holds_the_whole_site_in_one_folder(archive: Path, project: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
    site_files = sorted(
        path.relative_to(project / "site").as_posix() for path in (project / "site").rglob("*") if path.is_file()
    )
    assert names == sorted(names), "entries are not sorted"
    assert all(name.startswith(f"{NAME}/") for name in names), "unzipping would spill files beside the folder"
    assert names == [f"{NAME}/{name}" for name in site_files]


def test_archive_is_the_same_bytes_for_the_same_site(archive: Path, project: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    write_archive(project / "site", again, NAME)
    assert again.read_bytes() == archive.read_bytes()
    with zipfile.ZipFile(archive) as zipped:
        assert {info.date_time for info in zipped.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_offline_without_a_built_site_says_to_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "unbuilt")
    assert run(root, "offline") == 2
    assert "run make build first" in capsys.readouterr().err
    assert not (root / "dist").exists()


def test_unzipped_site_works_from_disk(unzipped: Path, project: Path, watched: Watched) -> None:
    """Home page → a paper page by its link; then the search box finds another paper and opens it."""
    page = watched.page
    page.goto((unzipped / NAME / "index.html").as_uri())
    first = page.locator('.md-content a[href^="papers/"]').first
    expect(first).to_be_visible()
    first.click()
    shown = check_paper_page(page, project)

    other = next(paper_id for paper_id in PAPERS if paper_id != shown)
    results = search(page, PAPERS[other]["title"].split()[0])
    assert other in linked_ids(results), f"search for {PAPERS[other]['title']!r} does not list papers/{other}.html"
    results.filter(has_text=PAPERS[other]["title"]).first.click()
    assert check_paper_page(page, project) == other
    assert page.url.startswith((unzipped / NAME).as_uri()), page.url
    assert_clean(watched)
