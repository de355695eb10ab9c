"""Relevance in the enrich stage: excluded tags, related papers with reasons, mentions."""

from __future__ import annotations

import pytest

from site_builder.enrich import enrich, related
from site_builder.enrich.mentions import find_mentions, mentioned_by
from site_builder.enrich.related import related_papers
from site_builder.enrich.tags import assign_tags
from site_builder.model import Catalog, Paper, Tag

TAGS = (
    Tag("optimization", match=("optimizer", "optimization")),
    Tag("zeroth-order", match=("zeroth-order", "derivative-free")),
    Tag("federated-learning", match=("federated",)),
)


def paper(paper_id: str, title: str, abstract: str = "", **fields: object) -> Paper:
    return Paper(id=paper_id, title=title, abstract=abstract, **fields)  # type: ignore[arg-type]


# --- tags_exclude ---------------------------------------------------------------------------------------------


def test_an_excluded_automatic_tag_is_not_given_but_a_manual_tag_always_is() -> None:
    papers = [
        paper("a", "A Federated Optimizer", "A federated optimizer for optimization.", tags_exclude=("optimization",)),
        paper("b", "A Federated Optimizer", "Same words.", tags=("optimization",), tags_exclude=("optimization",)),
    ]
    tags = assign_tags(papers, TAGS)
    assert tags["a"] == ("federated-learning",)
    assert tags["b"][0] == "optimization"


# --- related papers -------------------------------------------------------------------------------------------

ZO = "Zeroth-order optimization estimates gradients from function values with variance reduction for black-box models."
CORPUS = [
    paper("zo-one", "Variance Reduction for Zeroth-Order Optimization", ZO, authors=("Ada Lovelace", "Alan Turing")),
    paper("zo-two", "Zeroth-Order Methods with Variance Reduction", ZO.replace("estimates", "approximates"),
          authors=("Alan Turing",)),
    paper("zo-three", "Derivative-Free Zeroth-Order Search", "A zeroth-order method for tuning black-box systems."),
    paper("fed", "Federated Averaging at Scale", "Federated learning trains on phones without pooling the data."),
    paper("cooking", "A History of Bread", "Sourdough fermentation in medieval bakeries."),
]  # fmt: skip


def test_related_papers_come_best_first_with_their_reason() -> None:
    tags = assign_tags(CORPUS, TAGS)
    links = related_papers(CORPUS, tags)
    best = links["zo-one"][0]
    assert best.paper_id == "zo-two"
    assert "zeroth-order" in best.shared_tags
    assert "variance reduction" in best.shared_terms
    assert best.shared_authors == ("Alan Turing",)
    assert best.reason.startswith("both: zeroth-order")
    assert "same author: Alan Turing" in best.reason
    assert [link.paper_id for link in links["zo-one"]][:2] == ["zo-two", "zo-three"]
    scores = [link.score for link in links["zo-one"]]
    assert scores == sorted(scores, reverse=True)


def test_a_paper_with_no_good_match_gets_no_related_papers() -> None:
    links = related_papers(CORPUS, assign_tags(CORPUS, TAGS))
    assert links["cooking"] == ()
    assert all(link.paper_id != "cooking" for found in links.values() for link in found)


def test_a_reason_never_shows_a_generic_word_alone_or_in_a_phrase() -> None:
    """ "proposed", "method" and "novel" say nothing; "sparse tokamak" does. Phrases with a generic word on
    either side ("proposed sparse", "tokamak method") are left out too."""
    text = "The proposed sparse tokamak method is novel. Novel proposed sparse tokamak method."
    papers = [paper("one", "Sparse Tokamak Control", text), paper("two", "Sparse Tokamak Shaping", text)]
    (link,) = related_papers(papers, {})["one"]
    assert "sparse tokamak" in link.shared_terms
    words = {word for term in link.shared_terms for word in term.split(" ")}
    assert not words & {"proposed", "method", "novel"}, link.shared_terms


def test_block_by_block_scoring_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    tags = assign_tags(CORPUS, TAGS)
    whole = related_papers(CORPUS, tags)
    monkeypatch.setattr(related, "BLOCK_ROWS", 2)
    assert related_papers(CORPUS, tags) == whole


# --- mentions -------------------------------------------------------------------------------------------------


def mention_texts(papers: list[Paper]) -> dict[str, list[tuple[str, str]]]:
    by_id = {p.id: p for p in papers}
    return {
        source: [(by_id[source].abstract[m.start : m.end], m.paper_id) for m in found]
        for source, found in find_mentions(papers).items()
        if found
    }


def test_a_named_method_links_and_a_common_word_does_not() -> None:
    papers = [
        paper("lion", "Symbolic Discovery of Optimization Algorithms", "We discover Lion.", aliases=("Lion",)),
        paper("sam", "Sharpness-Aware Minimization for Efficiently Improving Generalization", "Flat minima.",
              aliases=("SAM", "attention")),
        paper("entropy", "Entropy-SGD: Biasing Gradient Descent Into Wide Valleys", "Wide valleys."),
        paper(
            "user",
            "A Study",
            "We compare Lion and SAM-based training with Entropy-SGD. A lion is an animal; Sam Altman is a person; "
            "attention is all we need; SAMPLE is not SAM either. See sharpness-aware minimization for efficiently "
            "improving generalization.",
        ),
    ]  # fmt: skip
    found = mention_texts(papers)
    assert found == {
        "user": [
            ("Lion", "lion"),
            ("SAM", "sam"),
            ("Entropy-SGD", "entropy"),
            ("SAM", "sam"),
            ("sharpness-aware minimization for efficiently improving generalization", "sam"),
        ]
    }
    assert mentioned_by(find_mentions(papers)) == {"lion": ("user",), "sam": ("user",), "entropy": ("user",)}


def test_a_name_two_papers_share_links_neither_and_a_paper_never_mentions_itself() -> None:
    papers = [
        paper("a", "First", "We present Muon here.", aliases=("Muon",)),
        paper("b", "Second", "Also about Muon.", aliases=("Muon",)),
        paper("c", "Third", "Muon beats Adam."),
    ]
    assert mention_texts(papers) == {}


def test_enrich_carries_mentions_and_backlinks() -> None:
    papers = (
        paper("lion", "Symbolic Discovery of Optimization Algorithms", "We discover Lion.", aliases=("Lion",)),
        paper("user", "Using It", "Lion trains faster than the baseline optimizer."),
    )
    enriched = {entry.paper.id: entry for entry in enrich(Catalog(papers, TAGS))}
    assert [m.paper_id for m in enriched["user"].mentions] == ["lion"]
    assert enriched["lion"].mentioned_by == ("user",)
    assert enriched["lion"].mentions == ()  # its own name in its own abstract is not a mention


# --- tags suggest ---------------------------------------------------------------------------------------------


def test_tags_suggest_proposes_uncovered_phrases_and_lists_weak_papers() -> None:
    from site_builder.enrich.suggest import suggest_phrases, weak_papers

    papers = [
        paper(f"p{number}", f"Paper {number}", f"We study variance reduction for {topic}. Code: https://github.com/x")
        for number, topic in enumerate(["federated clients", "sparse models", "kernels", "bandits"])
    ]
    papers += [paper(f"filler{n}", f"Filler {n}", f"Words{n} about subject{n} and thing{n}.") for n in range(20)]
    papers.append(paper("odd", "Unrelated", "Bread baking with an optimizer, once."))
    phrases = [suggestion.phrase for suggestion in suggest_phrases(papers, TAGS)]
    assert phrases[0] == "variance reduction"
    assert not any("github" in phrase or "https" in phrase for phrase in phrases)
    # Covered phrases are not proposed again.
    covered = TAGS + (Tag("variance-reduction", match=("variance reduction",)),)
    assert "variance reduction" not in [s.phrase for s in suggest_phrases(papers, covered)]
    weak = {item.paper_id: item for item in weak_papers(papers, TAGS, assign_tags(papers, TAGS))}
    assert weak["odd"].tags == ("optimization",)
    assert "single mention" in weak["odd"].reason
    assert weak["filler0"].tags == () and weak["filler0"].reason.startswith("no tag")


def test_tags_suggest_and_check_from_the_command_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_project, run

    root = make_project(tmp_path / "p", with_site=False)
    for number in range(12):
        topic = "variance reduction" if number < 3 else f"subject{number}"
        (root / "catalog" / "papers" / f"paper-{number}.yaml").write_text(
            f"title: Paper {number}\nabstract: An optimizer for {topic}, an optimizer again.\n", encoding="utf-8"
        )
    assert run(root, "tags", "suggest") == 0
    out = capsys.readouterr().out
    assert "'variance reduction'" in out and "3 papers" in out
    assert run(root, "check") == 0
    err = capsys.readouterr().err
    assert "catalog/tags.yaml: tags: warning: 'optimization' is on 12 of 12 papers" in err
