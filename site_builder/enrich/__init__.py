"""Enrich stage: what is derived from the whole catalog (tags, related papers, mentions).

With a build cache, a one-record edit redoes little: tags are kept per
paper (by exactly their inputs), related papers are updated from the last
build's state, rescoring only the papers whose weights moved, and mentions
too, searching again only the abstracts an edited name may be in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from site_builder.background import Background
from site_builder.cache import BuildCache, digest
from site_builder.enrich.mentions import MentionState, mentioned_by, update_mentions
from site_builder.enrich.related import RelatedState, update_related
from site_builder.enrich.tags import assign_tags
from site_builder.enrich.text_features import TermCounts, count_terms, text_digests
from site_builder.enrich.topic_map import TSNE_LIMIT, topic_coordinates
from site_builder.model import Catalog, EnrichedPaper, Mention, Paper
from site_builder.progress import stage

Points = dict[str, tuple[float, float]]  # paper id -> its place on the topic map, both in 0..1


@dataclass(frozen=True)
class Enrichment:
    """The enriched papers and the topic map's points."""

    papers: tuple[EnrichedPaper, ...]
    points: Points


def enrich(catalog: Catalog, cache: BuildCache | None = None) -> tuple[EnrichedPaper, ...]:
    """Every paper of ``catalog`` with its tags and related papers, in id order."""
    return enrich_catalog(catalog, cache).papers


def catalog_tags(catalog: Catalog, cache: BuildCache | None = None) -> dict[str, tuple[str, ...]]:
    """Each paper's tags, by paper id: the first part of ``enrich_catalog``, which the search index needs alone."""
    with stage("enrich: tags"):
        return assign_tags(
            catalog.papers, catalog.tags, (cache or BuildCache(None)).items("tags"), catalog.fingerprints
        )


Mentions = dict[str, tuple[Mention, ...]]


def start_mentions(catalog: Catalog, cache: BuildCache) -> Callable[[], Mentions]:
    """Mentions need only the papers: found in a second process while tags and related papers are made.

    Updated from the last build's (``update_mentions``). The "mentions" and "mention names" entries are
    written by that step alone.
    """
    job = Background(partial(_mentions, catalog.papers, catalog.fingerprints, cache))

    def result() -> Mentions:
        mentions, searched = job.result()
        cache.count(searched == 0)  # counted here: the second process's counts are not this one's
        return mentions

    return result


def _mentions(papers: Sequence[Paper], fingerprints: Mapping[str, bytes], cache: BuildCache) -> tuple[Mentions, int]:
    """Each paper's mentions, and how many abstracts were searched for them."""
    stored = cache.previous("mentions")
    previous = stored if isinstance(stored, MentionState) else None
    state = update_mentions(papers, previous, partial(cache.stage, "mention names"), fingerprints)
    if state.made or previous is None or state.names_key != previous.names_key:
        cache.keep("mentions", state)
    return state.mentions, state.made


def enrich_catalog(
    catalog: Catalog,
    cache: BuildCache | None = None,
    tags_by_id: Mapping[str, tuple[str, ...]] | None = None,
    mentions_job: Callable[[], Mentions] | None = None,
) -> Enrichment:
    """``enrich``, with the topic map (``tags_by_id``: ``catalog_tags``, and ``mentions_job``:
    ``start_mentions``, if made)."""
    cache = cache or BuildCache(None)
    papers = catalog.papers
    if mentions_job is None:
        mentions_job = start_mentions(catalog, cache)
    if tags_by_id is None:
        tags_by_id = catalog_tags(catalog, cache)
    with stage("enrich: related papers"):
        # By fingerprint: joining and digesting 10,000 texts was a tenth of a second of every rebuild.
        fingerprints = [catalog.fingerprints.get(paper.id) for paper in papers]
        digests = cache.by_fingerprint("text digests", papers, fingerprints, text_digests)
        map_job: Background[tuple[Points, bool]] | None = None

        # What related papers read of each paper (its text through the digest of the title and abstract
        # as counted, with the title to tell them apart): a build where none of it changed (a notes edit)
        # takes the links from an entry of their own, without loading the whole state (38 MB at 10,000
        # papers, 0.7 s).
        read = (
            [paper.id for paper in papers],
            [paper.title for paper in papers],
            digests,
            [paper.authors for paper in papers],
            [tags_by_id[paper.id] for paper in papers],
        )
        key = digest(read)  # digested once, for both found and store
        links = cache.found("related links", key)  # the key has a file of its own: a miss loads no old links
        cache.count(links is not None)
        if links is None:
            previous = _previous_related(cache)
            terms = count_terms(papers, previous.terms if previous is not None else None, digests)
            # The map needs only the term counts: made in a second process while papers are scored. Not
            # where it runs t-SNE (small catalogs, where it is quick): scikit-learn's OpenMP threads hang
            # in a process forked from one that used them before.
            map_job = Background(partial(_topic_map, papers, digests, terms, cache), parallel=len(papers) > TSNE_LIMIT)
            related = update_related(papers, tags_by_id, previous, terms=terms)
            links = related.links
            with cache.writing_later():  # written in a second process while docs/ is written
                cache.store("related links", key, links)
                # Without its links, which are the entry above (pickling 50,000 links twice took 0.17 s
                # more at 10,000 papers): kept with their key, to find them again.
                cache.keep("related papers", (key, replace(related, links={})))
    with stage("enrich: mentions (finished)"):
        mentions = mentions_job()
        backlinks = mentioned_by(mentions)
    with stage("enrich: topic map (finished)"):
        # Unchanged texts (the links were found): the map is almost always found too, by the same digests.
        points, reused = map_job.result() if map_job is not None else _topic_map(papers, digests, None, cache)
        cache.count(reused)  # counted here: the second process's counts are not this one's
    enriched = tuple(
        EnrichedPaper(
            paper=paper,
            tags=tags_by_id[paper.id],
            related=links[paper.id],
            mentions=mentions[paper.id],
            mentioned_by=backlinks.get(paper.id, ()),
        )
        for paper in papers
    )
    return Enrichment(enriched, points)


def _previous_related(cache: BuildCache) -> RelatedState | None:
    """The last build's related papers' state, with its links (kept apart, as the "related links" entry).

    None without one, or if the links entry is not the one the state was kept with (a build that failed
    between the two writes, or one that read the cache while they were written): the state is then of
    no use, for an update reuses its links.
    """
    stored = cache.previous("related papers")
    if not (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], RelatedState)):
        return None
    links_key, state = stored
    links = cache.found("related links", links_key)
    return replace(state, links=links) if isinstance(links, dict) else None


def _topic_map(
    papers: Sequence[Paper], digests: tuple[bytes, ...], terms: TermCounts | None, cache: BuildCache
) -> tuple[Points, bool]:
    """The map's points, and whether they are the last build's.

    Keyed by the digests of the texts counted (``terms``, if made, saves counting them again). The
    "topic map" entry is written by this step alone, so it may run in a second process.
    """
    ids = tuple(paper.id for paper in papers)
    return cache.reused_or_made("topic map", (ids, digests), partial(topic_coordinates, papers, terms))
