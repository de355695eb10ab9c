"""``tags suggest``: help the curator grow the tag vocabulary.

Two lists, both for a human to judge (nothing is written):

* candidate tags: phrases of two or three words that several papers use but
  no tag's match terms cover yet, ranked by how many papers use them and how
  distinctive they are (a phrase every paper uses is not a topic);
* weakly tagged papers: papers whose tags rest on a single passing mention,
  or that have no tag at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from site_builder.enrich.tags import MIN_STRENGTH, compile_matchers, tag_strengths
from site_builder.enrich.words import GENERIC, WEB
from site_builder.model import Paper, Tag

MAX_SHARE = 0.3  # a phrase in more than this share of papers is too common to be a topic
COMMON_SHARE = 0.2  # words this common ("neural", "networks")...
COLLOCATION = 0.8  # ...make a topic only if they nearly always come together
_WORDS = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"


@dataclass(frozen=True, slots=True)
class PhraseSuggestion:
    phrase: str
    paper_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WeakPaper:
    paper_id: str
    tags: tuple[str, ...]  # what it has now
    reason: str


def suggest_phrases(papers: Sequence[Paper], tags: Sequence[Tag], limit: int = 20) -> list[PhraseSuggestion]:
    """Frequent, distinctive phrases that no tag's match terms cover."""
    if not papers:
        return []
    documents = [f"{paper.title}. {paper.abstract}" for paper in papers]
    minimum = max(2, math.ceil(0.01 * len(papers)))
    vectorizer = CountVectorizer(ngram_range=(2, 3), token_pattern=_WORDS, lowercase=True, binary=True, min_df=minimum)
    try:
        counts = vectorizer.fit_transform(documents).tocsc()
    except ValueError:  # no phrase reaches min_df
        return []
    phrases = vectorizer.get_feature_names_out()
    covered = [term.pattern for _, terms in compile_matchers(tags) for term in terms]
    word_share = _word_shares(documents)
    scored = []
    for column, phrase in enumerate(phrases):
        words = phrase.split()
        if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS:
            continue
        if any(word in GENERIC or word in WEB for word in words):
            continue
        users = counts.indices[counts.indptr[column] : counts.indptr[column + 1]]
        share = len(users) / len(papers)
        rarest = min(word_share.get(word, share) for word in words)
        # Common words that only sometimes go together ("neural networks") are not a topic;
        # words that nearly always come as this phrase ("variance reduction") are.
        if rarest > COMMON_SHARE and share < COLLOCATION * rarest:
            continue
        if share > MAX_SHARE or any(pattern.search(phrase) for pattern in covered):
            continue
        scored.append((len(users) * math.log(1 / share), phrase, tuple(sorted(papers[row].id for row in users))))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[PhraseSuggestion] = []
    for _, phrase, ids in scored:
        # "variance reduction" and "stochastic variance reduction" are one suggestion.
        if any(_overlaps(phrase, kept.phrase) and set(ids) <= set(kept.paper_ids) for kept in chosen):
            continue
        chosen.append(PhraseSuggestion(phrase, ids))
        if len(chosen) == limit:
            break
    return chosen


def weak_papers(papers: Sequence[Paper], tags: Sequence[Tag], assigned: dict[str, tuple[str, ...]]) -> list[WeakPaper]:
    """Papers with no tag, or whose automatic tags all rest on one passing mention."""
    matchers = compile_matchers(tags)
    weak = []
    for paper in papers:
        if paper.tags:
            continue  # the curator has chosen
        have = assigned.get(paper.id, ())
        if not have:
            weak.append(WeakPaper(paper.id, (), "no tag: no match term occurs in its title or abstract"))
            continue
        strengths = tag_strengths(paper, matchers)
        if all(strengths.get(name, 0) < MIN_STRENGTH for name in have):
            weak.append(WeakPaper(paper.id, have, "its only tag comes from a single mention in the abstract"))
    return weak


def _word_shares(documents: Sequence[str]) -> dict[str, float]:
    """The share of papers each word occurs in."""
    vectorizer = CountVectorizer(token_pattern=_WORDS, binary=True)
    frequency = vectorizer.fit_transform(documents).sum(axis=0).A1 / len(documents)
    return dict(zip(vectorizer.get_feature_names_out(), frequency.tolist(), strict=True))


def _overlaps(one: str, other: str) -> bool:
    return (
        re.search(rf"\b{re.escape(one)}\b", other) is not None or re.search(rf"\b{re.escape(other)}\b", one) is not None
    )
