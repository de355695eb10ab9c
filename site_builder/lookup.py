"""Fill missing metadata of catalog records from the arXiv API (``python -m site_builder lookup``).

A record that lacks any of authors, year, arXiv id or PDF link is looked up:
by its arXiv id when it has one, else by its title (a result is accepted only
when its folded title equals the record's: never a guess). The answer goes
through the same merge as an import, so only missing fields are filled, a
differing value is reported as a conflict and the curator's fields are never
touched.

arXiv asks API users for one request at a time and at least 3 seconds between
requests; this module keeps to that, retries what may pass (timeouts, lost
connections, HTTP 429 and 5xx) with exponential backoff, and caches every
answer under ``.cache/arxiv/`` so a second run asks nothing. The build never
calls it: it is the only part of the project that uses the network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.catalog.merge import plan_import
from site_builder.catalog.records import paper_problems
from site_builder.catalog.store import write_papers
from site_builder.catalog.yamlio import write_text_atomic
from site_builder.errors import EXIT_BUILD_FAILED, EXIT_OK, BadInput, Problem
from site_builder.ingest import IncomingRecord, ReadResult, today
from site_builder.ingest.arxiv import read_arxiv
from site_builder.model import Paper
from site_builder.progress import is_quiet, say
from site_builder.textnorm import title_key

DEFAULT_BASE_URL = "https://export.arxiv.org/api/query"
BASE_URL_ENV = "ARXIV_API_URL"
# arXiv's terms of use: no more than one request every three seconds.
PRODUCTION_MIN_DELAY = 3.0
MIN_DELAY_ENV = "SITE_BUILDER_LOOKUP_MIN_DELAY"
DEFAULT_TIMEOUT = 30.0
MAX_ATTEMPTS = 3
# A server asking us to come back later than this is not waited for: the paper fails and a rerun retries.
LONGEST_WAIT = 300.0
TITLE_RESULTS = 5
CACHE_FOLDER = Path(".cache") / "arxiv"
LOOKED_UP = ("authors", "year", "arxiv", "pdf")  # a record lacking any of these is looked up
FILLED = (*LOOKED_UP, "category", "doi", "venue", "abstract")  # what a lookup may fill
USER_AGENT = "site_builder-lookup/0.1 (paper catalog; one request every 3 s)"


@dataclass(frozen=True, slots=True)
class LookupSettings:
    """How to talk to the arXiv API."""

    base_url: str = DEFAULT_BASE_URL
    delay: float = PRODUCTION_MIN_DELAY  # seconds between the end of one request and the start of the next
    timeout: float = DEFAULT_TIMEOUT
    attempts: int = MAX_ATTEMPTS


def minimum_delay() -> float:
    """The shortest delay allowed between requests: arXiv's 3 s.

    For tests only, ``SITE_BUILDER_LOOKUP_MIN_DELAY`` (seconds) lowers it so a
    run against a local fake server stays fast. Never set it against arXiv.
    """
    value = os.environ.get(MIN_DELAY_ENV, "")
    try:
        return max(0.0, float(value)) if value else PRODUCTION_MIN_DELAY
    except ValueError:
        return PRODUCTION_MIN_DELAY


def settings_from(base_url: str | None, delay: float | None, timeout: float) -> LookupSettings:
    """Settings from the CLI options; the delay is never below the minimum.

    The base URL is ``--base-url``, else ``$ARXIV_API_URL``, else arXiv's.

    Raises:
        BadInput: the base URL is not an http(s) URL.
    """
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not url.startswith(("https://", "http://")):
        raise BadInput([Problem("--base-url", None, None, f"'{url}' is not an http:// or https:// URL")])
    floor = minimum_delay()
    if delay is not None and delay < floor:
        say(f"lookup: --delay {delay:g} is below arXiv's minimum; waiting {floor:g} s between requests")
    return LookupSettings(base_url=url, delay=max(delay if delay is not None else floor, floor), timeout=timeout)


def needs_lookup(paper: Paper) -> bool:
    return any(_empty(getattr(paper, name)) for name in LOOKED_UP)


def query_url(base_url: str, paper: Paper) -> str:
    """The API request for a paper: by arXiv id, else a phrase search on its title."""
    if paper.arxiv:
        query = urllib.parse.urlencode({"id_list": paper.arxiv})
    else:
        # The folded title has no quotes or colons that would break arXiv's query syntax.
        phrase = f'ti:"{title_key(paper.title)}"'
        query = urllib.parse.urlencode({"search_query": phrase, "max_results": TITLE_RESULTS})
    return f"{base_url}?{query}"


# --- talking to the API ---------------------------------------------------------------------------------------------


class RequestFailed(Exception):
    """No usable answer for a request (after the retries it deserved)."""


class _TryAgain(Exception):
    """A failure that may pass: timeout, lost connection, HTTP 429 or 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ArxivClient:
    """One request at a time, spaced by ``settings.delay``, retried with exponential backoff."""

    def __init__(self, settings: LookupSettings) -> None:
        self.settings = settings
        self._last_end: float | None = None  # when the previous request finished

    def get(self, url: str) -> str:
        """The body of a 200 answer to ``url``.

        Raises:
            RequestFailed: a 4xx other than 429, or still failing after the last attempt.
        """
        wait = 0.0
        for attempt in range(1, self.settings.attempts + 1):
            self._pause(wait)
            try:
                return self._request(url)
            except _TryAgain as error:
                failure = error
            if attempt == self.settings.attempts:
                break
            wait = failure.retry_after if failure.retry_after is not None else self.settings.delay * 2**attempt
            if wait > LONGEST_WAIT:
                raise RequestFailed(f"{failure}; the server asks to wait {wait:.0f} s, try again later")
        raise RequestFailed(f"{failure} (gave up after {self.settings.attempts} attempts)")

    def _pause(self, wait: float) -> None:
        """Sleep until both the spacing since the last request and ``wait`` (backoff, Retry-After) have passed."""
        if self._last_end is None:
            return
        remaining = self._last_end + max(self.settings.delay, wait) - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def _request(self, url: str) -> str:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                body: bytes = response.read()
        except urllib.error.HTTPError as error:
            raise _http_failure(error) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise _TryAgain(f"no answer within {self.settings.timeout:g} s") from error
            raise _TryAgain(f"cannot connect: {error.reason}") from error
        except TimeoutError as error:
            raise _TryAgain(f"no answer within {self.settings.timeout:g} s") from error
        except (OSError, http.client.HTTPException) as error:
            raise _TryAgain(f"connection failed: {error or type(error).__name__}") from error
        finally:
            self._last_end = time.monotonic()
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RequestFailed("the answer is not UTF-8 text") from error


def _http_failure(error: urllib.error.HTTPError) -> Exception:
    try:
        body = error.read().decode("utf-8", errors="replace")
    except OSError:
        body = ""
    finally:
        error.close()
    reason = f"HTTP {error.code} {error.reason}".strip()
    if error.code == 429 or error.code >= 500:
        return _TryAgain(reason, _retry_after(error.headers.get("Retry-After")))
    # arXiv explains a bad query (HTTP 400) in an Atom error entry: show its words.
    explained = [problem.message for problem in read_arxiv(body, "answer").problems] if body.lstrip()[:1] == "<" else []
    return RequestFailed(f"{reason}: {explained[0]}" if explained else reason)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


@dataclass(frozen=True, slots=True)
class AnswerCache:
    """Answers on disk, one file per request URL, so a rerun asks arXiv nothing."""

    folder: Path

    def path(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.xml"

    def get(self, url: str) -> str | None:
        try:
            return self.path(url).read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def put(self, url: str, text: str) -> None:
        write_text_atomic(self.path(url), text)


# --- one paper -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What looking up one paper did."""

    status: str  # "updated", "unchanged", "not found" or "failed"
    detail: str = ""
    paper: Paper | None = None  # the filled-in paper, when updated
    problems: tuple[Problem, ...] = ()  # conflicts
    cached: bool = False  # answered from the cache


@dataclass(frozen=True, slots=True)
class Answer:
    """A parsed answer (its records located in the cache file) and whether it came from the cache."""

    result: ReadResult
    cached: bool


class Lookup:
    """Looks papers up against one catalog: answers from the cache, else from the API."""

    def __init__(self, paths: CatalogPaths, papers: Sequence[Paper], settings: LookupSettings) -> None:
        self.paths = paths
        self.settings = settings
        self.cache = AnswerCache(paths.root / CACHE_FOLDER)
        self.client = ArxivClient(settings)
        self._owner_of_arxiv = {paper.arxiv.lower(): paper.id for paper in papers if paper.arxiv}

    def answer(self, url: str) -> Answer:
        """The parsed answer to ``url``.

        Raises:
            RequestFailed: no usable answer.
        """
        display = self.paths.display(self.cache.path(url))
        text = self.cache.get(url)
        if text is not None:
            return Answer(read_arxiv(text, display), cached=True)
        text = self.client.get(url)
        result = read_arxiv(text, display)
        if result.problems and not result.records:
            raise RequestFailed(result.problems[0].message)  # not cached: a rerun asks again
        self.cache.put(url, text)
        return Answer(result, cached=False)

    def paper(self, paper: Paper) -> Outcome:
        """Look one paper up and merge what arXiv knows into it (nothing is written here)."""
        try:
            answer = self.answer(query_url(self.settings.base_url, paper))
        except RequestFailed as error:
            return Outcome("failed", str(error))
        return dataclasses.replace(self._use(paper, answer), cached=answer.cached)

    def _use(self, paper: Paper, answer: Answer) -> Outcome:
        found = _matching_entry(paper, answer.result.records)
        if found is None:
            how = f"no entry for arXiv {paper.arxiv}" if paper.arxiv else "no result has exactly this title"
            return Outcome("not found", how)
        owner = self._owner_of_arxiv.get(found.paper.arxiv.lower())
        if owner not in (None, paper.id):
            message = (
                f"conflict: arXiv {found.paper.arxiv} is already in "
                f"{self.paths.display(self.paths.record_path(owner))}; record left unchanged (merge the two by hand)"
            )
            return Outcome("unchanged", problems=(Problem(found.path, found.line, "arxiv", message),))
        return self._merge(paper, _metadata_only(found, paper))

    def _merge(self, paper: Paper, record: IncomingRecord) -> Outcome:
        bad = paper_problems(record.paper, known_tags=())
        if bad:
            field, message = bad[0]
            return Outcome("failed", f"{record.location}: {field}: arXiv's answer is not usable: {message}")
        where = self.paths.display(self.paths.record_path(paper.id))
        # The merge sees only this paper, so the answer can fill it but never add a paper.
        plan = plan_import([paper], [record], today=today(), record_path_of={paper.id: where})
        if plan.added:
            raise AssertionError(f"lookup would add a paper for {where}")
        if not plan.updated:
            return Outcome("unchanged", problems=plan.conflicts)
        merged = plan.updated[0]
        filled = [name for name in FILLED if _empty(getattr(paper, name)) and not _empty(getattr(merged, name))]
        return Outcome("updated", ", ".join(filled), merged, plan.conflicts)


def _empty(value: object) -> bool:
    return value in (None, "", ())


def _matching_entry(paper: Paper, records: Sequence[IncomingRecord]) -> IncomingRecord | None:
    """The entry for this paper: same arXiv id, else exactly the same folded title (one paper only)."""
    if paper.arxiv:
        return next((record for record in records if record.paper.arxiv.lower() == paper.arxiv.lower()), None)
    key = title_key(paper.title)
    same_title = [record for record in records if title_key(record.paper.title) == key]
    if len({record.paper.arxiv for record in same_title}) != 1:
        return None  # none, or several papers with this title: do not guess
    return same_title[0]


def _metadata_only(record: IncomingRecord, paper: Paper) -> IncomingRecord:
    """The fields a lookup fills; the abstract only when the record has none (arXiv's often differs in detail)."""
    found = record.paper
    incoming = Paper(
        id="",
        title=found.title,
        abstract=found.abstract if not paper.abstract else "",
        authors=found.authors,
        year=found.year,
        venue=found.venue,
        arxiv=found.arxiv,
        category=found.category,
        doi=found.doi,
        pdf=found.pdf,
    )
    return dataclasses.replace(record, paper=incoming)


# --- the command ---------------------------------------------------------------------------------------------------


class _Progress:
    """A tqdm bar on a terminal, else one plain line per paper; nothing with --quiet. All on stderr."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        quiet = is_quiet()
        self.lines = not quiet and not stream.isatty()
        self.bar = (
            tqdm(total=total, desc="lookup arXiv", unit=" papers", file=stream, leave=False, dynamic_ncols=True)
            if not quiet and stream.isatty()
            else None
        )

    def starting(self, paper: Paper) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{paper.id} (by {'arXiv id' if paper.arxiv else 'title'})", refresh=True)

    def finished(self, paper_id: str, outcome: Outcome) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update()
        elif self.lines:
            detail = f": {outcome.detail}" if outcome.detail and outcome.status == "updated" else ""
            from_cache = " (cached)" if outcome.cached else ""
            print(f"lookup {self.done}/{self.total} {paper_id}: {outcome.status}{detail}{from_cache}", file=self.stream)

    def problem(self, line: str) -> None:
        """A problem is always shown, above the bar when there is one."""
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def lookup_missing(root: Path, ids: Sequence[str], settings: LookupSettings) -> int:
    """Fill missing metadata for the given papers (every incomplete one when ``ids`` is empty).

    Returns 0 when every request was answered, 1 when some failed after its retries.

    Raises:
        BadInput: the catalog has problems, or an id is not in it.
    """
    paths = CatalogPaths(root)
    catalog = load_catalog(paths)
    chosen = _chosen(paths, catalog.papers, ids)
    todo = [paper for paper in chosen if needs_lookup(paper)]
    counts = dict.fromkeys(("updated", "unchanged", "not found", "failed"), 0)
    counts["unchanged"] = len(chosen) - len(todo)  # complete already: nothing to ask
    conflicts = 0
    if not todo:
        say("lookup: nothing to look up (every record has authors, year, arxiv and pdf)")
    lookup = Lookup(paths, catalog.papers, settings)
    progress = _Progress(len(todo), sys.stderr)
    try:
        for paper in todo:
            progress.starting(paper)
            outcome = lookup.paper(paper)
            if outcome.paper is not None:
                write_papers(paths, [outcome.paper])
            for problem in outcome.problems:
                progress.problem(str(problem))
            if outcome.status in ("failed", "not found"):
                progress.problem(f"{paths.display(paths.record_path(paper.id))}: {outcome.status}: {outcome.detail}")
            counts[outcome.status] += 1
            conflicts += len(outcome.problems)
            progress.finished(paper.id, outcome)
    finally:
        progress.close()
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    retry = "; rerun to retry the failed ones" if counts["failed"] else ""
    print(f"lookup: {summary}, {conflicts} conflicts (catalog values kept){retry}")
    return EXIT_BUILD_FAILED if counts["failed"] else EXIT_OK


def _chosen(paths: CatalogPaths, papers: Sequence[Paper], ids: Sequence[str]) -> list[Paper]:
    """The papers named by ``ids`` (in that order, once each), or all of them."""
    if not ids:
        return list(papers)
    by_id = {paper.id: paper for paper in papers}
    unknown = [paper_id for paper_id in ids if paper_id not in by_id]
    if unknown:
        raise BadInput(
            [
                Problem(paths.display(paths.record_path(paper_id)), None, None, f"no paper with id '{paper_id}'")
                for paper_id in unknown
            ]
        )
    return [by_id[paper_id] for paper_id in dict.fromkeys(ids)]
