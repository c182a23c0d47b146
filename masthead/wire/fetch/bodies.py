"""Response bodies decoded here, bounded: no decompression bomb gets past the size cap.

httpx's own decoders inflate a whole network chunk in one call (a 64 KB gzip
chunk can become 64 MB, a brotli chunk gigabytes). Here ``zlib``'s
``max_length`` limits every call, and decoded bytes are counted against the
cap as they come. Only gzip and deflate are asked for and accepted.
"""

from __future__ import annotations

import zlib

from masthead.wire.fetch.errors import FetchError


class _Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def finish(self) -> bytes:
        return b""


class _Inflate:
    """zlib inflate that never produces more than ``limit`` bytes in all."""

    def __init__(self, encoding: str, limit: int):
        self.encoding = encoding
        self.limit = limit
        self.produced = 0
        self.is_first = True
        # gzip: header required; deflate: zlib-wrapped per the RFC, raw from some servers.
        self.inflater = zlib.decompressobj(
            16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        )

    def feed(self, data: bytes) -> bytes:
        is_first, self.is_first = self.is_first, not data and self.is_first
        try:
            return self._bounded(data)
        except zlib.error as error:
            if not (is_first and self.encoding == "deflate" and self.produced == 0):
                raise FetchError(f"the {self.encoding} data is corrupt ({error})") from None
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
        return self.feed(data)

    def _bounded(self, data: bytes) -> bytes:
        out: list[bytes] = []
        pending = data
        while not self.inflater.eof:  # bytes after the end of the stream are ignored
            room = self.limit - self.produced
            chunk = self.inflater.decompress(pending, room + 1)
            self.produced += len(chunk)
            if self.produced > self.limit:
                cap = size_text(self.limit)
                raise FetchError(f"the response exceeded {cap} once decompressed ({self.encoding})")
            out.append(chunk)
            pending = self.inflater.unconsumed_tail
            if not pending and len(chunk) <= room:
                break  # all input taken and the output was not cut short
        return b"".join(out)

    def finish(self) -> bytes:
        tail = self.feed(b"")
        if not self.inflater.eof:
            raise FetchError(f"the response was cut off (incomplete {self.encoding} data)")
        return tail


def decoder(content_encoding: str, limit: int):
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return _Inflate("gzip", limit)
    if len(codings) == 1 and codings[0] == "deflate":
        return _Inflate("deflate", limit)
    raise FetchError(f"the server sent an unsupported content encoding ({content_encoding})")


def size_text(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.3g} MB"
    if count >= 1024:
        return f"{count / 1024:.3g} KB"
    return f"{count} bytes"
