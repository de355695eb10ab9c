"""Search stage: lunr indexes built once at build time, and queries over them."""

from site_builder.search.index import (
    BODY_INDEX_FILE,
    INDEX_FILE,
    SearchDocument,
    paper_documents,
)
from site_builder.search.parts import index_files
from site_builder.search.query import SearchIndex

__all__ = [
    "BODY_INDEX_FILE",
    "INDEX_FILE",
    "SearchDocument",
    "SearchIndex",
    "index_files",
    "paper_documents",
]
