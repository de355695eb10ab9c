"""Escaping for paper text: every field lands as data, never as markup.

Generated pages carry paper text inside raw HTML blocks, which Markdown
engines pass through untouched; the text itself is HTML-escaped here, so
``<``, ``&``, ``_``, ``*``, ``{{`` and ``--8<--`` all show as written.
"""

from __future__ import annotations

import functools
import html
import posixpath

import markdown
import nh3

from site_builder.textnorm import visible

_NOTE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip


# Beyond HTML: braces become references so a template plugin a user adds
# (mkdocs-macros, Jinja) never sees "{{" or "{%" in paper text, and line breaks
# so paper text never starts a line (where a snippet marker "--8<--" would act).
_BEYOND_HTML = str.maketrans({"{": "&#123;", "}": "&#125;", "\n": "&#10;", "\r": "&#13;"})


def text(value: object) -> str:
    """``value`` as HTML text content (also safe inside a quoted attribute), invisible controls removed.

    The browser shows exactly the characters of ``value``; no Markdown
    extension, template engine or snippet processor can act on them.
    """
    return html.escape(visible(str(value)), quote=True).translate(_BEYOND_HTML)


def safe_url(url: str) -> str | None:
    """An escaped http(s) URL for ``href``, or None for any other scheme."""
    cleaned = visible(url).strip()
    if not cleaned.lower().startswith(("https://", "http://")):
        return None
    return html.escape(cleaned, quote=True)


def link(href: str, label: str, css_class: str = "") -> str:
    """An ``<a>`` to a site page; ``href`` is ours, ``label`` is escaped here."""
    class_attr = f' class="{css_class}"' if css_class else ""
    return f'<a href="{html.escape(href, quote=True)}"{class_attr}>{text(label)}</a>'


def notes_html(notes: str) -> str:
    """Curator notes: Markdown rendered, then sanitized with an allow-list."""
    rendered = markdown.markdown(visible(notes), extensions=["tables", "fenced_code"])
    cleaned = nh3.clean(
        rendered,
        tags=_NOTE_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    # nh3 writes no line break or brace inside a tag, so this only touches text (and <pre> shows &#10; as a break).
    return cleaned.translate(_BEYOND_HTML)


def relative_url(from_page: str, to_page: str) -> str:
    """URL of ``to_page`` from ``from_page``, both docs-relative ``.md`` paths.

    The site uses ``.html`` URLs (no directory URLs) so the same links work on
    a web server and from disk.
    """
    to_page, hash_mark, fragment = to_page.partition("#")
    target = to_page[: -len(".md")] + ".html" if to_page.endswith(".md") else to_page
    return _relative(target, posixpath.dirname(from_page)) + hash_mark + fragment


@functools.lru_cache(maxsize=1 << 16)
def _folder_parts(folder: str) -> tuple[str, ...]:
    return tuple(part for part in folder.split("/") if part and part != ".")


def _relative(target: str, folder: str) -> str:
    """``posixpath.relpath(target, folder)`` for docs-relative paths, without its two abspath calls.

    The pages link to each other some 300,000 times at 10,000 papers, and
    relpath asks the OS for the working directory each time.
    """
    start = _folder_parts(folder)
    *target_folder, name = target.split("/")
    common = 0
    for mine, theirs in zip(start, target_folder, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + target_folder[common:] + [name])
