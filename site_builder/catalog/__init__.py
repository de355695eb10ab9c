"""Catalog stage: read, validate and write ``catalog/`` (the source of truth)."""

from site_builder.catalog.load import CatalogPaths, load_catalog

__all__ = ["CatalogPaths", "load_catalog"]
