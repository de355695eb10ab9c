"""Paper ids: readable, bounded, unique, safe."""

from __future__ import annotations

import pytest

from site_builder.ids import MAX_ID_LENGTH, id_problem, slug_for_title, unique_id


def test_id_is_a_readable_ascii_slug() -> None:
    title = "Týr-the-Pruner: Structural Pruning LLMs via Global Sparsity Distribution Optimization"
    assert slug_for_title(title) == "tyr-the-pruner-structural-pruning-llms-via-global-sparsity"


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = (
        "Efficient Global Optimization of Two-layer ReLU Networks: Quadratic-time Algorithms and Adversarial Training"
    )
    slug = slug_for_title(title)
    assert len(slug) <= MAX_ID_LENGTH
    assert slug == "efficient-global-optimization-of-two-layer-relu-networks"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("index", "paper-index"),
        ("CON", "paper-con"),
        ("404", "paper-404"),
        ("search", "paper-search"),
        (".hidden", "hidden"),
        ("😀", "paper"),
        ("", "paper"),
        ("x" * 300, "x" * 60),
    ],
)
def test_odd_titles_give_safe_ids(title: str, expected: str) -> None:
    assert slug_for_title(title) == expected
    assert id_problem(expected) is None


def test_ids_are_stable_and_bounded() -> None:
    title = "A Very Long Title " * 20
    assert slug_for_title(title) == slug_for_title(title)
    assert len(unique_id(title, {slug_for_title(title)})) <= MAX_ID_LENGTH


def test_ids_are_unique() -> None:
    assert unique_id("Deep Learning", {"deep-learning"}) == "deep-learning-2"
    assert unique_id("Deep Learning", {"deep-learning", "deep-learning-2"}) == "deep-learning-3"


@pytest.mark.parametrize("bad", ["Upper", "two--dashes", "-lead", "with space", "search", "a" * 70])
def test_bad_ids_are_named(bad: str) -> None:
    assert id_problem(bad) is not None
