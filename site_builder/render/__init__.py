"""Render stage: enriched papers → Markdown pages for MkDocs."""

from site_builder.render.pages import SiteInfo, render_pages
from site_builder.render.write import write_pages

__all__ = ["SiteInfo", "render_pages", "write_pages"]
