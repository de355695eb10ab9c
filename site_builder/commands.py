"""What each CLI command does, as plain functions over a project folder."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.catalog.merge import plan_import
from site_builder.catalog.records import paper_problems
from site_builder.catalog.store import write_papers
from site_builder.errors import EXIT_OK, BadInput, Problem
from site_builder.ingest import IncomingRecord, read_source, today

LISTED_CHANGES = 20


def run_import(root: Path, sources: Sequence[Path], fmt: str, *, dry_run: bool = False) -> int:
    """Read every source, check every record, then write the added and updated ones."""
    paths = CatalogPaths(root)
    catalog = load_catalog(paths)
    known_tags = {tag.name for tag in catalog.tags} | {alias for tag in catalog.tags for alias in tag.aliases}
    records: list[IncomingRecord] = []
    problems: list[Problem] = []
    notices: list[Problem] = []
    for source in sources:
        result = read_source(source, paths.display(source), fmt)
        records.extend(result.records)
        problems.extend(result.problems)
        notices.extend(result.notices)
    for record in records:
        for field_name, message in paper_problems(record.paper, known_tags):
            problems.append(Problem(record.path, record.line, field_name, message))
    if problems:
        raise BadInput(sorted(problems, key=_problem_order))

    plan = plan_import(
        catalog.papers,
        records,
        today=today(),
        record_path_of={paper.id: paths.display(paths.record_path(paper.id)) for paper in catalog.papers},
    )
    skipped = (*notices, *plan.skipped)
    for problem in (*plan.conflicts, *skipped):
        print(problem, file=sys.stderr)
    verb = "would " if dry_run else ""
    changes = [("add   ", paper) for paper in plan.added] + [("update", paper) for paper in plan.updated]
    # A dry run lists every change; a real import of thousands lists the first few (the summary counts them all).
    shown = changes if dry_run else changes[:LISTED_CHANGES]
    for action, paper in shown:
        print(f"{verb}{action} {paths.display(paths.record_path(paper.id))}")
    if len(shown) < len(changes):
        print(f"... and {len(changes) - len(shown)} more (import --dry-run lists them all)")
    counts = (
        f"{len(plan.added)} added, {len(plan.updated)} updated, {len(plan.unchanged)} unchanged, "
        f"{len(plan.conflicts)} conflicts (catalog values kept), {len(skipped)} skipped (duplicates within the import)"
    )
    if dry_run:
        print(f"import (dry run): {counts}; nothing written")
        return EXIT_OK
    write_papers(paths, (*plan.added, *plan.updated))
    print(f"import: {counts}")
    return EXIT_OK


def _problem_order(problem: Problem) -> tuple[str, int]:
    return (problem.path, problem.line or 0)


def run_check(root: Path) -> int:
    paths = CatalogPaths(root)
    catalog = load_catalog(paths)
    from site_builder.enrich.tags import assign_tags

    tags_by_id = assign_tags(catalog.papers, catalog.tags)
    untagged = [paper.id for paper in catalog.papers if not tags_by_id[paper.id]]
    for paper_id in untagged:
        print(
            f"{paths.display(paths.record_path(paper_id))}: tags: warning: no tag applies; "
            "add a tag by hand or a match term to catalog/tags.yaml",
            file=sys.stderr,
        )
    for name, count in sorted(Counter(tag for tags in tags_by_id.values() for tag in tags).items()):
        if len(catalog.papers) >= 10 and count > len(catalog.papers) / 2:
            print(
                f"{paths.display(paths.tags)}: tags: warning: '{name}' is on {count} of {len(catalog.papers)} papers; "
                "a tag on more than half the catalog does not tell papers apart: narrow its match terms or split it",
                file=sys.stderr,
            )
    print(f"check: {len(catalog.papers)} papers, {len(catalog.tags)} tags, no problems")
    return EXIT_OK


def run_build(root: Path, *, run_mkdocs: bool = True, use_cache: bool = True) -> int:
    from site_builder.build import build_site

    build_site(CatalogPaths(root), run_mkdocs=run_mkdocs, use_cache=use_cache)
    return EXIT_OK


def run_tags_suggest(root: Path, *, limit: int) -> int:
    """Print candidate tags and weakly tagged papers for the curator to judge."""
    from site_builder.enrich.suggest import suggest_phrases, weak_papers
    from site_builder.enrich.tags import assign_tags

    paths = CatalogPaths(root)
    catalog = load_catalog(paths)
    phrases = suggest_phrases(catalog.papers, catalog.tags, limit)
    print(f"Candidate tags: {len(phrases)} phrases several papers use that no tag's match terms cover.")
    print("To accept one, add a tag with it under 'match:' in catalog/tags.yaml.\n")
    for suggestion in phrases:
        examples = ", ".join(suggestion.paper_ids[:3]) + (", ..." if len(suggestion.paper_ids) > 3 else "")
        print(f"  {suggestion.phrase!r:34} {len(suggestion.paper_ids):4} papers  (e.g. {examples})")
    weak = weak_papers(catalog.papers, catalog.tags, assign_tags(catalog.papers, catalog.tags))
    print(f"\nWeakly tagged papers: {len(weak)}. Give them a tag by hand (tags: in the record) or a match term.\n")
    for paper in weak:
        have = ", ".join(paper.tags) or "none"
        print(f"  {paths.display(paths.record_path(paper.paper_id))}: tags: {have} ({paper.reason})")
    return EXIT_OK


def run_stats(root: Path, *, as_json: bool = False) -> int:
    catalog = load_catalog(CatalogPaths(root))
    counts = {
        "papers": len(catalog.papers),
        "tags": len(catalog.tags),
        "authors": len({author for paper in catalog.papers for author in paper.authors}),
        "years": len({paper.year for paper in catalog.papers if paper.year}),
    }
    if as_json:
        print(json.dumps(counts, sort_keys=True))
    else:
        for name, count in counts.items():
            print(f"{name}: {count}")
    return EXIT_OK


def run_search(root: Path, query: str, *, limit: int, as_json: bool) -> int:
    from site_builder.search import BODY_INDEX_FILE, INDEX_FILE, SearchIndex
    from site_builder.search.index import parse_payload_script

    # The files the site loads: site/ after a build, docs/ after build --no-mkdocs.
    folder = next((root / name for name in ("site", "docs") if (root / name / BODY_INDEX_FILE).is_file()), None)
    if folder is None:
        raise BadInput(
            [Problem(f"site/{INDEX_FILE}", None, None, "no search index yet; run 'make build' (or build --no-mkdocs)")]
        )
    head, body = (
        parse_payload_script((folder / name).read_text(encoding="utf-8")) for name in (INDEX_FILE, BODY_INDEX_FILE)
    )
    hits = SearchIndex.from_payload(head, body).search(query, limit)
    if as_json:
        print(json.dumps([{"id": hit.id, "title": hit.title, "score": hit.score} for hit in hits], ensure_ascii=False))
        return EXIT_OK
    if not hits:
        print(f"no results for {query!r}")
    for rank, hit in enumerate(hits, start=1):
        year = f" ({hit.year})" if hit.year else ""
        tags = f"  [{', '.join(hit.tags)}]" if hit.tags else ""
        print(f"{rank:2}. {hit.title}{year}{tags}\n    {hit.url}  score {hit.score:g}")
    return EXIT_OK


def run_lookup(
    root: Path, ids: Sequence[str], *, base_url: str | None = None, delay: float | None = None, timeout: float = 30.0
) -> int:
    """Fill missing metadata from the arXiv API: 0 when every request was answered, 1 when some failed.

    The only command that uses the network; the build never calls it.
    """
    # Imported here: only this command needs urllib, tqdm bars and the cache.
    from site_builder.lookup import lookup_missing, settings_from

    return lookup_missing(root, ids, settings_from(base_url, delay, timeout))
