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
   reads them as before. Such a page's ``render`` is ``_render_set_aside``,
   which sets what MkDocs' own would for "" without making a Markdown
   converter for it (over a second at 10,000 papers).

3. Under ``mkdocs serve`` (``make serve``), the catalog is watched too: a
   change to a record or to tags.yaml regenerates docs/ before MkDocs
   rebuilds, through the build cache, so only what the edit touches is
   remade. A catalog problem is printed as ``path:line: field: message``
   and the preview keeps the last good pages until it is fixed.
   ``make serve`` runs ``mkdocs serve --dirty``: MkDocs then renders again
   only the pages whose .md is newer than its HTML, and the build rewrites
   only the .md files an edit changed, so at 10,000 papers an edit shows in
   about a second of MkDocs rather than a whole site's build. What a dirty
   build gets wrong, the hook puts right: the nav's titles are read from
   their pages, and a change that reaches every page (mkdocs.yml, the theme,
   a hand-written page, a page removed) empties the preview's folder, so
   that rebuild is a full one.

4. ``build`` runs ``mkdocs build --dirty`` the same way once a build has
   made site/: what every page was rendered from is written to
   ``.cache/build/site.json`` after a build without warnings, and the next
   build empties site/ first unless it is all the same (the same check as
   the preview's, plus MkDocs' and the theme's versions, this file's code
   and the ``!ENV`` values). A build that warned, failed or was stopped
   leaves no record, so the next one is whole again and shows its warnings.

5. A paper's ``.bib`` file is carried in its page's front matter
   (``bib_file``) and written next to its HTML by ``on_post_page``: 10,000
   files fewer in docs/ for the build to write and MkDocs to copy, and a
   dirty build writes a paper's .bib exactly when it renders its page.

6. Material's templates indent every line of every page; at 10,000 papers
   that indentation was 15% of the HTML. ``on_post_page`` drops the spaces
   that start a line, except inside ``<pre>``, ``<code>``, ``<textarea>`` and
   ``<script>``, where they may mean something. A line break stays a line
   break, so nothing a reader sees changes.

7. Material renders the whole site nav, and a script config block, into every
   page, and most pages render the same ones: every page outside the nav in
   one folder (papers/, all 10,000 of them) gets the same nav HTML, since no
   nav item is active and its links are relative to that folder. The theme
   (main.html, and partials/header.html for all of the header but the
   page's title) wraps those parts in ``{% call shared_html(...) %}``, which
   renders them once per folder and reuses the HTML; a page in the nav
   always renders its own nav. At 10,000 papers they were a third of MkDocs'
   time per page. tests/test_shared_html.py builds a site with and without
   it and compares every page.

8. A generated page's front matter is one line of JSON (which is also
   YAML: render/frontmatter.py). MkDocs reads front matter with PyYAML,
   whose Python constructor took 1.1-1.5 s of a build at 10,000 papers;
   ``on_page_read_source`` reads the line with ``json.loads`` and hands
   MkDocs the body alone, and ``on_page_markdown`` gives the page its
   values back. Until then ``page.meta`` is empty, so a plugin that reads it
   earlier (in its own ``on_page_markdown``, which runs before the hooks')
   would see nothing: none of ours does. tests/test_front_matter.py builds a
   site with and without it and compares every page.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import posixpath
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape
from mkdocs.structure.toc import get_toc

# Generated pages: their folders and the home page (site_builder/render/write.py).
_GENERATED = ("papers/", "tags/", "browse/")
_GENERATED_DATA = ("search-index",)  # generated folders without pages
_BLOCK_START = '<div class="catalog-page">\n'
_KEEP_SPACES = re.compile(
    r"(<pre\b.*?</pre>|<code\b.*?</code>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.S | re.I
)
_INDENT = re.compile(r"\n[ \t]+")


_serving = False
_building = False  # ``mkdocs build`` or ``gh-deploy`` (which builds site/ too): inputs recorded for ``build --dirty``
_dirty = False  # ``--dirty``: each (re)build renders only the pages whose .md changed
_last_inputs: _SiteInputs | None = None  # what the preview's last rebuild was made from
_build_inputs: dict[str, Any] | None = None  # what this ``build`` is made from (``_recorded_inputs``)
# This build's pages rendered, and in all, and why all of them are ("" for a dirty build that need not).
_rendering: dict[str, Any] = {"rendered": 0, "pages": 0, "whole": ""}
# What reaches every page besides the files checked (site_inputs): the tools' versions.
_TOOLS = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Jinja2", "MarkupSafe")
_SITE_RECORD = Path(".cache") / "build" / "site.json"  # under the project root
_ENV_TAG = re.compile(r"!ENV\s*\[?\s*['\"]?(\w+)")  # mkdocs.yml's ``!ENV [SITE_URL, null]``: the variables it reads


def on_startup(command: str, dirty: bool = False, **_: Any) -> None:
    global _serving, _building, _dirty
    _serving = command == "serve"
    _building = command in ("build", "gh-deploy")
    _dirty = (_serving or _building) and dirty
    if _dirty:
        # MkDocs warns on every dirty rebuild that the nav may be inaccurate; on_nav and
        # on_pre_build keep it accurate, so the warning would only alarm (and fail --strict).
        logging.getLogger("mkdocs.commands.build").addFilter(_not_the_dirty_warning)
    if _building:
        _warnings.count = 0
        logging.getLogger("mkdocs").addHandler(_warnings)


def _not_the_dirty_warning(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def on_serve(server: Any, config: Any, **_: Any) -> Any:
    """Watch catalog/ (records and tags.yaml), the theme overrides, and of docs/ only what is not generated
    from it.

    MkDocs' watcher polls every file under what it watches twice a second: at
    10,000 papers, stat of 21,000 generated files each time, which slowed the
    rebuild it runs beside. And the pages a rebuild writes would start another.
    A new folder made under docs/ is seen after the preview is restarted.
    MkDocs watches no theme folder without ``--watch-theme``, which would poll
    all of Material's files too: only ours (``custom_dir``, a curator's own look).
    """
    catalog = _project_root(config) / "catalog"
    if catalog.is_dir():
        server.watch(str(catalog))
    custom_dir = config.theme.custom_dir
    if custom_dir and Path(custom_dir).is_dir():
        server.watch(str(custom_dir))
    docs = Path(config.docs_dir)
    server.unwatch(str(docs))
    server.watch(str(docs), recursive=False)  # its own files: hand-written pages (and index.md, feed.xml...)
    for folder in sorted(docs.iterdir()):
        if folder.is_dir() and f"{folder.name}/" not in _GENERATED and folder.name not in _GENERATED_DATA:
            server.watch(str(folder))
    return server


class _WarningCount(logging.Handler):
    """Counts MkDocs' warnings (--strict fails on them): a build that gave any is not recorded."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_warnings = _WarningCount()


def on_pre_build(config: Any, **_: Any) -> None:
    """While serving, bring docs/ up to date with catalog/ (a plain ``mkdocs build`` leaves docs/ alone).

    A dirty ``build`` starts from an empty site/ unless site/ was made from the same inputs.
    """
    if _building:
        global _build_inputs
        record = _project_root(config) / _SITE_RECORD
        recorded = _read_record(record)
        record.unlink(missing_ok=True)  # until this build ends without a warning
        # What this build is made from, as read before it starts: on_post_build records it.
        _build_inputs = _recorded_inputs(config)
        _rendering.update(rendered=0, whole=_why_whole(recorded, _build_inputs) if _dirty else "")
        if _rendering["whole"]:
            from mkdocs.utils import clean_directory

            clean_directory(config.site_dir)
        return
    if not _serving:
        return
    # Imported here: a plain build never needs the generator in MkDocs' process.
    from site_builder.build import build_site
    from site_builder.catalog import CatalogPaths
    from site_builder.errors import BadInput

    try:
        # The cache is written on while MkDocs renders the edit; the next edit's build waits for it.
        build_site(CatalogPaths(_project_root(config)), run_mkdocs=False, cache_written_later=True)
    except BadInput as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print("the catalog has problems (above): the preview shows the last good pages", file=sys.stderr)
    if _dirty:
        _full_rebuild_if_needed(config)


def on_post_build(config: Any, **_: Any) -> None:
    """Say how much of site/ a ``build --dirty`` rendered, and why all of it if it did.

    Then record what site/ was made from, for the next one (only after a build without warnings).
    """
    if not _building:
        return
    if _dirty:
        rendered, total = _rendering["rendered"], _rendering["pages"]
        if _rendering["whole"]:
            print(f"mkdocs: all {total:,} pages rendered: {_rendering['whole']}", file=sys.stderr)
        else:
            print(f"mkdocs: {rendered:,} of {total:,} pages rendered (the rest unchanged since the last build)",
                  file=sys.stderr)  # fmt: skip
    if _warnings.count or _build_inputs is None:
        return
    record = _project_root(config) / _SITE_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    temp = record.with_name(f".{record.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(_build_inputs), encoding="utf-8")
    os.replace(temp, record)


def _recorded_inputs(config: Any) -> dict[str, Any]:
    """``_site_inputs`` as JSON data, with what else reaches every page of a build."""
    config_digest, theme, pages, files = _site_inputs(config)
    environment = sorted(set(_ENV_TAG.findall(Path(config.config_file_path).read_text(encoding="utf-8"))))
    return {
        "site_dir": str(Path(config.site_dir).resolve()),
        "config": config_digest.hex(),
        "environment": {name: os.environ.get(name) for name in environment},
        "site_url": config.site_url,
        "tools": {name: _version(name) for name in _TOOLS},
        "hooks": hashlib.blake2b(Path(__file__).read_bytes(), digest_size=20).hexdigest(),
        "theme": sorted(map(list, theme)),
        "pages": sorted(map(list, pages)),
        "files": sorted(files),
    }


# What each part of the record stands for, to say why a build renders every page.
_CHANGES = {
    "site_dir": "site_dir changed",
    "config": "mkdocs.yml changed",
    "environment": "an environment variable mkdocs.yml reads (!ENV) changed",
    "site_url": "site_url changed",
    "tools": "MkDocs, Material, Markdown or Jinja changed version",
    "hooks": "site_builder/mkdocs_hooks.py changed",
    "theme": "the theme (site_builder/theme/) changed",
    "pages": "a hand-written page changed",
    "files": "a page was added to or removed from docs/",
}


def _why_whole(recorded: Any, inputs: dict[str, Any]) -> str:
    """Why a dirty build must render every page ("" if it need not)."""
    if not isinstance(recorded, dict):
        return "no record of a clean last build (the first build, or the last one warned, failed or was stopped)"
    if recorded == inputs:
        return ""
    changes = [change for key, change in _CHANGES.items() if recorded.get(key) != inputs.get(key)]
    return "; ".join(changes) or "what site/ is made from changed"


def _read_record(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _project_root(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent


# mkdocs.yml's digest; each theme file's and hand-written page's (path, mtime, size); every docs/ file.
_SiteInputs = tuple[bytes, frozenset[tuple[str, int, int]], frozenset[tuple[str, int, int]], frozenset[str]]


def _full_rebuild_if_needed(config: Any) -> None:
    """Empty the preview's folder when a change reaches pages whose .md did not change.

    A dirty build renders a page only if its .md is newer than its HTML. A
    generated page changes only itself (the build rewrites every page that
    shows an edited record); mkdocs.yml, the theme and hand-written pages
    (their titles, the nav) reach every page, and a removed page would stay.
    With the folder empty, MkDocs renders every page, as a clean build does.
    """
    global _last_inputs
    inputs = _site_inputs(config)
    previous, _last_inputs = _last_inputs, inputs
    if previous is None:
        return  # the first build of the preview renders everything anyway
    config_changed, theme_changed, pages_changed = (inputs[part] != previous[part] for part in range(3))
    removed = bool(previous[3] - inputs[3])
    if config_changed or theme_changed or pages_changed or removed:
        from mkdocs.utils import clean_directory  # MkDocs' own emptying of site_dir, as a clean build does

        clean_directory(config.site_dir)


def _site_inputs(config: Any) -> _SiteInputs:
    docs = Path(config.docs_dir)
    files = _files_under(docs)
    pages = [docs / name for name in files if name.endswith(".md") and not _is_generated(name)]
    theme = [
        Path(folder, name)
        for folder in config.theme.dirs
        if _is_ours(folder, config)
        for name in _files_under(Path(folder))
    ]
    return (
        hashlib.blake2b(Path(config.config_file_path).read_bytes(), digest_size=20).digest(),
        frozenset(map(_stamp, theme)),
        frozenset(map(_stamp, pages)),
        frozenset(files),
    )


def _is_ours(theme_folder: str, config: Any) -> bool:
    """A theme folder of the project (custom_dir), not an installed theme's (which a preview never edits)."""
    folder = Path(theme_folder).resolve()
    # An installed theme is under the environment's prefix, which may itself be in the project (.venv).
    return folder.is_relative_to(_project_root(config)) and not folder.is_relative_to(Path(sys.prefix).resolve())


def _files_under(folder: Path) -> list[str]:
    """Files below ``folder``, as paths relative to it ("papers/x.md"): a Path per folder, not per file
    (one per file took 0.09 s of every dirty build at 10,000 papers; this takes 0.01 s)."""
    found: list[str] = []
    for top, _, names in os.walk(folder):
        relative = Path(top).relative_to(folder).as_posix()
        found.extend(names if relative == "." else (f"{relative}/{name}" for name in names))
    return found


def _stamp(path: Path) -> tuple[str, int, int]:
    status = path.stat()
    return str(path), status.st_mtime_ns, status.st_size


# Template parts that depend on nothing but the site's config and the page's folder, and the nav.
_SHARED_PARTS = frozenset({"styles", "config", "scripts", "header_start", "header_end", "nav"})
_shared: dict[tuple[str, ...], Markup] = {}
_nav_pages: set[str] = set()


def on_env(env: Any, config: Any, files: Any, **_: Any) -> Any:
    """Offer ``shared_html`` to the templates, with nothing shared yet (under serve, the nav may have changed)."""
    _shared.clear()
    _front_matter.clear()  # none should be left; a page that failed under serve may have left its own
    env.globals["shared_html"] = shared_html
    return env


def on_files(files: Any, config: Any = None, **_: Any) -> Any:
    _rendering["pages"] = len(files.documentation_pages())  # for on_post_build's "N of M pages rendered"
    return files


def on_nav(nav: Any, config: Any = None, **_: Any) -> Any:
    _nav_pages.clear()
    _nav_pages.update(page.file.src_uri for page in nav.pages)
    if _dirty:
        # A dirty build reads only the pages it renders, and a nav entry without a title of its own
        # takes its page's: read them all (a handful), so every page's nav names them rightly.
        for page in nav.pages:
            if page.markdown is None:
                page.read_source(config)
                _take_front_matter(page)
    return nav


@pass_context
def shared_html(context: Any, part: str, caller: Callable[[], str]) -> Markup:
    """``caller()``, the template part ``part``, rendered once for all pages it is the same on.

    Most parts depend only on the folder of the page (their links are relative
    to it); "nav" also on which nav item is active, so it is shared only by
    pages outside the nav. A part not named in ``_SHARED_PARTS`` renders every time.
    """
    page = context.get("page")
    if page is None or part not in _SHARED_PARTS or (part == "nav" and page.file.src_uri in _nav_pages):
        return Markup(caller())
    key = (part, posixpath.dirname(page.url), str(context.get("base_url")))
    if key not in _shared:
        # Stripped once here, the part gives on_post_page's strip nothing to do on every page it is in.
        _shared[key] = Markup(_without_indents(caller()))
    return _shared[key]


# Front matter the hooks read themselves (on_page_read_source), by page, until on_page_markdown gives it to the page.
_front_matter: dict[str, dict[str, Any]] = {}
_GENERATED_START = "---\n# Generated by site_builder"  # render/frontmatter.py: page_text


def on_page_read_source(page: Any, config: Any = None, **_: Any) -> str | None:
    """A generated page's source without its front matter, which is read here, from its JSON line.

    The same values as MkDocs' own YAML reading of it (render/frontmatter.py),
    several times faster. MkDocs sets ``page.meta`` from what this returns,
    empty: ``_take_front_matter`` gives the page its values back before any
    other hook of ours reads them. Anything else (a hand-written page, a file
    not written by site_builder) returns None: MkDocs reads it as always.
    """
    if not _is_generated(page.file.src_uri):
        return None
    source: str = page.file.content_string
    if not source.startswith(_GENERATED_START):
        return None
    start = source.find("\n", len(_GENERATED_START)) + 1
    end = source.find("\n---\n", start)
    if start == 0 or end == -1 or source[start] != "{":
        return None
    body = source[end + 5 :].lstrip("\n")
    # MkDocs would read a body starting with "key: value" as more front matter, and turn its \r into \n.
    if not body.startswith("<") or "\r" in body:
        return None
    try:
        meta = json.loads(source[start:end])
    except ValueError:
        return None
    if not isinstance(meta, dict):
        return None
    _front_matter[page.file.src_uri] = meta
    return body


def _take_front_matter(page: Any) -> None:
    meta = _front_matter.pop(page.file.src_uri, None)
    if meta is not None:
        page.meta = meta


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    _take_front_matter(page)
    title = page.meta.get("title")
    if title is not None and not isinstance(title, Markup):
        page.meta["title"] = escape(str(title))
    if _is_generated(page.file.src_uri) and _is_one_html_block(markdown):
        page.catalog_html = markdown.strip()
        page.render = partial(_render_set_aside, page)
        return ""
    return markdown


def _render_set_aside(page: Any, config: Any, files: Any) -> None:
    """``Page.render`` for a page whose Markdown is "" (its block set aside): what MkDocs' own would set.

    MkDocs makes a Markdown converter, extensions and all, for every page it
    renders: 0.1 ms a page, over a second at 10,000 papers, to convert "".
    tests/test_front_matter.py compares the two on such a page.
    """
    if page.markdown:  # a plugin after us put Markdown back: render it
        type(page).render(page, config, files)
        return
    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {}


def on_page_content(html: str, page: Any, **_: Any) -> str:
    return getattr(page, "catalog_html", None) or html


def _is_generated(src_uri: str) -> bool:
    return src_uri == "index.md" or src_uri.startswith(_GENERATED)


def _is_one_html_block(markdown: str) -> bool:
    """Exactly our block: it opens the body and closes it, with no blank line (no Markdown) inside."""
    body = markdown.strip()
    return body.startswith(_BLOCK_START) and body.endswith("\n</div>") and "\n\n" not in body


def on_post_page(output: str, page: Any = None, config: Any = None, **_: Any) -> str:
    _rendering["rendered"] += 1
    if page is not None and config is not None:
        _write_bib_file(page, config)
    return _without_indents(output)


def _without_indents(html: str) -> str:
    """``html`` without the spaces that start its lines, but inside ``_KEEP_SPACES``' elements."""
    parts = _KEEP_SPACES.split(html)  # text, element kept as is, text, ...
    parts[::2] = [_INDENT.sub("\n", part) for part in parts[::2]]
    return "".join(parts)


def _write_bib_file(page: Any, config: Any) -> None:
    """A generated paper page's ``bib_file`` (front matter) written next to its HTML, as papers/<id>.bib."""
    bib_file = page.meta.get("bib_file")
    if not isinstance(bib_file, str) or not _is_generated(page.file.src_uri):
        return
    target = os.path.join(config.site_dir, posixpath.splitext(page.file.dest_uri)[0] + ".bib")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as file:
        file.write(bib_file.encode("utf-8"))
