"""The demo outlet: built from a real Iran Front Page article page (data/seed-article.txt)."""
