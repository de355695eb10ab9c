"""MkDocs hooks (listed in mkdocs.yml).

Material prints ``page.meta.title`` into ``<title>`` and the header without
escaping. Titles are text, so the hook hands the templates an escaped
``Markup`` value: a title with ``<`` or ``&`` shows as written.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    title = page.meta.get("title")
    if title is not None and not isinstance(title, Markup):
        page.meta["title"] = escape(str(title))
    return markdown
