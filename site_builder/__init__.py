"""Static-site generator for research-paper catalogs.

The package layout is the pipeline: ``ingest`` (one reader per source format)
→ ``catalog`` (load, validate, write records) → ``enrich`` (tags, related
papers) → ``render`` (Markdown pages) → MkDocs (``build``).
"""

__version__ = "0.1.0"
