"""Publishing: the GitHub Pages workflow, site_url from SITE_URL, 404.html, sitemap.xml, Pages' limits, make deploy.

Builds here are of a small fixture catalog in tmp_path (or the shipped one, `built_seed_site`),
never of the project itself. `make deploy` runs for real, into a bare git repository in tmp_path.
"""

from __future__ import annotations

import datetime
import html
import http.server
import mimetypes
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

import pytest
import yaml
from playwright.sync_api import expect

from tests import browser_support
from tests.browser_support import LOCAL_SCHEMES, Watched, assert_clean, linked_ids, search
from tests.conftest import REPO, make_project, run

# The shared fixtures; pytest finds a fixture as a member of the test module.
chromium = browser_support.chromium
watched = browser_support.watched

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
MAKEFILE = REPO / "Makefile"
# A project site on Pages lives under /<repo>/, which is what breaks root-relative links.
SITE_URL = "https://example.github.io/paper-catalog/"
BASE_PATH = "/paper-catalog/"
PAGES_MAX_SITE_BYTES = 1_000_000_000  # "Published GitHub Pages sites may be no larger than 1 GB"
PAGES_MAX_FILE_BYTES = 100_000_000  # GitHub refuses files over 100 MB

PAPERS: dict[str, dict[str, Any]] = {
    "federated-averaging-revisited": {
        "title": "Federated Averaging Revisited",
        "abstract": "We revisit federated averaging across many clients and its optimizers.",
        "authors": ["Ada Lovelace"],
        "year": 2024,
        "added": datetime.date(2025, 1, 2),
    },
    "large-language-model-optimizers": {
        "title": "Large Language Model Optimizers",
        "abstract": "A study of gradient descent variants for language model pretraining.",
        "authors": ["Alan Turing"],
        "year": 2023,
        "added": datetime.date(2025, 1, 3),
    },
    "sharpness-aware-minimization": {
        "title": "Sharpness-Aware Minimization",
        "abstract": "Seeking flat minima improves generalization of an optimizer.",
        "year": 2021,
        "added": datetime.date(2025, 1, 4),
    },
}


def fixture_project(root: Path) -> Path:
    """A scratch project (conftest's make_project) holding PAPERS."""
    make_project(root)
    for paper_id, paper in PAPERS.items():
        path = root / "catalog" / "papers" / f"{paper_id}.yaml"
        path.write_text(yaml.safe_dump(paper, sort_keys=False), encoding="utf-8")
    return root


def build_with_site_url(root: Path, site_url: str | None) -> Path:
    """Build `root` as `make build` would with SITE_URL set to `site_url` (None: unset)."""
    with pytest.MonkeyPatch.context() as patch:
        if site_url is None:
            patch.delenv("SITE_URL", raising=False)
        else:
            patch.setenv("SITE_URL", site_url)
        assert run(root, "--quiet", "build") == 0
    return root / "site"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site/ as the Pages workflow builds it: SITE_URL set to a project site's address."""
    return build_with_site_url(fixture_project(tmp_path_factory.mktemp("published") / "p"), SITE_URL)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site/ as `make build` gives it on a laptop: no SITE_URL."""
    return build_with_site_url(fixture_project(tmp_path_factory.mktemp("local") / "p"), None)


def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: str) -> list[dict[str, Any]]:
    return workflow()["jobs"][job]["steps"]


def step_using(job: str, action: str) -> dict[str, Any]:
    """The one step of `job` that uses `action` (e.g. "actions/checkout"), whatever its version."""
    found = [step for step in steps(job) if step.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"job {job!r} should use {action} once, uses: {[s.get('uses') for s in steps(job)]}"
    return found[0]


def make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):(?!=)", MAKEFILE.read_text(encoding="utf-8"), re.M))


def links(page: Path) -> list[str]:
    """Every href and src in an HTML page, unescaped."""
    return [html.unescape(url) for url in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8"))]


def sitemap_locations(site: Path) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))


# --- the workflow ----------------------------------------------------------------


def test_workflow_runs_on_push_to_main_and_by_hand() -> None:
    config = workflow()
    triggers = config["on" if "on" in config else True]  # YAML 1.1 reads a bare `on` key as True
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert config["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert config["concurrency"]["group"], "publications must not overlap"


def test_workflow_builds_with_make_and_uploads_site() -> None:
    order = [step.get("uses", step.get("run", "")).split("@")[0] for step in steps("build")]
    assert order == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "make build",
        "actions/upload-pages-artifact",
    ]
    python = step_using("build", "actions/setup-python")["with"]
    assert python == {"python-version": "3.11", "cache": "pip", "cache-dependency-path": "requirements.txt"}
    pages = step_using("build", "actions/configure-pages")
    assert pages["id"] == "pages"
    build = next(step for step in steps("build") if step.get("run") == "make build")
    assert build["env"] == {"SITE_URL": "${{ steps.pages.outputs.base_url }}/"}
    assert step_using("build", "actions/upload-pages-artifact")["with"]["path"] == "site"


def test_workflow_deploys_to_the_github_pages_environment() -> None:
    deploy = workflow()["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    step = step_using("deploy", "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


def test_workflow_uses_only_official_actions_at_a_major_version() -> None:
    for job in workflow()["jobs"]:
        for step in steps(job):
            if "uses" in step:
                assert re.fullmatch(r"actions/[\w-]+@v\d+", step["uses"]), step["uses"]


def test_every_workflow_command_is_a_makefile_target() -> None:
    """What CI runs, a user can run the same way on a laptop."""
    targets = make_targets()
    commands = [line for job in workflow()["jobs"] for s in steps(job) for line in s.get("run", "").splitlines()]
    assert commands, "the workflow runs nothing"
    for command in commands:
        assert re.fullmatch(r"make [\w-]+", command.strip()), f"{command!r} is not `make <target>`"
        assert command.split()[1] in targets, f"{command!r}: the Makefile has no such target ({sorted(targets)})"


def test_deploy_and_offline_are_documented_phony_targets() -> None:
    text = MAKEFILE.read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", text, re.M)
    assert phony and {"deploy", "offline"} <= set(phony.group(1).split())
    for target in ("deploy", "offline"):
        assert re.search(rf"^{target}:[^\n]*## \S", text, re.M), f"{target} has no `## help` comment"


def test_make_deploy_generates_then_runs_gh_deploy() -> None:
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", "install", "deploy"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert recipe == [
        ".venv/bin/python -m site_builder build --no-mkdocs",
        "NO_MKDOCS_2_WARNING=1 .venv/bin/python -m mkdocs gh-deploy --strict",
    ]


# --- site_url ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (SITE_URL.rstrip("/"), SITE_URL), (SITE_URL, SITE_URL)],
    ids=["unset", "empty", "no-trailing-slash", "trailing-slash"],
)
def test_site_url_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str | None
) -> None:
    from mkdocs.config import load_config

    from site_builder.build import site_info

    if value is None:
        monkeypatch.delenv("SITE_URL", raising=False)
    else:
        monkeypatch.setenv("SITE_URL", value)
    assert load_config(str(REPO / "mkdocs.yml")).site_url == expected
    assert site_info(REPO / "mkdocs.yml").name == "Paper Catalog", "the build's own reader of mkdocs.yml broke"


def test_without_site_url_pages_link_relatively(local: Path) -> None:
    """No SITE_URL (a laptop build): as before, relative links only, so the site works from disk."""
    for page in (local / "index.html", local / "papers" / "federated-averaging-revisited.html"):
        text = page.read_text(encoding="utf-8")
        assert 'rel="canonical"' not in text
        assert not [url for url in links(page) if url.startswith("/") or "example.github.io" in url], page
    assert sitemap_locations(local) == [], "with no site_url MkDocs knows no absolute URL to list"
    # 404.html links from the server root: right for a site at a domain's root; a 404 page
    # only ever shows on a server (from disk the browser shows its own error).
    assert '<link rel="stylesheet" href="/assets/stylesheets/' in (local / "404.html").read_text(encoding="utf-8")


# --- sitemap.xml and 404.html with SITE_URL ------------------------------------


def test_sitemap_lists_every_paper_page_with_absolute_urls(published: Path) -> None:
    locations = sitemap_locations(published)
    assert all(url.startswith(SITE_URL) for url in locations), locations
    papers = {url for url in locations if url.startswith(SITE_URL + "papers/")}
    assert papers == {f"{SITE_URL}papers/{paper_id}.html" for paper_id in PAPERS}
    assert f"{SITE_URL}index.html" in locations
    for url in locations:
        assert (published / url.removeprefix(SITE_URL)).is_file(), f"the sitemap lists a missing page: {url}"


def test_404_page_links_its_css_js_and_nav_under_the_site_path(published: Path) -> None:
    page = published / "404.html"
    local = [url for url in links(page) if not re.match(r"^[a-z]+:", url)]
    assert any(url.endswith(".css") for url in local) and any(url.endswith(".js") for url in local)
    for url in local:
        assert url.startswith(BASE_PATH), f"404.html links {url!r}, which misses the site on Pages"
        assert (published / url.removeprefix(BASE_PATH).split("#")[0]).is_file(), f"404.html links a missing {url}"


class _PagesHandler(http.server.BaseHTTPRequestHandler):
    """Serves a site like GitHub Pages serves a project site: under BASE_PATH, 404.html for a missing page."""

    site: Path

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        file = self.site / path.removeprefix(BASE_PATH) if path.startswith(BASE_PATH) else None
        status = 200 if file and file.is_file() else 404
        body = (file if status == 200 and file else self.site / "404.html").read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", mimetypes.guess_type(str(file if status == 200 else "404.html"))[0] or "")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pages_server(published: Path) -> Iterator[str]:
    """http://127.0.0.1:<port>/ serving `published` under BASE_PATH, as Pages would."""
    handler = type("Handler", (_PagesHandler,), {"site": published})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="pages-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def open_missing_page(watched: Watched, server: str, path: str) -> None:
    """Open an address under the site that has no page, as a reader with a stale link would."""
    watched.allowed = (*LOCAL_SCHEMES, server)
    response = watched.page.goto(server + BASE_PATH.lstrip("/") + path)
    assert response and response.status == 404


def assert_clean_but_the_404(watched: Watched, server: str, path: str) -> None:
    """assert_clean, less the console error Chromium logs for the 404 status the page was opened with."""
    missing = f"'url': '{server}{BASE_PATH.lstrip('/')}{path}'"
    watched.errors = [error for error in watched.errors if missing not in error]
    assert_clean(watched)


def test_404_page_works_on_a_pages_like_server(pages_server: str, watched: Watched) -> None:
    """A mistyped address under the site shows a styled page whose nav links and search box work."""
    page = watched.page
    open_missing_page(watched, pages_server, "papers/no-such-paper.html")
    expect(page.locator("header.md-header")).to_have_css("position", "sticky")  # Material's CSS loaded
    nav = page.locator("nav.md-nav--primary a.md-nav__link[href]").evaluate_all("a => a.map(l => l.href)")
    assert len(nav) >= 3, nav
    for href in nav:
        with urlopen(href) as answer:
            assert answer.status == 200, href
    results = search(page, "federated")  # the scripts and the index loaded from under the site path
    assert linked_ids(results) == ["federated-averaging-revisited"]
    page.locator("header a.md-logo").click()
    page.wait_for_url(pages_server + BASE_PATH.lstrip("/") + "index.html")
    assert_clean_but_the_404(watched, pages_server, "papers/no-such-paper.html")


def test_404_page_search_result_opens_the_paper(pages_server: str, watched: Watched) -> None:
    """A reader who lands on the 404 page searches from its header and opens the paper found."""
    page = watched.page
    open_missing_page(watched, pages_server, "no-such-page.html")
    result = search(page, "federated").first
    # base_url is "/paper-catalog/" on 404.html (".." on a paper page): no "//" may come of it.
    assert result.get_attribute("href") == BASE_PATH + "papers/federated-averaging-revisited.html"
    result.click()
    page.wait_for_url(pages_server + BASE_PATH.lstrip("/") + "papers/federated-averaging-revisited.html")
    expect(page.locator("h1.paper-title")).to_have_text("Federated Averaging Revisited")
    assert_clean_but_the_404(watched, pages_server, "no-such-page.html")


# --- Pages' limits -------------------------------------------------------------


def test_built_site_stays_under_github_pages_limits(built_seed_site: Path) -> None:
    sizes = {path: path.stat().st_size for path in (built_seed_site / "site").rglob("*") if path.is_file()}
    total = sum(sizes.values())
    largest = max(sizes, key=sizes.__getitem__)
    measured = (
        f"site/ is {total / 1e6:.1f} MB in {len(sizes)} files; the largest is "
        f"{largest.relative_to(built_seed_site)} at {sizes[largest] / 1e6:.2f} MB"
    )
    assert total < PAGES_MAX_SITE_BYTES, f"{measured}; GitHub Pages refuses sites over 1 GB"
    assert sizes[largest] < PAGES_MAX_FILE_BYTES, f"{measured}; GitHub refuses files over 100 MB"


# --- make deploy ---------------------------------------------------------------


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def test_make_deploy_pushes_the_site_to_a_gh_pages_branch(tmp_path: Path) -> None:
    """`make deploy` for real, with this Makefile and venv, into a bare repository standing in for GitHub."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Curator",
        "GIT_AUTHOR_EMAIL": "curator@example.org",
        "GIT_COMMITTER_NAME": "Curator",
        "GIT_COMMITTER_EMAIL": "curator@example.org",
        "PYTHONPATH": str(REPO),  # the project's site_builder, not the scratch copy of its theme folder
        "SITE_URL": SITE_URL,
    }
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path, env=env)
    project = fixture_project(tmp_path / "project")
    git("init", "-q", "-b", "main", cwd=project, env=env)
    git("add", "-A", cwd=project, env=env)
    git("commit", "-q", "-m", "catalog", cwd=project, env=env)
    git("remote", "add", "origin", str(remote), cwd=project, env=env)

    # -o install: the venv is this one (VENV=sys.prefix), already installed.
    command = ["make", "-f", str(MAKEFILE), "-o", "install", "deploy", f"VENV={sys.prefix}"]
    finished = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stdout + finished.stderr

    published = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote, env=env).split())
    expected = {"index.html", "404.html", "sitemap.xml", ".nojekyll"} | {
        f"papers/{paper_id}.html" for paper_id in PAPERS
    }
    assert expected <= published, f"missing on gh-pages: {sorted(expected - published)}"
    sitemap = git("show", "gh-pages:sitemap.xml", cwd=remote, env=env)
    assert f"<loc>{SITE_URL}papers/federated-averaging-revisited.html</loc>" in sitemap
    head = git("rev-parse", "--short", "HEAD", cwd=project, env=env).strip()
    assert git("log", "-1", "--format=%s", "gh-pages", cwd=remote, env=env).startswith(f"Deployed {head} with MkDocs")
