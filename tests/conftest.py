"""Shared fixtures: scratch projects in tmp_path and one real build of the shipped catalog."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.render.write import GENERATED_FILES, GENERATED_FOLDERS

REPO = Path(__file__).resolve().parent.parent
SEED_LISTING = REPO / "catalog" / "sources" / "hf-papers-listing.txt"

FIXTURE_TAGS = """\
tags:
  - name: optimization
    description: How to minimise a loss.
    match: [optimization, optimizer, gradient descent]
  - name: federated-learning
    description: Training across clients without pooling data.
    match: [federated]
  - name: language-models
    description: Large language models.
    match: [language model, LLM]
"""


def make_project(root: Path, tags_yaml: str = FIXTURE_TAGS, with_site: bool = True) -> Path:
    """A scratch project: mkdocs.yml, hand-written docs and site_builder hooks, empty catalog."""
    (root / "catalog" / "papers").mkdir(parents=True)
    (root / "catalog" / "sources").mkdir(parents=True)
    (root / "catalog" / "tags.yaml").write_text(tags_yaml, encoding="utf-8")
    if with_site:
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        shutil.copytree(REPO / "docs", root / "docs", ignore=_generated_docs)
        copy_site_support(root)
    return root


def copy_site_support(root: Path) -> None:
    """What mkdocs.yml points at inside site_builder/: the hooks and the theme overrides."""
    (root / "site_builder").mkdir()
    shutil.copy(REPO / "site_builder" / "mkdocs_hooks.py", root / "site_builder" / "mkdocs_hooks.py")
    shutil.copytree(REPO / "site_builder" / "theme", root / "site_builder" / "theme")


def _generated_docs(folder: str, names: list[str]) -> set[str]:
    if Path(folder).resolve() == (REPO / "docs").resolve():
        return {name for name in names if name in GENERATED_FOLDERS + GENERATED_FILES}
    return set()


def write_listing(root: Path, text: str, name: str = "listing.txt") -> Path:
    path = root / "catalog" / "sources" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(root: Path, *args: str) -> int:
    """Run the CLI on a project, as a user would."""
    return main(["--root", str(root), *args])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalog built once, for real (generate + mkdocs build --strict), in a temp copy."""
    root = tmp_path_factory.mktemp("seed") / "project"
    shutil.copytree(REPO / "catalog", root / "catalog")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs", ignore=_generated_docs)
    copy_site_support(root)
    assert run(root, "build") == 0
    return root


def broken_links(site: Path) -> list[str]:
    """Every internal href/src in site/ that points at no file (404.html aside: a server serves it anywhere)."""
    import html
    import re

    broken = []
    for page in sorted(set(site.rglob("*.html")) - {site / "404.html"}):
        for href in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            if not (page.parent / html.unescape(href)).resolve().exists():
                broken.append(f"{page.relative_to(site)}: {href}")
    return broken
