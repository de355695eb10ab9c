"""The relevance labels (tests/data/relevance-labels.yaml) are well-formed.

Only the form is checked here; the recall figures are measured by ``python -m bench.relevance``,
not asserted.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "data" / "relevance-labels.yaml"
RELATED_RANGE = range(30, 36)  # ~30-35 pairs
TAGS_RANGE = range(40, 46)  # ~40-45 labels
MIN_DISTINCT_TAGS = 20
MAX_PAIRS_PER_PAPER = 2


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paper_ids() -> set[str]:
    return {path.stem for path in (REPO / "catalog" / "papers").glob("*.yaml")}


@pytest.fixture(scope="module")
def tag_names() -> set[str]:
    vocabulary = yaml.safe_load((REPO / "catalog" / "tags.yaml").read_text(encoding="utf-8"))
    return {entry["name"] for entry in vocabulary["tags"]}


def test_only_the_two_sections(labels: dict[str, Any]) -> None:
    assert set(labels) == {"related", "tags"}


def test_every_entry_has_exactly_its_keys(labels: dict[str, Any]) -> None:
    for entry in labels["related"]:
        assert set(entry) == {"paper", "related", "why"}, entry
    for entry in labels["tags"]:
        assert set(entry) == {"paper", "tag", "why"}, entry
    for entry in labels["related"] + labels["tags"]:
        assert all(isinstance(value, str) and value.strip() for value in entry.values()), entry


def test_counts_in_range(labels: dict[str, Any]) -> None:
    assert len(labels["related"]) in RELATED_RANGE
    assert len(labels["tags"]) in TAGS_RANGE


def test_related_ids_exist(labels: dict[str, Any], paper_ids: set[str]) -> None:
    unknown = [(e["paper"], e["related"]) for e in labels["related"] if not {e["paper"], e["related"]} <= paper_ids]
    assert unknown == []


def test_related_pairs_distinct_and_not_self(labels: dict[str, Any]) -> None:
    pairs = [(entry["paper"], entry["related"]) for entry in labels["related"]]
    assert len(pairs) == len(set(pairs))
    assert all(a != b for a, b in pairs)


def test_related_spread_over_papers(labels: dict[str, Any]) -> None:
    per_paper = Counter(entry["paper"] for entry in labels["related"])
    assert max(per_paper.values()) <= MAX_PAIRS_PER_PAPER


def test_tag_labels_exist(labels: dict[str, Any], paper_ids: set[str], tag_names: set[str]) -> None:
    assert [e["paper"] for e in labels["tags"] if e["paper"] not in paper_ids] == []
    assert [e["tag"] for e in labels["tags"] if e["tag"] not in tag_names] == []


def test_tag_labels_distinct_and_spread(labels: dict[str, Any]) -> None:
    pairs = [(entry["paper"], entry["tag"]) for entry in labels["tags"]]
    assert len(pairs) == len(set(pairs))
    assert len({tag for _, tag in pairs}) >= MIN_DISTINCT_TAGS
