"""The one inline stylesheet the body editor adds, allowed by its hash.

When the body editor starts, tiptap (bundled in django-prose-editor) adds
its base CSS (``.ProseMirror { position: relative; } …``) to the page as a
``<style>`` element; django-prose-editor offers no way to give it the page's
nonce or to turn it off. Rather than allow every inline style on editor
pages (``'unsafe-inline'``), their Content-Security-Policy allows this one
stylesheet by its SHA-256 hash, read from the installed bundle, so that an
upgrade changing the CSS changes the hash with it. Should a future bundle
write it differently, nothing is allowed and the browser tests, which fail
on any CSP violation, say so.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from functools import cache, wraps
from importlib.resources import files

from django.http import HttpResponse

BUNDLE = ("django_prose_editor", "static/django_prose_editor/editor.js")
# tiptap's CSS as a template literal: from its first rule to the closing backtick.
_BASE_CSS = re.compile(r"`(\.ProseMirror \{\n  position: relative;[^`]*)`")


@cache
def editor_style_sources() -> tuple[str, ...]:
    """CSP sources (``'sha256-…'``) of the inline styles the body editor adds."""
    package, path = BUNDLE
    bundle = files(package).joinpath(path).read_text(encoding="utf-8")
    found = _BASE_CSS.search(bundle)
    if found is None or "${" in found[1] or "\\" in found[1]:
        return ()  # not a plain literal: its text at run time is not known here
    digest = hashlib.sha256(found[1].encode()).digest()
    return (f"'sha256-{base64.b64encode(digest).decode()}'",)


def allows_editor_styles(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Adds the editor's inline styles to the policy of ``view``'s responses (django-csp)."""

    @wraps(view)
    def wrapped(*args, **kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        response._csp_update = {"style-src": list(editor_style_sources())}
        return response

    return wrapped
