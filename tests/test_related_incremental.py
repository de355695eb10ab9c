"""Related papers updated from the last build's state are exactly the related papers of a cold build.

A user edits one record and rebuilds: the build rescores only the papers
whose weights moved (enrich/related.py). These tests make a series of
edits of every kind to a synthetic catalog and check, after each one, that
the updated lists, scores and reasons equal a from-scratch computation.
Small blocks and short kept lists make every path run: lists that were
complete, lists cut short, rows scored again.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.generate import generate_papers
from site_builder.enrich import related, related_reasons, text_features
from site_builder.enrich.related import related_papers, update_related
from site_builder.enrich.text_features import TOKEN_PATTERN, count_terms
from site_builder.enrich.topic_map import topic_coordinates
from site_builder.model import Paper

PAPER = Paper(id="p0", title="")
TAG_NAMES = ["optimization", "federated-learning", "zeroth-order", "privacy", "robustness", "graphs"]


def tags_for(papers: list[Paper], rng: random.Random) -> dict[str, tuple[str, ...]]:
    return {paper.id: tuple(rng.sample(TAG_NAMES, rng.randint(0, 3))) for paper in papers}


def edited(papers: list[Paper], tags: dict[str, tuple[str, ...]], rng: random.Random, step: int) -> str:
    """Make one edit in place, of the kind ``step`` picks; return what it was."""
    index = rng.randrange(len(papers))
    target = papers[index]
    kind = ["abstract", "tags", "title", "authors", "add", "remove", "rewrite", "words"][step % 8]
    if kind == "abstract":
        papers[index] = dataclasses.replace(target, abstract=target.abstract + " We also report wall-clock times.")
    elif kind == "tags":
        tags[target.id] = ("federated-learning",)
    elif kind == "title":
        papers[index] = dataclasses.replace(target, title="Zeta: " + target.title)
    elif kind == "authors":
        papers[index] = dataclasses.replace(target, authors=("Ada Lovelace", *papers[0].authors[:1]))
    elif kind == "add":
        donor = papers[rng.randrange(len(papers))]
        new = dataclasses.replace(donor, id=f"zz-new-{step}", title=donor.title + " Revisited")
        papers.append(new)
        tags[new.id] = tags.get(donor.id, ())
    elif kind == "remove":
        removed = papers.pop(index)
        tags.pop(removed.id, None)
    elif kind == "rewrite":
        other = papers[rng.randrange(len(papers))]
        papers[index] = dataclasses.replace(target, abstract=other.abstract)
    else:  # a word no other paper uses, and one that becomes common
        papers[index] = dataclasses.replace(target, abstract=target.abstract + f" Quuxification{step} helps.")
    papers.sort(key=lambda paper: paper.id)
    return f"{kind} {target.id}"


@pytest.mark.parametrize(("block_rows", "kept_per_count", "count"), [(512, 3, 5), (7, 1, 3), (16, 2, 2)])
def test_updates_after_edits_equal_a_cold_computation(
    monkeypatch: pytest.MonkeyPatch, block_rows: int, kept_per_count: int, count: int
) -> None:
    monkeypatch.setattr(related, "BLOCK_ROWS", block_rows)
    monkeypatch.setattr(related, "KEPT_PER_COUNT", kept_per_count)
    monkeypatch.setattr(related, "DENSE_SHARE", 20 / 150)  # both the dense and the sparse product take part
    patched = edits_equal_cold(random.Random(block_rows), steps=24, count=count)
    assert patched >= 9, "edits to one text, title or author list should be patched in, not rescored"


@pytest.mark.parametrize(("quantum", "distinctive_share"), [(16, 0.04), (64, 0.08)])
def test_updates_stay_exact_where_rounding_hides_a_weight_change(
    monkeypatch: pytest.MonkeyPatch, quantum: int, distinctive_share: float
) -> None:
    """At 10,000 papers a word's document frequency can cross the share above which it no longer explains a
    link while every weight it is in rounds as before: the rows are not rescored, yet their reasons change
    (``related._stale_reasons``). Coarse weights and a low share make that happen in a small catalog."""
    unit = quantum * quantum
    for module in (text_features, related):
        monkeypatch.setattr(module, "QUANTUM", quantum)
        monkeypatch.setattr(module, "UNIT", unit)
    monkeypatch.setattr(related_reasons, "UNIT", unit)
    monkeypatch.setattr(related_reasons, "MIN_TERM_UNITS", related_reasons.MIN_TERM_WEIGHT * unit)
    monkeypatch.setattr(related, "MIN_UNITS", round(related.MIN_SCORE * unit))
    monkeypatch.setattr(related, "AUTHOR_UNITS", round(related.AUTHOR_WEIGHT * unit))
    monkeypatch.setattr(related, "DISTINCTIVE_SHARE", distinctive_share)
    monkeypatch.setattr(related, "BLOCK_ROWS", 16)
    edits_equal_cold(random.Random(quantum), steps=40, count=related.RELATED_COUNT)


def edits_equal_cold(rng: random.Random, *, steps: int, count: int) -> int:
    """Edit a catalog ``steps`` times, checking after each edit that the updated related papers are a cold
    computation's; how many edits were patched in rather than rescored."""
    papers = generate_papers(150, seed=3)
    tags = tags_for(papers, rng)
    state = update_related(papers, tags, None, count)
    patched = 0
    for step in range(steps):
        what = edited(papers, tags, rng, step)
        updated = update_related(papers, tags, state, count)
        cold = update_related(papers, tags, None, count)
        assert updated.links == cold.links, f"after {what}"
        for row, (mine, whole) in enumerate(zip(updated.best, cold.best, strict=True)):
            # A list cut short may keep fewer spare candidates than a cold one, never other ones.
            assert mine == whole[: len(mine)], f"after {what}"
            assert len(mine) >= min(count, len(whole)), f"after {what}"
            if updated.complete[row]:
                assert mine == whole and cold.complete[row], f"after {what}"
        patched += updated.rescored < len(papers) / 2
        state = updated
    return patched


def test_a_cold_computation_lists_the_same_papers_as_the_public_function() -> None:
    papers = generate_papers(40, seed=5)
    tags = tags_for(papers, random.Random(1))
    assert update_related(papers, tags, None).links == related_papers(papers, tags)


def test_scores_are_exact_whatever_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = generate_papers(120, seed=7)
    tags = tags_for(papers, random.Random(2))
    whole = related_papers(papers, tags)
    monkeypatch.setattr(related, "BLOCK_ROWS", 3)
    monkeypatch.setattr(related, "DENSE_SHARE", 0)  # every word through BLAS
    assert related_papers(papers, tags) == whole


def test_the_topic_map_is_the_same_from_counts_carried_over_as_from_fresh_ones() -> None:
    papers = generate_papers(80, seed=11)
    carried = count_terms(papers)
    # Two papers take up words no paper used: they join the end of the carried vocabulary, out of word order.
    for index in (3, 40):
        papers[index] = dataclasses.replace(papers[index], abstract=papers[index].abstract + " Aardvark Abacus helps.")
    updated = count_terms(papers, carried)
    fresh = count_terms(papers)
    assert tuple(updated.vocabulary) != tuple(fresh.vocabulary) and set(updated.vocabulary) == set(fresh.vocabulary)
    assert topic_coordinates(papers, updated) == topic_coordinates(papers, fresh) == topic_coordinates(papers)


def analyzed(text: str) -> Counter[str]:
    analyze = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), token_pattern=TOKEN_PATTERN).build_analyzer()
    return Counter(analyze(text))


def rows_of(counts: text_features.TermCounts) -> list[dict[str, int]]:
    matrix = counts.counts
    return [
        {
            counts.vocabulary[column]: int(value)
            for column, value in zip(matrix[row].indices, matrix[row].data, strict=True)
        }
        for row in range(matrix.shape[0])
    ]


TEXT = st.lists(st.sampled_from([*"aAbé1_- .,'\n", "the", "of", "grad", "Über", "x2", "İ", "Σ"]), max_size=60).map(
    "".join
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4))
def test_terms_are_those_tfidfvectorizer_counts(texts: list[tuple[str, str]]) -> None:
    papers = [
        dataclasses.replace(PAPER, id=f"p{n}", title=title, abstract=abstract)
        for n, (title, abstract) in enumerate(texts)
    ]
    counts = count_terms(papers)
    expected = [analyzed(text_features.text_of(paper)) for paper in papers]
    assert rows_of(counts) == [dict(counter) for counter in expected]
    # Columns: the words in the order first met, paper after paper, then the phrases by their words' columns.
    words = tuple(dict.fromkeys(term for counter in expected for term in counter if " " not in term))
    column = {word: number for number, word in enumerate(words)}
    phrases = sorted(
        {term for counter in expected for term in counter if " " in term},
        key=lambda phrase: tuple(column[word] for word in phrase.split(" ")),
    )
    assert tuple(counts.vocabulary) == words + tuple(phrases)


def test_counts_carried_over_and_fresh_ones_are_the_same_counts() -> None:
    papers = generate_papers(60, seed=5)
    before = count_terms(papers)
    edited = [
        dataclasses.replace(paper, abstract=paper.abstract + " Quuxification helps.") if n % 7 == 0 else paper
        for n, paper in enumerate(papers)
    ]
    after, fresh = count_terms(edited, before), count_terms(edited)
    assert after.vocabulary[: len(before.vocabulary)] == tuple(before.vocabulary)
    assert after.extends(before) and not fresh.extends(before)
    assert rows_of(after) == rows_of(fresh) == [dict(analyzed(text_features.text_of(paper))) for paper in edited]
    # The new word and phrases come after every carried column, once each.
    added = after.vocabulary[len(before.vocabulary) :]
    assert "quuxification" in added and "quuxification helps" in added and len(set(added)) == len(added)


def test_counts_carried_over_across_removed_added_and_moved_papers_are_the_same_counts() -> None:
    """Old rows are taken a run at a time: runs broken by a removed paper, an added one, the first and last
    rows edited, and papers in a new order must still give each paper its own counts."""
    papers = generate_papers(40, seed=9)
    before = count_terms(papers)
    edited = [
        dataclasses.replace(paper, abstract=paper.abstract + " Quuxification helps.") if n in (0, 11, 39) else paper
        for n, paper in enumerate(papers)
        if n != 20
    ]
    edited.insert(5, dataclasses.replace(papers[3], id="zz-added", title="An added paper"))
    edited[30], edited[31] = edited[31], edited[30]
    after, fresh = count_terms(edited, before), count_terms(edited)
    assert after.ids == fresh.ids == tuple(paper.id for paper in edited)
    assert rows_of(after) == rows_of(fresh) == [dict(analyzed(text_features.text_of(paper))) for paper in edited]


def test_terms_carried_over_keep_their_columns_and_new_ones_are_appended() -> None:
    """A fresh text's terms are found among the carried columns by their word numbers: an old phrase of two
    old words, a new phrase of two old words, phrases with a new word on either side."""
    papers = generate_papers(30, seed=2)
    counts = count_terms(papers)
    old_phrase = next(term for term in counts.vocabulary if " " in term)
    first, second = old_phrase.split(" ")
    text = f"{old_phrase.title()}. {second} {first} zyzzyva {first} {second} zyzzyva."
    edited = [dataclasses.replace(papers[0], abstract=text), *papers[1:]]
    after = count_terms(edited, counts)
    assert after.extends(counts)
    added = after.vocabulary[len(counts.vocabulary) :]
    assert set(added) == set(analyzed(text_features.text_of(edited[0]))) - set(counts.vocabulary)
    assert {"zyzzyva", f"{first} zyzzyva", f"zyzzyva {first}", f"{second} zyzzyva"} <= set(added)
    assert len(set(added)) == len(added)
    assert rows_of(after)[0] == dict(analyzed(text_features.text_of(edited[0])))
    assert rows_of(after) == rows_of(count_terms(edited))


def test_a_cold_computation_split_over_two_processes_is_the_one_made_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = generate_papers(120, seed=13)
    tags = tags_for(papers, random.Random(4))
    monkeypatch.setattr(related, "PARALLEL_ROWS", 10**9)
    alone = update_related(papers, tags, None)
    monkeypatch.setattr(related, "PARALLEL_ROWS", 10)  # every cold computation split in two
    monkeypatch.setattr(related, "BLOCK_ROWS", 16)  # and each half in several blocks
    split = update_related(papers, tags, None)
    assert split.links == alone.links
    assert split.best == alone.best and split.complete == alone.complete
