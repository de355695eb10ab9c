"""Relevance benchmark: our tags and related papers against hand-written labels.

    .venv/bin/python -m bench.relevance [--root .] [--labels tests/data/relevance-labels.yaml] [--out bench/results]

(``python bench/relevance.py`` works too.) It loads the catalog, runs the enrich stage
(``current_output``, the one place that calls it) and measures against
``tests/data/relevance-labels.yaml``, pairs "B should be among A's 5 related" and
"paper must carry tag" labels written by reading the abstracts:

- related recall@5, ours and the plain TF-IDF baseline (scikit-learn ``TfidfVectorizer`` on
  title + " " + abstract, English stop words, unigrams, cosine, top 5, ties broken by id);
- tag recall, ours and a match-terms-only baseline (every tag whose ``match`` terms occur),
  with the shape of the tagging: share of papers with 1..8 tags, the largest tag's share of
  the catalog, papers with no tag;
- every miss with its ``why``, so a curator sees what fails.

Results go to bench/results/relevance.json and bench/results/relevance.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from site_builder.catalog import CatalogPaths, load_catalog  # noqa: E402
from site_builder.enrich import enrich  # noqa: E402
from site_builder.model import Catalog, Paper, Tag  # noqa: E402

TOP_K = 5
MAX_TAGS = 8
GOALS = {"related_recall_at_5": 0.9, "tag_recall": 0.85}
DEFAULT_LABELS = REPO / "tests" / "data" / "relevance-labels.yaml"
DEFAULT_OUT = REPO / "bench" / "results"

Rankings = Mapping[str, Sequence[str]]  # paper id -> related ids, best first
TagsById = Mapping[str, Sequence[str]]  # paper id -> tag names


@dataclass(frozen=True, slots=True)
class RelatedLabel:
    paper: str
    related: str
    why: str


@dataclass(frozen=True, slots=True)
class TagLabel:
    paper: str
    tag: str
    why: str


@dataclass(frozen=True, slots=True)
class Labels:
    related: tuple[RelatedLabel, ...]
    tags: tuple[TagLabel, ...]


def load_labels(path: Path) -> Labels:
    """The labels file: ``related:`` and ``tags:`` lists of small mappings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Labels(
        related=tuple(RelatedLabel(str(x["paper"]), str(x["related"]), str(x["why"])) for x in data["related"]),
        tags=tuple(TagLabel(str(x["paper"]), str(x["tag"]), str(x["why"])) for x in data["tags"]),
    )


def current_output(catalog: Catalog) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Our tags and related ids per paper id, from the enrich stage (adapt here if its API changes)."""
    enriched = enrich(catalog)
    tags = {item.paper.id: tuple(item.tags) for item in enriched}
    related = {item.paper.id: tuple(link.paper_id for link in item.related) for item in enriched}
    return tags, related


def tfidf_rankings(papers: Sequence[Paper]) -> dict[str, tuple[str, ...]]:
    """Plain TF-IDF baseline: every other paper by cosine similarity, best first, ties by id."""
    ordered = sorted(papers, key=lambda paper: paper.id)
    ids = [paper.id for paper in ordered]
    texts = [f"{paper.title} {paper.abstract}" for paper in ordered]
    matrix = TfidfVectorizer(stop_words="english").fit_transform(texts)  # rows are L2-normalised
    similarity = (matrix @ matrix.T).toarray()
    rankings: dict[str, tuple[str, ...]] = {}
    for row, paper_id in enumerate(ids):
        order = np.argsort(-similarity[row], kind="stable")  # stable over id order: ties by id
        rankings[paper_id] = tuple(ids[col] for col in order if col != row)
    return rankings


def match_term_tags(papers: Sequence[Paper], tags: Sequence[Tag]) -> dict[str, tuple[str, ...]]:
    """Plain tag baseline: every tag one of whose match terms occurs in title + abstract, no cap, no rules.

    A term matches where a word starts (so "prune" finds "pruning"), ignoring case unless it is an
    acronym (all capitals, as "RL" or "SAM").
    """
    patterns = {tag.name: [_term_regex(term) for term in tag.match] for tag in tags}
    result: dict[str, tuple[str, ...]] = {}
    for paper in papers:
        text = f"{paper.title} {paper.abstract}"
        found = tuple(name for name, regexes in patterns.items() if any(regex.search(text) for regex in regexes))
        result[paper.id] = tuple(dict.fromkeys((*paper.tags, *found)))
    return result


def _term_regex(term: str) -> re.Pattern[str]:
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(r"(?<!\w)" + re.escape(term), flags)


def related_recall(labels: Sequence[RelatedLabel], rankings: Rankings, k: int = TOP_K) -> dict[str, Any]:
    """Share of labelled pairs whose B is among A's first ``k``, and the misses."""
    misses = [_related_miss(label, rankings) for label in labels if label.related not in rankings[label.paper][:k]]
    return _recall(len(labels), misses)


def _related_miss(label: RelatedLabel, rankings: Rankings) -> dict[str, Any]:
    ranked = list(rankings[label.paper])
    rank = ranked.index(label.related) + 1 if label.related in ranked else None
    return {"paper": label.paper, "related": label.related, "why": label.why, "rank": rank, "got": ranked[:TOP_K]}


def tag_recall(labels: Sequence[TagLabel], tags: TagsById) -> dict[str, Any]:
    """Share of labelled (paper, tag) pairs the paper carries, and the misses."""
    misses = [
        {"paper": label.paper, "tag": label.tag, "why": label.why, "got": list(tags[label.paper])}
        for label in labels
        if label.tag not in tags[label.paper]
    ]
    return _recall(len(labels), misses)


def _recall(total: int, misses: list[dict[str, Any]]) -> dict[str, Any]:
    hits = total - len(misses)
    return {"recall": round(hits / total, 4) if total else None, "hits": hits, "total": total, "misses": misses}


def tag_shape(tags: TagsById) -> dict[str, Any]:
    """How the tagging looks over the whole catalog (issue 6: 1..8 tags per paper, no tag on > half)."""
    count = len(tags)
    per_paper = Counter(len(names) for names in tags.values())
    uses = Counter(name for names in tags.values() for name in names)
    largest, largest_uses = max(uses.items(), key=lambda item: (item[1], item[0])) if uses else ("", 0)
    return {
        "papers": count,
        "share_with_1_to_8_tags": round(sum(n for size, n in per_paper.items() if 1 <= size <= MAX_TAGS) / count, 4),
        "papers_by_tag_count": {str(size): per_paper[size] for size in sorted(per_paper)},
        "largest_tag": largest,
        "largest_tag_share": round(largest_uses / count, 4),
        "tags_used": len(uses),
        "untagged": sorted(paper_id for paper_id, names in tags.items() if not names),
    }


def related_shape(related: Rankings) -> dict[str, Any]:
    """How many related links papers get (a threshold may leave some with fewer than 5)."""
    per_paper = Counter(min(len(ids), TOP_K) for ids in related.values())
    return {"papers_by_related_count": {str(size): per_paper[size] for size in sorted(per_paper)}}


def evaluate(root: Path, labels_path: Path) -> dict[str, Any]:
    """Every figure of the benchmark, as one JSON-ready mapping."""
    catalog = load_catalog(CatalogPaths(root))
    labels = load_labels(labels_path)
    tags, related = current_output(catalog)
    ours = related_recall(labels.related, related)
    baseline = related_recall(labels.related, tfidf_rankings(catalog.papers))
    tagged = tag_recall(labels.tags, tags)
    term_tags = match_term_tags(catalog.papers, catalog.tags)
    return {
        "catalog_papers": len(catalog.papers),
        "labels": {"file": _display(labels_path, root), "related": len(labels.related), "tags": len(labels.tags)},
        "goals": {
            "related_recall_at_5": {"goal": GOALS["related_recall_at_5"], "met": _met(ours, "related_recall_at_5")},
            "tag_recall": {"goal": GOALS["tag_recall"], "met": _met(tagged, "tag_recall")},
        },
        "related_recall_at_5": {"ours": ours, "tfidf_baseline": baseline},
        "tag_recall": {"ours": tagged, "match_terms_baseline": tag_recall(labels.tags, term_tags)},
        "tag_shape": tag_shape(tags),
        "match_terms_baseline_tag_shape": tag_shape(term_tags),
        "related_shape": related_shape(related),
    }


def _met(result: Mapping[str, Any], goal: str) -> bool:
    return result["recall"] is not None and result["recall"] >= GOALS[goal]


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def markdown(report: Mapping[str, Any]) -> str:
    """The report as a Markdown page: headline table, tag shape, misses."""
    return "\n".join([*_md_headline(report), *_md_shape(report), *_md_misses(report)]) + "\n"


def _md_headline(report: Mapping[str, Any]) -> list[str]:
    related = report["related_recall_at_5"]
    ours, base = related["ours"], related["tfidf_baseline"]
    tags, term_tags = report["tag_recall"]["ours"], report["tag_recall"]["match_terms_baseline"]
    term_shape = report["match_terms_baseline_tag_shape"]
    labels = report["labels"]
    return [
        "# Relevance: tags and related papers against hand-written labels",
        "",
        f"Generated by `python -m bench.relevance` over {report['catalog_papers']} papers, labels from "
        f"`{labels['file']}` ({labels['related']} related pairs, {labels['tags']} tag labels).",
        "",
        "| measure | ours | baseline | goal |",
        "|---|---|---|---|",
        f"| related recall@5 | {_fraction(ours)} | {_fraction(base)} plain TF-IDF | ≥ {GOALS['related_recall_at_5']} |",
        f"| tag recall | {_fraction(tags)} | {_fraction(term_tags)} match terms only | ≥ {GOALS['tag_recall']} |",
        "",
        "Plain TF-IDF: title + abstract, English stop words, unigrams, cosine, top 5, ties by id. "
        "Match terms only: a tag wherever one of its `match` terms occurs (at a word start; case kept for "
        "acronyms), with no cap and no other rule; on that baseline "
        f"{term_shape['share_with_1_to_8_tags']:.1%} of papers have 1..8 tags and the largest tag "
        f"(`{term_shape['largest_tag']}`) is on {term_shape['largest_tag_share']:.1%} of the catalog.",
        "",
    ]


def _md_shape(report: Mapping[str, Any]) -> list[str]:
    shape = report["tag_shape"]
    counts = ", ".join(f"{size}: {n}" for size, n in shape["papers_by_tag_count"].items())
    related_counts = ", ".join(f"{size}: {n}" for size, n in report["related_shape"]["papers_by_related_count"].items())
    untagged = ", ".join(f"`{paper_id}`" for paper_id in shape["untagged"]) or "none"
    return [
        "## Shape of the tagging",
        "",
        f"- papers with 1..8 tags: {shape['share_with_1_to_8_tags']:.1%}",
        f"- papers by number of tags: {counts}",
        f"- largest tag: `{shape['largest_tag']}` on {shape['largest_tag_share']:.1%} of the catalog",
        f"- tags in use: {shape['tags_used']}",
        f"- papers with no tag: {untagged}",
        f"- papers by number of related links: {related_counts}",
        "",
    ]


def _md_misses(report: Mapping[str, Any]) -> list[str]:
    lines = ["## Misses (ours)", "", "### Related pairs", ""]
    for miss in report["related_recall_at_5"]["ours"]["misses"]:
        got = ", ".join(f"`{paper_id}`" for paper_id in miss["got"]) or "nothing"
        lines.append(f"- `{miss['paper']}` → `{miss['related']}`: {miss['why']}. Got: {got}")
    lines += ["", "### Tags", ""]
    for miss in report["tag_recall"]["ours"]["misses"]:
        got = ", ".join(f"`{name}`" for name in miss["got"]) or "no tag"
        lines.append(f"- `{miss['paper']}` should carry `{miss['tag']}`: {miss['why']}. Got: {got}")
    return lines


def _fraction(result: Mapping[str, Any]) -> str:
    return f"{result['recall']:.3f} ({result['hits']}/{result['total']})"


def summary(report: Mapping[str, Any]) -> str:
    """A few lines for the terminal."""
    related = report["related_recall_at_5"]
    shape = report["tag_shape"]
    return "\n".join(
        [
            f"related recall@5: ours {_fraction(related['ours'])}, plain TF-IDF {_fraction(related['tfidf_baseline'])}",
            f"tag recall:       ours {_fraction(report['tag_recall']['ours'])}, "
            f"match terms only {_fraction(report['tag_recall']['match_terms_baseline'])}",
            f"tagging: {shape['share_with_1_to_8_tags']:.1%} of papers with 1..8 tags, largest tag "
            f"{shape['largest_tag']} on {shape['largest_tag_share']:.1%}, {len(shape['untagged'])} untagged",
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project root holding catalog/ (default: this repo)")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labels YAML file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for relevance.json and relevance.md")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = evaluate(args.root, args.labels)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "relevance.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / "relevance.md").write_text(markdown(report), encoding="utf-8")
    print(summary(report))
    print(f"written: {args.out / 'relevance.json'}, {args.out / 'relevance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
