"""Nothing is lost: interrupted imports and builds, records the loader would skip, and round trips of any text."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.catalog.records import paper_from_yaml
from site_builder.catalog.store import record_text
from site_builder.catalog.yamlio import parse_yaml
from site_builder.model import EnrichedPaper, Paper
from site_builder.render.paper_page import paper_page
from site_builder.textnorm import visible
from tests.conftest import REPO, make_project, run


def cli(root: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--root", str(root), "-q", *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(process: subprocess.Popen[bytes], ready: callable, timeout: float = 60) -> None:  # type: ignore[valid-type]
    """SIGKILL the process as soon as ``ready()`` is true (it is part-way through its writes)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the process finished before it could be interrupted; give it more work"
        assert time.monotonic() < deadline, "the process never got to the point to interrupt"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def big_source(path: Path, count: int) -> Path:
    lines = (
        json.dumps({"title": f"Synthetic Paper Number {number}", "abstract": f"Federated optimizer study {number}."})
        for number in range(count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record_files(root: Path) -> list[Path]:
    return sorted((root / "catalog" / "papers").glob("*.yaml"))


def test_a_killed_import_loses_no_record_and_the_next_import_finishes_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", with_site=False)
    source = big_source(tmp_path / "big.jsonl", 3000)
    process = cli(root, "import", str(source))
    kill_when(process, lambda: len(record_files(root)) >= 50)

    written = record_files(root)
    assert 50 <= len(written) < 3000
    for path in written:  # every record on disk is whole and valid
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["title"].startswith("Synthetic Paper Number ")
    assert run(root, "check") == 0

    assert run(root, "import", str(source)) == 0
    final = record_files(root)
    titles = sorted(yaml.safe_load(path.read_text(encoding="utf-8"))["title"] for path in final)
    assert titles == sorted(f"Synthetic Paper Number {number}" for number in range(3000))  # none lost, none twice


def test_a_killed_build_leaves_a_catalog_the_next_build_completes(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    source = big_source(tmp_path / "many.jsonl", 400)
    assert run(root, "import", str(source)) == 0
    before = {path.name: path.read_bytes() for path in record_files(root)}
    process = cli(root, "build")
    kill_when(
        process,
        lambda: (
            len(list((root / "docs" / "papers").glob("*.md"))) >= 20 if (root / "docs" / "papers").is_dir() else False
        ),
    )
    assert {path.name: path.read_bytes() for path in record_files(root)} == before
    assert run(root, "build") == 0
    assert len(list((root / "site" / "papers").glob("*.html"))) == 400
    # And the result is the same as a build that was never interrupted.
    clean = make_project(tmp_path / "clean")
    assert run(clean, "import", str(source)) == 0
    assert run(clean, "build") == 0
    for name in ("index.html", "papers/synthetic-paper-number-7.html", "search-index/catalog.js"):
        assert (root / "site" / name).read_bytes() == (clean / "site" / name).read_bytes(), name


def test_records_the_loader_would_skip_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", with_site=False)
    papers = root / "catalog" / "papers"
    (papers / "good.yaml").write_text("title: Good\n", encoding="utf-8")
    (papers / "other.yml").write_text("title: Other\n", encoding="utf-8")
    (papers / ".hidden.yaml").write_text("title: Hidden\n", encoding="utf-8")
    (papers / "latin.yaml").write_bytes("title: Caf\u00e9\n".encode("latin-1"))
    (papers / ".good.yaml.x1y2.tmp").write_text("title: half-writ", encoding="utf-8")  # an interrupted write
    assert run(root, "check") == 2
    err = capsys.readouterr().err
    assert "catalog/papers/other.yml: this file is not read as a record; name it <id>.yaml" in err
    assert "catalog/papers/.hidden.yaml: this file is not read as a record" in err
    assert "catalog/papers/latin.yaml:1: this record is not UTF-8 text; save it as UTF-8" in err
    assert ".tmp" not in err


# --- property tests -----------------------------------------------------------------------------------------

# Any Unicode text but surrogates (not encodable) and the controls YAML cannot carry at all.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\ufeff"), max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT.filter(lambda value: value.strip() != ""), abstract=TEXT)
def test_any_text_round_trips_through_a_record(title: str, abstract: str) -> None:
    # Author names are trimmed on load (on purpose), so give one without outer spaces.
    paper = Paper(id="some-paper", title=title, abstract=abstract, authors=(title[:20].strip() or "A",))
    parsed = parse_yaml(record_text(paper), "x.yaml")
    assert not isinstance(parsed, Exception)
    back, problems = paper_from_yaml("some-paper", parsed, "x.yaml", known_tags=set())
    assert problems == []
    assert back == paper


@settings(max_examples=150, deadline=None)
@given(title=TEXT.filter(lambda value: value.strip() != ""), abstract=TEXT)
def test_any_text_shows_on_its_page_as_written(title: str, abstract: str) -> None:
    paper = Paper(id="some-paper", title=title, abstract=abstract)
    page = paper_page(EnrichedPaper(paper=paper, tags=()), {"some-paper": title}, {}, "@misc{x}")
    heading = re.search(r'<h1 class="paper-title">(.*?)</h1>', page, re.S)
    shown = re.search(r'<p class="paper-abstract">(.*?)</p>', page, re.S)
    assert heading and shown
    assert "<" not in heading.group(1)  # no markup from the text itself
    assert html.unescape(heading.group(1)) == visible(title)
    if visible(abstract):
        assert html.unescape(shown.group(1)) == visible(abstract)
    # The front matter is YAML that reads back to the same (visible) title.
    front = yaml.safe_load(page.split("---\n")[1])
    assert front["title"] == visible(title)


def test_the_environment_does_not_leak_into_the_build(tmp_path: Path) -> None:
    """Same catalog, same bytes: even with a different locale and time zone."""
    roots = []
    for name, extra in (("one", {}), ("two", {"TZ": "Pacific/Kiritimati", "LANG": "C", "LC_ALL": "C"})):
        root = make_project(tmp_path / name)
        (root / "catalog" / "papers" / "a.yaml").write_text("title: Été\nabstract: Federated optimizer.\n", "utf-8")
        finished = subprocess.run(
            [sys.executable, "-m", "site_builder", "--root", str(root), "-q", "build"],
            cwd=REPO,
            env={**os.environ, **extra},
            check=False,
        )
        assert finished.returncode == 0
        roots.append(root)
    first, second = (
        {p.relative_to(r).as_posix(): p.read_bytes() for p in sorted((r / "site").rglob("*")) if p.is_file()}
        for r in roots
    )
    assert first == second


# What visible() drops (C0/C1 controls but tab and newline, bidi controls, zero-width spaces, word
# joiners, BOMs), spelled out apart from its code, and characters it keeps.
_HIDING = "\x00\x08\x0b\x1b\x1f\x7f\x85\x9f\u202a\u202e\u2066\u2069\u200b\u2060\ufeff"
_HIDING_PATTERN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")
_KEPT = "a é\t\n\u00a0\u200c\u200d\u2028 💡"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_HIDING + _KEPT)) | st.text())
def test_visible_drops_exactly_the_characters_that_hide_or_reorder_text(value: str) -> None:
    """visible() skips its pattern for printable text: that shortcut must change nothing."""
    assert visible(value) == _HIDING_PATTERN.sub("", value)
    assert not set(visible(value)) & set(_HIDING)
