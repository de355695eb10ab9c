"""Search stage: lunr indexes built once at build time, and queries over them."""

from site_builder.search.index import (
    BODY_INDEX_FILE,
    INDEX_FILE,
    SearchDocument,
    build_payload,
    paper_documents,
    payload_scripts,
)
from site_builder.search.query import SearchIndex

__all__ = [
    "BODY_INDEX_FILE",
    "INDEX_FILE",
    "SearchDocument",
    "SearchIndex",
    "build_payload",
    "paper_documents",
    "payload_scripts",
]
