"""nginx in front of ``masthead serve``: the site file ``masthead front-config`` prints.

What the front adds (docs/operations.md, "nginx in front"):

* **A one-second cache of public pages** (``proxy_cache``). Masthead's own page
  cache answers a hit in Python, through granian's WSGI; nginx answers it by
  ``sendfile`` at a fraction of the cost (docs/performance.md). An answer is kept
  only by the rule Masthead's page cache keeps one by (``site/page_cache.py``):
  ``Cache-Control: public`` and a ``Surrogate-Key``, no ``Set-Cookie``, and a
  request with no session cookie and no credentials. Staff pages and previews
  (``private, no-store``) are never kept, and a signed-in request never reads
  a kept copy. A copy lives ``cache_seconds`` (1 by default), so a publish or a
  withdrawal reaches readers at most that much later than without the front;
  browsers and CDNs still get Masthead's own ``Cache-Control``.
* **Request bodies buffered** before they reach granian, so slow uploads hold
  nginx's buffers, not Masthead's threads; the size limit sits just above
  Masthead's own, so Masthead still answers an oversize upload with its message
  (nginx's own bare 413 only past that).
* **``X-Forwarded-For`` / ``-Proto``** set by nginx itself, for ``BEHIND_PROXY``.

Every value given is checked before it is written: a server name or a path with
a space, a ``;`` or a brace would change the configuration's meaning.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from django.conf import settings

# What nginx takes as a server name: a host name, an address, ".example.com",
# "*.example.com" or "_" (the catch-all). Nothing that could end the directive.
# Whole values only (fullmatch: "$" would let a trailing newline through).
_SERVER_NAME = re.compile(r"_|\*\.[A-Za-z0-9.-]+|\.?[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]")
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):([0-9]{1,5})")
_SAFE_PATH = re.compile(r"/[A-Za-z0-9._/+@=-]*")
_COOKIE_NAME = re.compile(r"[A-Za-z0-9_]+")  # what an nginx $cookie_ variable can name


def server_name(value: str) -> str:
    if not _SERVER_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a host name nginx can serve (letters, digits, dots and "
            "hyphens; '.example.com', '*.example.com' or '_' for any)"
        )
    return value


def upstream(value: str) -> str:
    """``host:port`` of ``masthead serve``, or ``unix:/path/to/socket``."""
    if value.startswith("unix:"):
        absolute_path(value[len("unix:") :])
        return value
    match = _HOST_PORT.fullmatch(value)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an address of masthead serve: HOST:PORT (127.0.0.1:8000) "
            "or unix:/path/to/socket"
        )
    return value


def listen(value: str) -> str:
    """A port, or ``address:port``."""
    if value.isdigit() and 0 < int(value) < 65536:
        return value
    try:
        return upstream(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a port (80) or ADDRESS:PORT (127.0.0.1:8080) to listen on"
        ) from None


def absolute_path(value: str) -> str:
    if not _SAFE_PATH.fullmatch(value) or "/../" in f"{value}/":
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an absolute path nginx can take as written (letters, digits "
            "and . _ - + @ = /; no spaces, quotes, ';' or '..')"
        )
    return value


def cache_seconds(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= 60:
        raise argparse.ArgumentTypeError(
            f"{value!r}: a front cache lifetime is a whole number of seconds from 1 to 60 "
            "(it is how much later than without the front a publish reaches readers)"
        )
    return seconds


@dataclass(frozen=True)
class Front:
    server_names: tuple[str, ...] = ("_",)
    upstream: str = "127.0.0.1:8000"
    listen: str = "80"
    cache_dir: str = "/var/cache/nginx/masthead"
    cache_seconds: int = 1
    certificate: str | None = None
    certificate_key: str | None = None

    def __post_init__(self):
        for name in self.server_names:
            server_name(name)
        upstream(self.upstream)
        listen(self.listen)
        absolute_path(self.cache_dir)
        cache_seconds(str(self.cache_seconds))
        if (self.certificate is None) != (self.certificate_key is None):
            raise argparse.ArgumentTypeError(
                "a certificate needs its key and a key its certificate "
                "(--certificate and --certificate-key)"
            )
        for path in (self.certificate, self.certificate_key):
            if path is not None:
                absolute_path(path)


def default_server_names() -> tuple[str, ...]:
    """The hosts Masthead answers for (``ALLOWED_HOSTS``), or nginx's catch-all."""
    names = tuple(dict.fromkeys(host for host in settings.ALLOWED_HOSTS if host != "*"))
    if not names or "*" in settings.ALLOWED_HOSTS:
        return ("_",)
    try:
        for name in names:
            server_name(name)
    except argparse.ArgumentTypeError:
        return ("_",)
    return names


def render(front: Front) -> str:
    """The site file: ``http``-level directives, for ``/etc/nginx/sites-enabled/``."""
    cookie = settings.SESSION_COOKIE_NAME
    if not _COOKIE_NAME.fullmatch(cookie):
        raise argparse.ArgumentTypeError(
            f"SESSION_COOKIE_NAME {cookie!r} has characters nginx cannot read a cookie by"
        )
    # Masthead refuses a body past an image plus the form's fields (request_limits.py)
    # with its own message; nginx's limit sits one to two megabytes above (whole
    # megabytes), so that Masthead's message is what a client gets.
    body_mb = (settings.MAX_IMAGE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE) // 2**20 + 2
    names = " ".join(front.server_names)
    if front.certificate:
        servers = _REDIRECT.format(names=names, listen=front.listen)
        listen_line = "listen 443 ssl http2;"
        tls = (
            f"ssl_certificate {front.certificate};\n"
            f"    ssl_certificate_key {front.certificate_key};\n"
        )
    else:
        servers, listen_line, tls = "", f"listen {front.listen};", ""
    return _SITE.format(
        cache_dir=front.cache_dir,
        cookie=cookie,
        upstream=front.upstream,
        servers=servers,
        listen=listen_line,
        tls=tls,
        names=names,
        body_mb=body_mb,
        seconds=front.cache_seconds,
    )


_REDIRECT = """\
server {{
    listen {listen};
    server_name {names};
    server_tokens off;
    return 301 https://$host$request_uri;
}}

"""

_SITE = """\
# nginx in front of `masthead serve`, written by `masthead front-config`
# (docs/operations.md, "nginx in front"). Put it in /etc/nginx/sites-enabled/,
# run Masthead with BEHIND_PROXY=true, and `nginx -t && nginx -s reload`.

proxy_cache_path {cache_dir} levels=1:2 keys_zone=masthead_pages:16m
                 max_size=512m inactive=10m use_temp_path=off;

# A copy is kept by Masthead's own page cache's rule (masthead/site/page_cache.py):
# public, labelled with the content it shows, asked for without a session.
map $upstream_http_cache_control $masthead_not_public {{
    "~*public" 0;
    default 1;
}}
map $upstream_http_cache_control $masthead_private {{
    "~*(private|no-store|no-cache)" 1;
    default 0;
}}
map $upstream_http_surrogate_key $masthead_unlabelled {{
    "" 1;
    default 0;
}}
map $cookie_{cookie} $masthead_signed_in {{
    "" 0;
    default 1;
}}

upstream masthead {{
    server {upstream};
    keepalive 64;
}}

{servers}server {{
    {listen}
    server_name {names};
    server_tokens off;
    {tls}
    # Bodies are read here, then handed over whole (slow uploads hold no thread).
    client_max_body_size {body_mb}m;
    client_body_timeout 30s;
    proxy_request_buffering on;

    location / {{
        proxy_pass http://masthead;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_read_timeout 60s;

        proxy_cache masthead_pages;
        proxy_cache_key $scheme$http_host$request_uri;
        proxy_cache_methods GET HEAD;
        # Masthead's Cache-Control is for browsers and CDNs (a minute); here a
        # copy lives {seconds} s, so a publish or a withdrawal shows that soon.
        proxy_ignore_headers Cache-Control Expires X-Accel-Expires;
        proxy_cache_valid 200 301 404 410 {seconds}s;
        proxy_no_cache $masthead_signed_in $http_authorization $masthead_not_public
                       $masthead_private $masthead_unlabelled;
        proxy_cache_bypass $masthead_signed_in $http_authorization;
        # No proxy_cache_lock (its waiters look again only every 500 ms) and no
        # proxy_cache_revalidate (a copy refreshed by a 304 took 0.8 s to serve):
        # measured, each put p99 at 0.2-1.5 s, each second a copy expired. The
        # requests that find a copy expired go to Masthead, whose own page cache
        # answers them and renders a page once (no stampede). An expired copy is
        # never served while Masthead answers (a withdrawn story must go), only
        # while it fails (stale-if-error, as Masthead's own cache does).
        proxy_cache_use_stale error timeout http_500 http_502 http_503 http_504;
        add_header X-Front-Cache $upstream_cache_status always;
    }}
}}
"""
