"""Search benchmark: our prebuilt lunr indexes against Material's own search.

    python bench/search_bench.py [--sizes 1000,10000] [--query convergence] [--repeats 3]

For each size N it

1. writes a synthetic project of N papers (bench/generate.py) under bench/.work/;
2. builds it the way ``python -m site_builder build`` does (``build_site``, in a
   child process, second processes off), timing each stage; the search index is
   ``head_part`` + ``body_part`` + ``head_file``; then measures both index files,
   docs/search-index/catalog.js (titles/tags/authors index, result table,
   vocabulary) and catalog-body.js (abstracts index): raw, gzipped, the total
   per paper, and the share of each top-level key of each file;
3. builds a second site from the same generated docs/ with Material's search
   plugin (``plugins: [search, offline]``, stock header, no custom_dir) and
   measures its search/search_index.json;
4. serves both sites over http://127.0.0.1 and, in headless Chromium, types the
   query into the header box as soon as the page has loaded and records, from
   navigation start (``performance.now()`` in the page): for ours, the first
   visible ``.catalog-result`` (first result, from catalog.js alone) and the
   ``a.catalog-search__all`` link (complete results, once catalog-body.js is
   in), plus when each file was fetched and parsed; for Material's, the first
   visible ``.md-search-result__item``. Only results rendered once the box
   holds the whole query count. Medians of ``--repeats`` runs, each in a fresh
   browser context (cold cache), after one warm-up run.

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
HEAD_FILE = "search-index/catalog.js"
BODY_FILE = "search-index/catalog-body.js"
# "complete": shown once every index is in (ours: the "All N results" link, rendered
# only after catalog-body.js); "files": resources whose responseEnd is recorded.
OUR_SEARCH = {
    "input": "input.catalog-search__input",
    "result": ".catalog-result",
    "complete": "a.catalog-search__all",
    "files": {"head": HEAD_FILE, "body": BODY_FILE},
}
MATERIAL_SEARCH = {
    "input": "input.md-search__input",
    "result": ".md-search-result__item",
    "complete": None,
    "files": {"index": "search/search_index"},
}

# Installed before any page script: records (in page time, ms since navigation
# start) the first key press, when each of our index files was parsed, the first
# search result that is in the DOM and rendered (has a layout box) and, for ours,
# the "All N results" link (complete results), each with the start of the next
# frame after it. Results count only if rendered after the box got the whole
# query: a render for a partial query ("co", when catalog.js arrives during
# typing) or a stale list still on screen is not the answer to the query. The
# first result of any kind is kept too (firstAnyResult), with the box's value.
PROBE = """
(() => {
  const settings = %s;
  const bench = window.__bench = {
    firstKey: null, typedAll: null, firstAnyResult: null, firstAnyResultValue: null,
    firstResult: null, firstResultFrame: null, complete: null, completeFrame: null,
    indexParsed: null, bodyParsed: null, workerFirstMessage: null,
  };
  // Ours: catalog.js / catalog-body.js assign these globals once JSON.parse is done.
  const watchGlobal = (name, key) => {
    let value;
    Object.defineProperty(window, name, {
      configurable: true,
      get: () => value,
      set: (next) => { value = next; if (bench[key] === null) bench[key] = performance.now(); },
    });
  };
  watchGlobal("__catalogSearch", "indexParsed");
  watchGlobal("__catalogSearchBody", "bodyParsed");
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
  // Elements on screen when the whole query arrived answer an earlier, partial query.
  let stale = new Set();
  const visible = (selector) => Array.from(document.querySelectorAll(selector)).find(
    (node) => !stale.has(node) && node.getClientRects().length
  );
  const box = () => document.querySelector(settings.input);
  const check = () => {
    const now = performance.now();
    if (bench.firstAnyResult === null) {
      const any = Array.from(document.querySelectorAll(settings.result)).find((node) => node.getClientRects().length);
      if (any) {
        bench.firstAnyResult = now;
        bench.firstAnyResultValue = box() ? box().value : null;
      }
    }
    if (bench.typedAll === null) return;
    if (bench.firstResult === null && visible(settings.result)) {
      bench.firstResult = now;
      requestAnimationFrame(() => { bench.firstResultFrame = performance.now(); });
    }
    if (settings.complete && bench.complete === null && visible(settings.complete)) {
      bench.complete = now;
      requestAnimationFrame(() => { bench.completeFrame = performance.now(); });
    }
    if (bench.firstResult !== null && (!settings.complete || bench.complete !== null)) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  const watched = { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden", "class", "style"] };
  observer.observe(document, watched);
  document.addEventListener("keydown", () => {
    if (bench.firstKey === null) bench.firstKey = performance.now();
  }, true);
  document.addEventListener("input", (event) => {
    if (bench.typedAll !== null || !event.target.matches || !event.target.matches(settings.input)) return;
    if (event.target.value !== settings.query) return;
    bench.typedAll = performance.now();
    const selectors = settings.complete ? [settings.result, settings.complete] : [settings.result];
    stale = new Set(selectors.flatMap((selector) => Array.from(document.querySelectorAll(selector))));
    check();  // a list rendered before this point never counts
  }, true);
})();
"""

READ_TIMINGS = """
(files) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const fetched = {};
  const requests = [];
  for (const [key, part] of Object.entries(files)) {
    const entries = resources.filter((entry) => entry.name.includes(part));
    fetched[key] = entries.length ? Math.max(...entries.map((entry) => entry.responseEnd)) : null;
    requests.push(...entries.map((entry) => entry.name.split("/").slice(-2).join("/")));
  }
  return {
    bench: window.__bench,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    fetched: fetched,
    indexRequests: requests,
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

    material_ms = browser_runs["material"]["median_ms"]
    ratio = _ratio(browser_runs["ours"]["median_ms"], material_ms)
    ratio_complete = _ratio(browser_runs["ours"]["complete_median_ms"], material_ms)
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
        # ours first result / Material's first result; ours complete results / Material's first result
        "ratio_ours_to_material": ratio,
        "ratio_complete_to_material": ratio_complete,
        "goals": {
            "ratio_max": GOALS["ratio_max"],
            "ratio_met": ratio is not None and ratio <= GOALS["ratio_max"],
            "gz_bytes_per_paper_max": GOALS["gz_bytes_per_paper_max"],
            "gz_bytes_per_paper_met": gz_per_paper <= GOALS["gz_bytes_per_paper_max"],
        },
    }


def _ratio(ours: float | None, material: float | None) -> float | None:
    return round(ours / material, 3) if ours and material else None


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
    "enrich_catalog",
    "render_pages",
    "paper_documents",
    "handwritten_pages",
    "page_documents",
    "head_part",
    "body_part",
    "head_file",
    "write_pages",
)
INDEX_STAGES = ("head_part", "body_part", "head_file")


def build_child(root: Path, out_json: Path) -> int:
    """``build_site(run_mkdocs=False)`` on ``root`` with a timer around each stage it calls."""
    import site_builder.build as build_module
    from site_builder.background import set_parallel
    from site_builder.catalog import CatalogPaths

    set_parallel(False)  # the search index is made in this process, where its stages are timed

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
        "index_s": round(sum(seconds[name] for name in INDEX_STAGES), 2),
        "stages_s": {name: round(value, 3) for name, value in seconds.items()},
        "generate_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    # Measured here, after the peak RSS above: parsing a 40 MB index would otherwise raise the
    # parent's RSS high-water mark, which Linux hands on to every child it vforks (mkdocs).
    papers = len(list((root / "catalog" / "papers").glob("*.yaml")))
    docs = root / "docs"
    result["index_sizes"] = index_sizes({"head": docs / HEAD_FILE, "body": docs / BODY_FILE}, papers)
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


def index_sizes(files: dict[str, Path], count: int) -> dict[str, Any]:
    """Both index files raw and gzipped, their total per paper, and where each file's bytes go."""
    sizes = {name: file_sizes(path, count) for name, path in files.items()}
    raw = sum(part["raw_bytes"] for part in sizes.values())
    packed = sum(part["gz_bytes"] for part in sizes.values())
    return {
        # Totals over both files (each gzipped on its own, as a server sends them).
        "raw_bytes": raw,
        "gz_bytes": packed,
        "gz_bytes_per_paper": round(packed / count, 1),
        "raw_bytes_per_paper": round(raw / count, 1),
        "files": sizes,
    }


def file_sizes(path: Path, count: int) -> dict[str, Any]:
    """One index file raw and gzipped, and the share of each key of its payload and of its lunr index."""
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
        "file": path.name,
        "raw_bytes": raw,
        "gz_bytes": packed,
        "gz_bytes_per_paper": round(packed / count, 1),
        "raw_bytes_per_paper": round(raw / count, 1),
        # The payload is a JSON text inside a JS string literal: every '"' becomes '\\"'.
        "json_text_raw_bytes": compact_raw,
        "json_text_gz_bytes": compact_gz,
        "documents": len(payload.get("docs", [])),
        "fields": list(lunr_index.get("fields", [])),
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
    from yaml_env_tag import construct_env_tag  # mkdocs.yml's site_url: !ENV [SITE_URL, null]

    class EnvLoader(yaml.SafeLoader):
        pass

    EnvLoader.add_constructor("!ENV", construct_env_tag)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=EnvLoader)
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


def measure_in_browser(sites: dict[str, tuple[str, dict[str, Any]]], query: str, repeats: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            for name, (url, search) in sites.items():
                one_run(browser, url, search, query)  # warm-up, not counted
                runs = [one_run(browser, url, search, query) for _ in range(repeats)]
                results[name] = {
                    # The headline figure: navigation start -> first visible result.
                    "median_ms": _median_of(runs, "first_result_ms"),
                    "after_typing_median_ms": _median_of(runs, "after_first_key_ms"),
                    # Ours: -> the "All N results" link, shown once the abstracts' index is in.
                    "complete_median_ms": _median_of(runs, "complete_ms"),
                    "runs": runs,
                }
            results["chromium"] = browser.version
        finally:
            browser.close()
    return results


def one_run(browser: Any, url: str, search: dict[str, Any], query: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    settings = {"input": search["input"], "result": search["result"], "complete": search["complete"], "query": query}
    done = "window.__bench.firstResultFrame !== null" + (
        " && window.__bench.completeFrame !== null" if search["complete"] else ""
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(PROBE % json.dumps(settings))
        page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        # focus() is one protocol call (a click adds ~100 ms of actionability checks to
        # both sides); keyboard.type sends keydown, keypress/input and keyup per
        # character, like press_sequentially: Material listens to keyup.
        page.focus(search["input"])
        page.keyboard.type(query)
        page.wait_for_function(done, timeout=RESULT_TIMEOUT_MS, polling=50)
        timings = page.evaluate(READ_TIMINGS, search["files"])
        shown = page.locator(search["result"]).count()
        if errors:
            raise SystemExit(f"page errors on {url}: {errors}")
    finally:
        context.close()
    bench = timings["bench"]
    fetched = timings["fetched"]
    run = {
        "first_result_ms": round(bench["firstResult"], 1),
        "first_result_frame_ms": round(bench["firstResultFrame"], 1),
        "complete_ms": _rounded(bench["complete"]),
        "complete_frame_ms": _rounded(bench["completeFrame"]),
        "first_key_ms": round(bench["firstKey"], 1),
        "typed_all_ms": round(bench["typedAll"], 1),
        "after_first_key_ms": round(bench["firstResult"] - bench["firstKey"], 1),
        # Any visible result, even one rendered for a partial query (the box's value then).
        "first_any_result_ms": _rounded(bench["firstAnyResult"]),
        "first_any_result_value": bench["firstAnyResultValue"],
        "dom_content_loaded_ms": round(timings["domContentLoaded"], 1),
        "load_ms": round(timings["load"], 1),
        "index_requests": timings["indexRequests"],
        "results_shown": shown,
    }
    if "head" in fetched:  # ours
        run.update(
            {
                "index_fetched_ms": _rounded(fetched["head"]),
                "index_parsed_ms": _rounded(bench["indexParsed"]),
                "body_fetched_ms": _rounded(fetched["body"]),
                "body_parsed_ms": _rounded(bench["bodyParsed"]),
            }
        )
    else:  # Material's
        run.update(
            {
                "index_fetched_ms": _rounded(fetched["index"]),
                "worker_first_message_ms": _rounded(bench["workerFirstMessage"]),
            }
        )
    return run


def _median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if run.get(key) is not None]
    return round(statistics.median(values), 1) if values else None


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
        # Not counting the results themselves: a run writes them after each size.
        "uncommitted_changes": bool(
            _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results")
        ),
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
    "| N | index build s | index gz MB (both files) | gz B/paper | ours: first result ms "
    "| ours: complete ms | Material: first result ms | ratio first / Material | ratio complete / Material |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def markdown_row(run: dict[str, Any]) -> str:
    index = run["index"]
    browser = run["browser"]
    files = index["files"]
    return (
        f"| {run['papers']:,} | {run['build']['index_s']:.2f} "
        f"| {index['gz_bytes'] / 1e6:.2f} "
        f"({files['head']['gz_bytes'] / 1e6:.2f} + {files['body']['gz_bytes'] / 1e6:.2f}) "
        f"| {index['gz_bytes_per_paper']:,.0f} "
        f"| {_ms(browser['ours']['median_ms'])} | {_ms(browser['ours']['complete_median_ms'])} "
        f"| {_ms(browser['material']['median_ms'])} "
        f"| {_fmt_ratio(run['ratio_ours_to_material'])} | {_fmt_ratio(run['ratio_complete_to_material'])} |"
    )


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _fmt_ratio(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}"


def markdown_table(runs: list[dict[str, Any]]) -> str:
    return "\n".join([TABLE_HEADER, *(markdown_row(run) for run in runs)])


def run_line(document: dict[str, Any], extra: str = "") -> str:
    """When, at which commit and on what machine a benchmark ran (the first line of its report)."""
    info = document["machine"]
    return (
        f"Run {document['date']} at commit {info['commit'] or '?'}"
        + (" (with uncommitted changes)" if info["uncommitted_changes"] else "")
        + f" on {info['cpu'] or 'unknown CPU'} ({info['cpus']} CPUs, {info['memory_gb']} GB), "
        f"{info['os']}, Python {info['python']}, {extra}"
        + ", ".join(f"{name} {version}" for name, version in info["packages"].items())
        + "."
    )


def markdown_report(document: dict[str, Any]) -> str:
    info = document["machine"]
    settings = document["settings"]
    goals = document["goals"]
    lines = [
        "# Search benchmark",
        "",
        run_line(document, extra=f"Chromium {info.get('chromium')}, "),
        "",
        f"Synthetic catalogs (bench/generate.py, seed {settings['seed']}); query {settings['query']!r}; "
        f"browser times are the median of {settings['repeats']} cold runs (fresh context) over local HTTP, "
        "from navigation start, typing as soon as the page has loaded; only results rendered once the box "
        "holds the whole query count. Our index is two files: *first result* is the first visible result, "
        "from `catalog.js` (titles, tags, authors) alone; *complete* is when the dropdown has re-rendered "
        'with `catalog-body.js` (abstracts) in too (its "All N results" link shows). Index build = '
        f"`head_part` + `body_part` + `head_file`; gz = gzip -{settings['gzip_level']}, each file on its own, "
        "B/paper = both files' gz / N. Produced by `make bench-search`; details in search.json.",
        "",
        markdown_table(document["sizes"]),
        "",
        f"Goals: ours ≤ {goals['ratio_max']}× Material's time to first result; "
        f"index ≤ {goals['gz_bytes_per_paper_max']:,} B per paper gzipped (both files).",
        "",
    ]
    for run in document["sizes"]:
        build, index, material = run["build"], run["index"], run["material_index"]
        ours, theirs = run["browser"]["ours"], run["browser"]["material"]
        head, body = index["files"]["head"], index["files"]["body"]
        met = run["goals"]
        lines += [
            f"## {run['papers']:,} papers",
            "",
            f"- Goals: first result {_fmt_ratio(run['ratio_ours_to_material'])}× Material's "
            f"({'met' if met['ratio_met'] else 'not met'}); {index['gz_bytes_per_paper']:,.0f} B/paper gz "
            f"({'met' if met['gz_bytes_per_paper_met'] else 'not met'}).",
            f"- Our build: generate {build['generate_s']:.1f} s (of which search index {build['index_s']:.1f} s: "
            f"head {build['stages_s']['head_part']:.1f} s, body {build['stages_s']['body_part']:.1f} s, joined "
            f"{build['stages_s']['head_file']:.2f} s; enrich {build['stages_s']['enrich_catalog']:.1f} s, "
            f"render {build['stages_s']['render_pages']:.1f} s), "
            f"mkdocs {build['mkdocs_s']:.1f} s; peak RSS {build['generate_peak_rss_mb']:.0f} MB (generate), "
            f"{build['mkdocs_peak_rss_mb']:.0f} MB (mkdocs).",
            f"- Our index: catalog.js {head['raw_bytes'] / 1e6:.2f} MB raw, {head['gz_bytes'] / 1e6:.2f} MB gz "
            f"({head['gz_bytes_per_paper']:,.0f} B/paper); catalog-body.js {body['raw_bytes'] / 1e6:.2f} MB raw, "
            f"{body['gz_bytes'] / 1e6:.2f} MB gz ({body['gz_bytes_per_paper']:,.0f} B/paper); total "
            f"{index['raw_bytes'] / 1e6:.2f} MB raw, {index['gz_bytes'] / 1e6:.2f} MB gz "
            f"({index['gz_bytes_per_paper']:,.0f} B/paper).",
            f"- Material-search build: mkdocs {run['material_build']['mkdocs_s']:.1f} s, "
            f"peak RSS {run['material_build']['peak_rss_mb']:.0f} MB; search_index.json "
            f"{material['raw_bytes'] / 1e6:.2f} MB raw, {material['gz_bytes'] / 1e6:.2f} MB gz "
            f"({material['gz_bytes_per_paper']:,.0f} B/paper), {material['entries']:,} entries, "
            f"{material['paper_pages_indexed']:,} paper pages indexed.",
            f"- Browser, medians in ms from navigation start. Ours: load {_median(ours, 'load_ms')}, "
            f"first key {_median(ours, 'first_key_ms')}, query typed {_median(ours, 'typed_all_ms')}, "
            f"catalog.js fetched {_median(ours, 'index_fetched_ms')}, "
            f"parsed {_median(ours, 'index_parsed_ms')}, **first result {_ms(ours['median_ms'])}**, "
            f"catalog-body.js fetched {_median(ours, 'body_fetched_ms')}, parsed {_median(ours, 'body_parsed_ms')}, "
            f"**complete {_ms(ours['complete_median_ms'])}**. "
            f"Material: load {_median(theirs, 'load_ms')}, first key {_median(theirs, 'first_key_ms')}, "
            f"query typed {_median(theirs, 'typed_all_ms')}, "
            f"search_index.json fetched {_median(theirs, 'index_fetched_ms')}, worker ready "
            f"{_median(theirs, 'worker_first_message_ms')}, **first result {_ms(theirs['median_ms'])}**.",
        ]
        partial = [
            f"{name} {run_['first_any_result_ms']:,.0f} ms for {run_['first_any_result_value']!r}"
            for name, site in (("ours", ours), ("Material", theirs))
            for run_ in site["runs"]
            if run_["first_any_result_value"] != run["browser"]["query"] and run_["first_any_result_ms"] is not None
        ]
        if partial:
            lines.append(f"- Results shown for a partial query first (not counted): {'; '.join(partial)}.")
        lines.append("")
        for label, part in (("catalog.js", head), ("catalog-body.js", body)):
            described = (
                f"{part['documents']:,} documents in the result table, {part['words']:,} vocabulary words, "
                if part["documents"]
                else ""
            )
            lines += [
                f"Where `{label}`'s bytes go (lunr fields {', '.join(part['fields'])}; {described}"
                f"{part['field_vectors']:,} field vectors, {part['terms']:,} terms, "
                f"{part['field_vector_entries']:,} field-vector entries, {part['postings']:,} postings; "
                f"{part['raw_bytes']:,} B raw / {part['gz_bytes']:,} B gz, the JSON text inside it "
                f"{part['json_text_raw_bytes']:,} B / {part['json_text_gz_bytes']:,} B):",
                "",
                "| part | raw bytes | raw share | gz bytes (alone) | gz share | gz bytes/paper |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            parts = {f"`{key}`": value for key, value in part["payload_keys"].items()}
            parts.update({f"`index.{key}`": value for key, value in part["index_keys"].items()})
            for name, share in parts.items():
                lines.append(
                    f"| {name} | {share['raw_bytes']:,} | {share['raw_share']:.1%} | {share['gz_bytes']:,} "
                    f"| {share['gz_share']:.1%} | {share['gz_bytes'] / run['papers']:,.0f} |"
                )
            lines.append("")
    return "\n".join(lines)


def _median(site: dict[str, Any], key: str) -> str:
    values = [run[key] for run in site["runs"] if run.get(key) is not None]
    return f"{statistics.median(values):,.0f}" if values else "n/a"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
