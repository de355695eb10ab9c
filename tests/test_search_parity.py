"""lunr.py (the CLI, the index) and lunr.js 2.3.9 (the browser) must agree.

The test set-up installs lunr 2.3.9 from the npm registry into .cache/ and runs
the site's own docs/assets/catalog-search.js under Node on the same index file.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.search import SearchIndex
from site_builder.search.analysis import is_stop_word, stem, words
from site_builder.search.index import INDEX_FILE, parse_payload_script
from tests.conftest import REPO

NODE_CACHE = REPO / ".cache" / "node-lunr"
LUNR_VERSION = "2.3.9"

QUERIES = [
    "lion",
    "Lion optimizer",
    "DocLayout",
    "bilevel",
    "bilev",
    "zeroth-order",
    "zeroth order optimization",
    "Hölder",
    "holder",
    "Lojasiewicz",
    "Łojasiewicz",
    "tyr pruner",
    "TÝR",
    "sharpness",
    "sharpnes",
    "hessain",
    "optimizaton",
    "federated learning",
    "federated -fairness",
    "federated lear",
    "federated learning ",
    "the",
    ":^~+-*",
    "title:foo",
    "zeroth~1",
    "+required -",
    "learning^10",
    "gradient* descent",
    '"local sgd"',
    "multi-agent reinforcement",
    "diffusion language models",
    "try lay",
    "GNN graph neural",
    "2302",
    "μLO",
    "about catalog",
]


@pytest.fixture(scope="module")
def node_lunr() -> Path:
    """lunr.js 2.3.9 from the npm registry, installed once into .cache/."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed for the lunr.js parity test (Debian: apt-get install nodejs npm)")
    package = NODE_CACHE / "node_modules" / "lunr" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != LUNR_VERSION:
        NODE_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NODE_CACHE),
                f"lunr@{LUNR_VERSION}",
            ],
            check=True,
            capture_output=True,
        )
    return NODE_CACHE / "node_modules"


def run_node(node_modules: Path, index_file: Path, tmp_path: Path, **request: object) -> dict:  # type: ignore[type-arg]
    request_file = tmp_path / "request.json"
    request_file.write_text(
        json.dumps(
            {
                "index_file": str(index_file),
                "body_index_file": str(index_file.with_name("catalog-body.js")),
                "engine_file": str(REPO / "docs" / "assets" / "catalog-search.js"),
                **request,
            }
        ),
        encoding="utf-8",
    )
    finished = subprocess.run(
        ["node", str(REPO / "tests" / "js" / "search_parity.js"), str(request_file)],
        env={"NODE_PATH": str(node_modules), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


@pytest.fixture(scope="module")
def index_file(built_seed_site: Path) -> Path:
    return built_seed_site / "site" / INDEX_FILE


def test_vendored_lunr_is_the_npm_release(node_lunr: Path) -> None:
    vendored = REPO / "docs" / "assets" / "vendor" / "lunr" / "lunr.min.js"
    assert vendored.read_bytes() == (node_lunr / "lunr" / "lunr.min.js").read_bytes()


def test_python_and_browser_give_the_same_results(node_lunr: Path, index_file: Path, tmp_path: Path) -> None:
    index = SearchIndex.from_payload(
        parse_payload_script(index_file.read_text(encoding="utf-8")),
        parse_payload_script(index_file.with_name("catalog-body.js").read_text(encoding="utf-8")),
    )
    answer = run_node(node_lunr, index_file, tmp_path, queries=QUERIES, words=[], texts=[])
    assert answer["lunr_version"] == LUNR_VERSION
    nonempty = 0
    for query, browser in zip(QUERIES, answer["results"], strict=True):
        python = index.search(query, 10)
        assert [hit.id for hit in python] == [hit["id"] for hit in browser], query
        for ours, theirs in zip(python, browser, strict=True):
            assert math.isclose(ours.score, theirs["score"], rel_tol=1e-6, abs_tol=1e-6), query
        nonempty += bool(python)
    assert nonempty >= 25  # the comparison is about real result lists, not empty ones


def test_stemmer_stop_words_and_folding_agree_on_the_whole_vocabulary(
    node_lunr: Path, index_file: Path, tmp_path: Path
) -> None:
    payload = parse_payload_script(index_file.read_text(encoding="utf-8"))
    vocabulary = payload["words"] + ["try", "lay", "the", "and", "yellow", "cry", "by", "say", "caresses"]
    texts = [row[1] + " " + row[4] for row in payload["docs"]] + [
        "Łojasiewicz Hölder straße Ærø ĐOĐ ﬁx x² ½ 𝑥 İstanbul ǅemal",
        "snake_case dash-ed O(n^{1+γ}) a:b^c~d+e*f 14.2% “quotes” emoji 😀 text",
    ]
    answer = run_node(node_lunr, index_file, tmp_path, queries=[], words=vocabulary, texts=texts)
    assert answer["stems"] == [stem(word) for word in vocabulary]
    assert answer["stop"] == [is_stop_word(word) for word in vocabulary]
    assert answer["words"] == [words(text) for text in texts]
