"""Build benchmark: each stage of our build, the whole build, and plain MkDocs on the same papers.

    python bench/build_bench.py [--sizes 1000,10000] [--repeats 1] [--seed 1] [--out bench/results]

For each size N it

1. writes a synthetic project of N papers with bench/generate.py under
   bench/.work/build/n<N>/project/, or reuses the one there when the
   generator's inputs are unchanged (stamp.json beside it);
2. writes the baseline next to it, bench/.work/build/n<N>/baseline/: the same
   N papers as plain Markdown pages (title, authors, year, tags, abstract),
   papers out of the nav, built by plain MkDocs + Material with our
   mkdocs.yml minus our hooks, theme overrides and assets;
3. times, cold each time (generated docs/, site/ and any cache removed first):
   the baseline's ``mkdocs build``; our whole ``python -m site_builder -q build``
   with its peak RSS; then, in a child process, each stage function
   ``build_site`` calls (``run_our_stages``), followed by the
   ``mkdocs build --strict`` command ``build_site`` runs;
4. writes bench/results/build.json and build.md: seconds per stage, ratios to
   the baseline, growth between sizes, site size, peak RSS, each target of
   issue 8 met or missed; and prints the table.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import inspect
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import yaml
from yaml_env_tag import construct_env_tag

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for folder in (REPO, BENCH):  # site_builder, and generate.py / search_bench.py however this is started
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import generate  # noqa: E402
from search_bench import machine, run_line  # noqa: E402

from site_builder.render.write import GENERATED_FILES, GENERATED_FOLDERS  # noqa: E402

Result = TypeVar("Result")

DEFAULT_SIZES = "1000,10000"
WORK_DIR = BENCH / ".work" / "build"
RESULTS_DIR = BENCH / "results"
# What generate.py writes at a project's top level; anything else there (site/, caches) is build output.
PROJECT_ENTRIES = ("catalog", "docs", "mkdocs.yml", "site_builder")
# Issue 8's targets (at 10,000 papers; marked for every size). KB, MB, GB are powers of 1,000.
TARGETS = {
    "whole_to_baseline_max": 1.5,
    "whole_to_baseline_stretch": 1.2,
    "stages_to_baseline_max": 0.5,
    "growth_over_linear_max": 1.3,  # ×13 for 1k → 10k
    "kb_per_paper_max": 30,
    "peak_rss_gb_max": 2,
    "incremental_to_cold_max": 0.1,
}
# At the smaller size, under GROWTH_NOISE_S a growth factor is timer and scheduler noise (not judged);
# under GROWTH_SHAKY_S a busy spell of a few tenths of a second moves it by several units (flagged "?").
GROWTH_NOISE_S = 0.1
GROWTH_SHAKY_S = 0.5
STAGE_ROWS = (
    ("load+check", "load+check (`load_catalog`)"),
    ("enrich: tags", "enrich: tags (`assign_tags`)"),
    ("enrich: related", "enrich: related (`count_terms`, `update_related`)"),
    ("enrich: mentions", "enrich: mentions (`update_mentions`, `mentioned_by`)"),
    ("enrich: other", "enrich: the rest of `enrich` (assembling records)"),
    ("enrich: map", "enrich: map (`topic_coordinates`)"),
    ("render", "render (`site_info`, `render_pages`)"),
    ("search index", "search index (documents, `head_part`, `body_part`, `head_file`)"),
    ("write docs/", "write (`write_pages`)"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated paper counts ({DEFAULT_SIZES})")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each build; the fastest counts")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="generator seed")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR, help="projects (default: bench/.work/build)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default: bench/results)")
    parser.add_argument("--stages-child", nargs=2, metavar=("ROOT", "OUT_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stages_child:
        return stages_child(Path(args.stages_child[0]), Path(args.stages_child[1]))
    if args.repeats < 1:
        parser.error("--repeats must be 1 or more")

    sizes = sorted(int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip())
    started = dt.datetime.now(dt.UTC)
    runs: list[dict[str, Any]] = []
    for count in sizes:
        runs.append(bench_size(count, args))
        write_results(args.out, started, args, runs)  # after each size, so a long run leaves partial results
    print(markdown_tables(runs))
    say(f"wrote {args.out / 'build.json'} and {args.out / 'build.md'}")
    return 0


# --- the stages of our build (runs in a child process) --------------------------------------


class StageClock:
    """Seconds per stage label and per function, summed over calls."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.functions: dict[str, float] = {}

    def run(self, label: str, function: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            self.stages[label] = self.stages.get(label, 0.0) + elapsed
            name = getattr(function, "__name__", label)
            self.functions[name] = self.functions.get(name, 0.0) + elapsed

    def wrap(self, label: str, function: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Result:
            return self.run(label, function, *args, **kwargs)

        return timed


@contextlib.contextmanager
def timed_globals(module: ModuleType, clock: StageClock, labels: dict[str, str]) -> Iterator[None]:
    """Time the functions ``module``'s code looks up by name while the block runs.

    This splits ``enrich`` into its parts while still calling ``enrich`` itself, as build_site does.
    """
    originals = {name: getattr(module, name) for name in labels}
    for name, label in labels.items():
        setattr(module, name, clock.wrap(label, originals[name]))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)
    for name in labels:
        if name not in clock.functions:  # its time is then in "enrich: other"
            say(f"warning: {module.__name__}.{name} was not called; adapt ENRICH_PARTS in bench/build_bench.py")


# The functions ``enrich`` calls, by the name it looks them up with, and the stage each belongs to.
ENRICH_PARTS = {
    "assign_tags": "enrich: tags",
    "text_digests": "enrich: related",
    "count_terms": "enrich: related",
    "update_related": "enrich: related",
    "topic_coordinates": "enrich: map",
    "update_mentions": "enrich: mentions",
    "mentioned_by": "enrich: mentions",
}
ENRICH_TOTAL = "enrich (total)"


def run_our_stages(root: Path, clock: StageClock) -> dict[str, int]:
    """What ``build_site(paths, run_mkdocs=False)`` does, call for call, with each call timed.

    The one place that knows site_builder/build.py's insides: when a stage function is renamed or
    moved, re-read ``build_site`` and adapt this function and ENRICH_PARTS. The functions are taken
    from the build module itself, so they are the very objects ``build_site`` calls.
    """
    import site_builder.build as build
    from site_builder.background import set_parallel
    from site_builder.progress import set_quiet

    set_quiet(True)  # as `build -q`: the progress lines are not what we time
    set_parallel(False)  # each stage timed alone; the cold generation row times them as the build runs them
    with build.collector_paused():  # as build_site runs its generation
        return _our_stages(build, root, clock)


def _our_stages(build: ModuleType, root: Path, clock: StageClock) -> dict[str, int]:
    paths = build.CatalogPaths(root)
    catalog = clock.run("load+check", build.load_catalog, paths)
    with timed_globals(sys.modules[build.enrich_catalog.__module__], clock, ENRICH_PARTS):
        enrichment = clock.run(ENRICH_TOTAL, build.enrich_catalog, catalog)
    enriched = enrichment.papers
    config_file = paths.root / "mkdocs.yml"
    info = clock.run("render", build.site_info, config_file)
    pages = clock.run("render", build.render_pages, enriched, catalog.tags, info, enrichment.points)
    docs_dir = paths.root / "docs"
    generated = build.GENERATED_FOLDERS + build.GENERATED_FILES
    tags_by_id = {entry.paper.id: entry.tags for entry in enriched}
    documents = clock.run("search index", build.paper_documents, catalog.papers, tags_by_id) + clock.run(
        "search index", build.page_documents, clock.run("search index", build.handwritten_pages, docs_dir, generated)
    )
    stems = build.Stems({})
    head = clock.run("search index", build.head_part, documents, stems)
    body = clock.run("search index", build.body_part, documents, stems)
    pages[build.INDEX_FILE] = clock.run("search index", build.head_file, documents, head, body.words)
    pages[build.BODY_INDEX_FILE] = body.text
    report = clock.run("write docs/", build.write_pages, docs_dir, pages)
    return {"papers": len(catalog.papers), "files": len(pages), "written": report.written}


def mkdocs_command(config_file: Path, *, strict: bool) -> list[str]:
    """The command build_site runs on a cold site/ (strict; not --quiet, which would drop MkDocs' warnings
    and with them --strict's check); the baseline runs the same without --strict."""
    return [sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else []),
            "--config-file", str(config_file)]  # fmt: skip


def stages_child(root: Path, out_json: Path) -> int:
    """Run our stages on ``root`` and write their timings to ``out_json``."""
    import resource

    clock = StageClock()
    counts = run_our_stages(root, clock)
    enrich_total = clock.stages.pop(ENRICH_TOTAL)
    parts = sum(clock.stages.get(label, 0.0) for label in set(ENRICH_PARTS.values()))
    clock.stages["enrich: other"] = max(0.0, enrich_total - parts)
    # In the table's order; a label not in STAGE_ROWS (a stage added to run_our_stages) goes last.
    order = [label for label, _ in STAGE_ROWS]
    stages = dict(sorted(clock.stages.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99))
    result = {
        "stages_s": {label: round(seconds, 3) for label, seconds in stages.items()},
        "functions_s": {name: round(seconds, 3) for name, seconds in clock.functions.items()},
        "enrich_total_s": round(enrich_total, 3),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        **counts,
    }
    out_json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


# --- child processes -------------------------------------------------------------------------


def run_child(command: list[str], cwd: Path) -> dict[str, float]:
    """Run ``command``: wall seconds and peak RSS of it and its waited-for children (``wait4``).

    Linux carries a parent's RSS high-water mark into the children it spawns, so this parent
    stays small (no build work in it) and only the children's own peaks show.
    """
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # as build_site sets for mkdocs
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)} in {cwd}")
    return {"seconds": round(seconds, 3), "peak_rss_bytes": usage.ru_maxrss * 1024}


# --- the projects ----------------------------------------------------------------------------


def generator_inputs(count: int, seed: int) -> str:
    """A hash of what the generated project's papers depend on: N, seed, generate.py, the seed
    catalog, tags.yaml and the site_builder modules defining what generate.py imports."""
    used = {inspect.getsourcefile(value) for value in vars(generate).values() if _from_site_builder(value)}
    files = [
        BENCH / "generate.py",
        REPO / "catalog" / "tags.yaml",
        *sorted((REPO / "catalog" / "papers").glob("*.yaml")),
        *sorted(Path(path) for path in used if path),
    ]
    digest = hashlib.sha256(f"{count}\0{seed}\0".encode())
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _from_site_builder(value: object) -> bool:
    return (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__.startswith("site_builder")


def prepare_project(count: int, seed: int, folder: Path) -> dict[str, Any]:
    """The generated project in ``folder``/project: reused if its stamp matches, else generated."""
    project, stamp_file = folder / "project", folder / "stamp.json"
    inputs = generator_inputs(count, seed)
    stamp = json.loads(stamp_file.read_text(encoding="utf-8")) if stamp_file.exists() else {}
    if project.is_dir() and stamp.get("inputs") == inputs:
        say(f"[{count}] reusing {project} (generated in {stamp['seconds']:.1f} s on {stamp['date']})")
        refresh_support_files(project)
        return {"ran": False, "seconds": stamp["seconds"], "date": stamp["date"], "inputs": inputs}
    say(f"[{count}] generating {count:,} papers into {project}")
    stamp_file.unlink(missing_ok=True)
    for stale in (project, folder / "project.tmp"):
        shutil.rmtree(stale, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(BENCH / "generate.py"), str(count), str(folder / "project.tmp"), "--seed", str(seed)]
    seconds = run_child(command, cwd=REPO)["seconds"]
    (folder / "project.tmp").rename(project)  # only a complete project gets the stamp
    stamp = {"inputs": inputs, "seconds": seconds, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    stamp_file.write_text(json.dumps(stamp, indent=2), encoding="utf-8")
    say(f"[{count}] generated in {seconds:.1f} s")
    return {"ran": True, **stamp}


def refresh_support_files(project: Path) -> None:
    """mkdocs.yml, hand-written docs/, hooks and theme copied afresh: a reused catalog is built with
    the repository's current configuration, as a fresh one would be."""
    for name in ("mkdocs.yml", "catalog/tags.yaml"):
        (project / name).unlink(missing_ok=True)
    for name in ("docs", "site_builder", "catalog/sources"):
        shutil.rmtree(project / name, ignore_errors=True)
    generate.copy_support_files(project)


def make_cold(project: Path) -> None:
    """Back to what generate.py wrote: no generated docs/, no site/, no cache of any earlier build."""
    for entry in project.iterdir():
        if entry.name not in PROJECT_ENTRIES:
            _remove(entry)
    for name in GENERATED_FOLDERS + GENERATED_FILES:
        _remove(project / "docs" / name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


# --- the baseline: the same papers through plain MkDocs + Material ----------------------------


def write_baseline(project: Path, baseline: Path) -> dict[str, Any]:
    """A plain MkDocs project with one simple Markdown page per paper of ``project``."""
    shutil.rmtree(baseline, ignore_errors=True)
    papers = baseline / "docs" / "papers"
    papers.mkdir(parents=True)
    config = baseline_config(project / "mkdocs.yml")
    (baseline / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (baseline / "docs" / "index.md").write_text("# Papers\n\nThe same papers, plain MkDocs.\n", encoding="utf-8")
    for polyfill in config.get("extra", {}).get("polyfills", []):  # files the offline plugin links
        target = baseline / "docs" / polyfill
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(project / "docs" / polyfill, target)
    count = 0
    for record_file in sorted((project / "catalog" / "papers").glob("*.yaml")):
        record = yaml.load(record_file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        (papers / f"{record_file.stem}.md").write_text(baseline_page(record), encoding="utf-8")
        count += 1
    return {"pages": count}


class _EnvLoader(yaml.SafeLoader):
    """mkdocs.yml's ``!ENV`` tags (site_url) read as MkDocs reads them."""


_EnvLoader.add_constructor("!ENV", construct_env_tag)


def baseline_config(our_config: Path) -> dict[str, Any]:
    """Our mkdocs.yml (theme, plugins, extensions, URLs) minus what is ours: hooks, custom_dir, CSS, JS."""
    config = yaml.load(our_config.read_text(encoding="utf-8"), Loader=_EnvLoader)
    for key in ("hooks", "extra_css", "extra_javascript", "nav", "not_in_nav"):
        config.pop(key, None)
    config["theme"].pop("custom_dir", None)
    config.update({"docs_dir": "docs", "site_dir": "site", "nav": [{"Home": "index.md"}], "not_in_nav": "/papers/\n"})
    return config


def baseline_page(record: dict[str, Any]) -> str:
    """Title, authors, year, tags and abstract as plain Markdown, as a hand-written page would have them."""
    lines = [f"# {record['title']}", ""]
    if record.get("authors"):
        lines.append(f"**Authors:** {', '.join(record['authors'])}  ")
    if record.get("year"):
        lines.append(f"**Year:** {record['year']}  ")
    if record.get("tags"):
        lines.append(f"**Tags:** {', '.join(record['tags'])}")
    lines += ["", str(record.get("abstract", "")), ""]
    return "\n".join(lines)


# --- one size --------------------------------------------------------------------------------


def bench_size(count: int, args: argparse.Namespace) -> dict[str, Any]:
    folder = args.work_dir / f"n{count}"
    generation = prepare_project(count, args.seed, folder)
    project, baseline = folder / "project", folder / "baseline"
    make_cold(project)
    begun = time.perf_counter()
    baseline_info = write_baseline(project, baseline)
    say(f"[{count}] baseline pages written in {time.perf_counter() - begun:.1f} s (not timed)")
    load_before = os.getloadavg()

    baseline_runs, whole_runs, stage_runs = [], [], []
    for repeat in range(args.repeats):  # interleaved, so a busy spell on the machine hits every kind of run
        baseline_runs.append(timed_baseline(count, baseline, repeat))
        whole_runs.append(timed_whole_build(count, project, repeat))
        if repeat == 0:
            site = folder_size(project / "site")  # the whole build's output (the same every run)
        stage_runs.append(timed_stages(count, project))
    stages = fastest_stages(stage_runs)
    incremental = timed_incremental(count, project)
    incremental["preview"] = timed_preview(count, project)
    incremental["whole_rebuild"] = timed_whole_rebuild(count, project)
    result = {
        "papers": count,
        "generation": generation,
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "baseline": summarize_runs(baseline_runs) | {"site": folder_size(baseline / "site"), **baseline_info},
        "whole_build": summarize_runs(whole_runs) | {"site": site},
        "stages": stages,
        "incremental": incremental,
        "markdown_bytes_per_paper": {
            "ours": markdown_per_paper(project / "docs" / "papers", count),
            "baseline": markdown_per_paper(baseline / "docs" / "papers", count),
        },
    }
    result["ratios"] = ratios(result)
    result["targets"] = size_targets(result)
    return result


def timed_baseline(count: int, baseline: Path, repeat: int) -> dict[str, float]:
    for name in ("site", ".cache"):
        _remove(baseline / name)
    say(f"[{count}] baseline: mkdocs build (run {repeat + 1})")
    run = run_child(mkdocs_command(baseline / "mkdocs.yml", strict=False), cwd=baseline)
    say(f"[{count}] baseline: {run['seconds']:.1f} s")
    return run


def timed_whole_build(count: int, project: Path, repeat: int) -> dict[str, float]:
    make_cold(project)
    say(f"[{count}] ours: python -m site_builder -q build, cold (run {repeat + 1})")
    run = run_child([sys.executable, "-m", "site_builder", "--root", str(project), "-q", "build"], cwd=REPO)
    say(f"[{count}] ours: whole build {run['seconds']:.1f} s, peak RSS {run['peak_rss_bytes'] / 1e6:,.0f} MB")
    return run


def timed_stages(count: int, project: Path) -> dict[str, Any]:
    """Each stage in a child process (cold), then the mkdocs command build_site runs."""
    make_cold(project)
    say(f"[{count}] ours, stage by stage")
    out_json = project.parent / "stages.json"
    child = run_child([sys.executable, str(Path(__file__).resolve()), "--stages-child", str(project), str(out_json)],
                      cwd=REPO)  # fmt: skip
    stages = json.loads(out_json.read_text(encoding="utf-8"))
    for label, seconds in stages["stages_s"].items():
        say(f"[{count}]   {label}: {seconds:.2f} s")
    _remove(project / "site")
    mkdocs = run_child(mkdocs_command(project / "mkdocs.yml", strict=True), cwd=project)
    say(f"[{count}]   MkDocs: {mkdocs['seconds']:.2f} s")
    total = sum(stages["stages_s"].values())
    return {
        **stages,
        "before_mkdocs_s": round(total, 3),
        # Interpreter start-up and imports: in the whole build, not in any stage.
        "child_process_s": child["seconds"],
        "mkdocs_s": mkdocs["seconds"],
        "mkdocs_peak_rss_bytes": mkdocs["peak_rss_bytes"],
    }


# One-record edits for the incremental measurement: (what, which record, the change made in round r to the
# record as it was). Rounds alternate between two versions, so each round is an edit of the round before.
ADDED = (" We also report wall-clock times.", " We also report wall-clock time.")
EDITS: tuple[tuple[str, int, Callable[[dict[str, Any], int], None]], ...] = (
    ("abstract", 0, lambda record, r: record.update(abstract=record["abstract"] + ADDED[r % 2])),
    ("notes", 1, lambda record, r: record.update(notes=f"Compare with the *{2019 + r % 2}* baseline.")),
    ("manual tags", 2, lambda record, r: record.update(
        tags=(["federated-learning"], ["federated-learning", "convex-optimization"])[r % 2])),
    # A title is a name other abstracts may mention, and in the lists, the related papers' text and the search head.
    ("title", 3, lambda record, r: record.update(title=record["title"] + (" Revisited", " Again")[r % 2])),
)  # fmt: skip
# Each kind of edit is made this many times in a row and the median counts: one rebuild takes 1-3 s, and a
# single one varied by a tenth of a second or more on this shared machine.
EDIT_ROUNDS = 3


def timed_incremental(count: int, project: Path) -> dict[str, Any]:
    """Generation (no MkDocs) cold with the cache filling, then after each kind of one-record edit in turn,
    ``EDIT_ROUNDS`` times: the median run counts (all of them are in ``runs_s``).

    The seconds are the build's own "generate: ... in X s" figure: the same
    work in both, interpreter start-up aside. The records are put back after.
    """
    make_cold(project)
    say(f"[{count}] incremental: cold generation (fills .cache/build/)")
    cold = _generation_seconds(project)
    result: dict[str, Any] = {
        "cold_s": cold["seconds"],
        "cold_process_s": cold["process_s"],
        "cold_cpu_s": cold["cpu_s"],
        "edits": {},
    }
    records = sorted((project / "catalog" / "papers").glob("*.yaml"))
    originals = {}
    try:
        for label, index, change in EDITS:
            path = records[index]
            originals[path] = path.read_bytes()
            runs = []
            for number in range(EDIT_ROUNDS):
                record = yaml.safe_load(originals[path])
                change(record, number)
                path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
                runs.append(_generation_seconds(project))
            edit = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]  # the median run, whole
            result["edits"][label] = {
                **edit,
                "runs_s": [run["seconds"] for run in runs],
                "to_cold": round(edit["seconds"] / result["cold_s"], 3),
                "process_to_cold": round(edit["process_s"] / result["cold_process_s"], 3),
            }
            shown = ", ".join(f"{run['seconds']:.2f}" for run in runs)
            say(f"[{count}] incremental: after a one-record edit ({label}) {edit['seconds']:.2f} s (median of {shown})")
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    return result


def timed_whole_rebuild(count: int, project: Path) -> dict[str, Any]:
    """``make build`` after a one-record abstract edit: generation from the cache, then ``mkdocs build --dirty``
    (after a build that made site/ and recorded it). The record is put back after."""
    whole = [sys.executable, "-m", "site_builder", "--root", str(project), "-q", "build"]
    say(f"[{count}] whole rebuild: a build that makes site/ (not timed)")
    run_child(whole, cwd=REPO)
    record = sorted((project / "catalog" / "papers").glob("*.yaml"))[4]
    original = record.read_bytes()
    try:
        data = yaml.safe_load(original)
        data["abstract"] += " We also release the code."
        record.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        run = run_child(whole, cwd=REPO)
    finally:
        record.write_bytes(original)
    say(f"[{count}] whole rebuild after an abstract edit: {run['seconds']:.1f} s")
    return {"seconds": run["seconds"]}


PREVIEW_TIMEOUT_S = 600


def timed_preview(count: int, project: Path) -> dict[str, Any]:
    """`make serve` (``mkdocs serve --dirty`` on a generated docs/): seconds from saving an abstract edit
    to the served paper page showing it, for two edits in turn. The record is put back after."""
    say(f"[{count}] preview: make serve's mkdocs serve --dirty, then edits")
    subprocess.run(_generation_command(project), cwd=REPO, capture_output=True, check=True)  # as make serve
    record = sorted((project / "catalog" / "papers").glob("*.yaml"))[7]
    original = record.read_bytes()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    page = f"http://127.0.0.1:{port}/papers/{record.stem}.html"
    environment = {**os.environ, "PYTHONPATH": str(REPO), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        command, cwd=project, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        first = _seconds_until_shown(page, "<html")
        edits = []
        for number in range(2):
            time.sleep(2)  # the watcher settles
            data = yaml.safe_load(original)
            data["abstract"] += f" Preview edit {number}."
            record.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
            edits.append(round(_seconds_until_shown(page, f"Preview edit {number}."), 2))
            say(f"[{count}] preview: edit {number + 1} shown after {edits[-1]:.1f} s")
    finally:
        record.write_bytes(original)
        server.terminate()
        server.wait(timeout=60)
    return {"first_build_s": round(first, 1), "edit_shown_s": edits}


def _seconds_until_shown(url: str, text: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < PREVIEW_TIMEOUT_S:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=10) as response:
                if text in response.read().decode("utf-8"):
                    return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not show {text!r} within {PREVIEW_TIMEOUT_S} s")


def _generation_command(project: Path) -> list[str]:
    return [sys.executable, "-m", "site_builder", "--root", str(project), "build", "--no-mkdocs"]


def _generation_seconds(project: Path) -> dict[str, float]:
    """``build --no-mkdocs``: its own "generate: ... in X s" figure, the whole process's wall time, and
    the CPU seconds (user + system) of the process and of the second processes it waited for.

    The CPU seconds show how much work there is for the machine's cores: on two cores, a rebuild
    whose CPU seconds are twice its wall time cannot get faster by running more of it beside.
    """
    command = _generation_command(project)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        process_s = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}\n{stderr}")
    match = re.search(r"^generate: .* in ([\d.]+)s", stderr, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no generation time in the build's output:\n{stderr}")
    return {
        "seconds": float(match.group(1)),
        "process_s": round(process_s, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
    }


def fastest_stages(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each stage's and MkDocs' fastest time over the runs (as summarize_runs); the largest peak RSS."""
    fastest = dict(runs[0])
    for key in ("stages_s", "functions_s"):
        fastest[key] = {name: min(run[key].get(name, 0.0) for run in runs) for name in runs[0][key]}
    for key in ("mkdocs_s", "child_process_s", "enrich_total_s"):
        fastest[key] = min(run[key] for run in runs)
    for key in ("peak_rss_bytes", "mkdocs_peak_rss_bytes"):
        fastest[key] = max(run[key] for run in runs)
    fastest["before_mkdocs_s"] = round(sum(fastest["stages_s"].values()), 3)
    fastest["runs"] = [{"stages_s": run["stages_s"], "mkdocs_s": run["mkdocs_s"]} for run in runs]
    return fastest


def summarize_runs(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The fastest run counts: on a shared machine other work only ever adds time."""
    return {
        "seconds": min(run["seconds"] for run in runs),
        "runs_s": [run["seconds"] for run in runs],
        "peak_rss_bytes": max(run["peak_rss_bytes"] for run in runs),
    }


def folder_size(folder: Path) -> dict[str, Any]:
    """Bytes and files under ``folder``, and bytes by top-level entry (where the size goes)."""
    by_entry: dict[str, int] = {}
    files = pages = 0
    for path in folder.rglob("*"):
        if path.is_file():
            entry = path.relative_to(folder).parts[0]
            by_entry[entry] = by_entry.get(entry, 0) + path.stat().st_size
            files += 1
            pages += path.suffix == ".html"
    largest = dict(sorted(by_entry.items(), key=lambda item: (-item[1], item[0])))
    return {"bytes": sum(by_entry.values()), "files": files, "html_pages": pages, "bytes_by_entry": largest}


def markdown_per_paper(papers: Path, count: int) -> int:
    return round(sum(path.stat().st_size for path in papers.glob("*.md")) / count)


def ratios(result: dict[str, Any]) -> dict[str, float]:
    baseline = result["baseline"]["seconds"]
    return {
        "whole_to_baseline": round(result["whole_build"]["seconds"] / baseline, 3),
        # The generation as build_site runs it (the search index made beside the pages), cold.
        "stages_to_baseline": round(result["incremental"]["cold_s"] / baseline, 3),
        "stage_sum_to_baseline": round(result["stages"]["before_mkdocs_s"] / baseline, 3),
        "our_mkdocs_to_baseline": round(result["stages"]["mkdocs_s"] / baseline, 3),
        "kb_per_paper": round(result["whole_build"]["site"]["bytes"] / result["papers"] / 1e3, 2),
        "baseline_kb_per_paper": round(result["baseline"]["site"]["bytes"] / result["papers"] / 1e3, 2),
    }


def size_targets(result: dict[str, Any]) -> dict[str, bool]:
    found = result["ratios"]
    peak = max(result["whole_build"]["peak_rss_bytes"], result["stages"]["peak_rss_bytes"])
    return {
        "whole_to_baseline": found["whole_to_baseline"] <= TARGETS["whole_to_baseline_max"],
        "whole_to_baseline_stretch": found["whole_to_baseline"] <= TARGETS["whole_to_baseline_stretch"],
        "stages_to_baseline": found["stages_to_baseline"] <= TARGETS["stages_to_baseline_max"],
        "kb_per_paper": found["kb_per_paper"] <= TARGETS["kb_per_paper_max"],
        "peak_rss": peak <= TARGETS["peak_rss_gb_max"] * 1e9,
    }


# --- growth between sizes --------------------------------------------------------------------


def timings(run: dict[str, Any]) -> dict[str, float]:
    """Every timed row of a size, by key."""
    stages = run["stages"]
    return {
        **dict.fromkeys((label for label, _ in STAGE_ROWS), 0.0),
        **stages["stages_s"],
        "before MkDocs": stages["before_mkdocs_s"],
        "generation": run["incremental"]["cold_s"],
        "MkDocs": stages["mkdocs_s"],
        "whole build": run["whole_build"]["seconds"],
        "baseline": run["baseline"]["seconds"],
    }


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time factor per row between consecutive sizes; above 1.3 × linear is super-linear."""
    steps = []
    for small, large in zip(runs, runs[1:], strict=False):
        linear = large["papers"] / small["papers"]
        before, after = timings(small), timings(large)
        rows = {}
        for key, seconds in before.items():
            factor = after.get(key, 0.0) / seconds if seconds > 0 else None
            rows[key] = {
                "factor": None if factor is None else round(factor, 2),
                "noise": seconds < GROWTH_NOISE_S,
                "shaky": seconds < GROWTH_SHAKY_S,
                "super_linear": factor is not None
                and seconds >= GROWTH_NOISE_S
                and factor > TARGETS["growth_over_linear_max"] * linear,
            }
        steps.append({"from": small["papers"], "to": large["papers"], "linear": linear, "rows": rows})
    return steps


# --- results ---------------------------------------------------------------------------------


def write_results(out: Path, started: dt.datetime, args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "build",
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "seed": args.seed,
            "repeats": args.repeats,
            "peak_rss": "ru_maxrss from os.wait4 per child process (includes its waited-for children)",
            "units": "seconds; KB, MB, GB = 10^3, 10^6, 10^9 bytes",
        },
        "targets": TARGETS,
        "sizes": runs,
        "growth": growth(runs),
    }
    for name, text in (("build.json", json.dumps(document, indent=2) + "\n"), ("build.md", markdown_report(document))):
        temporary = out / f"{name}.tmp"  # whole files only, even if the run is stopped
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(out / name)


def markdown_tables(runs: list[dict[str, Any]]) -> str:
    return "\n\n".join([timing_table(runs), target_table(runs), incremental_table(runs), output_table(runs)])


def _cpu_text(cpu_s: float | None) -> str:
    """CPU seconds (user + system, second processes included) as a cell's suffix; nothing if not recorded."""
    return f", CPU {cpu_s:.2f} s" if cpu_s is not None else ""


def incremental_table(runs: list[dict[str, Any]]) -> str:
    """Generation after a one-record edit, against a cold generation (target ≤ 0.1×)."""
    header = [
        f"incremental generation (no MkDocs): the build's own figure, s, the median of {EDIT_ROUNDS} edits of each "
        "kind (and that run's whole process, start-up included; CPU: user + system seconds of it and its second "
        "processes)",
        *(f"{run['papers']:,} papers" for run in runs),
    ]
    lines = [_row(header), _row(["---", *["---:"] * len(runs)])]
    cold = [
        f"{run['incremental']['cold_s']:.2f} (process {run['incremental']['cold_process_s']:.2f}"
        f"{_cpu_text(run['incremental'].get('cold_cpu_s'))})"
        for run in runs
    ]
    lines.append(_row(["cold (cache filling)", *cold]))
    limit = TARGETS["incremental_to_cold_max"]
    for label, _, _ in EDITS:
        cells = []
        for run in runs:
            edit = run["incremental"]["edits"][label]
            met = "met" if edit["to_cold"] <= limit else "**missed**"
            cells.append(
                f"{edit['seconds']:.2f} ({edit['to_cold']:.2f}× cold, ≤ {limit} — {met}); "
                f"process {edit['process_s']:.2f} ({edit['process_to_cold']:.2f}×{_cpu_text(edit.get('cpu_s'))})"
            )
        lines.append(_row([f"after editing one record's {label}", *cells]))
    cells = []
    for run in runs:
        preview, baseline = run["incremental"].get("preview"), run["baseline"]["seconds"]
        shown = preview["edit_shown_s"] if preview else []
        cells.append(
            ", ".join(f"{seconds:.1f}" for seconds in shown) + f" ({max(shown) / baseline:.2f}× the baseline build)"
            if shown
            else "not measured"
        )
    label = "`make serve` (`mkdocs serve --dirty`): an abstract edit shown in the browser after, s"
    lines.append(_row([label, *cells]))
    cells = []
    for run in runs:
        rebuild, cold = run["incremental"].get("whole_rebuild"), run["whole_build"]["seconds"]
        cells.append(f"{rebuild['seconds']:.2f} ({rebuild['seconds'] / cold:.2f}× the cold whole build)" if rebuild
                     else "not measured")  # fmt: skip
    label = "`make build` after an abstract edit (generation, then `mkdocs build --dirty`), s"
    lines.append(_row([label, *cells]))
    return "\n".join(lines)


TOTAL_ROWS = (
    ("before MkDocs", "our stages before MkDocs, each alone (sum of the above)"),
    ("generation", "**our stages before MkDocs as the build runs them** (cold `build --no-mkdocs`, its figure)"),
    ("MkDocs", "MkDocs (`mkdocs build --strict`, as build_site runs it)"),
    ("whole build", "**whole build** (`python -m site_builder -q build`, cold)"),
    ("baseline", "**plain MkDocs + Material baseline** (`mkdocs build`)"),
)


def stage_rows(runs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """STAGE_ROWS, then any stage run_our_stages timed that they do not name (so none goes missing)."""
    known = {label for label, _ in STAGE_ROWS}
    added = {label: None for run in runs for label in run["stages"]["stages_s"] if label not in known}
    return [*STAGE_ROWS, *((label, label) for label in added)]


def timing_table(runs: list[dict[str, Any]]) -> str:
    steps = growth(runs)
    header = ["stage (seconds)", *(f"{run['papers']:,} papers" for run in runs)]
    header += [f"growth {_short(step['from'])}→{_short(step['to'])} (linear ×{step['linear']:g})" for step in steps]
    rows = [*stage_rows(runs), *TOTAL_ROWS]
    lines = [_row(header), _row(["---", *["---:"] * (len(header) - 1)])]
    for key, label in rows:
        cells = [f"{timings(run).get(key, 0.0):.2f}" for run in runs]
        cells += [_growth_cell(step["rows"].get(key, {"factor": None})) for step in steps]
        lines.append(_row([label, *cells]))
    return "\n".join(lines)


def _growth_cell(row: dict[str, Any]) -> str:
    if row["factor"] is None:
        return "n/a"
    if row["noise"]:
        return f"×{row['factor']:.1f} (too small to tell)"
    if row["super_linear"] and row["shaky"]:
        return f"×{row['factor']:.1f} **super-linear?** (under {GROWTH_SHAKY_S} s at the smaller size: noisy)"
    return f"×{row['factor']:.1f}" + (" **super-linear**" if row["super_linear"] else "")


def target_table(runs: list[dict[str, Any]]) -> str:
    header = ["target (issue 8)", *(f"{run['papers']:,} papers" for run in runs)]
    lines = [_row(header), _row(["---", *["---"] * len(runs)])]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        (f"whole build / baseline ≤ {TARGETS['whole_to_baseline_max']} "
         f"(stretch {TARGETS['whole_to_baseline_stretch']})", _whole_cell),
        (f"our stages before MkDocs (cold generation, as the build runs them) / baseline "
         f"≤ {TARGETS['stages_to_baseline_max']}",
         lambda run: _met(run["ratios"]["stages_to_baseline"], run["targets"]["stages_to_baseline"])),
        (f"output ≤ {TARGETS['kb_per_paper_max']} KB per paper (site/ bytes / N)",
         lambda run: _met(run["ratios"]["kb_per_paper"], run["targets"]["kb_per_paper"], " KB")),
        (f"peak RSS ≤ {TARGETS['peak_rss_gb_max']} GB (whole build; stage child)", _rss_cell),
    ]  # fmt: skip
    for label, cell in rows:
        lines.append(_row([label, *(cell(run) for run in runs)]))
    label = f"linear growth (≤ {TARGETS['growth_over_linear_max']} × linear)"
    linear = _linear_cells(runs)
    lines.append(_row([label, "", *linear] if linear else [label, "n/a (needs two sizes)"]))
    return "\n".join(lines)


def _whole_cell(run: dict[str, Any]) -> str:
    ratio, met = run["ratios"]["whole_to_baseline"], run["targets"]
    stretch = " (stretch met)" if met["whole_to_baseline_stretch"] else ""
    return _met(ratio, met["whole_to_baseline"]) + stretch


def _rss_cell(run: dict[str, Any]) -> str:
    whole, child = run["whole_build"]["peak_rss_bytes"], run["stages"]["peak_rss_bytes"]
    return f"{whole / 1e6:,.0f} MB; {child / 1e6:,.0f} MB — " + ("met" if run["targets"]["peak_rss"] else "**missed**")


def _linear_cells(runs: list[dict[str, Any]]) -> list[str]:
    cells = []
    for step in growth(runs):
        over = [key for key, row in step["rows"].items() if row["super_linear"] and key != "baseline"]
        firm = [key for key in over if not step["rows"][key]["shaky"]]
        shaky = [key for key in over if step["rows"][key]["shaky"]]
        cell = f"**missed**: {', '.join(firm)}" if firm else "met"
        cells.append(cell + (f"; to check (noisy): {', '.join(shaky)}" if shaky else ""))
    return cells


def output_table(runs: list[dict[str, Any]]) -> str:
    header = ["output and memory", *(f"{run['papers']:,} papers" for run in runs)]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("site/: MB, files, HTML pages (ours)", lambda run: _site_cell(run["whole_build"]["site"])),
        ("site/: MB, files, HTML pages (baseline)", lambda run: _site_cell(run["baseline"]["site"])),
        ("our MkDocs (on our docs/) / baseline", lambda run: f"{run['ratios']['our_mkdocs_to_baseline']:.2f}"),
        ("KB per paper: ours / baseline",
         lambda run: f"{run['ratios']['kb_per_paper']:.1f} / {run['ratios']['baseline_kb_per_paper']:.1f}"),
        ("Markdown per paper page, bytes: ours / baseline",
         lambda run: "{ours:,} / {baseline:,}".format(**run["markdown_bytes_per_paper"])),
        ("largest parts of our site/, KB per paper", _largest_parts),
        ("peak RSS MB: whole build / stage child / our mkdocs / baseline mkdocs", _rss_detail),
        ("start-up + imports outside the stages, s", _startup_cell),
        ("generation of the project, s", _generation_cell),
    ]  # fmt: skip
    lines = [_row(header), _row(["---", *["---:"] * len(runs)])]
    lines += [_row([label, *(cell(run) for run in runs)]) for label, cell in rows]
    return "\n".join(lines)


def _site_cell(site: dict[str, int]) -> str:
    return f"{site['bytes'] / 1e6:,.1f} MB, {site['files']:,} files, {site['html_pages']:,} pages"


def _largest_parts(run: dict[str, Any], shown: int = 5) -> str:
    parts = list(run["whole_build"]["site"]["bytes_by_entry"].items())[:shown]
    return ", ".join(f"{name} {size / run['papers'] / 1e3:.1f}" for name, size in parts)


def _rss_detail(run: dict[str, Any]) -> str:
    values = (run["whole_build"]["peak_rss_bytes"], run["stages"]["peak_rss_bytes"],
              run["stages"]["mkdocs_peak_rss_bytes"], run["baseline"]["peak_rss_bytes"])  # fmt: skip
    return " / ".join(f"{value / 1e6:,.0f}" for value in values)


def _startup_cell(run: dict[str, Any]) -> str:
    stages = run["stages"]
    return f"{stages['child_process_s'] - stages['before_mkdocs_s']:.2f}"


def _generation_cell(run: dict[str, Any]) -> str:
    generation = run["generation"]
    return f"{generation['seconds']:.1f}" + ("" if generation["ran"] else f" (reused, from {generation['date']})")


def _met(value: float, met: bool, unit: str = "") -> str:
    return f"{value:.2f}{unit} — " + ("met" if met else "**missed**")


def _short(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_report(document: dict[str, Any]) -> str:
    lines = [
        "# Build benchmark",
        "",
        run_line(document),
        "",
        f"Synthetic catalogs (bench/generate.py, seed {document['settings']['seed']}); every build cold "
        "(generated docs/, site/ and caches removed first). Stages: `build_site`'s own calls, timed one by one "
        "in a child process (`run_our_stages` in bench/build_bench.py) with second processes off, then its "
        '`mkdocs build --strict`; the row "as the build runs them" is a cold `build --no-mkdocs` (its own '
        "figure), which makes the search index, mentions and half of related papers in a second process. "
        "Baseline: the same papers as plain Markdown pages (title, authors, year, tags, abstract), not in the "
        "nav, built with our mkdocs.yml minus our hooks, theme overrides, CSS and JS, by `mkdocs build` "
        f"(not --strict). Each time is the fastest of {document['settings']['repeats']} run(s), the three "
        "kinds of build taking turns. Peak RSS: `ru_maxrss` from `os.wait4` for each child process, which "
        "includes the children "
        "it waited for (the whole build's is the larger of site_builder and its mkdocs). The machine is shared "
        "(load averages in build.json): compare the ratios, measured in the same run, rather than the seconds. "
        "Produced by `make bench-build`.",
        "",
        markdown_tables(document["sizes"]),
        "",
    ]
    return "\n".join(lines)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
