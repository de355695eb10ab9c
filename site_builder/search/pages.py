"""Hand-written pages (docs/*.md outside the generated folders) as search documents."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

import markdown
import yaml

from site_builder.search.index import PAGE_PREFIX, SearchDocument

_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
# Pages the search box should not offer: the results page itself.
NOT_SEARCHED = frozenset({"search.md"})


def handwritten_pages(docs_dir: Path, generated: Iterable[str]) -> list[tuple[str, str]]:
    """Each hand-written Markdown page's docs-relative path and text, in path order."""
    skip = set(generated) | NOT_SEARCHED
    pages = []
    for path in sorted(_markdown_files(docs_dir, skip)):
        relative = path.relative_to(docs_dir).as_posix()
        if relative not in skip:
            pages.append((relative, path.read_text(encoding="utf-8")))
    return pages


def page_documents(pages: Iterable[tuple[str, str]]) -> list[SearchDocument]:
    """The search documents of ``handwritten_pages`` (a page's front matter may exclude it)."""
    documents = []
    for relative, page_text in pages:
        meta, body = _split_front_matter(page_text)
        search_settings = meta.get("search")
        if isinstance(search_settings, dict) and search_settings.get("exclude"):
            continue
        heading = _HEADING.search(body)
        title = str(meta.get("title") or (heading.group(1) if heading else Path(relative).stem))
        text = html.unescape(_TAG.sub(" ", markdown.markdown(body, extensions=["tables"])))
        documents.append(SearchDocument(id=f"{PAGE_PREFIX}{relative[:-3]}", title=title, body=" ".join(text.split())))
    return documents


def _markdown_files(docs_dir: Path, skip: set[str]) -> list[Path]:
    """docs/**/*.md, not looking inside the generated folders (tens of thousands of pages)."""
    if not docs_dir.is_dir():
        return []
    found: list[Path] = []
    for entry in docs_dir.iterdir():
        if entry.name in skip:
            continue
        if entry.is_dir():
            found.extend(entry.rglob("*.md"))
        elif entry.suffix == ".md":
            found.append(entry)
    return found


def _split_front_matter(text: str) -> tuple[dict[str, object], str]:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            meta = yaml.safe_load(text[4:end]) or {}
            return (meta if isinstance(meta, dict) else {}), text[end + 4 :]
    return {}, text
