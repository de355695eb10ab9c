"""`make serve`: MkDocs' preview also watches catalog/, so an edited record shows without a restart.

It runs ``mkdocs serve --dirty``, which renders again only the pages whose
.md changed; the hooks make the pages it leaves alone still right.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, make_project, run

RECORD = """\
title: Gradient Descent for Federated Clients
abstract: We study federated optimization with gradient descent on many clients.
added: 2024-03-01
"""
TIMEOUT_S = 90
SCALING_HEADING = "Scaling, as measured"  # the test gives docs/scaling.md this heading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str) -> str:
    """The page at ``url`` once it contains ``text`` (fails after TIMEOUT_S)."""
    deadline = time.monotonic() + TIMEOUT_S
    page = None
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return page
        time.sleep(0.5)
    pytest.fail(f"{url} never showed {text!r} within {TIMEOUT_S} s; last page: {(page or '')[:300]!r}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    root = make_project(tmp_path / "project")
    (root / "catalog" / "papers" / "gradient-descent.yaml").write_text(RECORD, encoding="utf-8")
    assert run(root, "build", "--no-mkdocs") == 0  # as `make serve` does first
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": str(REPO), "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],  # as make serve
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield root, f"http://127.0.0.1:{port}", server
    finally:
        if server.poll() is None:
            server.terminate()
            server.communicate(timeout=30)
        elif server.stdout is not None:
            server.stdout.close()


def test_an_edited_record_shows_in_the_preview(served: tuple[Path, str, subprocess.Popen[str]]) -> None:
    root, url, _ = served
    page_url = f"{url}/papers/gradient-descent.html"
    wait_for(page_url, "Gradient Descent for Federated Clients")
    record = root / "catalog" / "papers" / "gradient-descent.yaml"
    record.write_text(RECORD.replace("many clients", "many clients and a new momentum rule"), encoding="utf-8")
    wait_for(page_url, "a new momentum rule")
    # A new record gets its page too, and the list of all papers names it.
    (root / "catalog" / "papers" / "second-paper.yaml").write_text(
        RECORD.replace("Gradient Descent for Federated Clients", "A Second Look at Federated Averaging"),
        encoding="utf-8",
    )
    wait_for(f"{url}/papers/second-paper.html", "A Second Look at Federated Averaging")
    wait_for(f"{url}/browse/all.html", "A Second Look at Federated Averaging")


def test_a_change_that_reaches_every_page_shows_on_pages_the_edit_left_alone(
    served: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    root, url, _ = served
    untouched = f"{url}/papers/gradient-descent.html"  # no edit below changes its .md
    page = wait_for(untouched, "Gradient Descent for Federated Clients")
    assert "About this catalog" not in page and SCALING_HEADING not in page
    # The nav is in every page: renaming an entry in mkdocs.yml shows on every page,
    # and an entry without a title takes its page's heading.
    scaling = root / "docs" / "scaling.md"
    scaling.write_text(scaling.read_text(encoding="utf-8").replace("# Scaling\n", f"# {SCALING_HEADING}\n", 1))
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - About: about.md\n" in text and "  - Scaling: scaling.md\n" in text
    config.write_text(
        text.replace("  - About: about.md\n", "  - About this catalog: about.md\n").replace(
            "  - Scaling: scaling.md\n", "  - scaling.md\n"
        ),
        encoding="utf-8",
    )
    page = wait_for(untouched, "About this catalog")
    assert SCALING_HEADING in page
    # A record edit renders again only its own pages: the nav there still names every page rightly.
    (root / "catalog" / "papers" / "second-paper.yaml").write_text(
        RECORD.replace("Gradient Descent for Federated Clients", "A Second Look at Federated Averaging"),
        encoding="utf-8",
    )
    page = wait_for(f"{url}/papers/second-paper.html", "A Second Look at Federated Averaging")
    assert "About this catalog" in page and SCALING_HEADING in page
    # A removed record's page is gone from the preview, as from a build.
    (root / "catalog" / "papers" / "second-paper.yaml").unlink()
    deadline = time.monotonic() + TIMEOUT_S
    while fetch(f"{url}/papers/second-paper.html") is not None:
        assert time.monotonic() < deadline, "the removed record's page is still served"
        time.sleep(0.5)
    assert "A Second Look" not in (fetch(f"{url}/browse/all.html") or "A Second Look")
    # Hand-written pages in a folder of docs/ are watched too (the generated folders are not: the build writes them).
    guide = root / "docs" / "guide" / "index.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nA line added while the preview runs.\n", encoding="utf-8")
    wait_for(f"{url}/guide/index.html", "A line added while the preview runs.")
    # So is the theme (site_builder/theme/, a curator's own look): a change to it shows on untouched pages.
    theme = root / "site_builder" / "theme" / "main.html"
    theme.write_text(
        theme.read_text(encoding="utf-8").replace(
            "{% block extrahead %}\n  {{ super() }}",
            '{% block extrahead %}\n  {{ super() }}\n  <meta name="lab" content="preview">',
        ),
        encoding="utf-8",
    )
    wait_for(untouched, '<meta name="lab" content="preview">')


def test_a_broken_record_is_reported_and_the_preview_keeps_running(
    served: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    root, url, server = served
    page_url = f"{url}/papers/gradient-descent.html"
    wait_for(page_url, "Gradient Descent for Federated Clients")
    record = root / "catalog" / "papers" / "gradient-descent.yaml"
    record.write_text(RECORD.replace("added: 2024-03-01", "added: someday"), encoding="utf-8")
    time.sleep(3)  # a rebuild runs; the page must still be there
    assert "Gradient Descent for Federated Clients" in (fetch(page_url) or "")
    record.write_text(RECORD.replace("Federated Clients", "Federated Clients, Fixed"), encoding="utf-8")
    wait_for(page_url, "Federated Clients, Fixed")
    assert server.poll() is None
    server.terminate()
    output = server.communicate(timeout=30)[0]
    assert "catalog/papers/gradient-descent.yaml:3: added:" in output
