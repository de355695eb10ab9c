"""Template parts rendered once and reused (mkdocs_hooks.py: shared_html) give every page the bytes it had.

The theme wraps Material's nav, styles, config, scripts and header (all but the title) in
``shared_html``: rendered once per folder (the nav only for pages outside
the nav). If a part depended on anything else, some page would show another
page's part. So a real site is built twice, with sharing and with every
part rendered on every page, and every file compared.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from bench.generate import generate_project
from tests.conftest import REPO, run

SHARED_PARTS = '_SHARED_PARTS = frozenset({"styles", "config", "scripts", "header_start", "header_end", "nav"})'


def site_files(root: Path) -> dict[str, bytes]:
    site = root / "site"
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_a_site_with_shared_parts_is_the_site_without(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    generate_project(40, root)
    assert run(root, "build") == 0
    plain = tmp_path / "plain"
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns("site", ".cache"))
    hooks = plain / "site_builder" / "mkdocs_hooks.py"
    source = hooks.read_text(encoding="utf-8")
    assert SHARED_PARTS in source
    hooks.write_text(source.replace(SHARED_PARTS, "_SHARED_PARTS = frozenset()"), encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    subprocess.run(command, cwd=plain, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    ours, theirs = site_files(root), site_files(plain)
    kinds = {name.split("/")[0] for name in ours if name.endswith(".html")}
    assert {"papers", "tags", "browse", "guide", "index.html", "about.html", "404.html"} <= kinds
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


def load_hooks() -> object:
    spec = importlib.util.spec_from_file_location("catalog_hooks", REPO / "site_builder" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_part_is_rendered_once_per_folder_and_the_nav_never_for_a_page_in_it() -> None:
    hooks: object = load_hooks()
    nav_page = SimpleNamespace(file=SimpleNamespace(src_uri="about.md"), url="about.html")
    hooks.on_nav(SimpleNamespace(pages=[nav_page]))  # type: ignore[attr-defined]
    hooks.on_env(SimpleNamespace(globals={}), None, None)  # type: ignore[attr-defined]
    rendered: list[str] = []

    def part_of(page: SimpleNamespace, part: str) -> str:
        def caller() -> str:
            rendered.append(f"{part} {page.url}")
            return f"<{part} for {page.url}>"

        context = {"page": page, "base_url": ".." if "/" in page.url else "."}
        return str(hooks.shared_html(context, part, caller))  # type: ignore[attr-defined]

    papers = [
        SimpleNamespace(file=SimpleNamespace(src_uri=f"papers/p{n}.md"), url=f"papers/p{n}.html") for n in range(3)
    ]
    assert [part_of(page, "nav") for page in papers] == ["<nav for papers/p0.html>"] * 3
    assert [part_of(page, "config") for page in papers] == ["<config for papers/p0.html>"] * 3
    assert part_of(nav_page, "nav") == "<nav for about.html>"
    assert part_of(nav_page, "nav") == "<nav for about.html>"
    assert part_of(nav_page, "config") == "<config for about.html>"
    assert part_of(papers[0], "header") == "<header for papers/p0.html>"
    assert rendered == [
        "nav papers/p0.html", "config papers/p0.html", "nav about.html", "nav about.html", "config about.html",
        "header papers/p0.html",
    ]  # fmt: skip
