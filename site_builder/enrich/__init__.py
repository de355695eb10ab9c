"""Enrich stage: what is derived from the whole catalog (tags, related papers, mentions).

With a build cache, a one-record edit redoes little: tags and mentions are
kept per paper (by exactly their inputs), and related papers are updated
from the last build's state, rescoring only the papers whose weights moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from site_builder.background import Background
from site_builder.cache import BuildCache, ItemMemo, Memo, MemoState
from site_builder.enrich.mentions import find_mentions, mentioned_by
from site_builder.enrich.related import RelatedState, update_related
from site_builder.enrich.tags import assign_tags
from site_builder.enrich.text_features import TermCounts
from site_builder.model import Catalog, EnrichedPaper, Mention, Paper
from site_builder.progress import stage


@dataclass(frozen=True)
class Enrichment:
    """The enriched papers, and each paper's term counts (the topic map reuses them)."""

    papers: tuple[EnrichedPaper, ...]
    terms: TermCounts


def _mentions(
    papers: Sequence[Paper], memo: ItemMemo, index_memo: Memo
) -> tuple[dict[str, tuple[Mention, ...]], MemoState]:
    """``find_mentions``, and the memo's state after it (the "mention names" entry is written by this step alone)."""
    return find_mentions(papers, memo, index_memo), memo.state()


def enrich(catalog: Catalog, cache: BuildCache | None = None) -> tuple[EnrichedPaper, ...]:
    """Every paper of ``catalog`` with its tags and related papers, in id order."""
    return enrich_catalog(catalog, cache).papers


def enrich_catalog(catalog: Catalog, cache: BuildCache | None = None) -> Enrichment:
    """``enrich``, with the term counts it made on the way."""
    cache = cache or BuildCache(None)
    papers = catalog.papers
    # Mentions need only the papers: found in a second process while tags and related papers are made.
    mention_memo = cache.items("mentions")
    mentions_job = Background(partial(_mentions, papers, mention_memo, partial(cache.stage, "mention names")))
    with stage("enrich: tags"):
        tags_by_id = assign_tags(papers, catalog.tags, cache.items("tags"))
    with stage("enrich: related papers"):
        previous = cache.previous("related papers")
        related = update_related(papers, tags_by_id, previous if isinstance(previous, RelatedState) else None)
        if related is not previous:
            cache.keep("related papers", related, beside=True)
    with stage("enrich: mentions (finished)"):
        mentions, memo_state = mentions_job.result()
        mention_memo.adopt(memo_state)  # what the second process reused and made, saved with this cache
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
