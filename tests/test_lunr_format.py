"""Our direct writer of lunr's index format gives lunr.py's bytes, so lunr.js reads it as it reads lunr.py's."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lunr.builder import Builder

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.search.analysis import index_terms
from site_builder.search.index import HEAD_BOOSTS, SEARCH_PIPELINE
from site_builder.search.lunr_format import lunr_index

REPO = Path(__file__).resolve().parent.parent


def lunr_py_index(boosts: dict[str, int], documents: list[dict[str, list[str]]]) -> str:
    """What lunr.py's Builder serializes for the same pre-analysed terms (empty indexing pipeline)."""
    builder = Builder()
    for label in SEARCH_PIPELINE:
        builder.search_pipeline.add(builder.search_pipeline.registered_functions[label])
    builder.ref("ref")
    for field, boost in boosts.items():
        builder.field(field, boost=boost)
    for position, fields in enumerate(documents):
        builder.add({"ref": str(position), **fields})
    return json.dumps(builder.build().serialize())


def ours(boosts: dict[str, int], documents: list[dict[str, list[str]]]) -> str:
    return json.dumps(lunr_index(boosts, documents, SEARCH_PIPELINE))


def test_the_seed_catalog_indexes_to_lunr_pys_bytes() -> None:
    papers = load_catalog(CatalogPaths(REPO)).papers
    documents = [
        {
            "title": index_terms(paper.title),
            "tags": index_terms(" ".join(paper.tags)),
            "authors": index_terms(" ".join(paper.authors)),
            "body": index_terms(paper.abstract),
        }
        for paper in papers
    ]
    boosts = {**HEAD_BOOSTS, "body": 1}
    expected = lunr_py_index(boosts, documents)
    assert ours(boosts, documents) == expected
    assert len(expected) > 100_000  # a real index, not two empty ones


# Terms as they reach the index, plus the odd ones: uppercase left by folding ("ℌ" → "H"), digits, repeats.
term = st.sampled_from(["optim", "gradient", "descent", "H", "lion", "2023", "ﬁne", "x"]) | st.text(
    alphabet="abcdeé", min_size=1, max_size=4
)
document = st.fixed_dictionaries({"title": st.lists(term, max_size=6), "body": st.lists(term, max_size=30)})


@settings(max_examples=150, deadline=None)
@given(st.lists(document, min_size=1, max_size=12))
def test_any_documents_index_to_lunr_pys_bytes(documents: list[dict[str, list[str]]]) -> None:
    boosts = {"title": 10, "body": 1}
    assert ours(boosts, documents) == lunr_py_index(boosts, documents)
