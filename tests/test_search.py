"""Search: text analysis, query reading, relevance on the seed, the CLI and the index file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.render.write import GENERATED_FILES, GENERATED_FOLDERS
from site_builder.search import SearchIndex
from site_builder.search.analysis import fold, index_terms, words
from site_builder.search.index import BODY_INDEX_FILE, INDEX_FILE, parse_payload_script, snippet
from site_builder.search.query import parse_query
from tests.conftest import run

RELEVANCE = [
    ("zeroth-order", "localized-zeroth-order-prompt-optimization"),
    ("zeroth order", "federated-zeroth-order-optimization-using-trajectory"),
    ("bilevel", "a-generic-first-order-algorithmic-framework-for-bi-level"),
    ("Hölder", "gradient-normalized-smoothness-for-optimization-with"),
    ("holder", "gradient-normalized-smoothness-for-optimization-with"),
    ("Lojasiewicz", "from-optimization-dynamics-to-generalization-bounds-via"),
    ("sharpness", "robustly-learning-a-single-neuron-via-sharpness"),
    ("Lion", "symbolic-discovery-of-optimization-algorithms"),
    ("tyr", "tyr-the-pruner-structural-pruning-llms-via-global-sparsity"),
    ("local SGD language models", "asynchronous-local-sgd-training-for-language-modeling"),
    ("federated social event detection", "dame-personalized-federated-social-event-detection-with-dual"),
    ("gaussian splatting long videos", "longsplat-robust-unposed-3d-gaussian-splatting-for-casual"),
    ("document layout", "doclayout-yolo-enhancing-document-layout-analysis-through"),
    ("DocLay", "doclayout-yolo-enhancing-document-layout-analysis-through"),
    ("token pruning vision language", "balanced-token-pruning-accelerating-vision-language-models"),
    ("semidefinite relaxation certification", "tight-certification-of-adversarially-trained-neural-networks"),
    ("diffusion LLM decoding", "accelerating-diffusion-llm-inference-via-local-determinism"),
    ("lazy hessians", "second-order-optimization-with-lazy-hessians"),
    ("hessain", "second-order-optimization-with-lazy-hessians"),
    ("AMSGrad", "an-optimistic-acceleration-of-amsgrad-for-nonconvex"),
    ("amsgrd", "an-optimistic-acceleration-of-amsgrad-for-nonconvex"),
    ("entropy-SGD", "entropy-sgd-biasing-gradient-descent-into-wide-valleys"),
    ("structural pruning LLM", "tyr-the-pruner-structural-pruning-llms-via-global-sparsity"),
    ("saddle point", "on-the-saddle-point-problem-for-non-convex-optimization"),
    ("mixture of experts", "comet-learning-cardinality-constrained-mixture-of-experts"),
    ("time series imputation", "glocal-information-bottleneck-for-time-series-imputation"),
    ("knowledge distillation segmentation", "transkd-transformer-knowledge-distillation-for-efficient"),
    ("heart shape reconstruction", "neural-deformable-models-for-3d-bi-ventricular-heart-shape"),
    ("primal-dual safe", "off-policy-primal-dual-safe-reinforcement-learning"),
    ("gflownet", "local-search-gflownets"),
    ("video-to-video translation", "rerender-a-video-zero-shot-text-guided-video-to-video"),
    ("multi-agent prompts topologies", "multi-agent-design-optimizing-agents-with-better-prompts-and"),
]


@pytest.fixture(scope="module")
def seed_index(built_seed_site: Path) -> SearchIndex:
    site = built_seed_site / "site"
    return SearchIndex.from_payload(
        parse_payload_script((site / INDEX_FILE).read_text(encoding="utf-8")),
        parse_payload_script((site / BODY_INDEX_FILE).read_text(encoding="utf-8")),
    )


@pytest.mark.parametrize(("query", "expected"), RELEVANCE)
def test_expected_paper_is_in_the_top_three(seed_index: SearchIndex, query: str, expected: str) -> None:
    assert expected in [hit.id for hit in seed_index.search(query, 3)]


@pytest.mark.parametrize("query", [":^~+-*", "title:foo", "zeroth~1", "learning^10", "+", "-", "*", "\\", '"', ""])
def test_lunr_syntax_in_user_input_is_text_and_never_fails(seed_index: SearchIndex, query: str) -> None:
    seed_index.search(query)  # no exception
    assert seed_index.search("title:zeroth-order")[0].id == seed_index.search("title zeroth order")[0].id


def test_all_words_must_match_when_they_can(seed_index: SearchIndex) -> None:
    hits = seed_index.search("federated fairness", None)
    assert [hit.id for hit in hits] == ["demystifying-local-and-global-fairness-trade-offs-in"]


def test_titles_alone_answer_before_the_abstracts_arrive(built_seed_site: Path) -> None:
    head = parse_payload_script((built_seed_site / "site" / INDEX_FILE).read_text(encoding="utf-8"))
    titles_only = SearchIndex.from_payload(head)
    assert titles_only.search("DocLayout", 1)[0].id == "doclayout-yolo-enhancing-document-layout-analysis-through"
    assert titles_only.search("holder") == []  # Hölder is only in an abstract


def test_any_word_when_no_paper_has_all(seed_index: SearchIndex) -> None:
    hits = seed_index.search("gflownet splatting", None)
    assert {hit.id for hit in hits} >= {
        "local-search-gflownets",
        "longsplat-robust-unposed-3d-gaussian-splatting-for-casual",
    }


def test_minus_excludes_a_word(seed_index: SearchIndex) -> None:
    with_fairness = {hit.id for hit in seed_index.search("federated", None)}
    without = {hit.id for hit in seed_index.search("federated -fairness", None)}
    assert "demystifying-local-and-global-fairness-trade-offs-in" in with_fairness - without
    assert without and without < with_fairness


def test_hand_written_pages_are_searchable(seed_index: SearchIndex) -> None:
    assert seed_index.search("about this catalog", 1)[0].id == "page:about"


def test_folding_and_words() -> None:
    assert fold("Łojasiewicz Hölder STRAẞE Ærø đ ﬁ") == "lojasiewicz holder strasse aero d fi"
    assert words("Týr-the-Pruner: O(n^2) snake_case 14.2%") == [
        "tyr",
        "the",
        "pruner",
        "o",
        "n",
        "2",
        "snake",
        "case",
        "14",
        "2",
    ]
    assert index_terms("The sharpness of bilevel optimization") == ["sharp", "bilevel", "optim"]


def test_query_reading() -> None:
    parsed = parse_query("The federated -fair lear")
    assert parsed.words == ("federated", "lear")
    assert parsed.excluded == ("fair",)
    assert parsed.prefix_word == "lear"
    assert parse_query("federated lear ").prefix_word is None  # finished word: no prefix
    assert parse_query("zeroth-order").words == ("zeroth", "order")


def test_snippet_cuts_at_a_word() -> None:
    assert snippet("word " * 100, 24) == "word word word word …"
    assert snippet("short text") == "short text"


def test_cli_search_json(built_seed_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(built_seed_site, "search", "Lion", "--json", "--limit", "1") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer == [
        {
            "id": "symbolic-discovery-of-optimization-algorithms",
            "title": "Symbolic Discovery of Optimization Algorithms",
            "score": answer[0]["score"],
        }
    ]
    assert answer[0]["score"] > 0


def test_cli_search_text(built_seed_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(built_seed_site, "search", "Týr") == 0
    out = capsys.readouterr().out
    assert out.startswith(" 1. Týr-the-Pruner: Structural Pruning LLMs via Global Sparsity Distribution Optimization")
    assert run(built_seed_site, "search", "qwertyuiopasdf") == 0
    assert "no results for 'qwertyuiopasdf'" in capsys.readouterr().out


def test_cli_search_without_an_index_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, "search", "x") == 2
    assert "no search index yet; run 'make build'" in capsys.readouterr().err


def test_index_file_is_a_json_parse_script(built_seed_site: Path) -> None:
    text = (built_seed_site / "site" / INDEX_FILE).read_text(encoding="utf-8")
    assert text.startswith('window.__catalogSearch=JSON.parse("{')
    payload = parse_payload_script(text)
    assert payload["index"]["version"] == "2.3.9"
    assert payload["index"]["pipeline"] == ["fold-diacritics", "stemmer"]
    assert payload["index"]["fields"] == ["title", "tags", "authors"]
    # Every paper and every hand-written page (about, scaling, the guide...), the search page aside.
    handwritten = [
        page.relative_to(built_seed_site / "docs").as_posix()
        for page in (built_seed_site / "docs").rglob("*.md")
        if page.relative_to(built_seed_site / "docs").parts[0] not in GENERATED_FOLDERS + GENERATED_FILES
    ]
    assert "about.md" in handwritten
    assert sorted(doc[0] for doc in payload["docs"] if doc[0].startswith("page:")) == sorted(
        "page:" + page[: -len(".md")] for page in handwritten if page != "search.md"
    )
    assert len([doc for doc in payload["docs"] if not doc[0].startswith("page:")]) == 119
    assert text.isascii()
    body_text = (built_seed_site / "site" / BODY_INDEX_FILE).read_text(encoding="utf-8")
    assert body_text.startswith('window.__catalogSearchBody=JSON.parse("{')
    body = parse_payload_script(body_text)
    assert body["index"]["fields"] == ["body"]
    assert body["index"]["pipeline"] == ["fold-diacritics", "stemmer"]
