"""What a failed fetch says: a reason an editor can read on the source's health page."""

from __future__ import annotations


class FetchError(Exception):
    """A fetch that failed, with a reason for the source's health page.

    ``retry_after`` is the server's ``Retry-After`` in seconds (429/503).
    ``permanent`` says retrying the same URL is unlikely to help without
    someone changing the source (refused destination, 404, 401, 410 …).
    """

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent

    def __str__(self) -> str:
        return self.reason


class DestinationNotAllowed(FetchError):
    """The SSRF guard refused the address (before any connection to it)."""

    def __init__(self, reason: str, **kwargs):
        kwargs.setdefault("permanent", True)
        super().__init__(f"destination not allowed: {reason}", **kwargs)
