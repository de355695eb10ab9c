"""Command line: ``python -m site_builder COMMAND``. Thin: parse, call, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from site_builder import commands
from site_builder.errors import EXIT_BAD_INPUT, EXIT_BUILD_FAILED, BadInput, BuildFailed
from site_builder.ingest import FORMATS
from site_builder.offline import run_offline
from site_builder.progress import set_quiet


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m site_builder",
        description="Turn a catalog of papers (catalog/) into a static site (site/).",
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="project folder holding catalog/ and mkdocs.yml (default: .)"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output (problems are still reported)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    importer = sub.add_parser("import", help="merge papers from source files into catalog/papers/")
    importer.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="source files: listing text, BibTeX (.bib), arXiv API answer (.xml), Hugging Face JSON, JSON/JSONL, CSV",
    )
    importer.add_argument(
        "--format", choices=FORMATS, default="auto", help="source format (default: auto, from extension and content)"
    )
    importer.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")

    sub.add_parser("check", help="validate the catalog; list every problem as path:line: field: message")

    builder = sub.add_parser("build", help="check, generate docs/ and run MkDocs into site/")
    builder.add_argument("--no-mkdocs", action="store_true", help="only generate docs/ (skip MkDocs)")
    builder.add_argument(
        "--no-cache",
        action="store_true",
        help="recompute everything; by default results of the last build (.cache/build/) are reused where "
        "their inputs are unchanged",
    )

    searcher = sub.add_parser("search", help="search the catalog with the index the site uses")
    searcher.add_argument("query", help="words to look for (quote several words)")
    searcher.add_argument("--limit", type=_positive, default=10, help="at most this many results (default: 10)")
    searcher.add_argument("--json", action="store_true", help='print [{"id", "title", "score"}, ...]')

    tags = sub.add_parser("tags", help="help curate catalog/tags.yaml")
    tag_commands = tags.add_subparsers(dest="tags_command", required=True, metavar="ACTION")
    suggest = tag_commands.add_parser(
        "suggest", help="propose new tags (frequent phrases no tag covers) and list weakly tagged papers"
    )
    suggest.add_argument("--limit", type=_positive, default=20, help="at most this many phrases (default: 20)")

    sub.add_parser("offline", help="zip site/ into dist/<name>-<date>.zip to read with no network")

    stats = sub.add_parser("stats", help="counts of papers, tags, authors and years")
    stats.add_argument("--json", action="store_true", help="print the counts as JSON")

    _add_lookup(sub)
    return parser


def _add_lookup(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lookup = sub.add_parser(
        "lookup",
        help="fill missing authors, year, arXiv id, PDF, category, DOI and venue from the arXiv API (uses the network)",
        description="Look up records that lack authors, year, arxiv or pdf on the arXiv API (by arXiv id, else by "
        "exact title) and fill only what is missing. Answers are cached in .cache/arxiv/ (delete it to ask again).",
    )
    lookup.add_argument("ids", nargs="*", metavar="ID", help="paper ids (default: every record missing something)")
    lookup.add_argument(
        "--base-url", default=None, help="API URL (default: $ARXIV_API_URL, else https://export.arxiv.org/api/query)"
    )
    lookup.add_argument(
        "--delay", type=_seconds, default=None, help="seconds between requests (default and minimum: 3, arXiv's rule)"
    )
    lookup.add_argument("--timeout", type=_seconds, default=30.0, help="seconds to wait for an answer (default: 30)")
    # SUPPRESS: without a value here the subcommand would reset the top-level --quiet to False.
    lookup.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="no progress output")


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from error
    if not number > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 build failed, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return int(exit_request.code or 0)
    set_quiet(args.quiet)
    try:
        if args.command == "import":
            return commands.run_import(args.root, args.paths, args.format, dry_run=args.dry_run)
        if args.command == "check":
            return commands.run_check(args.root)
        if args.command == "build":
            return commands.run_build(args.root, run_mkdocs=not args.no_mkdocs, use_cache=not args.no_cache)
        if args.command == "search":
            return commands.run_search(args.root, args.query, limit=args.limit, as_json=args.json)
        if args.command == "tags":
            return commands.run_tags_suggest(args.root, limit=args.limit)
        if args.command == "offline":
            return run_offline(args.root)
        if args.command == "stats":
            return commands.run_stats(args.root, as_json=args.json)
        if args.command == "lookup":
            return commands.run_lookup(
                args.root, args.ids, base_url=args.base_url, delay=args.delay, timeout=args.timeout
            )
    except BadInput as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s); nothing was written. Fix them and run again.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BuildFailed as error:
        print(f"build failed: {error}", file=sys.stderr)
        return EXIT_BUILD_FAILED
    parser.error(f"unknown command {args.command}")
    return EXIT_BAD_INPUT
