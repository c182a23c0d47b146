"""The fastest WSGI app there is for a page: fixed bytes from memory (bench/run, pages phase).

Served by granian with the same workers and threads as Masthead's first row, it
is the ceiling of any page cache inside a granian WSGI app: what Masthead's own
bytes (``FILES_ROOT``, as the ``nginx-masthead-files`` row serves them) cost
granian and the kernel when Python does nothing but hand them over. Each path
is ``FILES_ROOT/<path>/index.html``, read once at start; anything else is 404.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ["FILES_ROOT"])


def _address(page: Path) -> str:
    """``ROOT/politics/x/index.html`` → ``/politics/x/``."""
    return "/" + "".join(f"{part}/" for part in page.parent.relative_to(ROOT).parts)


PAGES = {_address(page): page.read_bytes() for page in ROOT.rglob("index.html")}


def application(environ, start_response):
    body = PAGES.get(environ.get("PATH_INFO", ""))
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]
