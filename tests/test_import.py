"""`import`: listings merge into catalog/papers/ without losing or duplicating anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.conftest import SEED_LISTING, make_project, run, write_listing
from tests.test_listing import ABSTRACT_A, ABSTRACT_B


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25
    return make_project(tmp_path / "p", with_site=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((root / "catalog" / "papers").glob("*"))}


def test_import_writes_one_readable_record_per_paper(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = write_listing(root, f"Paper One: T\\'yr\n{ABSTRACT_A}\nPaper Two\n{ABSTRACT_B}\n")
    assert run(root, "import", str(listing)) == 0
    assert "import: 2 added, 0 updated, 0 unchanged, 0 conflicts" in capsys.readouterr().out
    record_path = root / "catalog" / "papers" / "paper-one-tyr.yaml"
    text = record_path.read_text(encoding="utf-8")
    assert text.startswith(
        "title: 'Paper One: Týr'\nadded: 2025-11-25\nsource: catalog/sources/listing.txt\nabstract: >-\n"
    )
    assert yaml.safe_load(text) == {
        "title": "Paper One: Týr",
        "added": __import__("datetime").date(2025, 11, 25),
        "source": "catalog/sources/listing.txt",
        "abstract": ABSTRACT_A,
    }
    assert sorted(snapshot(root)) == ["paper-one-tyr.yaml", "paper-two.yaml"]
    assert run(root, "check") == 0


def test_reimport_changes_no_byte(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = root / "catalog" / "sources" / "seed.txt"
    listing.write_bytes(SEED_LISTING.read_bytes())
    assert run(root, "import", str(listing)) == 0
    first = snapshot(root)
    assert len(first) == 119
    mtimes = {path: path.stat().st_mtime_ns for path in (root / "catalog" / "papers").glob("*")}
    assert run(root, "import", str(listing)) == 0
    assert snapshot(root) == first
    assert {path: path.stat().st_mtime_ns for path in (root / "catalog" / "papers").glob("*")} == mtimes
    assert "0 added, 0 updated, 119 unchanged, 0 conflicts" in capsys.readouterr().out


def test_hand_edits_survive_reimport_and_conflicts_are_reported(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = write_listing(root, f"Paper One\n{ABSTRACT_A}\n")
    assert run(root, "import", str(listing)) == 0
    record_path = root / "catalog" / "papers" / "paper-one.yaml"
    edited = record_path.read_text(encoding="utf-8").replace(
        "abstract:", "tags:\n- optimization\nnotes: My *own* note.\nabstract:"
    )
    edited = edited.replace("We study a simple method", "We study a SIMPLE method")
    record_path.write_text(edited, encoding="utf-8")
    capsys.readouterr()

    assert run(root, "import", str(listing)) == 0
    assert record_path.read_text(encoding="utf-8") == edited
    captured = capsys.readouterr()
    assert (
        "catalog/sources/listing.txt:1: abstract: conflict: catalog/papers/paper-one.yaml has 'We study a SIMPLE method"
        in captured.err
    )
    assert "0 added, 0 updated, 1 unchanged, 1 conflicts" in captured.out


def test_new_title_that_slugs_like_an_existing_id_gets_a_new_id(root: Path) -> None:
    assert run(root, "import", str(write_listing(root, f"Deep Nets\n{ABSTRACT_A}\n", "a.txt"))) == 0
    assert (
        run(
            root, "import", str(write_listing(root, f"Deep Nets!?\n{ABSTRACT_A}\nDeep-Nets 2\n{ABSTRACT_B}\n", "b.txt"))
        )
        == 0
    )
    # "Deep Nets!?" is the same paper (same folded title); "Deep-Nets 2" is new.
    assert sorted(snapshot(root)) == ["deep-nets-2.yaml", "deep-nets.yaml"]


def test_bad_listing_writes_nothing_and_exits_2(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = write_listing(root, f"Paper One\n{ABSTRACT_A}\nOrphan\nPaper Two\n{ABSTRACT_B}\n")
    assert run(root, "import", str(listing)) == 2
    err = capsys.readouterr().err
    assert "catalog/sources/listing.txt:3: title with no abstract after it: 'Orphan'" in err
    assert "nothing was written" in err
    assert snapshot(root) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty; nothing to import"),
        (b"Title\n\xff\xfe bad bytes\n", "file is not UTF-8 text; save it as UTF-8 and import again"),
    ],
)
def test_unreadable_sources_are_named(
    root: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = root / "catalog" / "sources" / "bad.txt"
    path.write_bytes(content)
    assert run(root, "import", str(path)) == 2
    assert message in capsys.readouterr().err


def test_unknown_format_asks_for_format(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = root / "catalog" / "sources" / "papers.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert run(root, "import", str(path)) == 2
    assert "cannot tell the format of this file; pass --format" in capsys.readouterr().err


def test_dry_run_writes_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = write_listing(root, f"Paper One\n{ABSTRACT_A}\n")
    assert run(root, "import", "--dry-run", str(listing)) == 0
    assert "would add    catalog/papers/paper-one.yaml" in capsys.readouterr().out
    assert snapshot(root) == {}


def test_no_temp_files_are_left_behind(root: Path) -> None:
    assert run(root, "import", str(write_listing(root, f"Paper One\n{ABSTRACT_A}\n"))) == 0
    assert [name for name in os.listdir(root / "catalog" / "papers") if name.startswith(".")] == []


def test_records_get_the_usual_file_mode(root: Path) -> None:
    assert run(root, "import", str(write_listing(root, f"Paper One\n{ABSTRACT_A}\n"))) == 0
    umask = os.umask(0)
    os.umask(umask)
    mode = (root / "catalog" / "papers" / "paper-one.yaml").stat().st_mode & 0o777
    assert mode == 0o666 & ~umask  # not the 0600 a bare temp file would have
