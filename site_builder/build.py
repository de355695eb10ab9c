"""``build``: check the catalog, enrich it, write docs/, run MkDocs into site/.

Reads as one straight script: everything is loaded and checked before any
page is written, so a bad record stops the build with nothing half-done.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from site_builder.background import Background, blas_threads_shared
from site_builder.cache import CACHE_FOLDER, BuildCache, collector_paused, digest
from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.enrich import catalog_tags, enrich_catalog, start_mentions
from site_builder.errors import BuildFailed
from site_builder.model import Paper
from site_builder.progress import is_quiet, say, stage
from site_builder.render import SiteInfo, render_pages, write_pages
from site_builder.render.write import GENERATED_FILES, GENERATED_FOLDERS, Page, kept_pages, text_digest
from site_builder.search import BODY_INDEX_FILE, INDEX_FILE, paper_documents
from site_builder.search.body_words import BodyWords, body_words
from site_builder.search.index import Stems
from site_builder.search.pages import handwritten_pages, page_documents
from site_builder.search.parts import (
    body_inputs,
    body_part,
    head_file,
    head_inputs,
    head_part,
    result_table,
    table_inputs,
    vocabulary,
)
from site_builder.textnorm import text_digest as body_digest

log = logging.getLogger(__name__)


def build_site(
    paths: CatalogPaths, *, run_mkdocs: bool = True, use_cache: bool = True, cache_written_later: bool = False
) -> None:
    """Build the whole site.

    With ``use_cache``, results of the last build whose inputs are unchanged
    are reused (site_builder/cache.py), and MkDocs renders only the pages
    whose .md changed (``--dirty``, made safe by mkdocs_hooks.py); the output
    is the same either way.

    What second processes still write to the cache once docs/ is written
    (the related papers' state: 38 MB at 10,000 papers) is waited for after
    MkDocs, which renders meanwhile; with ``cache_written_later`` (make
    serve, whose MkDocs renders once this returns), by the next build or at
    exit.

    Raises:
        BadInput: the catalog has problems (nothing is written).
        BuildFailed: MkDocs failed.
    """
    finish_cache_writes()  # the last build's (make serve): this one reads what they write
    overlapped = run_mkdocs or cache_written_later
    with collector_paused(), blas_threads_shared():
        # The generation holds millions of long-lived objects (the caches, the related papers' state, the
        # pages) and makes no garbage cycles worth collecting: every few hundred allocations the cyclic
        # collector walked them all for nothing (0.7 s of a cold build at 10,000 papers, 0.2-0.4 s of a
        # rebuild; the peak memory is the same without it). MkDocs' process (make serve) keeps its own.
        _unfinished.append(_generate(paths, use_cache, wait=not overlapped))
    if cache_written_later:
        return
    try:
        if run_mkdocs:
            _run_mkdocs(paths, use_cache)
    finally:
        finish_cache_writes()


_unfinished: list[BuildCache] = []  # caches whose second processes may still be writing


def finish_cache_writes() -> None:
    """Wait for what earlier builds in this process still write to their cache."""
    while _unfinished:
        _unfinished.pop().wait_for_writes()


atexit.register(finish_cache_writes)  # before multiprocessing's own, which stops them (it was registered first)


def _generate(paths: CatalogPaths, use_cache: bool, *, wait: bool = True) -> BuildCache:
    """Check the catalog, enrich it and write docs/ (everything before MkDocs); the cache, still being
    written by second processes unless ``wait``."""
    started = time.perf_counter()
    cache = BuildCache(paths.root / CACHE_FOLDER if use_cache else None)
    with stage("load and check"):
        catalog = load_catalog(paths, cache.items("records"))
    mentions = start_mentions(catalog, cache)  # beside tags, which leave a core free
    tags_by_id = catalog_tags(catalog, cache)
    config_file = paths.root / "mkdocs.yml"
    docs_dir = paths.root / "docs"
    with stage("search index (started)"):
        # It needs only the papers and their tags: started now, it is made while the rest is enriched and rendered.
        search_files = start_search_index(catalog.papers, tags_by_id, docs_dir, cache, catalog.fingerprints)
    enrichment = enrich_catalog(catalog, cache, tags_by_id, mentions)
    enriched = enrichment.papers
    with stage("render pages"):
        info = site_info(config_file)
        known = cache.previous("folded titles and names")
        folds = known if isinstance(known, dict) else {}
        pages = render_pages(
            enriched, catalog.tags, info, enrichment.points, cache.items("pages"), catalog.fingerprints, folds
        )
        cache.keep("folded titles and names", folds)
    # Every memo is complete (the search step keeps its own entries, in its own process): a second process
    # writes them while docs/ is written.
    cache.start_saving()

    def search_index_files() -> dict[str, Page]:
        with stage("search index (finished)"):
            return search_files()

    with stage("write docs/"):
        # The pages first, then the search index, which is waited for only then: an abstract edit's
        # search body is still being made when the pages are ready (0.2-0.35 s at 10,000 papers).
        stamps = cache.previous("written files")
        report = write_pages(docs_dir, pages, stamps if isinstance(stamps, dict) else None, later=search_index_files)
    cache.keep("written files", report.stamps)
    cache.save(wait=wait)
    reuse = f"; cache: {cache.hits} reused, {cache.misses} made" if use_cache else ""
    say(
        f"generate: {len(catalog.papers)} papers, {len(report.stamps)} files "
        f"({report.written} written, {report.unchanged} unchanged, {report.removed} removed) "
        f"in {time.perf_counter() - started:.2f}s{reuse}"
    )
    return cache


def _run_mkdocs(paths: CatalogPaths, use_cache: bool) -> None:
    """``mkdocs build --strict`` on the project (``--dirty`` with the cache); BuildFailed if it fails."""
    started = time.perf_counter()
    config_file = paths.root / "mkdocs.yml"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config_file.resolve())]
    if use_cache:
        # MkDocs renders again only the pages whose .md the generation rewrote; the hooks empty site/
        # first when anything that reaches every page changed, or the last build warned (mkdocs_hooks.py).
        command.append("--dirty")
    # We pin mkdocs<2 on purpose (DESIGN.md); its upgrade banner only adds noise.
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    returncode = run_showing_warnings(command, paths.root, environment, quiet=is_quiet())
    if returncode != 0:
        raise BuildFailed(f"mkdocs build --strict exited with {returncode}; see its messages above")
    say(f"mkdocs: site/ built in {time.perf_counter() - started:.2f}s")


def run_showing_warnings(
    command: Sequence[str], cwd: Path, environment: Mapping[str, str], *, quiet: bool = False
) -> int:
    """Run MkDocs, passing on its messages but its INFO ones; its exit code.

    Not ``--quiet``: that sets MkDocs' logger to ERROR, so no warning is ever
    made and ``--strict`` has nothing to fail on. ``quiet`` drops the hooks'
    "mkdocs: N of M pages rendered" line too.
    """
    with subprocess.Popen(
        command, cwd=cwd, env=dict(environment), stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace"
    ) as process:
        assert process.stderr is not None
        shown = True
        for line in process.stderr:
            level = _LOG_LEVEL.match(line)
            if level:
                shown = level.group(1) not in ("DEBUG", "INFO")
            elif line.startswith("mkdocs: "):
                shown = not quiet  # the hooks' summary (mkdocs_hooks.on_post_build)
            elif line.strip() and not line[0].isspace():
                shown = True  # not a message's continuation: "Aborted with 1 warnings in strict mode!", a traceback
            if shown:
                sys.stderr.write(line)
    return process.returncode


# How MkDocs starts each message it logs: "INFO    -  Cleaning site directory".
_LOG_LEVEL = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+-  ")


def start_search_index(
    papers: Sequence[Paper],
    tags_by_id: Mapping[str, tuple[str, ...]],
    docs_dir: Path,
    cache: BuildCache,
    fingerprints: Mapping[str, bytes] | None = None,
) -> Callable[[], dict[str, Page]]:
    """The search index files, as a call that gives them: begun in a second process (background.py).

    All of the step runs there, looking up the cache included: the parent
    only waits for the files at the end. Files the last build made from the
    same documents come back as ``KeptPage``s (their text is not loaded,
    sent or hashed), made again here only if their file in docs/ changed.
    """
    job = Background(partial(_search_index_files, papers, tags_by_id, docs_dir, cache, fingerprints), low_priority=True)

    def finish() -> dict[str, Page]:
        files, reused = job.result()
        cache.count(reused)  # the second process's cache counts are not this one's
        # Made again at most once, for both files, and only if one of them was changed in docs/.
        return kept_pages(files, functools.cache(partial(_search_index_made_again, papers, tags_by_id, docs_dir)))

    return finish


def _search_index_made_again(
    papers: Sequence[Paper], tags_by_id: Mapping[str, tuple[str, ...]], docs_dir: Path
) -> dict[str, str | bytes]:
    """The search index files made from scratch (when a file in docs/ was changed by hand)."""
    files, _ = _search_index_files(papers, tags_by_id, docs_dir, BuildCache(None))
    return files


def _search_index_files(
    papers: Sequence[Paper],
    tags_by_id: Mapping[str, tuple[str, ...]],
    docs_dir: Path,
    cache: BuildCache,
    fingerprints: Mapping[str, bytes] | None = None,
) -> tuple[dict[str, str | bytes], bool]:
    """The search index files (or, where the last build made them from equal inputs, their text's digest),
    and whether they are the last build's (reused as every document is unchanged).

    Made from two parts (search/parts.py), each kept by the digest of what it
    reads: an abstract edit makes the body again, a tags or title edit the
    head, and ``catalog.js`` is joined from both. The cache entries this
    writes ("search handwritten documents", "search head", "search body", "search stems", "search body
    words", "search body digests", "search head file digest", "search file digests") are written by this
    step alone, so it may run in a second process.
    """
    # Converted from Markdown only when a page's text changed: the guide's pages took 0.1 s of every build.
    pages = handwritten_pages(docs_dir, GENERATED_FOLDERS + GENERATED_FILES)
    handwritten, _ = cache.reused_or_made("search handwritten documents", pages, partial(page_documents, pages))
    documents = paper_documents(papers, tags_by_id) + handwritten
    bodies = body_inputs(documents)
    # Each body's digest (``textnorm.text_digest``, what ``body_words`` keeps) by its record's fingerprint:
    # digesting 10,000 abstracts took 0.15 s of every rebuild's search step. Hand-written pages have none.
    by_id = fingerprints or {}
    record_of = [by_id.get(paper.id) for paper in papers] + [None] * (len(bodies) - len(papers))
    body_digests = cache.by_fingerprint("search body digests", bodies, record_of, _body_digests)
    # The body by its bodies' digests: digesting the 15 MB of text as one value took 0.05 s.
    head_key, body_key, table_key = (
        digest(inputs) for inputs in (head_inputs(documents), body_digests, table_inputs(documents))
    )
    files_key = (head_key, body_key, table_key)
    kept = cache.found("search file digests", files_key)
    if isinstance(kept, dict):
        return dict(kept), True
    known = cache.previous("search stems")
    stems = Stems(known if isinstance(known, dict) else {})  # saves stemming again the words it has
    made_now: list[str] = []  # the body's text, if made in this build

    def made_body() -> tuple[tuple[str, ...], bytes]:
        # Each body's words carried over: after an abstract edit, only that body is split again.
        known_words = cache.previous("search body words")
        analysed = body_words(bodies, known_words if isinstance(known_words, BodyWords) else None, body_digests)
        cache.keep("search body words", analysed)
        body = body_part(documents, stems, analysed)
        made_now.append(body.text)
        # Its words and digest, not its text (25 MB at 10,000 papers): a build that finds the body
        # (a tags or title edit) leaves catalog-body.js as it is.
        return body.words, text_digest(body.text)

    (body_terms, body_digest), _ = cache.reused_or_made("search body", body_key, made_body)
    head, _ = cache.reused_or_made("search head", head_key, partial(head_part, documents, stems))
    words = vocabulary(head.words, body_terms)
    cache.keep("search stems", {word: stems[word] for word in words})
    # catalog.js holds the head index, the result table and the words typos are corrected against, not
    # the body's weights: after an abstract edit that brings no new word, it is the last build's.
    table = result_table(documents)
    index_key = (head_key, digest(table), digest(words))
    index_digest = cache.found("search head file digest", index_key)
    index_file = None
    if not isinstance(index_digest, bytes):
        index_file = head_file(documents, head, body_terms, table=table, words=words)
        index_digest = text_digest(index_file)
        cache.store("search head file digest", index_key, index_digest)
    cache.store("search file digests", files_key, {INDEX_FILE: index_digest, BODY_INDEX_FILE: body_digest})
    # A file the last build made goes back as its digest: not sent to the parent or hashed there.
    return {
        INDEX_FILE: index_digest if index_file is None else index_file,
        BODY_INDEX_FILE: made_now[0] if made_now else body_digest,
    }, False


def _body_digests(bodies: Sequence[str]) -> tuple[bytes, ...]:
    return tuple(map(body_digest, bodies))


def site_info(config_file: Path) -> SiteInfo:
    """Site name, description and site_url from mkdocs.yml (``!ENV`` read as MkDocs reads it; Python tags ignored)."""
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    return SiteInfo(
        name=str(config.get("site_name", "Paper catalog")),
        description=str(config.get("site_description", "")),
        site_url=str(config.get("site_url") or ""),
    )


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its ``!!python/name:`` tags."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return None


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_ConfigLoader.add_multi_constructor("!", _ignore_tag)
# site_url may come from the environment (site_url: !ENV [SITE_URL, null]); MkDocs' own constructor reads it.
_ConfigLoader.add_constructor("!ENV", construct_env_tag)
