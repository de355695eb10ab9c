"""The listing reader: pairs titles with abstracts and reports everything else."""

from __future__ import annotations

from site_builder.ingest.listing import read_listing
from tests.conftest import SEED_LISTING

ABSTRACT_A = (
    "We study a simple method for training models. It works well on many tasks and we report "
    "extensive experiments that show the gains over strong baselines."
)
ABSTRACT_B = (
    "This paper proposes another approach to a hard problem. We prove bounds on its error and "
    "show that it outperforms prior work on three benchmarks."
)


def test_seed_listing_gives_119_records_and_no_problems() -> None:
    result = read_listing(SEED_LISTING.read_text(encoding="utf-8"), "seed.txt")
    assert len(result.records) == 119
    assert result.problems == ()
    first = result.records[0]
    # The "Subscribe" button text glued to the first title is removed.
    assert first.paper.title.startswith("DocLayout-YOLO: Enhancing Document Layout Analysis")
    assert first.line == 3
    assert result.records[-1].paper.title == "Symbolic Discovery of Optimization Algorithms"


def test_listing_without_header_imports() -> None:
    result = read_listing(f"Paper One\n{ABSTRACT_A}\nPaper Two\n{ABSTRACT_B}\n", "l.txt")
    assert [(r.paper.title, r.line) for r in result.records] == [("Paper One", 1), ("Paper Two", 3)]
    assert result.problems == ()


def test_crlf_and_blank_lines_are_fine() -> None:
    text = f"\r\nGet trending papers in your email inbox!\r\n\r\nSubscribePaper One\r\n\r\n{ABSTRACT_A}\r\n\r\n"
    result = read_listing(text, "l.txt")
    assert [(r.paper.title, r.paper.abstract, r.line) for r in result.records] == [("Paper One", ABSTRACT_A, 4)]


def test_title_without_abstract_is_reported_with_its_line() -> None:
    result = read_listing(f"Paper One\n{ABSTRACT_A}\nOrphan Title\nPaper Two\n{ABSTRACT_B}\n", "l.txt")
    assert [r.paper.title for r in result.records] == ["Paper One", "Paper Two"]
    assert [str(p) for p in result.problems] == ["l.txt:3: title with no abstract after it: 'Orphan Title'"]


def test_odd_line_count_reports_the_last_title() -> None:
    result = read_listing(f"Paper One\n{ABSTRACT_A}\nDangling Title", "l.txt")
    assert [str(p) for p in result.problems] == ["l.txt:3: title with no abstract after it: 'Dangling Title'"]


def test_abstract_without_title_is_reported() -> None:
    result = read_listing(f"Paper One\n{ABSTRACT_A}\n{ABSTRACT_B}\n", "l.txt")
    assert [str(p) for p in result.problems] == ["l.txt:3: abstract with no title line before it"]


def test_same_title_twice_is_one_record_and_reported() -> None:
    text = f"Paper One\n{ABSTRACT_A}\nPAPER  one\n{ABSTRACT_A}\n"
    result = read_listing(text, "l.txt")
    assert len(result.records) == 1
    assert result.problems == ()
    assert [str(n) for n in result.notices] == ["l.txt:3: title: skipped: same paper as line 1; imported once"]


def test_same_title_with_another_abstract_is_an_error() -> None:
    result = read_listing(f"Paper One\n{ABSTRACT_A}\nPaper One\n{ABSTRACT_B}\n", "l.txt")
    assert [str(p) for p in result.problems] == [
        "l.txt:3: title: same title as line 1 but a different abstract; keep one of them"
    ]
