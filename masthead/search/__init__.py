"""Full-text search of stories, the wire queue and the media library (docs/search.md)."""
