"""A build that reuses the last build's results (.cache/build/) gives exactly the cold build's bytes."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bench.generate import generate_project
from site_builder import background, build
from site_builder.catalog import load
from site_builder.enrich import related, tags
from site_builder.render import pages
from site_builder.search import BODY_INDEX_FILE, INDEX_FILE, parts
from tests.conftest import run

PAPERS = 60


def generated_files(root: Path) -> dict[str, bytes]:
    """Every file under docs/ (generated and hand-written), by relative path."""
    docs = root / "docs"
    return {path.relative_to(docs).as_posix(): path.read_bytes() for path in sorted(docs.rglob("*")) if path.is_file()}


def cold_copy(root: Path, destination: Path) -> Path:
    """The same project without any build output or cache, built with --no-cache."""
    shutil.copytree(root, destination, ignore=shutil.ignore_patterns(".cache", "site"))
    for generated in ("papers", "tags", "browse", "authors", "search-index"):
        shutil.rmtree(destination / "docs" / generated, ignore_errors=True)
    assert run(destination, "build", "--no-mkdocs", "--no-cache") == 0
    return destination


def record(root: Path, paper_id: str) -> Path:
    return root / "catalog" / "papers" / f"{paper_id}.yaml"


def edit(root: Path, paper_id: str, change: Callable[[dict], None]) -> None:
    path = record(root, paper_id)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def paper_ids(root: Path) -> list[str]:
    return sorted(path.stem for path in (root / "catalog" / "papers").glob("*.yaml"))


def reuse_counts(captured: str) -> tuple[int, int]:
    """(reused, made) from the build's summary line."""
    match = re.search(r"cache: (\d+) reused, (\d+) made", captured)
    assert match, f"no cache summary in: {captured}"
    return int(match.group(1)), int(match.group(2))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    generate_project(PAPERS, root)
    assert run(root, "build", "--no-mkdocs") == 0  # fills the cache
    return root


EDITS: dict[str, Callable[[list[str]], tuple[str, Callable[[dict], None]]]] = {
    "notes": lambda ids: (ids[3], lambda data: data.update(notes="Read *this* one first.")),
    "abstract": lambda ids: (ids[5], lambda data: data.update(abstract=data["abstract"] + " Momentum helps.")),
    "title": lambda ids: (ids[7], lambda data: data.update(title="Zeta: " + data["title"])),
    # Only how the title is written: its words, weights and related papers stay, and the pages that
    # link to it must still show it as now written.
    "title case": lambda ids: (ids[15], lambda data: data.update(title=data["title"].upper())),
    "manual tag": lambda ids: (ids[9], lambda data: data.update(tags=["federated-learning"])),
    "authors": lambda ids: (ids[11], lambda data: data.update(authors=["Ada Lovelace"])),
    "added date": lambda ids: (ids[13], lambda data: data.update(added=dt.date(2030, 1, 1))),
    "year": lambda ids: (ids[17], lambda data: data.update(year=1999)),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_a_rebuild_after_one_edit_has_the_cold_builds_bytes(
    project: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    paper_id, change = EDITS[kind](paper_ids(project))
    edit(project, paper_id, change)
    capsys.readouterr()
    assert run(project, "build", "--no-mkdocs") == 0
    reused, made = reuse_counts(capsys.readouterr().err)
    assert reused > made, f"a one-record edit ({kind}) recomputed more than it reused: {reused} reused, {made} made"
    cold = cold_copy(project, tmp_path / "cold")
    assert generated_files(project) == generated_files(cold)


def test_a_notes_edit_remakes_only_that_papers_page(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paper_id = paper_ids(project)[2]
    edit(project, paper_id, lambda data: data.update(notes="Compare with the 2019 baseline."))
    capsys.readouterr()
    assert run(project, "build", "--no-mkdocs") == 0
    output = capsys.readouterr().err
    assert reuse_counts(output)[1] == 3, output  # the record read again, its tags (keyed by the file) and its page
    assert "1 written" in output
    assert "Compare with the 2019 baseline." in (project / "docs" / "papers" / f"{paper_id}.md").read_text("utf-8")


def test_an_alias_added_to_one_record_is_found_in_the_abstracts_that_name_it(project: Path, tmp_path: Path) -> None:
    """Another paper's abstract, kept from the last build, now mentions the paper by its new alias."""
    ids = paper_ids(project)
    edit(project, ids[2], lambda data: data.update(abstract=data["abstract"] + " We compare with ZetaNet."))
    assert run(project, "build", "--no-mkdocs") == 0
    edit(project, ids[19], lambda data: data.update(aliases=["ZetaNet"]))
    assert run(project, "build", "--no-mkdocs") == 0
    assert f'href="{ids[19]}.html">ZetaNet</a>' in (project / "docs" / "papers" / f"{ids[2]}.md").read_text("utf-8")
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))


def test_tag_vocabulary_edits_give_the_cold_builds_bytes(project: Path, tmp_path: Path) -> None:
    """A tag's new description shows on its pages; a match term added to tags.yaml tags the papers that use it."""
    ids = paper_ids(project)
    path = project / "catalog" / "tags.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tag = data["tags"][-1]
    tag["description"] = "Papers found by an edited vocabulary."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert run(project, "build", "--no-mkdocs") == 0
    assert tag["description"] in (project / "docs" / "tags" / f"{tag['name']}.md").read_text(encoding="utf-8")
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-1"))
    title = yaml.safe_load(record(project, ids[0]).read_text(encoding="utf-8"))["title"]
    tag["match"] = [*tag.get("match", []), max(re.findall(r"[a-z]+", title), key=len)]  # a title's match tags
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert run(project, "build", "--no-mkdocs") == 0
    assert f"{tag['name']}.html" in (project / "docs" / "papers" / f"{ids[0]}.md").read_text(encoding="utf-8")
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-2"))


def test_removing_and_adding_records_match_the_cold_build(project: Path, tmp_path: Path) -> None:
    ids = paper_ids(project)
    moved = record(project, ids[0]).read_bytes()
    record(project, ids[0]).unlink()
    assert run(project, "build", "--no-mkdocs") == 0
    assert not (project / "docs" / "papers" / f"{ids[0]}.md").exists()
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-1"))
    record(project, ids[0]).write_bytes(moved)
    assert run(project, "build", "--no-mkdocs") == 0
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-2"))


def test_a_damaged_cache_only_costs_time(project: Path, tmp_path: Path) -> None:
    stored = sorted((project / ".cache" / "build").rglob("*.pickle"))
    assert len(stored) >= 5, stored
    for number, path in enumerate(stored):
        path.write_bytes(b"not a pickle" if number % 2 else path.read_bytes()[: len(path.read_bytes()) // 2])
    edit(project, paper_ids(project)[4], lambda data: data.update(abstract="A shorter abstract about optimizers."))
    assert run(project, "build", "--no-mkdocs") == 0
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))


def test_a_related_state_whose_links_entry_is_another_builds_is_not_used(project: Path, tmp_path: Path) -> None:
    """The related papers' state is kept apart from its links. If the links file is an earlier build's (the
    write of the newer one lost), the state is not updated with them: the rebuild still has the cold bytes."""
    folder, ids = project / ".cache" / "build", paper_ids(project)
    earlier = {name: (folder / name).read_bytes() for name in ("related links.pickle", "related links.key.pickle")}
    other = yaml.safe_load(record(project, ids[6]).read_text(encoding="utf-8"))
    # Paper 5 takes paper 6's words: both lists, and the lists that named either, change.
    edit(project, ids[5], lambda data: data.update(title=other["title"] + " Again", abstract=other["abstract"]))
    assert run(project, "build", "--no-mkdocs") == 0
    for name, data in earlier.items():
        (folder / name).write_bytes(data)
    edit(project, ids[20], lambda data: data.update(abstract=data["abstract"] + " Momentum helps."))
    assert run(project, "build", "--no-mkdocs") == 0
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))


def test_a_page_changed_or_removed_by_hand_in_docs_is_written_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write step trusts its stamps only while a file keeps the size and time it was written with:
    a page the cache kept only as a digest is made again when its file changed or went."""
    remakes = []
    made_again = build._search_index_made_again
    monkeypatch.setattr(build, "_search_index_made_again", lambda *args: remakes.append(args) or made_again(*args))
    ids = paper_ids(project)
    page = project / "docs" / "papers" / f"{ids[1]}.md"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Abstract", b"Abstrakt"))
    removed = project / "docs" / "papers" / f"{ids[2]}.md"
    removed_bytes = removed.read_bytes()
    removed.unlink()
    index = project / "docs" / INDEX_FILE  # kept as a digest too, when no document changed
    index_bytes = index.read_bytes()
    index.write_bytes(index_bytes.replace(b"window.", b"window .", 1))
    body = project / "docs" / BODY_INDEX_FILE
    body_bytes = body.read_bytes()
    body.unlink()
    assert run(project, "build", "--no-mkdocs") == 0
    assert page.read_bytes() == original
    assert removed.read_bytes() == removed_bytes
    assert index.read_bytes() == index_bytes
    assert body.read_bytes() == body_bytes
    assert len(remakes) == 1  # both search files from one remake
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))


def test_list_pages_kept_as_digests_are_written_again_if_changed_by_hand(project: Path, tmp_path: Path) -> None:
    """List pages, feeds, the map and the authors index are kept in the cache as digests, found by
    one key for all of them: one changed or removed by hand is made again, the rest left alone."""
    docs = project / "docs"
    listed = sorted(path for folder in ("tags", "browse") for path in (docs / folder).rglob("*") if path.is_file())
    listed.append(docs / "feed.xml")
    assert len(listed) > 10
    before = {path: path.read_bytes() for path in listed}
    for number, path in enumerate(listed):
        if number % 3 == 0:
            path.unlink()
        else:
            path.write_bytes(path.read_bytes() + b"\nchanged by hand\n")
    assert run(project, "build", "--no-mkdocs") == 0
    assert {path: path.read_bytes() for path in listed} == before
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))
    held = [
        value
        for shard in (project / ".cache" / "build" / "pages").glob("*.pickle")
        for value in pickle.loads(shard.read_bytes()).values()
    ]
    assert not [value for value in held if isinstance(value, str) and len(value) > 5000], "page texts in the cache"


def test_catalog_js_is_made_again_only_when_what_it_shows_changed(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An abstract edit moves the body's weights, not catalog.js (head index, result table, vocabulary):
    with no new word and the same start of the abstract, catalog.js is the last build's; a new word
    (typo correction knows it) makes it again. Both as a cold build makes them."""
    monkeypatch.setitem(background._settings, "parallel", False)  # the search step runs here: counted
    made = []
    monkeypatch.setattr(build, "head_file", lambda *args, **kwargs: made.append(1) or parts.head_file(*args, **kwargs))
    ids = paper_ids(project)
    vocabulary = yaml.safe_load((project / "catalog" / "tags.yaml").read_text(encoding="utf-8"))["tags"]
    # As many manual tags as a paper shows: its text no longer decides its tags (the head index reads them).
    edit(project, ids[5], lambda data: data.update(tags=[tag["name"] for tag in vocabulary[: tags.MAX_TAGS]]))
    assert run(project, "build", "--no-mkdocs") == 0
    index = project / "docs" / INDEX_FILE
    before = index.read_bytes()
    made.clear()
    edit(project, ids[5], lambda data: data.update(abstract=data["abstract"] + " " + data["abstract"]))
    assert run(project, "build", "--no-mkdocs") == 0
    assert (made, index.read_bytes()) == ([], before)
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))
    made.clear()  # the cold build made its own
    edit(project, ids[5], lambda data: data.update(abstract=data["abstract"] + " Quuxification helps."))
    assert run(project, "build", "--no-mkdocs") == 0
    assert made == [1] and b"quuxification" in index.read_bytes()
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold again"))


def test_the_full_build_with_mkdocs_matches_too(project: Path, tmp_path: Path) -> None:
    edit(
        project, paper_ids(project)[6], lambda data: data.update(abstract=data["abstract"] + " We also prove a bound.")
    )
    assert run(project, "build") == 0
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns(".cache", "site"))
    assert run(cold, "build", "--no-cache") == 0
    ours = {p.relative_to(project / "site").as_posix(): p.read_bytes() for p in (project / "site").rglob("*.html")}
    theirs = {p.relative_to(cold / "site").as_posix(): p.read_bytes() for p in (cold / "site").rglob("*.html")}
    assert len(ours) > PAPERS
    assert ours == theirs


def test_mkdocs_dirty_after_each_edit_gives_the_clean_sites_bytes(project: Path, tmp_path: Path) -> None:
    """What `make serve` relies on: every page an edit changes has its .md rewritten, so MkDocs' --dirty
    (render only the pages whose .md is newer than their HTML) makes the site a clean build makes."""
    assert run(project, "build") == 0
    ids = paper_ids(project)
    for kind in sorted(EDITS):
        paper_id, change = EDITS[kind](ids)
        edit(project, paper_id, change)
        assert run(project, "build", "--no-mkdocs") == 0
        dirty = [sys.executable, "-m", "mkdocs", "build", "--dirty", "--quiet"]
        subprocess.run(dirty, cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=True)
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns(".cache", "site"))
    assert run(cold, "build", "--no-cache") == 0
    ours, theirs = (
        {path.relative_to(root / "site").as_posix(): path.read_bytes() for path in (root / "site").rglob("*.*")}
        for root in (project, cold)
    )
    assert len(ours) > PAPERS
    assert sorted(name for name in ours if ours[name] != theirs.get(name)) == []
    assert ours.keys() == theirs.keys()


def site_files(root: Path) -> dict[str, bytes]:
    """Every file under site/, by relative path."""
    site = root / "site"
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def clean_build(project: Path, destination: Path) -> dict[str, bytes]:
    """site/ of a build of the same project from nothing (no cache, no site/)."""
    shutil.copytree(project, destination, ignore=shutil.ignore_patterns(".cache", "site"))
    assert run(destination, "build", "--no-cache") == 0
    return site_files(destination)


def test_build_after_an_edit_renders_only_what_changed_and_gives_the_clean_sites_bytes(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make build` runs MkDocs --dirty: after a record edit only the pages it changed are rendered again;
    after a change that reaches every page (a hand-written page, site_url, the theme, a page removed), all are.
    Each build says which, and why all."""
    assert run(project, "build") == 0
    ids = paper_ids(project)
    untouched = project / "site" / "papers" / f"{ids[-1]}.html"
    capsys.readouterr()

    def rendered_again() -> tuple[bool, str]:
        before = untouched.stat().st_mtime_ns
        assert run(project, "build") == 0
        said = re.findall(r"^mkdocs: (?:all \d+|\d+ of \d+) pages rendered.*$", capsys.readouterr().err, re.M)
        assert len(said) == 1, said
        return untouched.stat().st_mtime_ns != before, said[0]

    edit(project, ids[5], lambda data: data.update(abstract=data["abstract"] + " Momentum helps."))
    again, said = rendered_again()
    assert not again, "a one-record edit rendered every page again"
    rendered, total = map(int, re.findall(r"\d+", said))
    assert 1 <= rendered < total, said
    assert site_files(project) == clean_build(project, tmp_path / "after-edit")

    about = project / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    again, said = rendered_again()
    assert again, "a hand-written page changed, so every page's nav may have: all must be rendered"
    assert said.endswith("pages rendered: a hand-written page changed"), said
    assert site_files(project) == clean_build(project, tmp_path / "after-about")

    monkeypatch.setenv("SITE_URL", "https://example.org/catalog/")
    again, said = rendered_again()
    assert again, "site_url reaches every page (canonical links)"
    assert "site_url changed" in said, said
    assert b'href="https://example.org/catalog/papers/' in untouched.read_bytes()
    assert site_files(project) == clean_build(project, tmp_path / "after-site-url")

    theme = project / "site_builder" / "theme" / "main.html"  # a curator's own look, in the project
    theme.write_text(
        theme.read_text(encoding="utf-8").replace(
            "{% block extrahead %}\n  {{ super() }}",
            '{% block extrahead %}\n  {{ super() }}\n  <meta name="lab" content="x">',
        ),
        encoding="utf-8",
    )
    again, said = rendered_again()
    assert again, "the theme reaches every page"
    assert said.endswith("pages rendered: the theme (site_builder/theme/) changed"), said
    assert b'<meta name="lab" content="x">' in untouched.read_bytes()
    assert site_files(project) == clean_build(project, tmp_path / "after-theme")

    record(project, ids[0]).unlink()
    assert run(project, "build") == 0
    assert "pages rendered: a page was added to or removed from docs/" in capsys.readouterr().err
    assert not (project / "site" / "papers" / f"{ids[0]}.html").exists()
    assert site_files(project) == clean_build(project, tmp_path / "after-removal")
    capsys.readouterr()
    assert run(project, "--quiet", "build") == 0
    assert capsys.readouterr().err == "", "--quiet says nothing when all is well"


def test_a_build_that_warned_warns_again_next_time(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A dirty build would skip the page that warned (its HTML is newer than its .md) and pass --strict:
    the hooks record a site only after a build without warnings, so the next build is whole again."""
    (project / "docs" / "reading.md").write_text("# Reading\n\nSee [the list](missing.md).\n", encoding="utf-8")
    assert run(project, "build") == 1
    capsys.readouterr()
    assert run(project, "build") == 1
    assert "missing.md" in capsys.readouterr().err
    (project / "docs" / "reading.md").write_text("# Reading\n\nSee [the guide](guide/index.md).\n", encoding="utf-8")
    assert run(project, "build") == 0
    assert run(project, "build") == 0


def test_work_split_over_two_processes_gives_the_bytes_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records read, related papers scored and pages rendered half in a second process, with the cache."""
    monkeypatch.setattr(load, "PARALLEL_RECORDS", 10)
    monkeypatch.setattr(pages, "PARALLEL_PAPERS", 10)
    monkeypatch.setattr(related, "PARALLEL_ROWS", 10)
    root = tmp_path / "project"
    generate_project(PAPERS, root)
    assert run(root, "build", "--no-mkdocs") == 0
    paper_id = paper_ids(root)[-5]  # read by the second process (rendered here: the memo has nearly every page)
    edit(root, paper_id, lambda data: data.update(notes="Compare with the 2019 baseline."))
    capsys.readouterr()
    assert run(root, "build", "--no-mkdocs") == 0
    output = capsys.readouterr().err
    # What the second process reused and made is counted (and kept) as if made here.
    assert reuse_counts(output)[1] == 3, output  # its record, tags and page
    assert "1 written" in output
    monkeypatch.setitem(background._settings, "parallel", False)
    assert generated_files(root) == generated_files(cold_copy(root, tmp_path / "one-process"))


def test_a_duplicate_made_by_an_edit_is_still_found_with_the_cache(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The duplicates check is kept between builds only while no title changed: a copied title fails the build."""
    ids = paper_ids(project)
    title = yaml.safe_load(record(project, ids[0]).read_text(encoding="utf-8"))["title"]
    edit(project, ids[8], lambda data: data.update(title=title))
    capsys.readouterr()
    assert run(project, "build", "--no-mkdocs") == 2
    error = capsys.readouterr().err
    assert f"catalog/papers/{ids[8]}.yaml:" in error and f"same title as catalog/papers/{ids[0]}.yaml" in error


def test_a_search_body_kept_by_its_digest_is_written_again_if_removed(project: Path, tmp_path: Path) -> None:
    """After a tags edit only the head of the search index is made again: the body goes back to the build
    as its digest, and is made again if its file in docs/ was removed meanwhile."""
    edit(project, paper_ids(project)[9], lambda data: data.update(tags=["federated-learning"]))
    body = project / "docs" / BODY_INDEX_FILE
    body.unlink()
    assert run(project, "build", "--no-mkdocs") == 0
    assert body.exists()
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold"))


def test_a_hand_written_page_edit_reaches_the_search_index(project: Path, tmp_path: Path) -> None:
    """Hand-written pages are converted for search only when their text changed: an edit, a page added
    and a page excluded from search by its front matter each show in the index as in a cold build."""
    about = project / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nQuokkasearchword lives here.\n", encoding="utf-8")
    assert run(project, "build", "--no-mkdocs") == 0
    body = project / "docs" / BODY_INDEX_FILE
    assert "quokkasearchword" in body.read_text(encoding="utf-8")
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-edit"))

    (project / "docs" / "reading-list.md").write_text("# Reading list\n\nWombatsearchword.\n", encoding="utf-8")
    assert run(project, "build", "--no-mkdocs") == 0
    assert "wombatsearchword" in body.read_text(encoding="utf-8")
    assert "page:reading-list" in (project / "docs" / INDEX_FILE).read_text(encoding="utf-8")
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-added"))

    about.write_text("---\nsearch:\n  exclude: true\n---\n" + about.read_text(encoding="utf-8"), encoding="utf-8")
    assert run(project, "build", "--no-mkdocs") == 0
    assert "quokkasearchword" not in body.read_text(encoding="utf-8")
    assert generated_files(project) == generated_files(cold_copy(project, tmp_path / "cold-excluded"))
