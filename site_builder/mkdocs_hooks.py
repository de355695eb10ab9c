"""MkDocs hooks (listed in mkdocs.yml).

1. Material prints ``page.meta.title`` into ``<title>`` and the header without
   escaping. Titles are text, so the hook hands the templates an escaped
   ``Markup`` value: a title with ``<`` or ``&`` shows as written.

2. A generated page's body is one raw HTML block, already final (escaped,
   linked, checked by our tests). Python-Markdown would pass it through
   unchanged, but only after MkDocs and Python-Markdown have each run an HTML
   parser over it, which was most of MkDocs' time per page. So the hook sets
   the block aside before Markdown and puts it back after: the same HTML,
   without the two parses. The .md files are unchanged, so another engine
   reads them as before.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

# Generated pages: their folders and the home page (site_builder/render/write.py).
_GENERATED = ("papers/", "tags/", "browse/", "authors/")
_BLOCK_START = '<div class="catalog-page">\n'


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    title = page.meta.get("title")
    if title is not None and not isinstance(title, Markup):
        page.meta["title"] = escape(str(title))
    if _is_generated(page.file.src_uri) and _is_one_html_block(markdown):
        page.catalog_html = markdown.strip()
        return ""
    return markdown


def on_page_content(html: str, page: Any, **_: Any) -> str:
    return getattr(page, "catalog_html", None) or html


def _is_generated(src_uri: str) -> bool:
    return src_uri == "index.md" or src_uri.startswith(_GENERATED)


def _is_one_html_block(markdown: str) -> bool:
    """Exactly our block: it opens the body and closes it, with no blank line (no Markdown) inside."""
    body = markdown.strip()
    return body.startswith(_BLOCK_START) and body.endswith("\n</div>") and "\n\n" not in body
