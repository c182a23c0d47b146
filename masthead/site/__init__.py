"""The public news site: pages, story lists, relative times, HTTP caching headers."""
