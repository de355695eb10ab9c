"""``offline``: zip the built site into ``dist/<name>-<date>.zip`` to carry and read with no network.

The built site already works from ``file://`` (DESIGN.md), so the archive is site/ as it is,
under one top folder ``<name>/`` so unzipping never spills files into the reader's folder.
The same site gives the same bytes: entries sorted, one fixed timestamp and fixed permissions.
"""

from __future__ import annotations

import datetime
import os
import zipfile
from pathlib import Path

from slugify import slugify

from site_builder.errors import EXIT_OK, BadInput, Problem

# The earliest date zip can store: every entry gets it, so the archive depends on file bytes only.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


def run_offline(root: Path) -> int:
    """Zip ``root/site`` into ``root/dist/<name>-<date>.zip`` and say where it went."""
    site = root / "site"
    if not (site / "index.html").is_file():
        raise BadInput([Problem(str(site), None, None, "no built site here; run make build first")])
    name = archive_name(root / "mkdocs.yml")
    target = root / "dist" / f"{name}-{datetime.date.today().isoformat()}.zip"
    count = write_archive(site, target, name)
    megabytes = target.stat().st_size / 1_000_000
    print(f"offline: wrote {_shown(target)} ({count} files, {megabytes:.1f} MB); unzip it and open {name}/index.html")
    return EXIT_OK


def archive_name(config_file: Path) -> str:
    """The slug of mkdocs.yml's site_name ("Paper Catalog" -> "paper-catalog"): a folder name on any system."""
    from site_builder.build import site_info  # the one reader of mkdocs.yml; imported late, it pulls in the build

    return slugify(site_info(config_file).name) or "site"


def write_archive(site: Path, target: Path, top: str) -> int:
    """Write every file under ``site`` as ``top/<path>`` into ``target`` (through a temp file); returns the count."""
    files = sorted(path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in files:
            archive.writestr(_entry(f"{top}/{name}"), (site / name).read_bytes())
    os.replace(partial, target)
    return len(files)


def _entry(name: str) -> zipfile.ZipInfo:
    """An entry with nothing from this machine in it: fixed time, plain read/write permissions."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so unzip reads the permissions below (the default depends on the OS)
    info.external_attr = (0o100000 | FILE_MODE) << 16  # a regular file, rw-r--r--
    return info


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, as a user would type it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
