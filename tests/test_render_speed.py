"""The faster render stage writes the bytes the plain one wrote.

render/ was sped up (remembered escapes, links, URLs and folded names; BibTeX
regexes skipped when a substring test shows they cannot match; the entry
with and without its abstract made from one set of escaped fields). The
references below are the code as it was before, copied here, and each test
compares the two on random input full of the characters each fast path
decides on: markup, braces, line breaks, TeX specials and ligature pairs,
URLs, invisible and control characters.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.enrich import enrich
from site_builder.ingest.latex import _URL as READER_URL
from site_builder.model import Paper
from site_builder.render import bibtex, folding, lists, render_pages
from site_builder.render import html as render_html
from site_builder.render.bibtex import bibtex_entries, bibtex_entry, latex_text, title_word, verbatim
from site_builder.render.html import link, relative_url, text
from site_builder.render.pages import SiteInfo
from site_builder.textnorm import title_key, visible

REPO = Path(__file__).resolve().parent.parent

# --- The references: the code before the speed-up. --------------------------

_BEYOND_HTML = str.maketrans({"{": "&#123;", "}": "&#125;", "\n": "&#10;", "\r": "&#13;"})


def reference_text(value: object) -> str:
    return html.escape(visible(str(value)), quote=True).translate(_BEYOND_HTML)


def reference_relative_url(from_page: str, to_page: str) -> str:
    to_page, hash_mark, fragment = to_page.partition("#")
    target = to_page[: -len(".md")] + ".html" if to_page.endswith(".md") else to_page
    start = tuple(part for part in posixpath.dirname(from_page).split("/") if part and part != ".")
    *target_folder, name = target.split("/")
    common = 0
    for mine, theirs in zip(start, target_folder, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + target_folder[common:] + [name]) + hash_mark + fragment


_SPECIALS = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "_": r"\_"}
_SPECIALS |= {"~": r"\textasciitilde{}", "^": r"\string^"}
_UNMATCHED_BRACE = {"{": r"\lbrace{}", "}": r"\rbrace{}"}
_SPECIAL_CHAR = re.compile(r"[\\%&#$_~^{}]")
_LIGATURE = re.compile(r"-(?=-)|`(?=`)|'(?=')|[?!](?=`)")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_SQUEEZABLE = re.compile(r"[\t\r\n\f\v][ \t\r\n\f\v]*| [ \t\r\n\f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_AFTER_URL = re.compile(r"[.,;:!?)\]’”]*(?:[\s<>\"]|$)")
_VERBATIM_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C"}
_NAME_NEEDS_BRACES = re.compile(r",|\band\b", re.IGNORECASE)


def reference_latex_text(value: str) -> str:
    text = _SQUEEZABLE.sub(" ", _CONTROL.sub("", value)).strip()
    pieces = []
    position = 0
    for url in READER_URL.finditer(text):
        if set(url.group(0)) & set("{}\\") or not _AFTER_URL.match(text, url.end()):
            continue
        pieces.append(_reference_escape(text[position : url.start()]))
        pieces.append(url.group(0))
        position = url.end()
    pieces.append(_reference_escape(text[position:]))
    return "".join(pieces)


def _reference_escape(text: str) -> str:
    matched = _reference_matched_braces(text)

    def replace(special: re.Match[str]) -> str:
        char = special.group(0)
        if char in "{}":
            return "\\" + char if special.start() in matched else _UNMATCHED_BRACE[char]
        return _SPECIALS[char]

    return _LIGATURE.sub(r"\g<0>{}", _SPECIAL_CHAR.sub(replace, text))


def _reference_matched_braces(text: str) -> set[int]:
    opened: list[int] = []
    matched: set[int] = set()
    for brace in re.finditer(r"[{}]", text):
        if brace.group(0) == "{":
            opened.append(brace.start())
        elif opened:
            matched.update((opened.pop(), brace.start()))
    return matched


def reference_verbatim(value: str) -> str:
    cleaned = _WHITESPACE.sub("", _CONTROL.sub("", value))
    matched = _reference_matched_braces(cleaned)
    return "".join(
        char if index in matched and char in "{}" else _VERBATIM_UNSAFE.get(char, char)
        for index, char in enumerate(cleaned)
    )


def reference_title_word(title: str) -> str:
    words = [folded for word in re.split(r"[\s\-‐‑–—/:]+", title) if (folded := bibtex._fold(word))]
    significant = [word for word in words if word not in bibtex.STOP_WORDS] or words
    return significant[0][:20] if significant else ""


def reference_author(name: str) -> str:
    escaped = reference_latex_text(name)
    protect = _NAME_NEEDS_BRACES.search(name) or "\\" in escaped
    return "{" + escaped + "}" if protect else escaped


def reference_bibtex_entry(paper: Paper, key: str, *, with_abstract: bool = True) -> str:
    arxiv_url = f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else ""
    fields = [
        ("title", "{" + reference_latex_text(paper.title) + "}"),
        ("author", " and ".join(reference_author(name) for name in paper.authors if name.strip())),
        ("year", str(paper.year) if paper.year else ""),
        ("journal", reference_latex_text(paper.venue)),
        ("doi", reference_verbatim(paper.doi)),
        ("url", reference_verbatim(paper.url or arxiv_url)),
        ("eprint", reference_verbatim(paper.arxiv)),
        ("archivePrefix", "arXiv" if paper.arxiv else ""),
        ("primaryClass", reference_verbatim(paper.category) if paper.arxiv else ""),
        ("abstract", reference_latex_text(paper.abstract) if with_abstract else ""),
    ]
    kind = "article" if paper.venue.strip() else "misc"
    lines = [f"  {name} = {{{value}}}" for name, value in fields if value]
    return f"@{kind}{{{key},\n" + ",\n".join(lines) + "\n}\n"


# --- Random input made of what the fast paths test for. ---------------------

PIECES = [
    *"&<>\"'{}\n\r\t\f\v -`?!:/\\%#$_~^aZ9.,;)]",
    "é", "日本", "😀", "\u202e", "\u200b", "\ufeff", "\x00", "\x0b", "\x7f", "\x85", "\u2028",
    "  ", "--", "``", "''", "?`", "!`", " and ", ",",
    "https://", "http://x.y/", "https://a.b/c{d}", "https://e.f/g)", "https://h.i/j\\k",
]  # fmt: skip
# Also text with none of the rarer characters, where the fast paths skip their regexes.
plain_strings = st.lists(st.sampled_from([*"ab -'`?!{}\\%_:/", "  ", "https://"]), max_size=30).map("".join)
strings = st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | plain_strings | st.text(max_size=40)
long_strings = st.lists(st.sampled_from(PIECES), min_size=150, max_size=300).map("".join)
page_paths = st.lists(
    st.sampled_from(["papers", "tags", "browse", "years", "", ".", "a.md", "t.md#frag", "b#c", "page-2.md"]),
    min_size=1,
    max_size=4,
).map("/".join)


@settings(max_examples=400, deadline=None)
@given(strings | long_strings)
@example("{{ x }}\r\n<b>&amp;</b>\u202e")
def test_text_and_link_escape_as_before(value: str) -> None:
    assert text(value) == reference_text(value)
    assert text(value) == reference_text(value)  # remembered the second time
    assert link(value, value, "tag") == f'<a href="{html.escape(value)}" class="tag">{reference_text(value)}</a>'


def test_text_of_other_values() -> None:
    for value in (1, True, 1.0, None, 2023):
        assert text(value) == reference_text(value)


@settings(max_examples=400, deadline=None)
@given(page_paths, page_paths)
@example("index.md", "tags/a.md#x")
@example("a//b.md", "a/c.md")
@example("/x.md", "x/y.md")
def test_relative_url_as_before(from_page: str, to_page: str) -> None:
    assert relative_url(from_page, to_page) == reference_relative_url(from_page, to_page)


@settings(max_examples=600, deadline=None)
@given(strings | long_strings)
@example("a\t b  c")
@example("-- `` '' ?` !` {a} }{")
@example("see https://x.org/a_b. and http://y/{z}")
def test_bibtex_text_as_before(value: str) -> None:
    assert latex_text(value) == reference_latex_text(value)
    assert verbatim(value) == reference_verbatim(value)
    assert title_word(value) == reference_title_word(value)
    assert bibtex._author(value) == reference_author(value)


papers = st.builds(
    Paper,
    id=st.just("p"),
    title=strings,
    abstract=st.just("") | strings | long_strings,
    authors=st.lists(strings, max_size=4).map(tuple),
    year=st.none() | st.just(2023),
    venue=st.just("") | strings,
    arxiv=st.sampled_from(["", "2301.00001"]) | strings,
    category=st.just("") | strings,
    doi=st.just("") | strings,
    url=st.just("") | strings,
)


@settings(max_examples=300, deadline=None)
@given(papers)
def test_bibtex_entries_as_before(paper: Paper) -> None:
    full, citation = bibtex_entries(paper, "key")
    assert full == reference_bibtex_entry(paper, "key") == bibtex_entry(paper, "key")
    assert citation == reference_bibtex_entry(paper, "key", with_abstract=False)
    assert citation == bibtex_entry(paper, "key", with_abstract=False)


def test_render_forgets_its_caches_and_renders_the_same_again() -> None:
    catalog = load_catalog(CatalogPaths(REPO))
    enriched = enrich(catalog)
    points = {entry.paper.id: (0.5, 0.5) for entry in enriched}
    site = SiteInfo("Catalog", "A catalog", "https://example.org/")
    first = render_pages(enriched, catalog.tags, site, points)
    caches = [render_html._remembered_text, render_html.link, render_html._url_from_folder]
    caches += [lists._tag_names, bibtex._author]
    assert all(cache.cache_info().currsize == 0 for cache in caches)
    assert folding.folds() == {}
    assert render_pages(enriched, catalog.tags, site, points) == first
    # The folds a build keeps for the next one come back filled, and give the same pages when handed in.
    folds: dict[str, str] = {}
    assert render_pages(enriched, catalog.tags, site, points, folds=folds) == first
    assert folds[catalog.papers[0].title] == title_key(catalog.papers[0].title)
    assert render_pages(enriched, catalog.tags, site, points, folds=dict(folds)) == first
    assert folding.folds() == {}
