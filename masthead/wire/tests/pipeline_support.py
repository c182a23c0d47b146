"""Sources and agency copy for the pipeline's tests (ingest, tasks, folder, push)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from masthead.factories import make_desk
from masthead.wire.items import ParsedFeed, WireCopy
from masthead.wire.models import RoutingRule, Source

_numbers = itertools.count(1)


def make_source(name: str | None = None, *, desk=None, kind=Source.Kind.NINJS, **fields) -> Source:
    number = next(_numbers)
    name = name or f"Agency {number}"
    fields.setdefault("slug", f"agency-{number}")
    fields.setdefault("provider", name)
    if kind in (Source.Kind.RSS, Source.Kind.NINJS, Source.Kind.NEWSML):
        fields.setdefault("url", f"https://wire.example/{number}.xml")
    return Source.objects.create(name=name, kind=kind, desk=desk or make_desk(), **fields)


def make_rule(source: Source, desk=None, **fields) -> RoutingRule:
    return RoutingRule.objects.create(source=source, desk=desk or source.desk, **fields)


def copy(provider_id: str = "urn:item:1", **fields) -> WireCopy:
    fields.setdefault("headline", f"Headline of {provider_id}")
    fields.setdefault("body_html", f"<p>The body of {provider_id}, long enough to compare.</p>")
    return WireCopy(provider_id=provider_id, **fields)


def feed(*copies: WireCopy, refused: list[str] | None = None) -> ParsedFeed:
    return ParsedFeed(items=list(copies), refused=list(refused or []))


def ago(**delta) -> datetime:
    return timezone.now() - timedelta(**delta)


def ahead(**delta) -> datetime:
    return timezone.now() + timedelta(**delta)


def ninjs(*items: dict) -> bytes:
    """A ninjs 1.x list document of ``items`` (each at least a ``uri``)."""
    import json

    documents = []
    for item in items:
        document = {
            "headline": f"Headline of {item['uri']}",
            "body_html": f"<p>The body of {item['uri']}, long enough to compare.</p>",
            "version": "1",
            "pubstatus": "usable",
            **item,
        }
        documents.append(document)
    return json.dumps(documents).encode()


class FeedServer:
    """A feed on 127.0.0.1 that counts its hits; ``delay`` holds each answer that long.

    ``responses`` (status, headers, body) are served in turn, the last one again
    and again; a request with the ETag of a 200 answer gets 304.
    """

    def __init__(self, *responses: tuple[int, dict, bytes], delay: float = 0.0):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.responses = list(responses)
        self.delay = delay
        self.hits = 0
        self.conditional_hits = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                import time

                with server._lock:
                    server.hits += 1
                    index = min(server.hits, len(server.responses)) - 1
                    if self.headers.get("If-None-Match"):
                        server.conditional_hits += 1
                status, headers, body = server.responses[index]
                if server.delay:
                    time.sleep(server.delay)
                etag = headers.get("ETag")
                if status == 200 and etag and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/feed"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


JSON = {"Content-Type": "application/json"}
