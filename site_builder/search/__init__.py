"""Search stage: a lunr index built once at build time, and queries over it."""

from site_builder.search.index import INDEX_FILE, SearchDocument, build_payload, paper_documents, payload_script
from site_builder.search.query import SearchIndex

__all__ = ["INDEX_FILE", "SearchDocument", "SearchIndex", "build_payload", "paper_documents", "payload_script"]
