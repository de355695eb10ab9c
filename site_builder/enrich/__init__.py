"""Enrich stage: what is derived from the whole catalog (tags, related papers, mentions).

With a build cache, a one-record edit redoes little: tags and mentions are
kept per paper (by exactly their inputs), and related papers are updated
from the last build's state, rescoring only the papers whose weights moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from site_builder.cache import BuildCache, step_beside
from site_builder.enrich.mentions import find_mentions, mentioned_by
from site_builder.enrich.related import RelatedState, update_related
from site_builder.enrich.tags import assign_tags
from site_builder.enrich.text_features import TermCounts
from site_builder.model import Catalog, EnrichedPaper
from site_builder.progress import stage


@dataclass(frozen=True)
class Enrichment:
    """The enriched papers, and each paper's term counts (the topic map reuses them)."""

    papers: tuple[EnrichedPaper, ...]
    terms: TermCounts


def enrich(catalog: Catalog, cache: BuildCache | None = None) -> tuple[EnrichedPaper, ...]:
    """Every paper of ``catalog`` with its tags and related papers, in id order."""
    return enrich_catalog(catalog, cache).papers


def enrich_catalog(catalog: Catalog, cache: BuildCache | None = None) -> Enrichment:
    """``enrich``, with the term counts it made on the way."""
    cache = cache or BuildCache(None)
    papers = catalog.papers
    # Mentions need only the papers: found in a second process while tags and related papers are made.
    # (The "mention names" entry is written by that step alone; what it did in the per-paper memo is merged back.)
    find = partial(find_mentions, papers, index_memo=partial(cache.stage, "mention names"))
    mentions_job = step_beside(cache.items("mentions"), lambda memo: find(memo=memo))
    with stage("enrich: tags"):
        tags_by_id = assign_tags(papers, catalog.tags, cache.items("tags"))
    with stage("enrich: related papers"):
        previous = cache.previous("related papers")
        related = update_related(papers, tags_by_id, previous if isinstance(previous, RelatedState) else None)
        if related is not previous:
            cache.keep("related papers", related, beside=True)
    with stage("enrich: mentions (finished)"):
        mentions = mentions_job()
        backlinks = mentioned_by(mentions)
    enriched = tuple(
        EnrichedPaper(
            paper=paper,
            tags=tags_by_id[paper.id],
            related=related.links[paper.id],
            mentions=mentions[paper.id],
            mentioned_by=backlinks.get(paper.id, ()),
        )
        for paper in papers
    )
    return Enrichment(enriched, related.terms)
