"""The build benchmark's stage timing still fits the build (`make bench` runs on a fresh clone, not in CI).

``bench/build_bench.py`` times ``build_site``'s own calls by name: a stage renamed or moved in the build
breaks the benchmark, which only a run of ``make bench`` would show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.build_bench import ENRICH_PARTS, STAGE_ROWS
from bench.generate import generate_project
from tests.conftest import REPO


def test_the_benchmarks_stage_child_times_every_stage_of_a_real_build(tmp_path: Path) -> None:
    root = tmp_path / "project"
    generate_project(40, root)
    out = tmp_path / "stages.json"
    command = [sys.executable, "bench/build_bench.py", "--stages-child", str(root), str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    timings = json.loads(out.read_text(encoding="utf-8"))
    assert [label for label, _ in STAGE_ROWS if label not in timings["stages_s"]] == []
    assert [name for name in ENRICH_PARTS if name not in timings["functions_s"]] == []
    assert (root / "docs" / "papers").is_dir()  # the stages wrote the pages
