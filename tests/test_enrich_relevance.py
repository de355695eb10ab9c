"""Relevance in the enrich stage: excluded tags, related papers with reasons, mentions."""

from __future__ import annotations

import dataclasses
import random

import pytest

from site_builder.enrich import enrich, related
from site_builder.enrich.mentions import find_mentions, mentioned_by, update_mentions
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


NAMES = ["Lion", "SAM", "Muon", "Adam", "LoRA", "Entropy-SGD"]
TITLE_WORDS = ["Deep", "Sparse", "Learning", "of", "Gradient", "Methods", "Muon"]


def random_catalog(rng: random.Random) -> list[Paper]:
    """Papers whose aliases, titles ("Name: ..." or four words and more) and abstracts share a few names."""

    def title() -> str:
        words = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(2, 5)))
        return f"{rng.choice(NAMES)}: {words}" if rng.random() < 0.3 else words

    papers = []
    for number in range(rng.randint(2, 7)):
        abstract = [rng.choice([*NAMES, *TITLE_WORDS, "sam", "lion-like", "SAM-based", "we", "use"]) for _ in range(12)]
        aliases = tuple(rng.sample(NAMES, rng.randint(0, 2)))
        papers.append(paper(f"p{number}", title(), " ".join(abstract), aliases=aliases))
    return papers


def edited_catalog(papers: list[Paper], rng: random.Random) -> list[Paper]:
    """One to three of: a title, aliases or an abstract changed, a paper removed, a paper added."""
    papers = list(papers)
    for _ in range(rng.randint(1, 3)):
        kind, index = rng.choice(["title", "aliases", "abstract", "remove", "add"]), rng.randrange(len(papers))
        if kind == "title":
            papers[index] = dataclasses.replace(papers[index], title=random_catalog(rng)[0].title)
        elif kind == "aliases":
            papers[index] = dataclasses.replace(papers[index], aliases=tuple(rng.sample(NAMES, rng.randint(0, 2))))
        elif kind == "abstract":
            papers[index] = dataclasses.replace(papers[index], abstract=random_catalog(rng)[0].abstract)
        elif kind == "remove" and len(papers) > 2:
            del papers[index]
        elif kind == "add":
            papers.append(dataclasses.replace(random_catalog(rng)[0], id=f"new{len(papers)}"))
    return sorted(papers, key=lambda item: item.id)


def test_mentions_updated_after_edits_are_the_ones_found_afresh() -> None:
    """Names that come, go, change paper or become shared: the abstracts searched again are enough."""
    rng = random.Random(3)
    for _ in range(400):
        papers = random_catalog(rng)
        state = update_mentions(papers, None)
        for _ in range(3):
            papers = edited_catalog(papers, rng)
            state = update_mentions(papers, state)
            assert state.mentions == find_mentions(papers), papers


def test_a_title_edit_searches_only_the_abstracts_that_may_name_the_paper() -> None:
    papers = [
        paper("a", "Sparse Gradient Methods for Deep Nets", "No names here."),
        paper("b", "Other", "We extend sparse gradient methods for deep nets."),
        *(paper(f"c{n}", f"Paper {n}", "Plain words about optimizers.") for n in range(20)),
    ]
    state = update_mentions(papers, None)
    assert [mention.paper_id for mention in state.mentions["b"]] == ["a"]
    renamed = [dataclasses.replace(papers[0], title="Dense Gradient Methods for Deep Nets"), *papers[1:]]
    updated = update_mentions(renamed, state)
    assert updated.mentions == find_mentions(renamed) and updated.mentions["b"] == ()
    assert updated.made == 1  # b has every word of the old title; a is kept: "dense" is in neither abstract
    assert update_mentions(renamed, updated).made == 0


def test_a_record_fingerprint_stands_for_the_abstract_only_while_it_is_the_same() -> None:
    papers = [paper("lion", "Lion: A Symbolic Optimizer", "Fast."), paper("user", "Use", "We train with Lion.")]
    prints = {"lion": b"1", "user": b"2"}
    state = update_mentions(papers, None, fingerprints=prints)
    assert update_mentions(papers, state, fingerprints=prints).made == 0
    # Another record file (its notes edited, say) with the same abstract: digested, found the same, not searched.
    assert update_mentions(papers, state, fingerprints={**prints, "user": b"3"}).made == 0
    edited = [papers[0], dataclasses.replace(papers[1], abstract="We train with Adam.")]
    updated = update_mentions(edited, state, fingerprints={**prints, "user": b"4"})
    assert updated.made == 1 and updated.mentions == find_mentions(edited) and updated.mentions["user"] == ()


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
