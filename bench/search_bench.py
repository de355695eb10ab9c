"""Search benchmark: our prebuilt lunr index against Material's own search.

    python bench/search_bench.py [--sizes 1000,10000] [--query convergence] [--repeats 3]

For each size N it

1. writes a synthetic project of N papers (bench/generate.py) under bench/.work/;
2. builds it the way ``python -m site_builder build`` does (``build_site``, in a
   child process), timing each stage; the search index is ``build_payload``
   plus ``payload_script``; then measures docs/search-index/catalog.js (raw,
   gzipped, per paper, and the share of each top-level key of the payload);
3. builds a second site from the same generated docs/ with Material's search
   plugin (``plugins: [search, offline]``, stock header, no custom_dir) and
   measures its search/search_index.json;
4. serves both sites over http://127.0.0.1 and, in headless Chromium, measures
   the time from navigation start (``performance.now()`` in the page) to the
   first visible search result after typing the query into the header box as
   soon as the page has loaded: ``.catalog-result`` for ours,
   ``.md-search-result__item`` for Material's; median of ``--repeats`` runs,
   each in a fresh browser context (cold cache), after one warm-up run.

Results go to bench/results/search.json and bench/results/search.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_SIZES = "1000,10000"
DEFAULT_QUERY = "convergence"
DEFAULT_REPEATS = 3
DEFAULT_SEED = 1
WORK_DIR = BENCH / ".work"
RESULTS_DIR = BENCH / "results"
MATERIAL_CONFIG = "mkdocs-material-search.yml"
MATERIAL_SITE = "site-material"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_TIMEOUT_MS = 180_000
RESULT_TIMEOUT_MS = 600_000
GZIP_LEVEL = 9
GOALS = {"ratio_max": 0.15, "gz_bytes_per_paper_max": 1024}
OUR_SEARCH = {"input": "input.catalog-search__input", "result": ".catalog-result", "index": "search-index/catalog.js"}
MATERIAL_SEARCH = {
    "input": "input.md-search__input",
    "result": ".md-search-result__item",
    "index": "search/search_index",
}

# Installed before any page script: records (in page time, ms since navigation
# start) the first key press and the first search result that is in the DOM and
# rendered (has a layout box), plus the start of the next frame after it.
PROBE = """
(() => {
  const selector = %s;
  const bench = window.__bench = {
    firstKey: null, firstResult: null, firstResultFrame: null, indexParsed: null, workerFirstMessage: null,
  };
  // Ours: catalog.js assigns window.__catalogSearch once JSON.parse is done.
  let payload;
  Object.defineProperty(window, "__catalogSearch", {
    configurable: true,
    get: () => payload,
    set: (value) => { payload = value; if (bench.indexParsed === null) bench.indexParsed = performance.now(); },
  });
  // Material's: the search worker's first message says its lunr index is built.
  if (window.Worker) {
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", () => {
          if (bench.workerFirstMessage === null) bench.workerFirstMessage = performance.now();
        });
      }
    };
  }
  const check = () => {
    if (bench.firstResult !== null) return;
    const found = document.querySelector(selector);
    if (found && found.getClientRects().length) {
      bench.firstResult = performance.now();
      requestAnimationFrame(() => { bench.firstResultFrame = performance.now(); });
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  const watched = { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden", "class", "style"] };
  observer.observe(document, watched);
  document.addEventListener("keydown", () => {
    if (bench.firstKey === null) bench.firstKey = performance.now();
  }, true);
})();
"""

READ_TIMINGS = """
(indexPart) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const index = performance.getEntriesByType("resource").filter((entry) => entry.name.includes(indexPart));
  return {
    bench: window.__bench,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    indexFetched: index.length ? Math.max(...index.map((entry) => entry.responseEnd)) : null,
    indexRequests: index.map((entry) => entry.name.split("/").slice(-2).join("/")),
  };
}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"comma-separated paper counts (default: {DEFAULT_SIZES})"
    )
    parser.add_argument(
        "--query", default=DEFAULT_QUERY, help=f"the word typed into both boxes (default: {DEFAULT_QUERY})"
    )
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="browser runs per site (median)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR, help="temp projects (default: bench/.work)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default: bench/results)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and sites")
    parser.add_argument("--build-child", nargs=2, metavar=("ROOT", "OUT_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_child:
        return build_child(Path(args.build_child[0]), Path(args.build_child[1]))

    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    started = dt.datetime.now(dt.UTC)
    runs = []
    for count in sizes:
        runs.append(bench_size(count, args))
        say(f"[{count}] " + markdown_row(runs[-1]))
        write_results(args.out, started, args, runs)  # after each size, so a long run leaves partial results
    print(markdown_table(runs))
    print(f"\nwrote {args.out / 'search.json'} and {args.out / 'search.md'}", file=sys.stderr)
    return 0


# --- one size ------------------------------------------------------------------


def bench_size(count: int, args: argparse.Namespace) -> dict[str, Any]:
    root = args.work_dir / f"n{count}"
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    say(f"[{count}] generating the project in {root}")
    generated = run_measured(
        [sys.executable, str(BENCH / "generate.py"), str(count), str(root), "--seed", str(args.seed)]
    )

    say(f"[{count}] building our site: generate (build_site without MkDocs), then mkdocs")
    child_json = root / "build-timings.json"
    generate = run_measured(
        [sys.executable, str(Path(__file__).resolve()), "--build-child", str(root), str(child_json)]
    )
    build = json.loads(child_json.read_text(encoding="utf-8"))
    index = build.pop("index_sizes")
    # The command site_builder.build runs after generating docs/ (timed here for a per-process peak RSS).
    ours_mkdocs = run_measured(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", str(root / "mkdocs.yml")],
        cwd=root,
    )

    say(f"[{count}] building the Material-search site")
    config = write_material_config(root)
    material_build = run_measured(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", str(config)], cwd=root
    )
    material_index = material_index_sizes(root / MATERIAL_SITE / "search", count)

    say(f"[{count}] browser: query {args.query!r}, {args.repeats} runs per site")
    page = f"papers/{first_paper_id(root)}.html"
    with serve(root / "site") as ours_url, serve(root / MATERIAL_SITE) as material_url:
        browser_runs = measure_in_browser(
            {"ours": (ours_url + page, OUR_SEARCH), "material": (material_url + page, MATERIAL_SEARCH)},
            args.query,
            args.repeats,
        )
    if not args.keep:
        shutil.rmtree(root)

    ours_ms = browser_runs["ours"]["median_ms"]
    material_ms = browser_runs["material"]["median_ms"]
    ratio = round(ours_ms / material_ms, 3) if ours_ms and material_ms else None
    gz_per_paper = index["gz_bytes_per_paper"]
    return {
        "papers": count,
        "generate_project_s": round(generated["seconds"], 2),
        "build": {
            **build,
            "generate_process_s": round(generate["seconds"], 2),
            "mkdocs_s": round(ours_mkdocs["seconds"], 2),
            "mkdocs_peak_rss_mb": ours_mkdocs["peak_rss_mb"],
        },
        "index": index,
        "material_build": {
            "mkdocs_s": round(material_build["seconds"], 2),
            "peak_rss_mb": material_build["peak_rss_mb"],
        },
        "material_index": material_index,
        "browser": {"query": args.query, "page": page, **browser_runs},
        "ratio_ours_to_material": ratio,
        "goals": {
            "ratio_max": GOALS["ratio_max"],
            "ratio_met": ratio is not None and ratio <= GOALS["ratio_max"],
            "gz_bytes_per_paper_max": GOALS["gz_bytes_per_paper_max"],
            "gz_bytes_per_paper_met": gz_per_paper <= GOALS["gz_bytes_per_paper_max"],
        },
    }


def run_measured(command: list[str], cwd: Path | None = None) -> dict[str, float]:
    """Run ``command``; its wall time and its own peak RSS (wait4, so per child)."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    return {"seconds": elapsed, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


# --- our build, instrumented (runs in a child process) ----------------------------


STAGES = (
    "load_catalog",
    "enrich",
    "render_pages",
    "paper_documents",
    "handwritten_documents",
    "build_payload",
    "payload_script",
    "write_pages",
)


def build_child(root: Path, out_json: Path) -> int:
    """``build_site(run_mkdocs=False)`` on ``root`` with a timer around each stage it calls."""
    import site_builder.build as build_module
    from site_builder.catalog import CatalogPaths

    seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - begun

        return wrapper

    for name in STAGES:
        setattr(build_module, name, timed(name, getattr(build_module, name)))
    started = time.perf_counter()
    build_module.build_site(CatalogPaths(root), run_mkdocs=False)
    result = {
        "generate_s": round(time.perf_counter() - started, 2),
        "index_s": round(seconds["build_payload"] + seconds["payload_script"], 2),
        "stages_s": {name: round(value, 3) for name, value in seconds.items()},
        "generate_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    # Measured here, after the peak RSS above: parsing a 40 MB index would otherwise raise the
    # parent's RSS high-water mark, which Linux hands on to every child it vforks (mkdocs).
    papers = len(list((root / "catalog" / "papers").glob("*.yaml")))
    result["index_sizes"] = index_sizes(root / "docs" / "search-index" / "catalog.js", papers)
    out_json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


# --- sizes -------------------------------------------------------------------------


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _shares(parts: dict[str, Any], total_raw: int, total_gz: int) -> dict[str, dict[str, float]]:
    shares = {}
    for key, value in parts.items():
        data = _json_bytes(value)
        raw, packed = len(data), gz(data)
        shares[key] = {
            "raw_bytes": raw,
            "gz_bytes": packed,
            "raw_share": round(raw / total_raw, 4),
            "gz_share": round(packed / total_gz, 4),
        }
    return shares


def index_sizes(path: Path, count: int) -> dict[str, Any]:
    """catalog.js raw and gzipped, and where its bytes go (each key of the payload, and of the lunr index)."""
    from site_builder.search.index import parse_payload_script

    data = path.read_bytes()
    payload = parse_payload_script(data.decode("utf-8"))
    compact = _json_bytes(payload)
    raw, packed = len(data), gz(data)
    compact_raw, compact_gz = len(compact), gz(compact)
    lunr_index = payload["index"]
    inverted = lunr_index.get("invertedIndex", [])
    field_vectors = lunr_index.get("fieldVectors", [])
    return {
        "raw_bytes": raw,
        "gz_bytes": packed,
        "gz_bytes_per_paper": round(packed / count, 1),
        "raw_bytes_per_paper": round(raw / count, 1),
        # The payload is a JSON text inside a JS string literal: every '"' becomes '\\"'.
        "json_text_raw_bytes": compact_raw,
        "json_text_gz_bytes": compact_gz,
        "documents": len(payload.get("docs", [])),
        "terms": len(inverted),
        "words": len(payload.get("words", [])),
        "field_vectors": len(field_vectors),
        "field_vector_entries": sum(len(vector) // 2 for _, vector in field_vectors),
        "postings": sum(
            len(postings) for _, entry in inverted for field, postings in entry.items() if field != "_index"
        ),
        "payload_keys": _shares(payload, compact_raw, compact_gz),
        "index_keys": _shares(lunr_index, compact_raw, compact_gz),
    }


def material_index_sizes(search_dir: Path, count: int) -> dict[str, Any]:
    """search_index.json raw and gzipped, its entries, and how many of them are paper pages."""
    data = (search_dir / "search_index.json").read_bytes()
    index = json.loads(data)
    entries = index.get("docs", [])
    by_part: dict[str, list[Any]] = {}
    for entry in entries:
        location = entry.get("location", "")
        part = location.split("/", 1)[0] if "/" in location else "(top level)"
        by_part.setdefault(part, []).append(entry)
    paper_pages = {entry["location"].split("#", 1)[0] for entry in by_part.get("papers", [])}
    script = search_dir / "search_index.js"
    return {
        "raw_bytes": len(data),
        "gz_bytes": gz(data),
        "gz_bytes_per_paper": round(gz(data) / count, 1),
        "offline_js_raw_bytes": script.stat().st_size if script.exists() else None,
        "entries": len(entries),
        "paper_pages_indexed": len(paper_pages),
        "entries_by_folder": {
            part: {"entries": len(items), "raw_bytes": len(_json_bytes(items))}
            for part, items in sorted(by_part.items())
        },
    }


def first_paper_id(root: Path) -> str:
    return sorted(root.glob("catalog/papers/*.yaml"))[0].stem


# --- the Material-search build --------------------------------------------------------


def write_material_config(root: Path) -> Path:
    """The project's mkdocs.yml with Material's search plugin on and the stock header."""
    import yaml

    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    theme = dict(config.get("theme") or {})
    theme.pop("custom_dir", None)
    config["theme"] = theme
    config["plugins"] = ["search", "offline"]
    config["site_dir"] = MATERIAL_SITE
    config["exclude_docs"] = "search-index/\n"  # our index is not needed there
    config["extra_javascript"] = [
        script
        for script in config.get("extra_javascript", [])
        if "catalog-search" not in str(script) and "vendor/lunr" not in str(script)
    ]
    path = root / MATERIAL_CONFIG
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # Material's search must see the paper pages: nothing may opt them out.
    sample = next((root / "docs" / "papers").glob("*.md")).read_text(encoding="utf-8")
    if "search:" in sample.split("\n---", 1)[0]:
        raise SystemExit("generated paper pages set 'search:' in their front matter; Material would skip them")
    return path


# --- the browser -----------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def measure_in_browser(sites: dict[str, tuple[str, dict[str, str]]], query: str, repeats: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            for name, (url, search) in sites.items():
                one_run(browser, url, search, query)  # warm-up, not counted
                runs = [one_run(browser, url, search, query) for _ in range(repeats)]
                firsts = [run["first_result_ms"] for run in runs]
                results[name] = {
                    "median_ms": round(statistics.median(firsts), 1),
                    "after_typing_median_ms": round(statistics.median(run["after_first_key_ms"] for run in runs), 1),
                    "runs": runs,
                }
            results["chromium"] = browser.version
        finally:
            browser.close()
    return results


def one_run(browser: Any, url: str, search: dict[str, str], query: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(PROBE % json.dumps(search["result"]))
        page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        # focus() is one protocol call (a click adds ~100 ms of actionability checks to
        # both sides); keyboard.type sends keydown, keypress/input and keyup per
        # character, like press_sequentially: Material listens to keyup.
        page.focus(search["input"])
        page.keyboard.type(query)
        page.wait_for_function("window.__bench.firstResultFrame !== null", timeout=RESULT_TIMEOUT_MS, polling=50)
        timings = page.evaluate(READ_TIMINGS, search["index"])
        shown = page.locator(search["result"]).count()
        if errors:
            raise SystemExit(f"page errors on {url}: {errors}")
    finally:
        context.close()
    bench = timings["bench"]
    return {
        "first_result_ms": round(bench["firstResult"], 1),
        "first_result_frame_ms": round(bench["firstResultFrame"], 1),
        "first_key_ms": round(bench["firstKey"], 1),
        "after_first_key_ms": round(bench["firstResult"] - bench["firstKey"], 1),
        "dom_content_loaded_ms": round(timings["domContentLoaded"], 1),
        "load_ms": round(timings["load"], 1),
        "index_fetched_ms": _rounded(timings["indexFetched"]),
        "index_requests": timings["indexRequests"],
        "index_parsed_ms": _rounded(bench["indexParsed"]),
        "worker_first_message_ms": _rounded(bench["workerFirstMessage"]),
        "results_shown": shown,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- results ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        first = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()[0]
        memory_gb = round(int(first.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for package in ("mkdocs", "mkdocs-material", "lunr", "playwright"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def write_results(out: Path, started: dt.datetime, args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    info = machine()
    if runs:
        info["chromium"] = runs[-1]["browser"].get("chromium")
    document = {
        "benchmark": "search",
        "date": started.isoformat(timespec="seconds"),
        "machine": info,
        "settings": {"query": args.query, "repeats": args.repeats, "seed": args.seed, "gzip_level": GZIP_LEVEL},
        "goals": GOALS,
        "sizes": runs,
    }
    (out / "search.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "search.md").write_text(markdown_report(document), encoding="utf-8")


TABLE_HEADER = (
    "| N | index build s | index raw MB | index gz MB | gz bytes/paper | ours: first result ms "
    "| Material: first result ms | ours / Material |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def markdown_row(run: dict[str, Any]) -> str:
    index = run["index"]
    browser = run["browser"]
    ratio = run["ratio_ours_to_material"]
    return (
        f"| {run['papers']:,} | {run['build']['index_s']:.2f} | {index['raw_bytes'] / 1e6:.2f} "
        f"| {index['gz_bytes'] / 1e6:.2f} | {index['gz_bytes_per_paper']:,.0f} "
        f"| {browser['ours']['median_ms']:,.0f} | {browser['material']['median_ms']:,.0f} "
        f"| {'n/a' if ratio is None else f'{ratio:.2f}'} |"
    )


def markdown_table(runs: list[dict[str, Any]]) -> str:
    return "\n".join([TABLE_HEADER, *(markdown_row(run) for run in runs)])


def markdown_report(document: dict[str, Any]) -> str:
    info = document["machine"]
    settings = document["settings"]
    lines = [
        "# Search benchmark",
        "",
        f"Run {document['date']} at commit {info['commit'] or '?'}"
        + (" (with uncommitted changes)" if info["uncommitted_changes"] else "")
        + f" on {info['cpu'] or 'unknown CPU'} ({info['cpus']} CPUs, {info['memory_gb']} GB), "
        f"{info['os']}, Python {info['python']}, Chromium {info.get('chromium')}, "
        + ", ".join(f"{name} {version}" for name, version in info["packages"].items())
        + ".",
        "",
        f"Synthetic catalogs (bench/generate.py, seed {settings['seed']}); query {settings['query']!r}; "
        f"browser times are the median of {settings['repeats']} cold runs (fresh context) over local HTTP, "
        "from navigation start to the first visible result, typing as soon as the page has loaded. "
        f"gz = gzip -{settings['gzip_level']}. Produced by `make bench-search`; details in search.json.",
        "",
        markdown_table(document["sizes"]),
        "",
        f"Goals: ours ≤ {document['goals']['ratio_max']}× Material's time to first result; "
        f"index ≤ {document['goals']['gz_bytes_per_paper_max']} bytes per paper gzipped.",
        "",
    ]
    for run in document["sizes"]:
        build, index, material = run["build"], run["index"], run["material_index"]
        ours, theirs = run["browser"]["ours"], run["browser"]["material"]
        lines += [
            f"## {run['papers']:,} papers",
            "",
            f"- Our build: generate {build['generate_s']:.1f} s (of which search index {build['index_s']:.1f} s, "
            f"enrich {build['stages_s']['enrich']:.1f} s, render {build['stages_s']['render_pages']:.1f} s), "
            f"mkdocs {build['mkdocs_s']:.1f} s; peak RSS {build['generate_peak_rss_mb']:.0f} MB (generate), "
            f"{build['mkdocs_peak_rss_mb']:.0f} MB (mkdocs).",
            f"- Material-search build: mkdocs {run['material_build']['mkdocs_s']:.1f} s, "
            f"peak RSS {run['material_build']['peak_rss_mb']:.0f} MB; search_index.json "
            f"{material['raw_bytes'] / 1e6:.2f} MB raw, {material['gz_bytes'] / 1e6:.2f} MB gz "
            f"({material['gz_bytes_per_paper']:,.0f} B/paper), {material['entries']:,} entries, "
            f"{material['paper_pages_indexed']:,} paper pages indexed.",
            f"- Browser, medians in ms from navigation start: ours: load {_median(ours, 'load_ms')}, "
            f"first key {_median(ours, 'first_key_ms')}, catalog.js fetched {_median(ours, 'index_fetched_ms')}, "
            f"parsed {_median(ours, 'index_parsed_ms')}, first result {ours['median_ms']:,.0f}. "
            f"Material: load {_median(theirs, 'load_ms')}, first key {_median(theirs, 'first_key_ms')}, "
            f"search_index.json fetched {_median(theirs, 'index_fetched_ms')}, worker ready "
            f"{_median(theirs, 'worker_first_message_ms')}, first result {theirs['median_ms']:,.0f}.",
            "",
            f"Where our index's bytes go ({index['documents']:,} documents, {index['terms']:,} terms, "
            f"{index['field_vector_entries']:,} field-vector entries, {index['postings']:,} postings; "
            f"catalog.js {index['raw_bytes']:,} B raw / {index['gz_bytes']:,} B gz, the JSON text inside it "
            f"{index['json_text_raw_bytes']:,} B / {index['json_text_gz_bytes']:,} B):",
            "",
            "| part | raw bytes | raw share | gz bytes (alone) | gz share | gz bytes/paper |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        parts = {f"`{key}`": value for key, value in index["payload_keys"].items()}
        parts.update({f"`index.{key}`": value for key, value in index["index_keys"].items()})
        for name, part in parts.items():
            lines.append(
                f"| {name} | {part['raw_bytes']:,} | {part['raw_share']:.1%} | {part['gz_bytes']:,} "
                f"| {part['gz_share']:.1%} | {part['gz_bytes'] / run['papers']:,.0f} |"
            )
        lines.append("")
    return "\n".join(lines)


def _median(site: dict[str, Any], key: str) -> str:
    values = [run[key] for run in site["runs"] if run[key] is not None]
    return f"{statistics.median(values):,.0f}" if values else "n/a"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
