"""Escaping for paper text: every field lands as data, never as markup.

Generated pages carry paper text inside raw HTML blocks, which Markdown
engines pass through untouched; the text itself is HTML-escaped here, so
``<``, ``&``, ``_``, ``*``, ``{{`` and ``--8<--`` all show as written.
"""

from __future__ import annotations

import functools
import html

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
_BEYOND_HTML = {"{": "&#123;", "}": "&#125;", "\n": "&#10;", "\r": "&#13;"}
# Text up to this length is remembered once escaped: names, titles and tags are escaped
# on every page that lists them (some 600,000 times at 10,000 papers). Abstracts are
# longer, unique, and not worth keeping. (These caches last one render: see clear_caches.)
_REMEMBERED_TEXT = 400


def text(value: object) -> str:
    """``value`` as HTML text content (also safe inside a quoted attribute), invisible controls removed.

    The browser shows exactly the characters of ``value``; no Markdown
    extension, template engine or snippet processor can act on them.
    """
    string = str(value)
    return _remembered_text(string) if len(string) <= _REMEMBERED_TEXT else _escaped(string)


@functools.lru_cache(maxsize=1 << 18)
def _remembered_text(value: str) -> str:
    return _escaped(value)


def _escaped(value: str) -> str:
    return _beyond_html(html.escape(visible(value), quote=True))


def _beyond_html(escaped: str) -> str:
    """Replace ``_BEYOND_HTML``'s characters: one ``str.replace`` each.

    (``str.translate`` with a dict does the same but is some 7 times slower on
    text with any non-ASCII character.) No replacement holds a character
    replaced after it, so the order does not matter.
    """
    for char, reference in _BEYOND_HTML.items():
        if char in escaped:
            escaped = escaped.replace(char, reference)
    return escaped


def clear_caches() -> None:
    """Forget the escaped text, links and URLs remembered (``render_pages`` does once done)."""
    for cache in (_remembered_text, link, _url_from_folder):
        cache.cache_clear()


def safe_url(url: str) -> str | None:
    """An escaped http(s) URL for ``href``, or None for any other scheme."""
    cleaned = visible(url).strip()
    if not cleaned.lower().startswith(("https://", "http://")):
        return None
    return html.escape(cleaned, quote=True)


@functools.lru_cache(maxsize=1 << 18)
def link(href: str, label: str, css_class: str = "") -> str:
    """An ``<a>`` to a site page; ``href`` is ours, ``label`` is escaped here.

    Remembered: pages in one folder link the same tag, author or paper the same way
    (every paper page links its tags, every list page its pager's pages).
    """
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
    return _beyond_html(cleaned)


def relative_url(from_page: str, to_page: str) -> str:
    """URL of ``to_page`` from ``from_page``, both docs-relative ``.md`` paths.

    The site uses ``.html`` URLs (no directory URLs) so the same links work on
    a web server and from disk.
    """
    # The folder, as posixpath.dirname gives it up to repeated or trailing slashes (which _folder_parts drops).
    return _url_from_folder(from_page.rpartition("/")[0], to_page)


@functools.lru_cache(maxsize=1 << 18)
def _url_from_folder(folder: str, to_page: str) -> str:
    # Remembered: generated pages sit in a handful of folders and link the same pages
    # from each (some 330,000 links at 10,000 papers).
    to_page, hash_mark, fragment = to_page.partition("#")
    target = to_page[: -len(".md")] + ".html" if to_page.endswith(".md") else to_page
    return _relative(target, folder) + hash_mark + fragment


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
