"""Enrich stage: what is derived from the whole catalog (tags, related papers, mentions)."""

from __future__ import annotations

from site_builder.enrich.mentions import find_mentions, mentioned_by
from site_builder.enrich.related import related_papers
from site_builder.enrich.tags import assign_tags
from site_builder.model import Catalog, EnrichedPaper
from site_builder.progress import stage


def enrich(catalog: Catalog) -> tuple[EnrichedPaper, ...]:
    """Every paper of ``catalog`` with its tags and related papers, in id order."""
    with stage("enrich: tags"):
        tags_by_id = assign_tags(catalog.papers, catalog.tags)
    with stage("enrich: related papers"):
        related_by_id = related_papers(catalog.papers, tags_by_id)
    with stage("enrich: mentions"):
        mentions = find_mentions(catalog.papers)
        backlinks = mentioned_by(mentions)
    return tuple(
        EnrichedPaper(
            paper=paper,
            tags=tags_by_id[paper.id],
            related=related_by_id[paper.id],
            mentions=mentions[paper.id],
            mentioned_by=backlinks.get(paper.id, ()),
        )
        for paper in catalog.papers
    )
