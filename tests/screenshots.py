"""Take the README's two screenshots from a real build: `make screenshots`.

Builds the shipped catalog in a temp copy (as the `built_seed_site` test fixture does, so docs/ and
site/ of this folder are not touched), opens the home page and one paper page from disk in headless
Chromium (Debian's /usr/bin/chromium) at 1200x800, light palette, and writes
docs/assets/screenshots/home.png and paper.png. With Pillow installed the PNGs are also reduced to
256 colours, which keeps each well under 150 KB; without it they are saved as Chromium takes them.

Not a test (pytest does not collect it). Run: .venv/bin/python tests/screenshots.py
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import ViewportSize, sync_playwright  # noqa: E402

from tests.browser_support import CHROMIUM, LAUNCH_ARGS  # noqa: E402
from tests.conftest import _generated_docs, copy_site_support, run  # noqa: E402

OUT = REPO / "docs" / "assets" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1200, "height": 800}
PAPER = "symbolic-discovery-of-optimization-algorithms"  # the Lion paper: tags, BibTeX, related papers, mentions
SHOTS = {"home.png": "index.html", "paper.png": f"papers/{PAPER}.html"}
TARGET_BYTES = 150_000


def build(root: Path) -> Path:
    """The shipped catalog built for real in `root`; returns its site/."""
    shutil.copytree(REPO / "catalog", root / "catalog")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs", ignore=_generated_docs)
    copy_site_support(root)
    if run(root, "--quiet", "build") != 0:
        sys.exit("screenshots: the build failed (see above); no screenshot taken")
    return root / "site"


def smaller(png: bytes) -> bytes:
    """The PNG reduced to 256 colours when Pillow is installed, else unchanged."""
    try:
        from PIL import Image
    except ImportError:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue() if out.tell() < len(png) else png


def main() -> int:
    if not CHROMIUM.exists():
        sys.exit(f"screenshots: {CHROMIUM} is missing (apt-get install chromium)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as temp:
        site = build(Path(temp) / "project")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT, color_scheme="light", device_scale_factor=1)
                for name, path in SHOTS.items():
                    if not (site / path).is_file():
                        sys.exit(f"screenshots: the build wrote no {path}")
                    page.goto((site / path).as_uri())
                    page.wait_for_load_state("load")
                    png = smaller(page.screenshot(animations="disabled", caret="hide"))
                    (OUT / name).write_bytes(png)
                    note = "" if len(png) <= TARGET_BYTES else f" (over {TARGET_BYTES // 1000} KB; install Pillow)"
                    print(f"screenshots: wrote {(OUT / name).relative_to(REPO)} ({len(png) // 1000} KB){note}")
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
