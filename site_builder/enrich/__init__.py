"""Enrich stage: what is derived from the whole catalog (tags, related papers, mentions).

With a build cache, a one-record edit redoes little: tags and mentions are
kept per paper (by exactly their inputs), and related papers are updated
from the last build's state, rescoring only the papers whose weights moved.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def catalog_tags(catalog: Catalog, cache: BuildCache | None = None) -> dict[str, tuple[str, ...]]:
    """Each paper's tags, by paper id: the first part of ``enrich_catalog``, which the search index needs alone."""
    with stage("enrich: tags"):
        return assign_tags(catalog.papers, catalog.tags, (cache or BuildCache(None)).items("tags"))


def enrich_catalog(
    catalog: Catalog, cache: BuildCache | None = None, tags_by_id: Mapping[str, tuple[str, ...]] | None = None
) -> Enrichment:
    """``enrich``, with the term counts it made on the way (``tags_by_id``: ``catalog_tags``, if made)."""
    cache = cache or BuildCache(None)
    papers = catalog.papers
    # Mentions need only the papers: found in a second process while related papers are made.
    # (The "mention names" entry is written by that step alone; what it did in the per-paper memo is merged back.)
    find = partial(find_mentions, papers, index_memo=partial(cache.stage, "mention names"))
    mentions_job = step_beside(cache.items("mentions"), lambda memo: find(memo=memo))
    if tags_by_id is None:
        tags_by_id = catalog_tags(catalog, cache)
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
