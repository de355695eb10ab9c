"""Load and validate the whole catalog, collecting every problem."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from site_builder.cache import Memo, digest, made_so_far, mostly_reused, no_memo, step_beside
from site_builder.catalog.records import paper_from_yaml
from site_builder.catalog.vocabulary import load_vocabulary
from site_builder.catalog.yamlio import ParsedYaml, key_lines, parse_yaml
from site_builder.errors import BadInput, Problem
from site_builder.model import Catalog, Paper
from site_builder.progress import track
from site_builder.textnorm import title_key


@dataclass(frozen=True, slots=True)
class CatalogPaths:
    """Where a project keeps its catalog, relative to the project root."""

    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def papers(self) -> Path:
        return self.catalog / "papers"

    @property
    def tags(self) -> Path:
        return self.catalog / "tags.yaml"

    @property
    def sources(self) -> Path:
        return self.catalog / "sources"

    def display(self, path: Path) -> str:
        """``path`` as the user should see it in a message (relative, with /)."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def record_path(self, paper_id: str) -> Path:
        return self.papers / f"{paper_id}.yaml"


def load_catalog(paths: CatalogPaths, memo: Memo = no_memo) -> Catalog:
    """Read and check every record and the tag vocabulary.

    ``memo`` may return a record's result from an earlier build: it is keyed by
    the file's bytes, its name and the tag vocabulary, all that a record's
    checks depend on (the cross-record checks always run).

    Raises:
        BadInput: with every problem found, each as ``path:line: field: message``.
    """
    problems: list[Problem] = []
    tags, tag_problems = load_vocabulary(paths.tags, paths.display(paths.tags))
    problems.extend(tag_problems)
    known_tags = {tag.name for tag in tags} | {alias for tag in tags for alias in tag.aliases}

    papers: list[Paper] = []
    title_lines: dict[str, int] = {}
    names = _names_in(paths.papers)
    record_names = [name for name in names if name.endswith(".yaml")]  # what glob("*.yaml") finds
    problems.extend(_unread_records(paths, names))
    vocabulary = digest(tuple(sorted(known_tags)))  # once, not in every record's key
    folder = paths.display(paths.papers)  # once: resolving 10,000 paths took most of a second
    # str paths: pathlib's per-path work took half a second at 10,000 records.
    root = os.fspath(paths.papers)
    read = partial(_read_records, root=root, folder=folder, vocabulary=vocabulary, known_tags=known_tags)
    # From PARALLEL_RECORDS records, half is read by a second process (background.py), unless the first
    # records read show that the memo has nearly all of them (a rebuild): then all are read here.
    made_before = made_so_far(memo)
    probe = record_names[: min(PROBE_RECORDS, len(record_names) // 10)] if len(record_names) >= PARALLEL_RECORDS else []
    probed = read(probe, memo)
    rest = record_names[len(probe) :]
    parallel = bool(probe) and not mostly_reused(memo, made_before, len(probe))
    half = len(rest) // 2 if parallel else len(rest)
    second_half = step_beside(memo, partial(read, rest[half:]), parallel=parallel)
    label = "read catalog/papers (half; the rest in parallel)" if parallel else "read catalog/papers"
    first_half = probed + read(track(rest[:half], label, unit="records", summary=False), memo)
    fingerprints: dict[str, bytes] = {}
    for name, (raw_digest, (paper, record_problems, title_line)) in zip(
        record_names, first_half + second_half(), strict=True
    ):
        problems.extend(record_problems)
        if paper is not None:
            papers.append(paper)
            title_lines[paper.id] = title_line
            # All the paper is made of: its file's name and bytes, and the tags it may use.
            made_of = raw_digest + vocabulary + f"{folder}/{name}".encode()
            fingerprints[paper.id] = hashlib.blake2b(made_of, digest_size=20).digest()
    # Across records: kept while no title, arXiv id or title line changed (folding 10,000 titles took 0.04 s).
    duplicates_read = [(paper.id, paper.title, paper.arxiv, title_lines[paper.id]) for paper in papers]
    problems.extend(memo(("duplicates", duplicates_read), partial(_duplicates, papers, paths, title_lines)))
    if problems:
        raise BadInput(problems)
    return Catalog(papers=tuple(papers), tags=tags, fingerprints=fingerprints)


PARALLEL_RECORDS = 2000
PROBE_RECORDS = 200  # at most (and a tenth of the records): read first, here, to see how many the memo had

RecordResult = tuple[Paper | None, list[Problem], int]  # the paper, its problems, the line of its title


def _read_records(
    names: Iterable[str], memo: Memo, *, root: str, folder: str, vocabulary: bytes, known_tags: set[str]
) -> list[tuple[bytes, RecordResult]]:
    """Each record file's digest and what ``_read_record`` makes of it (or ``memo`` kept of it)."""
    results = []
    for name in names:
        display = f"{folder}/{name}"
        with open(f"{root}/{name}", "rb") as handle:
            raw = handle.read()
        raw_digest = hashlib.blake2b(raw, digest_size=20).digest()
        result = memo(
            ("record", display, raw_digest, vocabulary),
            partial(_read_record, name.removesuffix(".yaml"), raw, display, known_tags),
        )
        results.append((raw_digest, result))
    return results


def _read_record(
    paper_id: str, raw: bytes, display: str, known_tags: set[str]
) -> tuple[Paper | None, list[Problem], int]:
    """One record file: its paper (if readable), its problems, and the line of its title."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(display, line, None, "this record is not UTF-8 text; save it as UTF-8")], 1
    parsed = parse_yaml(text, display)
    if isinstance(parsed, Problem):
        return None, [parsed], 1
    paper, problems = paper_from_yaml(paper_id, parsed, display, known_tags)
    return paper, list(problems), _line_of(parsed, "title")


def _line_of(parsed: ParsedYaml, key: str) -> int:
    return key_lines(parsed.node).get(key, 1)


def _names_in(folder: Path) -> list[str]:
    """The names in ``folder``, sorted (none if it is not a folder)."""
    try:
        return sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _unread_records(paths: CatalogPaths, names: list[str]) -> list[Problem]:
    """Files in catalog/papers/ that look like records but would be skipped (nothing may be lost silently)."""
    problems = []
    for name in names:
        if name.endswith(".tmp"):
            continue  # a write that was interrupted before its rename; the record itself is intact
        looks_like_record = name.lower().endswith((".yaml", ".yml"))
        if looks_like_record and (name.startswith(".") or not name.endswith(".yaml")):
            problems.append(
                Problem(
                    paths.display(paths.papers / name),
                    None,
                    None,
                    "this file is not read as a record; name it <id>.yaml (lowercase, no leading dot)",
                )
            )
    return problems


def _duplicates(papers: list[Paper], paths: CatalogPaths, title_lines: dict[str, int]) -> list[Problem]:
    """Two records for one paper: same arXiv id or same title."""
    problems: list[Problem] = []
    first_by_key: dict[tuple[str, str], Paper] = {}
    for paper in papers:
        keys = [("title", title_key(paper.title))]
        if paper.arxiv:
            keys.append(("arxiv", paper.arxiv.lower()))
        for field, key in keys:
            earlier = first_by_key.setdefault((field, key), paper)
            if earlier is not paper:
                problems.append(
                    Problem(
                        paths.display(paths.record_path(paper.id)),
                        title_lines.get(paper.id),
                        field,
                        f"same {field} as {paths.display(paths.record_path(earlier.id))}; "
                        "merge the two records into one",
                    )
                )
    return problems
