"""Enrich stage: what is derived from the whole catalog (tags, related papers, mentions).

With a build cache, each step is reused when exactly its inputs are unchanged:
tags per paper; related papers and mentions for the whole catalog (each
depends on every paper's text, so any change to it recomputes them).
"""

from __future__ import annotations

from site_builder.cache import BuildCache
from site_builder.enrich.mentions import find_mentions, mentioned_by
from site_builder.enrich.related import related_papers
from site_builder.enrich.tags import assign_tags
from site_builder.model import Catalog, EnrichedPaper
from site_builder.progress import stage


def enrich(catalog: Catalog, cache: BuildCache | None = None) -> tuple[EnrichedPaper, ...]:
    """Every paper of ``catalog`` with its tags and related papers, in id order."""
    cache = cache or BuildCache(None)
    papers = catalog.papers
    with stage("enrich: tags"):
        tags_by_id = assign_tags(papers, catalog.tags, cache.items("tags"))
    with stage("enrich: related papers"):
        related_inputs = [
            (paper.id, paper.title, paper.abstract, paper.authors, tags_by_id[paper.id]) for paper in papers
        ]
        related_by_id = cache.stage("related", related_inputs, lambda: related_papers(papers, tags_by_id))
    with stage("enrich: mentions"):
        mention_inputs = [(paper.id, paper.title, paper.abstract, paper.aliases) for paper in papers]
        mentions = cache.stage("mentions", mention_inputs, lambda: find_mentions(papers))
        backlinks = mentioned_by(mentions)
    return tuple(
        EnrichedPaper(
            paper=paper,
            tags=tags_by_id[paper.id],
            related=related_by_id[paper.id],
            mentions=mentions[paper.id],
            mentioned_by=backlinks.get(paper.id, ()),
        )
        for paper in papers
    )
